//! `palabre documents`: the indexed reports and their metadata.

use crate::harness::json::Document;
use crate::harness::{Env, SFAX, SFAX_DOC, SFAX_SEGMENTS, TUNIS, TUNIS_DOC};

#[test]
fn documents_lists_each_report_with_its_metadata() {
    let env = Env::sfax();
    env.write(TUNIS_DOC, TUNIS);
    env.run(["index"]).success();
    let run = env.run(["documents", "--json"]);
    run.success();
    let documents: Vec<Document> = run.json();
    let names: Vec<&str> = documents.iter().map(|d| d.doc.as_str()).collect();
    assert_eq!(names, [SFAX_DOC, TUNIS_DOC]);

    let sfax = &documents[0];
    assert!(
        sfax.doc_title.starts_with("Bâtir la Confiance"),
        "{}",
        sfax.doc_title
    );
    assert_eq!(sfax.date.as_deref(), Some("2019-06-25"));
    assert_eq!(sfax.city.as_deref(), Some("Sfax"));
    assert_eq!(sfax.lang, "fr");
    assert_eq!(sfax.segments, SFAX_SEGMENTS);
    assert_eq!(sfax.hash, blake3::hash(SFAX.as_bytes()).to_hex().as_str());
    assert!(sfax.indexed_at > 1_500_000_000, "{}", sfax.indexed_at);

    let tunis = &documents[1];
    assert_eq!(tunis.date.as_deref(), Some("2020-03-12"));
    assert_eq!(tunis.city.as_deref(), Some("Tunis"));
    assert_eq!(tunis.segments, 2);

    let plain = env.run(["documents"]);
    plain.success();
    let lines: Vec<&str> = plain.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", plain.stdout);
    assert!(lines[0].starts_with(&format!("{SFAX_DOC}\t2019-06-25\tSfax\tfr\t")));
}

#[test]
fn an_empty_index_lists_nothing() {
    let env = Env::empty();
    env.run(["index"]).success();
    let run = env.run(["documents", "--json"]);
    run.not_found();
    assert!(run.json::<Vec<Document>>().is_empty());
}

/// `palabre export`: every segment of every report, one JSON object per
/// line, with its text and metadata; the report records stay out.
#[test]
fn export_writes_every_segment_as_a_json_line() {
    let env = Env::sfax();
    env.write(TUNIS_DOC, TUNIS);
    env.run(["index"]).success();
    let run = env.run(["export"]);
    run.success();
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let sfax: Vec<&serde_json::Value> = lines.iter().filter(|l| l["doc"] == SFAX_DOC).collect();
    assert_eq!(sfax.len(), SFAX_SEGMENTS);
    assert!(lines.iter().any(|l| l["doc"] == TUNIS_DOC));
    assert!(lines
        .iter()
        .all(|l| l["kind"] == "section" || l["kind"] == "practice"));
    let brital = sfax
        .iter()
        .find(|l| l["title"].as_str().unwrap().contains("Brital"))
        .unwrap();
    assert!(brital["text"]
        .as_str()
        .unwrap()
        .contains("réfugiés syriens"));
    assert_eq!(brital["date"], "2019-06-25");
    let id = brital["id"].as_str().unwrap();
    assert_eq!(brital["url"], format!("/segments/{id}"));
    // The same text as `show`.
    let shown = env.run(["show", "--json", id]);
    let shown: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(shown["text"], brital["text"]);

    let empty = Env::empty();
    empty.run(["index"]).success();
    let run = empty.run(["export"]);
    run.not_found();
    assert_eq!(run.stdout, "");
}
