//! `palabre inspect`: the segmentation of one report, without an index.

use crate::harness::json::{Kind, Report};
use crate::harness::{Env, SFAX_DOC, TUNIS, TUNIS_DOC};

const SECTIONS: [&str; 8] = [
    "Contexte",
    "Ouverture officielle et discours de bienvenue",
    "Concepts clés et définitions",
    "Partenariats entre les villes et les organisations de la société civile - Bonnes pratiques du terrain",
    "Principaux Défis de la Coordination Entre les Municipalités et les OSC",
    "Recommandations pour Assurer une Coordination Durable, Flexible et Efficace entre les Villes et les OSC",
    "Principaux enseignements et voie à suivre",
    "Remarques de clôture",
];

const PRACTICES: [&str; 8] = [
    "Exposition interculturelle: Afrique 2017 à Nador",
    "Initiative de Brital pour aider les réfugiés syriens",
    "«Soyez un migrant et parlez de la citoyenneté à Málaga» par l'Association marocaine pour l'intégration des Migrant.e.s",
    "Coopération entre Meknès et la Confédération des Élèves, Étudiants et Stagiaires Africains Étrangers au Maroc",
    "Projet d'appui à l'amélioration des politiques publiques au Cameroun en matière de respect du droit à un logement décent, Caritas Douala",
    "Dispositif d'accompagnement des migrants, Terre d'Asile Tunisie",
    "Renforcement des capacités et des connaissances en matière de droit d'asile, Ligue Tunisienne des Droits de l'Homme",
    "Assurer la coopération par l'éducation, Société Ayady Al Khair de Secours et de Charité",
];

#[test]
fn the_sfax_report_has_8_sections_and_8_practices() {
    let env = Env::sfax();
    let run = env.run([
        "inspect".as_ref(),
        "--json".as_ref(),
        env.corpus().join(SFAX_DOC).as_os_str(),
    ]);
    run.success();
    let report: Report = run.json();
    assert_eq!(report.doc, SFAX_DOC);
    assert_eq!(report.meta.date.as_deref(), Some("2019-06-25"));
    assert_eq!(report.meta.city.as_deref(), Some("Sfax"));
    assert_eq!(report.titles(Kind::Section), SECTIONS);
    assert_eq!(report.titles(Kind::Practice), PRACTICES);
    assert_eq!(report.segments.len(), 16);
    for (ordinal, segment) in report.segments.iter().enumerate() {
        assert_eq!(segment.ordinal, ordinal);
        assert!(!segment.text.is_empty(), "{}", segment.title);
    }
    // Inspecting touches no index.
    assert!(!env.index().exists());
}

#[test]
fn plain_inspect_lists_metadata_and_every_segment() {
    let env = Env::sfax();
    let run = env.run(["inspect".as_ref(), env.corpus().join(SFAX_DOC).as_os_str()]);
    run.success();
    let out = &run.stdout;
    assert!(out.contains("date:    2019-06-25"), "{out}");
    assert!(out.contains("city:    Sfax"), "{out}");
    assert!(out.contains("16 (8 sections, 8 practices)"), "{out}");
    for title in SECTIONS {
        assert!(out.contains(&format!("section   {title}\n")), "{title}");
    }
    for title in PRACTICES {
        assert!(out.contains(&format!("practice  {title}\n")), "{title}");
    }
}

#[test]
fn segment_ids_are_stable() {
    let env = Env::empty();
    env.write(TUNIS_DOC, TUNIS);
    let inspect = || -> Report {
        env.run([
            "inspect".as_ref(),
            "--json".as_ref(),
            env.corpus().join(TUNIS_DOC).as_os_str(),
        ])
        .json()
    };
    let before = inspect();
    assert_eq!(
        before.titles(Kind::Section),
        ["Contexte", "Recommandations"]
    );
    assert_eq!(before.meta.city.as_deref(), Some("Tunis"));
    // A corrected sentence keeps the segment's id.
    env.write(TUNIS_DOC, &TUNIS.replace("abricots", "pêches"));
    let after = inspect();
    let ids = |r: &Report| r.segments.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after));
}
