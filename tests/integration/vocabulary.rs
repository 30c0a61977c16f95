//! Queries in the users' own words: typos ("did you mean"), the glossary's
//! equivalents across languages, and the people who speak, from the
//! command line and over HTTP.

use crate::harness::json::SearchResults;
use crate::harness::search;
use crate::harness::server::Server;
use crate::harness::titles::{DEFIS, ENSEIGNEMENTS, OUVERTURE, RECOMMANDATIONS, TERRE_D_ASILE};
use crate::harness::Env;

#[test]
fn capacity_building_finds_the_french_recommendations_and_says_how() {
    let env = Env::sfax_indexed();
    let results = search(&env, &["capacity building"]);
    assert!(
        results.titles()[..3].contains(&RECOMMANDATIONS),
        "{:?}",
        results.titles()
    );
    let expansion = results
        .expanded
        .iter()
        .find(|e| e.concept == "capacity-building")
        .expect("the expansion is reported");
    assert_eq!(expansion.term, "capacity building");
    assert!(expansion
        .with
        .iter()
        .any(|t| t == "renforcement des capacités"));
    assert!(results.suggestion.is_none(), "{:?}", results.suggestion);

    let plain = search(&env, &["capacity building", "--no-expand"]);
    assert!(plain.expanded.is_empty());
    assert!(plain.total < results.total);
}

#[test]
fn expansions_never_reorder_the_words_as_typed() {
    let env = Env::sfax_indexed();
    let expanded = search(&env, &["cadre juridique"]);
    assert_eq!(
        expanded.titles()[..3],
        [DEFIS, ENSEIGNEMENTS, RECOMMANDATIONS]
    );
    let plain = search(&env, &["cadre juridique", "--no-expand"]);
    assert_eq!(expanded.ids()[..3], plain.ids()[..3]);
}

#[test]
fn a_typo_finds_what_the_word_finds_highlighted_and_suggests_it() {
    let env = Env::sfax_indexed();
    let right = search(&env, &["financement"]);
    let typo = search(&env, &["financment"]);
    assert_eq!(typo.ids()[..3], right.ids()[..3]);
    assert!(
        typo.hits
            .iter()
            .any(|h| h.snippet.contains("<mark>financement</mark>")),
        "{:?}",
        typo.hits.iter().map(|h| &h.snippet).collect::<Vec<_>>()
    );
    assert_eq!(typo.suggestion.as_deref(), Some("financement"));
    assert!(right.suggestion.is_none());

    let human = env.run(["search", "financment"]);
    human.success();
    assert!(
        human.stdout.contains("did you mean: financement"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_typo_inside_quotes_is_not_corrected() {
    let env = Env::sfax_indexed();
    let run = env.run(["search", "--json", "\"financment public\""]);
    assert_eq!(run.code, 1, "nothing found: {}", run.stdout);
    let results: SearchResults = run.json();
    assert_eq!(results.total, 0);
}

#[test]
fn ngo_finds_the_segments_on_ong_and_osc() {
    let env = Env::sfax_indexed();
    let results = search(&env, &["NGO", "-n", "20"]);
    for title in [DEFIS, TERRE_D_ASILE, RECOMMANDATIONS] {
        assert!(results.titles().contains(&title), "{title} missing");
    }
    assert!(results
        .expanded
        .iter()
        .any(|e| e.concept == "civil-society-organisations"));
}

#[test]
fn a_name_brings_the_segment_where_the_person_speaks_first() {
    let env = Env::sfax_indexed();
    let results = search(&env, &["Mohamed Boussraoui"]);
    assert_eq!(results.titles().first(), Some(&OUVERTURE));
    assert!(results.hits[0]
        .people
        .contains(&"Mohamed Boussraoui".to_string()));
}

#[test]
fn person_and_org_are_facets_and_filters() {
    let env = Env::sfax_indexed();
    let all = search(&env, &["migration"]);
    let people: Vec<&str> = all.facets["person"]
        .iter()
        .map(|f| f.value.as_str())
        .collect();
    assert!(people.contains(&"Lina Gast"), "{people:?}");
    let orgs: Vec<&str> = all.facets["org"].iter().map(|f| f.value.as_str()).collect();
    assert!(
        orgs.contains(&"CGLU") && orgs.contains(&"ONU-Habitat"),
        "{orgs:?}"
    );

    let lina = search(&env, &["migration", "--person", "Lina Gast"]);
    assert_eq!(lina.titles(), [DEFIS]);
    let cglu = search(&env, &["migration", "--org", "CGLU"]);
    assert!(cglu.titles().contains(&OUVERTURE) && cglu.titles().contains(&DEFIS));
}

#[test]
fn a_user_glossary_adds_concepts_and_a_bad_one_is_an_error() {
    let env = Env::sfax_indexed();
    let file = env.root().join("mine.toml");
    std::fs::write(
        &file,
        "[[concept]]\nid = \"mc2cm\"\nen = [\"city to city\"]\nfr = [\"MC2CM\"]\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let results = search(&env, &["city to city", "--glossary", file]);
    assert!(results.expanded.iter().any(|e| e.concept == "mc2cm"));
    assert!(results.total > 0);

    std::fs::write(env.root().join("bad.toml"), "[[concept]]\nid = 3\n").unwrap();
    let run = env.run(["search", "migration", "--glossary", "bad.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("glossary bad.toml"), "{}", run.stderr);
}

#[test]
fn http_filters_by_person_turns_expansion_off_and_suggests() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    let lina: SearchResults = server.get("/search?q=migration&person=Lina+Gast").json();
    assert_eq!(lina.titles(), [DEFIS]);
    let expanded: SearchResults = server.get("/search?q=capacity+building").json();
    assert!(!expanded.expanded.is_empty());
    let plain: SearchResults = server
        .get("/search?q=capacity+building&expand=false")
        .json();
    assert!(plain.expanded.is_empty());
    let typo: SearchResults = server.get("/search?q=financment").json();
    assert_eq!(typo.suggestion.as_deref(), Some("financement"));
    let bad = server.get("/search?q=x&expand=maybe");
    assert_eq!(bad.status, 400);
}

#[test]
fn corrections_rank_below_exact_matches_and_only_for_long_words() {
    let env = Env::empty();
    // The typo segment says "coordinaton" often in few words; the exact
    // one says "coordination" once among many: BM25 alone would rank the
    // typo first.
    env.write(
        "r.txt",
        "Rapport\n\n3 mars 2020, Rabat\n\nExact\n\nLa coordination des villes et des associations locales autour des questions de logement, de santé, d'éducation et d'emploi des personnes arrivées récemment dans la région.\n\nFaute\n\nCoordinaton, coordinaton, coordinaton.\n\nCourt\n\nLes lois et la loi.\n",
    );
    let results = search(&env, &["coordination"]);
    assert_eq!(results.titles(), ["Exact", "Faute"]);
    assert!(results.hits[0].score > 0.0);
    assert!(results.suggestion.is_none());
    // Four letters: no correction ("lois" is not "loin").
    let run = env.run(["search", "--json", "loin"]);
    assert_eq!(run.code, 1);
    let typo = search(&env, &["coordinaton"]);
    assert_eq!(typo.titles()[0], "Faute", "the word as typed comes first");
    // A correction keeps the first letter: `foordination` is one edit
    // from `coordination` but corrects to nothing.
    let run = env.run(["search", "--json", "foordination"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
}
