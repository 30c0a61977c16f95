//! `palabre search`: ranking on the Sfax report, French-aware matching,
//! filters and paging, JSON and human output.

use crate::harness::json::{Kind, SearchResults};
use crate::harness::search;
use crate::harness::titles::{BRITAL, CARITAS, ENSEIGNEMENTS, MEKNES, RECOMMANDATIONS};
use crate::harness::{Env, SFAX_DOC};

/// Asserts the query finds something and returns the titles of the hits.
fn titles(env: &Env, query: &str) -> Vec<String> {
    let results = search(env, &[query]);
    assert!(results.total > 0, "nothing found for {query:?}");
    results.titles().into_iter().map(str::to_string).collect()
}

#[test]
fn search_builds_the_index_when_there_is_none() {
    let env = Env::sfax();
    assert!(!env.index().exists());
    let run = env.run(["search", "cadre juridique"]);
    run.success();
    assert!(run.stderr.contains("indexing"), "{}", run.stderr);
    assert!(env.index().join("meta.json").is_file());
    // The next search uses that index and says nothing.
    let run = env.run(["search", "cadre juridique"]);
    run.success();
    assert_eq!(run.stderr, "");
}

#[test]
fn cadre_juridique_ranks_the_recommendations_and_the_lessons_first() {
    let env = Env::sfax_indexed();
    let results = search(&env, &["cadre juridique"]);
    assert_eq!(results.query, "cadre juridique");
    let top3 = &results.titles()[..3];
    assert!(top3.contains(&RECOMMANDATIONS), "{top3:#?}");
    assert!(top3.contains(&ENSEIGNEMENTS), "{top3:#?}");
}

#[test]
fn every_hit_is_complete_and_highlighted() {
    let env = Env::sfax_indexed();
    for query in ["cadre juridique", "refugies syriens", "migrants", "Meknes"] {
        let results = search(&env, &[query, "--limit", "100"]);
        assert_eq!(results.hits.len(), results.total, "{query}");
        assert!(results.took_ms >= 0.0);
        assert!(results.hits.iter().all(|h| h.score > 0.0), "{query}");
        for hit in &results.hits {
            assert_eq!(hit.id.len(), 16, "{query}: id {:?}", hit.id);
            assert_eq!(hit.doc, SFAX_DOC);
            assert!(hit.doc_title.starts_with("Bâtir la Confiance"));
            assert!(!hit.title.is_empty());
            assert_eq!(hit.lang, "fr");
            assert_eq!(hit.date.as_deref(), Some("2019-06-25"));
            // A practice carries its own city (Nador, Douala …) when it
            // names one; a section, the meeting's.
            if hit.kind == Kind::Section {
                assert_eq!(hit.city.as_deref(), Some("Sfax"));
            }
            assert_ne!(hit.city.as_deref(), Some(""));
            assert!(
                hit.snippet.contains("<mark>") && hit.snippet.contains("</mark>"),
                "{query}: no highlight in the snippet of {:?}: {}",
                hit.title,
                hit.snippet
            );
        }
    }
}

#[test]
fn words_typed_without_accents_find_the_syrian_refugees_first() {
    let env = Env::sfax_indexed();
    assert_eq!(titles(&env, "refugies syriens")[0], BRITAL);
    assert!(titles(&env, "Meknes").contains(&MEKNES.to_string()));
}

#[test]
fn a_quoted_phrase_finds_the_concepts_section() {
    let env = Env::sfax_indexed();
    let results = search(&env, &["\"participation politique\""]);
    assert_eq!(results.hits[0].title, "Concepts clés et définitions");
    assert!(
        results.hits[0]
            .snippet
            .contains("<mark>participation</mark> <mark>politique</mark>"),
        "{}",
        results.hits[0].snippet
    );
}

#[test]
fn plural_and_inflected_forms_match() {
    let env = Env::sfax_indexed();
    // "cadres juridiques" and "cadre juridique" are the same words.
    let plural = search(&env, &["cadres juridiques"]);
    let singular = search(&env, &["cadre juridique"]);
    assert_eq!(plural.ids(), singular.ids());
    assert!(plural.titles().contains(&RECOMMANDATIONS));
    assert!(plural.hits.iter().any(|h| h
        .snippet
        .contains("<mark>Cadre</mark> <mark>juridique</mark>")));
    // The report says "expulsés", never "expulsions".
    assert_eq!(titles(&env, "expulsions")[0], CARITAS);
}

#[test]
fn apostrophes_are_text_not_quotes() {
    let env = Env::sfax_indexed();
    for query in [
        "droit d'asile",
        "l’intégration des migrants",
        "plans d'urgence",
        "jusqu'à l'accueil",
    ] {
        let run = env.run(["search", "--json", query]);
        run.success();
        let results: SearchResults = run.json();
        assert!(results.total > 0, "{query}");
    }
}

#[test]
fn kind_keeps_only_practices_or_only_sections() {
    let env = Env::sfax_indexed();
    let all = search(&env, &["migrants"]);
    let practices = search(&env, &["migrants", "--kind", "practice", "--limit", "100"]);
    let sections = search(&env, &["migrants", "--kind", "section", "--limit", "100"]);
    assert!(practices.total > 0 && sections.total > 0);
    assert!(practices.hits.iter().all(|h| h.kind == Kind::Practice));
    assert!(sections.hits.iter().all(|h| h.kind == Kind::Section));
    assert_eq!(practices.total + sections.total, all.total);
    assert_eq!(
        search(&env, &["refugies syriens", "--kind", "practice"]).hits[0].title,
        BRITAL
    );
}

#[test]
fn limit_and_offset_page_through_the_hits() {
    let env = Env::sfax_indexed();
    let all = search(&env, &["migrants", "--limit", "6"]);
    assert_eq!(all.hits.len(), 6);
    let first = search(&env, &["migrants", "--limit", "3"]);
    let second = search(&env, &["migrants", "--limit", "3", "--offset", "3"]);
    assert_eq!((first.total, second.total), (all.total, all.total));
    let paged: Vec<&str> = first.ids().into_iter().chain(second.ids()).collect();
    assert_eq!(paged, all.ids());

    let past_the_end = env.run(["search", "--json", "migrants", "--offset", "1000"]);
    let past: SearchResults = past_the_end.json();
    assert!(past.hits.is_empty());
    assert_eq!(past.total, all.total);
}

#[test]
fn nothing_found_exits_with_1() {
    let env = Env::sfax_indexed();
    let run = env.run(["search", "--json", "xylophone"]);
    run.not_found();
    let results: SearchResults = run.json();
    assert_eq!((results.total, results.hits.len()), (0, 0));
    env.run(["search", "xylophone"]).not_found();
}

#[test]
fn human_output_shows_rank_title_report_and_snippet_without_colour() {
    let env = Env::sfax_indexed();
    let run = env.run(["search", "refugies syriens", "--limit", "2"]);
    run.success();
    let out = &run.stdout;
    assert!(!out.contains('\x1b'), "colour in a pipe:\n{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!("1. {BRITAL} (practice")),
        "{out}"
    );
    assert!(lines[1].contains(SFAX_DOC), "{out}");
    assert!(lines[2].contains("[réfugiés]"), "{out}");
    assert!(out.contains("\n2. "), "{out}");
    assert!(!out.contains("\n3. "), "{out}");
    assert!(out.contains("8 hits"), "{out}");
}

#[test]
fn a_query_may_be_several_arguments() {
    let env = Env::sfax_indexed();
    let one = search(&env, &["refugies syriens"]);
    let two = search(&env, &["refugies", "syriens"]);
    assert_eq!(one.ids(), two.ids());
}

/// The terminal skips the facets, not the count: it says as many hits as
/// JSON, for a word alone, several words (several tiers) and a filter.
#[test]
fn the_terminal_counts_the_hits_json_counts() {
    let env = Env::sfax_indexed();
    for query in [
        &["migrants"][..],
        &["cadre", "juridique", "financement"],
        &["coordination", "--kind", "practice"],
    ] {
        let total = search(&env, query).total;
        assert!(total > 0, "{query:?}");
        let mut args = vec!["search"];
        args.extend(query);
        let run = env.run(&args);
        run.success();
        let hits = if total == 1 { "hit" } else { "hits" };
        let line = format!("{total} {hits} for");
        assert!(
            run.stdout.contains(&line),
            "{query:?}: {line}\n{}",
            run.stdout
        );
    }
}

/// A facet lists its 100 most frequent values, not every report a common
/// word is in.
#[test]
fn a_facet_lists_at_most_a_hundred_values() {
    let env = Env::empty();
    for i in 0..105 {
        // The last three reports speak of migrants in two sections.
        let more = if i >= 102 {
            "\n\nSuite\n\nDes migrants encore.\n"
        } else {
            ""
        };
        env.write(
            &format!("r{i:03}.txt"),
            &format!(
                "Rapport {i}\n\n3 mars 2020, Rabat\n\nAccueil\n\nLes migrants arrivent.\n{more}"
            ),
        );
    }
    let results = search(&env, &["migrants"]);
    assert_eq!(results.total, 108);
    let docs = &results.facets["doc"];
    assert_eq!(docs.len(), 100);
    // The most frequent first, then by name.
    let first: Vec<(&str, usize)> = docs[..4]
        .iter()
        .map(|d| (d.value.as_str(), d.count))
        .collect();
    assert_eq!(
        first,
        [
            ("r102.txt", 2),
            ("r103.txt", 2),
            ("r104.txt", 2),
            ("r000.txt", 1)
        ]
    );
}

/// The index's report records (one per report, with its metadata) are
/// never hits, nor counted in the facets, even for the words of a
/// report's title and city.
#[test]
fn report_records_are_never_hits() {
    let env = Env::sfax_indexed();
    for query in ["Sfax", "société civile gouvernance migration", "2019"] {
        let results = search(&env, &[query, "--limit", "100"]);
        assert!(results.total > 0, "{query}");
        assert_eq!(results.hits.len(), results.total, "{query}");
        for kind in &results.facets["kind"] {
            assert!(
                kind.value == "section" || kind.value == "practice",
                "{query}: {}",
                kind.value
            );
        }
        let counted: usize = results.facets["kind"].iter().map(|k| k.count).sum();
        assert_eq!(counted, results.total, "{query}");
    }
}
