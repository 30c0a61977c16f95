//! Golden test of the segmenter on the Sfax report, the reference corpus.
//!
//! The expected segmentation is in `tests/golden/sfax.json`. After a
//! deliberate change to the segmenter, regenerate it with
//! `PALABRE_BLESS=1 cargo test --test segment_golden` and review the diff.

use palabre::segment::{segment, Report, SegmentKind};
use serde_json::json;

const SFAX: &str = include_str!("../corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt");
const DOC: &str = "2019-06-sfax-societe-civile-gouvernance-migration.txt";

fn sfax() -> Report {
    segment(DOC, SFAX)
}

fn titles(report: &Report, kind: SegmentKind) -> Vec<&str> {
    report
        .segments
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| s.title.as_str())
        .collect()
}

#[test]
fn eight_sections_with_their_titles() {
    assert_eq!(
        titles(&sfax(), SegmentKind::Section),
        [
            "Contexte",
            "Ouverture officielle et discours de bienvenue",
            "Concepts clés et définitions",
            "Partenariats entre les villes et les organisations de la société civile - Bonnes pratiques du terrain",
            "Principaux Défis de la Coordination Entre les Municipalités et les OSC",
            "Recommandations pour Assurer une Coordination Durable, Flexible et Efficace entre les Villes et les OSC",
            "Principaux enseignements et voie à suivre",
            "Remarques de clôture",
        ]
    );
}

#[test]
fn eight_practices_with_their_titles() {
    let report = sfax();
    assert_eq!(
        titles(&report, SegmentKind::Practice),
        [
            "Exposition interculturelle: Afrique 2017 à Nador",
            "Initiative de Brital pour aider les réfugiés syriens",
            "«Soyez un migrant et parlez de la citoyenneté à Málaga» par l'Association marocaine pour l'intégration des Migrant.e.s",
            "Coopération entre Meknès et la Confédération des Élèves, Étudiants et Stagiaires Africains Étrangers au Maroc",
            "Projet d'appui à l'amélioration des politiques publiques au Cameroun en matière de respect du droit à un logement décent, Caritas Douala",
            "Dispositif d'accompagnement des migrants, Terre d'Asile Tunisie",
            "Renforcement des capacités et des connaissances en matière de droit d'asile, Ligue Tunisienne des Droits de l'Homme",
            "Assurer la coopération par l'éducation, Société Ayady Al Khair de Secours et de Charité",
        ]
    );
    let annex =
        "Annexe: Exemples de Pratiques de Coopération entre les OSC et les Villes du projet MC2CM";
    for practice in report
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Practice)
    {
        assert_eq!(practice.part.as_deref(), Some(annex));
    }
}

#[test]
fn front_matter_gives_the_meeting() {
    let meta = sfax().meta;
    assert_eq!(meta.date.as_deref(), Some("2019-06-25"));
    assert_eq!(meta.year(), Some(2019));
    assert_eq!(meta.city.as_deref(), Some("Sfax"));
    assert_eq!(meta.place.as_deref(), Some("Salle Municipale, Sfax"));
    let event = "Bâtir la Confiance grâce à une Coopération Renforcée: le Rôle de la Société Civile dans la Gouvernance Urbaine de la Migration";
    assert_eq!(meta.event.as_deref(), Some(event));
    assert_eq!(meta.title, event);
    assert_eq!(
        meta.title_lines[0],
        "Migration Ville-à-Ville en Méditerranée"
    );
}

#[test]
fn paragraphs_cut_by_page_breaks_are_joined() {
    let report = sfax();
    let text_of = |title: &str| {
        report
            .segments
            .iter()
            .find(|s| s.title == title)
            .map(|s| s.text.clone())
            .unwrap()
    };
    assert!(text_of("Concepts clés et définitions").contains(
        "l'inclusion sociale et la participation politique des migrants par leur participation"
    ));
    assert!(
        text_of("Principaux Défis de la Coordination Entre les Municipalités et les OSC")
            .contains("pour adapter les politiques et les interventions locales.")
    );
    assert!(text_of("Projet d'appui à l'amélioration des politiques publiques au Cameroun en matière de respect du droit à un logement décent, Caritas Douala")
        .contains("qui avaient été expulsés ou risquaient d'être déplacés"));
}

#[test]
fn markdown_is_cleaned_and_list_items_stay_one_per_line() {
    let report = sfax();
    for s in &report.segments {
        for residue in ["**", "](", "[ici]"] {
            assert!(!s.text.contains(residue), "{residue} left in {}", s.title);
        }
    }
    let recommendations = &report.segments[5];
    let items: Vec<&str> = recommendations
        .text
        .lines()
        .filter(|l| l.starts_with("- "))
        .collect();
    assert_eq!(items.len(), 5);
    assert!(items[0].starts_with("- Cadre juridique: Bien que"));
    assert!(recommendations
        .keyphrases
        .iter()
        .any(|k| k == "Cadre juridique:"));
}

#[test]
fn practices_name_their_city_and_organisations() {
    let report = sfax();
    let found: Vec<(&str, Option<&str>, Vec<&str>)> = report
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Practice)
        .map(|s| {
            let first_word = s.title.split_whitespace().next().unwrap_or_default();
            let orgs = s.organisations.iter().map(String::as_str).collect();
            (first_word, s.city.as_deref(), orgs)
        })
        .collect();
    assert_eq!(
        found,
        [
            ("Exposition", Some("Nador"), vec!["ASTICUDE"]),
            ("Initiative", Some("Brital"), vec![]),
            (
                "«Soyez",
                Some("Málaga"),
                vec!["Association marocaine pour l'intégration des Migrant.e.s"]
            ),
            (
                "Coopération",
                Some("Meknès"),
                vec!["Confédération des Élèves, Étudiants et Stagiaires Africains Étrangers au Maroc"]
            ),
            ("Projet", Some("Douala"), vec!["Caritas"]),
            ("Dispositif", Some("Tunisie"), vec!["Terre d'Asile"]),
            (
                "Renforcement",
                None,
                vec!["Ligue Tunisienne des Droits de l'Homme"]
            ),
            (
                "Assurer",
                Some("Tajoura"),
                vec!["Société Ayady Al Khair de Secours et de Charité"]
            ),
        ]
    );
    for section in report
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Section)
    {
        assert_eq!(section.city, None, "{}", section.title);
        assert!(section.organisations.is_empty(), "{}", section.title);
    }
}

#[test]
fn ids_are_stable_across_corrections() {
    let corrected = SFAX.replace("plus de 60 participants", "plus de 61 participants");
    let before = sfax();
    let after = segment(DOC, &corrected);
    let ids = |r: &Report| r.segments.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after));
    let mut unique = ids(&before);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 16);
}

/// The whole segmentation, summarised: metadata, then for each segment its
/// kind, title, id, size and the ends of its text.
fn summary(report: &Report) -> serde_json::Value {
    let edge = |text: &str, head: bool| {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len().min(60);
        let part = if head {
            &chars[..n]
        } else {
            &chars[chars.len() - n..]
        };
        part.iter().collect::<String>()
    };
    json!({
        "meta": report.meta,
        "segments": report.segments.iter().map(|s| json!({
            "ordinal": s.ordinal,
            "kind": s.kind,
            "title": s.title,
            "id": s.id,
            "lines": s.text.lines().count(),
            "chars": s.text.chars().count(),
            "starts": edge(&s.text, true),
            "ends": edge(&s.text, false),
            "keyphrases": s.keyphrases,
            "city": s.city,
            "organisations": s.organisations,
            "speakers": s.speakers,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn the_speakers_of_the_sfax_meeting_are_found_where_they_speak() {
    let report = sfax();
    let speakers = |title: &str| -> Vec<(String, Option<String>)> {
        report
            .segments
            .iter()
            .find(|s| s.title == title)
            .unwrap()
            .speakers
            .iter()
            .map(|p| (p.name.clone(), p.organisation.clone()))
            .collect()
    };
    let person = |name: &str, org: &str| (name.to_string(), Some(org.to_string()));
    assert_eq!(
        speakers("Ouverture officielle et discours de bienvenue"),
        [
            person("Mohamed Aydi", "Municipalité de Sfax"),
            person(
                "Leila Garbouj",
                "Bureau de la Coopération Suisse en Tunisie"
            ),
            person("Donya Smida", "ICMPD"),
            person("Mohamed Boussraoui", "CGLU"),
            person("Lamine Abbad", "ICMPD"),
        ]
    );
    assert_eq!(
        speakers("Concepts clés et définitions"),
        [person(
            "Camille Le Coz",
            "Institut des Politiques Migratoires-Europe"
        )]
    );
    assert_eq!(
        speakers("Principaux Défis de la Coordination Entre les Municipalités et les OSC"),
        [person("Lina Gast", "CGLU")]
    );
    assert_eq!(
        speakers("Recommandations pour Assurer une Coordination Durable, Flexible et Efficace entre les Villes et les OSC"),
        [person("Jesus Salcedo", "ONU-Habitat")]
    );
    // Introduced again at the close.
    let closing: Vec<String> = speakers("Remarques de clôture")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(closing, ["Lamine Abbad", "Mohamed Aydi"]);
    assert!(speakers("Contexte").is_empty());
}

#[test]
fn golden_segmentation() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/sfax.json");
    let actual = serde_json::to_string_pretty(&summary(&sfax())).unwrap() + "\n";
    if std::env::var_os("PALABRE_BLESS").is_some() {
        std::fs::write(path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(path)
        .expect("tests/golden/sfax.json is missing: run with PALABRE_BLESS=1");
    assert_eq!(
        actual, expected,
        "segmentation changed: review, then PALABRE_BLESS=1"
    );
}
