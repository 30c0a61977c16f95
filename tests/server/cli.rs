//! The same filters from the command line, and `palabre show`.

use serde_json::Value;

use crate::harness::{fixture, palabre, Passage, Results};

fn run(args: &[&str]) -> std::process::Output {
    let fixture = fixture();
    palabre(args, &fixture.corpus, &fixture.index)
}

#[test]
fn search_takes_the_filters_as_flags() {
    let out = run(&[
        "search", "migrants", "--kind", "practice", "--city", "Nador", "--city", "Tunisie",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Results = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.total, 2);
    assert!(results.hits.iter().all(|h| h.kind == "practice"));
    assert_eq!(results.facets.city.len(), 4);

    for (flags, total) in [
        (&["--year", "2020"][..], 1),
        (&["--lang", "en"][..], 1),
        (&["--doc", "2021-03-rabat.md"][..], 2),
        (&["--org", "Terre d'Asile"][..], 1),
        (&["--year", "2019", "--kind", "section"][..], 2),
    ] {
        let mut args = vec!["search", "migrants", "--json"];
        args.extend_from_slice(flags);
        let out = run(&args);
        let results: Results = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(results.total, total, "{flags:?}");
    }
    let bad = run(&["search", "migrants", "--lang", "xx"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fr, en, es, ar"));
}

#[test]
fn nothing_found_with_filters_exits_1() {
    let out = run(&["search", "migrants", "--city", "Atlantis"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn show_prints_a_passage_in_full() {
    let out = run(&["search", "logement", "--json"]);
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = results["hits"][0]["id"].as_str().unwrap().to_string();

    let out = run(&["show", &id]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Logement décent, Caritas Douala\n"),
        "{text}"
    );
    assert!(text.contains("city:    Douala"));
    assert!(text.contains("orgs:    Caritas"));
    assert!(text.contains("Les familles ont été accompagnées."));
    assert!(text.contains("previous: "));

    let out = run(&["show", &id, "--json"]);
    let passage: Passage = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(passage.id, id);
    assert!(passage.next.is_none());

    let unknown = run(&["show", "0000000000000000"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr).trim(),
        "palabre: no segment with id 0000000000000000"
    );
}
