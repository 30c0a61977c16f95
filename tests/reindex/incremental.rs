//! Incremental `palabre index`: added, changed, removed and renamed
//! reports, each checked through the search results.

use std::collections::HashSet;

use crate::harness::{report, Env};

fn set(docs: &[&str]) -> HashSet<String> {
    docs.iter().map(|d| d.to_string()).collect()
}

/// The commit counter of the index: it moves only when a run commits.
fn opstamp(env: &Env) -> u64 {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.index.join("meta.json")).unwrap())
            .unwrap();
    meta["opstamp"].as_u64().unwrap()
}

#[test]
fn add_change_remove_and_rename_reports() {
    let env = Env::new();
    env.write("a.txt", report("Réunion de Tunis", "zorglub"));
    env.write("b.txt", report("Réunion de Sfax", "kraspek"));
    let first = env.index(&[]);
    assert_eq!((first.added, first.documents), (2, 2));
    assert_eq!(env.found("zorglub"), set(&["a.txt"]));
    let every_segment = env.search("coopération").total;

    // Nothing changed: nothing re-read, nothing committed.
    let stamp = opstamp(&env);
    let same = env.index(&[]);
    assert_eq!(
        (same.added, same.updated, same.removed, same.unchanged),
        (0, 0, 0, 2)
    );
    assert_eq!(opstamp(&env), stamp, "a run with no change must not commit");

    // Added.
    env.write("2021/c.md", report("Réunion de Rabat", "plimbus"));
    let added = env.index(&[]);
    assert_eq!((added.added, added.unchanged, added.documents), (1, 2, 3));
    assert_eq!(env.found("plimbus"), set(&["2021/c.md"]));
    let three_reports = env.search("coopération").total;
    assert!(three_reports > every_segment);

    // Changed: the new words are found, the old ones are gone, and the
    // report's segments are replaced, not doubled.
    env.write("a.txt", report("Réunion de Tunis", "vortaque"));
    let changed = env.index(&[]);
    assert_eq!(
        (changed.updated, changed.unchanged, changed.added),
        (1, 2, 0)
    );
    assert_eq!(env.found("vortaque"), set(&["a.txt"]));
    assert!(env.found("zorglub").is_empty());
    assert_eq!(env.search("coopération").total, three_reports);

    // Removed.
    env.remove("b.txt");
    let removed = env.index(&[]);
    assert_eq!(
        (removed.removed, removed.unchanged, removed.documents),
        (1, 2, 2)
    );
    assert!(env.found("kraspek").is_empty());

    // Renamed: found under its new name only, indexed once.
    std::fs::rename(env.corpus.join("2021/c.md"), env.corpus.join("c-final.md")).unwrap();
    let renamed = env.index(&[]);
    assert_eq!(
        (
            renamed.renamed,
            renamed.added,
            renamed.removed,
            renamed.documents
        ),
        (1, 0, 0, 2)
    );
    let hits = env.search("plimbus");
    assert_eq!(hits.docs(), set(&["c-final.md"]));
    assert_eq!(hits.total, 1);
    let docs: Vec<String> = env.documents().into_iter().map(|r| r.doc).collect();
    assert_eq!(docs, ["a.txt", "c-final.md"]);

    // --rebuild starts from scratch and ends in the same state.
    let rebuilt = env.index(&["--rebuild"]);
    assert_eq!(
        (rebuilt.added, rebuilt.unchanged, rebuilt.documents),
        (2, 0, 2)
    );
    assert_eq!(env.found("plimbus"), set(&["c-final.md"]));
    assert_eq!(env.search("coopération").total, every_segment);
}

#[test]
fn the_summary_line_says_what_changed_and_how_long_it_took() {
    let env = Env::new();
    env.write("a.txt", report("Réunion de Tunis", "zorglub"));
    env.write("b.txt", report("Réunion de Sfax", "kraspek"));
    env.run_ok(&["index"]);
    env.write("c.txt", report("Réunion de Rabat", "plimbus"));
    env.write("a.txt", report("Réunion de Tunis", "vortaque"));
    env.remove("b.txt");
    let output = env.run_ok(&["index"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.stdout.is_empty(), "results only on stdout");
    // Progress lines come first (see tests/operate/progress.rs); the
    // summary ends the run.
    let summary = stderr.lines().last().unwrap_or_default();
    assert!(summary.starts_with("indexed in "), "{stderr}");
    assert!(
        summary.contains(" s: 1 added, 1 updated, 1 removed, 0 unchanged;"),
        "{stderr}"
    );
}

/// The "did you mean" for a typed word; empty without one.
fn suggestion(env: &Env, typed: &str) -> String {
    env.search(typed).suggestion.unwrap_or_default()
}

#[test]
fn the_typo_vocabulary_follows_added_changed_removed_and_unreadable_reports() {
    let env = Env::new();
    env.write("a.txt", report("Réunion de Tunis", "zorglubien"));
    env.write("b.txt", report("Réunion de Sfax", "krakatoesque"));
    env.index(&[]);
    assert_eq!(suggestion(&env, "zorgkubien"), "zorglubien");
    assert_eq!(suggestion(&env, "krakatuesque"), "krakatoesque");

    // a.txt changes: its new words are in the vocabulary, and b.txt, whose
    // words shared a vocabulary document with a.txt's, keeps its own.
    env.write("a.txt", report("Réunion de Tunis", "bidulophone"));
    let changed = env.index(&[]);
    assert_eq!((changed.updated, changed.documents), (1, 2));
    assert_eq!(suggestion(&env, "bidulaphone"), "bidulophone");
    assert_eq!(suggestion(&env, "krakatuesque"), "krakatoesque");
    assert_eq!(suggestion(&env, "zorgkubien"), "", "a.txt's old word went");

    // b.txt goes, and its words; a.txt keeps its own.
    env.remove("b.txt");
    let removed = env.index(&[]);
    assert_eq!((removed.removed, removed.documents), (1, 1));
    assert_eq!(suggestion(&env, "krakatuesque"), "");
    assert_eq!(suggestion(&env, "bidulaphone"), "bidulophone");

    // A changed file that cannot be read keeps its indexed version, and
    // that version's words, in a run that commits (c.txt is new).
    env.write("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00");
    env.write("c.txt", report("Réunion de Rabat", "plimbusard"));
    let unreadable = env.index(&[]);
    assert_eq!(
        (
            unreadable.skipped.len(),
            unreadable.added,
            unreadable.documents
        ),
        (1, 1, 2),
        "{unreadable:?}"
    );
    assert_eq!(suggestion(&env, "plimbosard"), "plimbusard");
    assert_eq!(suggestion(&env, "bidulaphone"), "bidulophone");
    assert_eq!(env.found("bidulophone").len(), 1, "the old version stays");
}
