//! Who speaks: the speakers and presenters a report introduces, with their
//! role and organisation. Pure, rule-based, like [`crate::entities`].
//!
//! Reports introduce a speaker with a title, the full name and an
//! apposition:
//!
//! ```text
//! M. Mohamed Aydi, Chef de la Coopération … représentant la municipalité de Sfax, a souhaité …
//! Mme Camille Le Coz, Analyste des Politiques à l'Institut des Politiques Migratoires-Europe, a présenté …
//! la séance animée par Mme Lina Gast, Responsable de la Formation à CGLU, s'est concentrée …
//! ```
//!
//! A title followed by a single name ("M. Aydi s'est félicité") refers back
//! to someone already introduced: it counts as that person speaking in the
//! segment, when the report introduced one person of that surname.
//! The organisation is the first acronym of the apposition ("Cheffe du
//! Bureau de l'ICMPD à Tunis" → ICMPD); otherwise what follows "à", "au",
//! "chez", "représentant" (or "at", "from", "en").

use serde::{Deserialize, Serialize};

/// A person a report introduces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Full name, without the title: "Mohamed Aydi".
    pub name: String,
    /// The apposition after the name: "Directeur des programmes à CGLU".
    pub role: String,
    /// The organisation read from the role, when one is named.
    pub organisation: Option<String>,
}

/// Titles that open a speaker's introduction (French, English, Spanish).
const TITLES: [&str; 13] = [
    "M.", "Mme", "Mlle", "Mr.", "Mr", "Mrs.", "Mrs", "Ms.", "Ms", "Dr.", "Dr", "Sr.", "Sra.",
];

/// Whether `word` is one of [`TITLES`]. Every segment's words are tested:
/// the first letter rules out nearly all of them at once.
fn is_title(word: &str) -> bool {
    matches!(word.as_bytes().first(), Some(b'M' | b'D' | b'S')) && TITLES.contains(&word)
}

/// Whether some word of `text` (between white space) is one of [`TITLES`],
/// as `text.split_whitespace().any(is_title)` says, without splitting the
/// whole text: only the places where a capital M, D or S starts a word are
/// looked at, found with `memchr3` (every segment is read).
fn has_title(text: &str) -> bool {
    memchr::memchr3_iter(b'M', b'D', b'S', text.as_bytes()).any(|i| {
        let (before, from) = text.split_at_checked(i).unwrap_or_default();
        let starts_word = before.chars().next_back().is_none_or(char::is_whitespace);
        let word = from.split(char::is_whitespace).next().unwrap_or_default();
        starts_word && TITLES.contains(&word)
    })
}

/// Lower-case words inside names: "Jean de La Fontaine", "Ahmed el Amrani".
const NAME_PARTICLES: [&str; 9] = ["de", "du", "des", "van", "von", "da", "di", "el", "al"];

/// What introduces the organisation in a role, in order of preference at
/// the same place; the earliest place wins.
const ORGANISATION_MARKERS: [&str; 12] = [
    " représentant la ",
    " représentant le ",
    " représentant l'",
    " représentant ",
    " chez ",
    " à l'",
    " à la ",
    " à ",
    " au ",
    " at ",
    " from ",
    " en la ",
];

/// Most words in a name.
const MAX_NAME_WORDS: usize = 5;

/// The people introduced in `text`, in order, without repeats.
pub fn introduced(text: &str) -> Vec<Person> {
    // A title is needed first; most segments have none.
    if !has_title(text) {
        return Vec::new();
    }
    let mut people: Vec<Person> = Vec::new();
    let words: Vec<(usize, &str)> = word_starts(text);
    for (i, (_, word)) in words.iter().enumerate() {
        if !is_title(word) {
            continue;
        }
        let Some(person) = introduction(text, &words, i + 1) else {
            continue;
        };
        if !people.iter().any(|p| p.name == person.name) {
            people.push(person);
        }
    }
    people
}

/// Names of the people among `known` that `text` mentions, introduced or
/// by title and surname ("M. Aydi").
pub fn mentioned<'a>(text: &str, known: &'a [Person]) -> Vec<&'a Person> {
    // Most reports introduce nobody: no need to split their text.
    if known.is_empty() {
        return Vec::new();
    }
    let words = word_starts(text);
    let mut found: Vec<&Person> = Vec::new();
    for (i, (_, word)) in words.iter().enumerate() {
        if !is_title(word) {
            continue;
        }
        let Some((_, next)) = words.get(i + 1) else {
            continue;
        };
        let next = next.trim_end_matches(|c: char| !c.is_alphanumeric());
        let full: Vec<&str> = words
            .iter()
            .skip(i + 1)
            .take(MAX_NAME_WORDS)
            .map(|(_, w)| *w)
            .collect();
        let full = full.join(" ");
        // By full name, or by surname when only one known person has it.
        let by_name = known.iter().find(|p| full.starts_with(&p.name));
        let by_surname = || {
            let mut same = known.iter().filter(|p| surname(&p.name) == next);
            match (same.next(), same.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        };
        if let Some(person) = by_name.or_else(by_surname) {
            if !found.iter().any(|p| p.name == person.name) {
                found.push(person);
            }
        }
    }
    found
}

fn surname(name: &str) -> &str {
    // "Camille Le Coz": the surname is "Le Coz", introduced as "Mme Le Coz";
    // its first word is what follows the title.
    let mut words = name.split(' ');
    words.next();
    words.next().unwrap_or(name)
}

/// Words separated by white space, with their byte offsets.
fn word_starts(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// The person introduced by the words from `first` on: a name of at least
/// two capitalised words, the last ending in a comma, then the role up to
/// the next comma, parenthesis or end of sentence.
fn introduction(text: &str, words: &[(usize, &str)], first: usize) -> Option<Person> {
    let mut name: Vec<&str> = Vec::new();
    let mut role_start = None;
    for (offset, word) in words.iter().skip(first).take(MAX_NAME_WORDS) {
        let bare = word.trim_end_matches(',');
        let capitalised = bare.chars().next().is_some_and(char::is_uppercase);
        if !(capitalised || NAME_PARTICLES.contains(&bare)) || !bare.chars().all(is_name_char) {
            return None;
        }
        name.push(bare);
        if word.ends_with(',') {
            role_start = Some(offset + word.len());
            break;
        }
    }
    let role_start = role_start?;
    let capitalised_words = name
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    if capitalised_words < 2 {
        return None;
    }
    let rest = text.get(role_start..)?.trim_start();
    let end = rest
        .find([',', '(', ';', '\n', '*'])
        .or_else(|| rest.find(". "))
        .unwrap_or(rest.len());
    let role = rest.get(..end)?.trim().trim_end_matches('.').to_string();
    if role.is_empty() || !role.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    Some(Person {
        name: name.join(" "),
        organisation: organisation(&role),
        role,
    })
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.')
}

/// The organisation a role names: its first acronym, or what follows the
/// earliest marker, up to "et"/"and" (another role follows).
fn organisation(role: &str) -> Option<String> {
    let acronym = role
        .split(|c: char| c.is_whitespace() || matches!(c, '\'' | '’'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|w| {
            w.chars().count() >= 3
                && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
                && w.chars().filter(|c| c.is_uppercase()).count() >= 2
        });
    if let Some(acronym) = acronym {
        return Some(acronym.to_string());
    }
    let (at, marker) = ORGANISATION_MARKERS
        .iter()
        .filter_map(|m| role.find(m).map(|at| (at, *m)))
        .min_by_key(|(at, _)| *at)?;
    let after = role.get(at + marker.len()..)?;
    let name = [" et ", " and ", " y "]
        .iter()
        .filter_map(|sep| after.find(sep))
        .min()
        .map_or(after, |end| after.get(..end).unwrap_or(after))
        .trim();
    let name = ["la ", "le ", "les ", "l'", "the "]
        .iter()
        .find_map(|article| name.strip_prefix(article))
        .unwrap_or(name);
    let mut chars = name.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_found_as_whole_words_only() {
        for text in [
            "",
            "M. Aydi",
            "a dit M. Aydi",
            "a dit\u{a0}Mme Gast",
            "a dit\nDr Smith",
            "MM. Aydi",
            "M.Aydi",
            "aM. Aydi",
            "Mme, Mlle.",
            "Mlle",
            "Sra. Pérez y Sr. Gómez",
            "Démocratie Sociale",
            "é Ms",
        ] {
            assert_eq!(
                has_title(text),
                text.split_whitespace().any(is_title),
                "{text:?}"
            );
        }
    }

    fn people(text: &str) -> Vec<(String, String, Option<String>)> {
        introduced(text)
            .into_iter()
            .map(|p| (p.name, p.role, p.organisation))
            .collect()
    }

    fn one(name: &str, role: &str, org: Option<&str>) -> (String, String, Option<String>) {
        (name.into(), role.into(), org.map(str::to_string))
    }

    #[test]
    fn introductions_give_name_role_and_organisation() {
        assert_eq!(
            people("M. Mohamed Aydi, Chef de la Coopération Décentralisée et des Affaires Extérieures représentant la municipalité de Sfax, a souhaité la bienvenue."),
            [one("Mohamed Aydi", "Chef de la Coopération Décentralisée et des Affaires Extérieures représentant la municipalité de Sfax", Some("Municipalité de Sfax"))]
        );
        assert_eq!(
            people("Mme Camille Le Coz, Analyste des Politiques à l'Institut des Politiques Migratoires-Europe, a présenté"),
            [one("Camille Le Coz", "Analyste des Politiques à l'Institut des Politiques Migratoires-Europe", Some("Institut des Politiques Migratoires-Europe"))]
        );
        assert_eq!(
            people("Mme Donya Smida, Cheffe du Bureau de l'ICMPD à Tunis et Cheffe du projet ProGreS Migration, a expliqué"),
            [one("Donya Smida", "Cheffe du Bureau de l'ICMPD à Tunis et Cheffe du projet ProGreS Migration", Some("ICMPD"))]
        );
        assert_eq!(
            people("la séance animée par Mme Lina Gast, Responsable de la Formation à CGLU, s'est concentrée"),
            [one("Lina Gast", "Responsable de la Formation à CGLU", Some("CGLU"))]
        );
        assert_eq!(
            people("Ms. Jane Doe, Policy Officer at the City of Lisbon, opened the meeting."),
            [one(
                "Jane Doe",
                "Policy Officer at the City of Lisbon",
                Some("City of Lisbon")
            )]
        );
    }

    #[test]
    fn a_surname_alone_or_a_name_without_role_introduces_nobody() {
        assert!(people("M. Aydi s'est également félicité du travail des OSC.").is_empty());
        assert!(people("au nom du maire Mounir Elloumi, soulignant").is_empty());
        assert!(people("M. le Maire a ouvert la séance.").is_empty());
    }

    #[test]
    fn later_mentions_by_surname_are_found() {
        let known =
            introduced("M. Mohamed Aydi, Chef, a dit. Mme Camille Le Coz, Analyste, a dit.");
        let names = |text: &str| -> Vec<String> {
            mentioned(text, &known)
                .into_iter()
                .map(|p| p.name.clone())
                .collect()
        };
        assert_eq!(
            names("M. Aydi a conclu. Mme Le Coz aussi."),
            ["Mohamed Aydi", "Camille Le Coz"]
        );
        assert!(names("M. Dupont a conclu.").is_empty());
    }
}
