//! Who and where a practice is about: the city and the organisations named
//! in its title or first sentence. Pure, rule-based, no gazetteer of place
//! names: what the rules cannot find stays empty rather than guessed.
//!
//! The practices of the reports name their actors in a few set ways:
//!
//! ```text
//! Exposition interculturelle: Afrique 2017 à Nador          → city "à Nador"
//! …, Caritas Douala                                         → organisation, then a city
//! «…» par l'Association marocaine pour l'intégration …      → organisation after "par"
//! Coopération entre Meknès et la Confédération des Élèves … → "entre CITY et ORGANISATION"
//! La municipalité de Nador et l'Association … (ASTICUDE)    → acronym of a named body
//! ```
//!
//! Organisations are read first, and their words are not places ("Ligue
//! Tunisienne des Droits de l'Homme" holds no city). A place is a run of
//! capitalised words after a preposition; prepositions of towns ("à",
//! "municipalité de") outrank those of countries ("en", "au"). A capitalised
//! word that the same passage also uses in lower case is a common noun of a
//! title-case heading ("de Coordination"), never a place.

use std::collections::HashSet;

/// The city and organisations a practice names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entities {
    /// Where the practice takes place: a city, or a country when that is all
    /// the practice names ("Terre d'Asile Tunisie").
    pub city: Option<String>,
    /// Organisations named, title first, without duplicates.
    pub organisations: Vec<String>,
}

/// Words that open the name of an organisation ("l'Association …", "la
/// Ligue …"), lower case, in our four report languages.
const ORGANISATION_HEADS: [&str; 38] = [
    "association",
    "asociación",
    "ligue",
    "league",
    "liga",
    "société",
    "society",
    "sociedad",
    "confédération",
    "confederation",
    "confederación",
    "fédération",
    "federation",
    "federación",
    "fondation",
    "foundation",
    "fundación",
    "organisation",
    "organization",
    "organización",
    "réseau",
    "network",
    "collectif",
    "comité",
    "committee",
    "union",
    "conseil",
    "council",
    "coalition",
    "plateforme",
    "platform",
    "alliance",
    "observatoire",
    "institut",
    "institute",
    "mouvement",
    "movement",
    "caritas",
];

/// Small words inside names: "Ligue Tunisienne *des* Droits *de* l'Homme".
const CONNECTORS: [&str; 19] = [
    "de", "des", "du", "d", "la", "le", "les", "l", "pour", "et", "au", "aux", "en", "of", "the",
    "for", "and", "del", "y",
];

/// Prepositions that introduce a place, with their rank (lower is surer).
const PLACE_MARKERS: [(&str, u8); 12] = [
    ("à", TOWN),
    ("in", TOWN),
    ("entre", TOWN),
    ("between", TOWN),
    ("de", OF),
    ("of", OF),
    ("d", OF),
    ("en", COUNTRY),
    ("au", COUNTRY),
    ("aux", COUNTRY),
    ("dans", COUNTRY),
    ("desde", COUNTRY),
];

/// "à Nador", "municipalité de Nador", "entre Meknès et …".
const TOWN: u8 = 0;
/// The place that ends a name in the title ("Caritas Douala") and that the
/// first sentence confirms.
const NAMED_WITH_ORGANISATION: u8 = 1;
/// "de Brital": often a town, sometimes part of a name.
const OF: u8 = 2;
/// "en Tunisie", "au Cameroun": usually a country.
const COUNTRY: u8 = 3;

/// Nouns after which "de X" names a town for sure.
const TOWN_NOUNS: [&str; 6] = [
    "municipalité",
    "ville",
    "commune",
    "city",
    "municipality",
    "ciudad",
];

/// Reads the city and organisations of a practice from its title and text.
pub fn practice_entities(title: &str, text: &str) -> Entities {
    let sentence = first_sentence(text);
    let mut organisations: Vec<String> = Vec::new();
    let mut named = None;
    if let Some(title_orgs) = title_organisation(title) {
        named = title_orgs.trailing_name;
        push_unique(&mut organisations, title_orgs.organisation);
    }
    for organisation in sentence_organisations(sentence) {
        push_unique(&mut organisations, Some(organisation));
    }

    let common = lowercase_words(title, text);
    let mut names = organisations.clone();
    names.extend(named.clone());
    let mut places: Vec<(u8, String)> = Vec::new();
    for part in [title, sentence] {
        places.extend(place_candidates(&without(part, &names), &common));
    }
    // "Caritas Douala": a name that ends with a place the text confirms is
    // an organisation followed by its city.
    if let Some(name) = named {
        let mut split = None;
        for (_, place) in &places {
            if let Some(stem) = name.strip_suffix(place.as_str()) {
                let stem = stem.trim_end_matches([' ', ',']);
                split = Some((stem.to_string(), place.clone()));
                break;
            }
        }
        match split {
            Some((stem, place)) => {
                places.push((NAMED_WITH_ORGANISATION, place));
                organisations.retain(|o| *o != name);
                if !stem.is_empty() {
                    organisations.insert(0, stem);
                }
            }
            None => push_unique(&mut organisations, Some(name)),
        }
    }
    let city = places
        .iter()
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, place)| place.clone());
    dedup_ignoring_case(&mut organisations);
    Entities {
        city,
        organisations,
    }
}

/// What the title says of the practice's actor.
struct TitleOrganisation {
    /// An organisation for sure ("par …", "entre … et …").
    organisation: Option<String>,
    /// The name after the title's last comma: an organisation, possibly
    /// followed by its city ("Caritas Douala").
    trailing_name: Option<String>,
}

fn title_organisation(title: &str) -> Option<TitleOrganisation> {
    // "Coopération entre Meknès et la Confédération …": the second party.
    for (between, and) in [
        (" entre ", " et "),
        (" between ", " and "),
        (" entre ", " y "),
    ] {
        if let Some((_, rest)) = title.split_once(between) {
            if let Some((first, second)) = rest.split_once(and) {
                let second = strip_article(second);
                if is_capitalised_run(first) && starts_capitalised(second) {
                    return Some(TitleOrganisation {
                        organisation: Some(second.to_string()),
                        trailing_name: None,
                    });
                }
            }
        }
    }
    // "«…» par l'Association marocaine …": the author, to the end.
    for by in [" par ", " by ", " por "] {
        if let Some((_, author)) = title.rsplit_once(by) {
            let author = strip_article(author);
            if starts_capitalised(author) && !author.contains(", ") {
                return Some(TitleOrganisation {
                    organisation: Some(author.to_string()),
                    trailing_name: None,
                });
            }
        }
    }
    // "Dispositif d'accompagnement des migrants, Terre d'Asile Tunisie".
    let (_, last) = title.rsplit_once(", ")?;
    let last = strip_article(last);
    is_name(last).then(|| TitleOrganisation {
        organisation: None,
        trailing_name: Some(last.to_string()),
    })
}

/// Organisations the first sentence names: a run of capitalised words
/// opened by a word of [`ORGANISATION_HEADS`], or its acronym when one
/// follows in brackets ("l'Association … (ASTICUDE)" → `ASTICUDE`).
fn sentence_organisations(sentence: &str) -> Vec<String> {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let head = bare(strip_elision(word)).to_lowercase();
        if !ORGANISATION_HEADS.contains(&head.as_str()) || !starts_capitalised(strip_elision(word))
        {
            i += 1;
            continue;
        }
        let (end, last_word) = name_run(&words, i);
        let acronym = words.get(end).and_then(|w| acronym(w));
        let name = match acronym {
            Some(acronym) => acronym.to_string(),
            None => {
                let mut parts: Vec<&str> = words.get(i..end).unwrap_or_default().to_vec();
                if let Some(first) = parts.first_mut() {
                    *first = strip_elision(first);
                }
                bare(&parts.join(" ")).to_string()
            }
        };
        found.push(name);
        i = last_word.max(i + 1);
    }
    found
}

/// The run of a name starting at `start`: capitalised words and the small
/// words between them. Returns the index after the name and after its last
/// word read (they differ when trailing connectors were dropped).
fn name_run(words: &[&str], start: usize) -> (usize, usize) {
    let mut end = start + 1;
    let mut read = start + 1;
    if words.get(start).is_some_and(|w| ends_run(w)) {
        return (end, read);
    }
    while let Some(word) = words.get(read) {
        let core = strip_elision(word);
        if starts_capitalised(core) && acronym(word).is_none() {
            read += 1;
            end = read;
        } else if is_connector(word) {
            read += 1;
        } else {
            break;
        }
        if ends_run(word) {
            break;
        }
    }
    (end, read)
}

/// `(ASTICUDE)` → `ASTICUDE`: two to twelve capitals in brackets.
fn acronym(word: &str) -> Option<&str> {
    let inner = word
        .trim_end_matches([',', '.', ';', ':'])
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let len = inner.chars().count();
    ((2..=12).contains(&len)
        && inner
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit()))
    .then_some(inner)
}

/// Places named in `text`, with their rank.
fn place_candidates(text: &str, common: &HashSet<String>) -> Vec<(u8, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut places = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let previous = i.checked_sub(1).and_then(|p| words.get(p));
        // "d'Agadir" carries its preposition.
        let (marker, place_start) = match word.split_once(['\'', '’']) {
            Some((d, _)) if d.eq_ignore_ascii_case("d") => ("d".to_string(), i),
            _ => (bare(word).to_lowercase(), i + 1),
        };
        let Some(&(_, mut rank)) = PLACE_MARKERS.iter().find(|(m, _)| *m == marker) else {
            continue;
        };
        if ends_run(word) && place_start > i {
            continue;
        }
        if rank == OF {
            let noun = previous.map(|p| bare(p).to_lowercase()).unwrap_or_default();
            if TOWN_NOUNS.contains(&noun.as_str()) {
                rank = TOWN;
            } else if i > 1 && previous.is_some_and(|p| starts_capitalised(p)) {
                // "Centre de Détention": inside a name, not a place. A
                // capital at the start of the text proves nothing
                // ("Initiative de Brital").
                continue;
            }
        }
        let mut parts = Vec::new();
        for (k, next) in words.iter().enumerate().skip(place_start).take(3) {
            let core = if k == i { strip_elision(next) } else { next };
            if !starts_capitalised(core) || is_connector(core) {
                break;
            }
            parts.push(bare(core));
            if ends_run(next) {
                break;
            }
        }
        let is_place = !parts.is_empty()
            && parts
                .iter()
                .all(|p| p.chars().any(char::is_alphabetic) && !common.contains(&p.to_lowercase()));
        if is_place {
            places.push((rank, parts.join(" ")));
        }
    }
    places
}

/// `text` with each organisation's name blanked out, so that its words are
/// not read as places.
fn without(text: &str, organisations: &[String]) -> String {
    let mut out = text.to_string();
    for organisation in organisations {
        if !organisation.is_empty() {
            out = out.replace(organisation.as_str(), " ; ");
        }
    }
    out
}

/// Words the passage writes in lower case: common nouns.
fn lowercase_words(title: &str, text: &str) -> HashSet<String> {
    title
        .split_whitespace()
        .chain(text.split_whitespace())
        .map(|w| bare(strip_elision(w)))
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .map(str::to_string)
        .collect()
}

/// The first sentence of the first paragraph: up to a full stop followed
/// by a capital, where the word before the stop is not an initial ("M.").
fn first_sentence(text: &str) -> &str {
    let paragraph = text.lines().next().unwrap_or_default();
    let mut offset = 0;
    for word in paragraph.split_inclusive(' ') {
        offset += word.len();
        let trimmed = word.trim_end();
        let letters = trimmed.chars().filter(|c| c.is_alphabetic()).count();
        let next = paragraph.get(offset..).unwrap_or_default();
        if trimmed.ends_with(['.', '!', '?']) && letters > 2 && starts_capitalised(next) {
            return paragraph.get(..offset).unwrap_or(paragraph).trim_end();
        }
    }
    paragraph
}

/// A name: capitalised words and connectors only, opening with a capital.
fn is_name(text: &str) -> bool {
    starts_capitalised(text)
        && text
            .split_whitespace()
            .all(|w| starts_capitalised(strip_elision(w)) || is_connector(w))
}

/// One to three capitalised words ("Meknès", "Tel Aviv").
fn is_capitalised_run(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..=3).contains(&words.len()) && words.iter().all(|w| starts_capitalised(w))
}

fn starts_capitalised(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(char::is_uppercase)
}

fn is_connector(word: &str) -> bool {
    let lower = bare(word).to_lowercase();
    let elided = lower.ends_with(['\'', '’']) || lower.contains(['\'', '’']);
    CONNECTORS.contains(&lower.as_str()) || (elided && !starts_capitalised(strip_elision(word)))
}

/// A word that closes a run: it carries punctuation at its end.
fn ends_run(word: &str) -> bool {
    word.ends_with([',', '.', ';', ':', '»', '”', '"', ')', '!', '?'])
}

/// "l'Association" → "Association"; "d'Asile" → "Asile".
fn strip_elision(word: &str) -> &str {
    match word.split_once(['\'', '’']) {
        Some((prefix, rest)) if prefix.chars().count() <= 2 && !rest.is_empty() => rest,
        _ => word,
    }
}

/// "la Confédération …" → "Confédération …".
fn strip_article(text: &str) -> &str {
    let text = text.trim();
    for article in ["la ", "le ", "les ", "the ", "el ", "los ", "las "] {
        if let Some(rest) = text.strip_prefix(article) {
            return rest;
        }
    }
    match text.split_once(['\'', '’']) {
        Some(("l" | "L", rest)) => rest,
        _ => text,
    }
}

/// A word or name without the punctuation around it.
fn bare(text: &str) -> &str {
    text.trim_matches(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '.'))
        .trim_end_matches('.')
}

fn push_unique(list: &mut Vec<String>, item: Option<String>) {
    if let Some(item) = item.filter(|i| !i.is_empty()) {
        if !list.iter().any(|o| o.to_lowercase() == item.to_lowercase()) {
            list.push(item);
        }
    }
}

fn dedup_ignoring_case(list: &mut Vec<String>) {
    let mut seen = HashSet::new();
    list.retain(|item| seen.insert(item.to_lowercase()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entities(title: &str, text: &str) -> (Option<String>, Vec<String>) {
        let found = practice_entities(title, text);
        (found.city, found.organisations)
    }

    #[test]
    fn a_city_after_a_and_an_acronym_in_brackets() {
        let (city, orgs) = entities(
            "Exposition interculturelle: Afrique 2017 à Nador",
            "La municipalité de Nador et l'Association Thissaghnessse pour la Culture et le Développement (ASTICUDE) ont collaboré ensemble pour promouvoir Nador. L'objectif …",
        );
        assert_eq!(city.as_deref(), Some("Nador"));
        assert_eq!(orgs, ["ASTICUDE"]);
    }

    #[test]
    fn an_organisation_followed_by_its_city() {
        let (city, orgs) = entities(
            "Projet d'appui à l'amélioration des politiques publiques au Cameroun en matière de respect du droit à un logement décent, Caritas Douala",
            "Dans le cadre de ce projet, Caritas a travaillé en étroite collaboration avec les communautés locales de Douala pour les sensibiliser. Caritas a …",
        );
        assert_eq!(city.as_deref(), Some("Douala"), "a town outranks a country");
        assert_eq!(orgs, ["Caritas"]);
    }

    #[test]
    fn an_organisation_followed_by_its_country() {
        let (city, orgs) = entities(
            "Dispositif d'accompagnement des migrants, Terre d'Asile Tunisie",
            "Le projet vise à améliorer les conditions des populations migrantes en Tunisie, commençant par une meilleure intégration. Pour ce faire …",
        );
        assert_eq!(city.as_deref(), Some("Tunisie"));
        assert_eq!(orgs, ["Terre d'Asile"]);
    }

    #[test]
    fn between_a_city_and_an_organisation() {
        let (city, orgs) = entities(
            "Coopération entre Meknès et la Confédération des Élèves, Étudiants et Stagiaires Africains Étrangers au Maroc",
            "Cette initiative devait combler le fossé entre la municipalité et les OSC. La ville de Meknès …",
        );
        assert_eq!(city.as_deref(), Some("Meknès"));
        assert_eq!(
            orgs,
            ["Confédération des Élèves, Étudiants et Stagiaires Africains Étrangers au Maroc"]
        );
    }

    #[test]
    fn an_author_after_par_is_not_repeated_in_another_case() {
        let (city, orgs) = entities(
            "«Soyez un migrant et parlez de la citoyenneté à Málaga» par l'Association marocaine pour l'intégration des Migrant.e.s",
            "Cette initiative a impliqué la municipalité de Málaga, l'Association Marocaine pour l'Intégration des Migrant.e.s et diverses organisations de la société civile. L'initiative …",
        );
        assert_eq!(city.as_deref(), Some("Málaga"));
        assert_eq!(
            orgs,
            ["Association marocaine pour l'intégration des Migrant.e.s"]
        );
    }

    #[test]
    fn words_of_a_name_are_not_places_and_nothing_is_guessed() {
        let (city, orgs) = entities(
            "Renforcement des capacités et des connaissances en matière de droit d'asile, Ligue Tunisienne des Droits de l'Homme",
            "L'initiative mise en œuvre par la Ligue Tunisienne des Droits de l'Homme visait à améliorer la connaissance des médias. La Ligue a organisé …",
        );
        assert_eq!(city, None);
        assert_eq!(orgs, ["Ligue Tunisienne des Droits de l'Homme"]);
    }

    #[test]
    fn a_city_in_the_first_sentence_and_a_body_that_is_no_organisation() {
        let (city, orgs) = entities(
            "Assurer la coopération par l'éducation, Société Ayady Al Khair de Secours et de Charité",
            "Ce projet vise à promouvoir une meilleure connaissance des droits des migrants parmi les autorités qui gèrent le Centre de Détention pour Migrants (MDC) à Tajoura. La Société …",
        );
        assert_eq!(city.as_deref(), Some("Tajoura"));
        assert_eq!(orgs, ["Société Ayady Al Khair de Secours et de Charité"]);
    }

    #[test]
    fn a_town_after_de_at_the_start_of_a_title() {
        let (city, orgs) = entities(
            "Initiative de Brital pour aider les réfugiés syriens",
            "Par rapport à d'autres villes, Brital a dû faire face à une situation d'urgence. La ville …",
        );
        assert_eq!(city.as_deref(), Some("Brital"));
        assert!(orgs.is_empty());
    }

    #[test]
    fn title_case_common_nouns_are_not_places() {
        let (city, orgs) = entities(
            "Renforcement des Capacités de Coordination",
            "La coordination entre les acteurs a été renforcée.",
        );
        assert_eq!(city, None);
        assert!(orgs.is_empty());
    }

    #[test]
    fn english_practices() {
        let (city, _) = entities("A shelter in Tunis", "The city opened a shelter.");
        assert_eq!(city.as_deref(), Some("Tunis"));
    }

    #[test]
    fn first_sentence_skips_initials() {
        assert_eq!(
            first_sentence("M. Aydi a parlé. Puis Mme Garbouj.\nSuite."),
            "M. Aydi a parlé."
        );
        assert_eq!(first_sentence("Une seule phrase"), "Une seule phrase");
    }
}
