//! `palabre index`: incremental runs and their summary, and the
//! `PALABRE_CORPUS` / `PALABRE_INDEX` settings.

use crate::harness::json::IndexSummary;
use crate::harness::{bare_command, Env, Run, SFAX, SFAX_DOC, SFAX_SEGMENTS, TUNIS, TUNIS_DOC};

fn index(env: &Env) -> IndexSummary {
    let run = env.run(["index", "--json"]);
    run.success();
    run.json()
}

#[test]
fn first_run_adds_every_report() {
    let env = Env::sfax();
    env.write(TUNIS_DOC, TUNIS);
    let summary = index(&env);
    assert_eq!(summary.counts(), (2, 0, 0, 0, 0));
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    assert_eq!(summary.documents, 2);
    assert_eq!(summary.segments, SFAX_SEGMENTS + 2);
    assert_eq!(summary.segments_written, SFAX_SEGMENTS + 2);
}

#[test]
fn a_second_run_changes_nothing() {
    let env = Env::sfax_indexed();
    let summary = index(&env);
    assert_eq!(summary.counts(), (0, 0, 0, 0, 1));
    assert_eq!(summary.segments_written, 0);
    assert_eq!((summary.documents, summary.segments), (1, SFAX_SEGMENTS));
}

#[test]
fn a_modified_report_is_updated_and_a_deleted_one_removed() {
    let env = Env::sfax();
    env.write(TUNIS_DOC, TUNIS);
    index(&env);

    env.write(
        SFAX_DOC,
        &format!("{SFAX}\nUne phrase ajoutée après la réunion.\n"),
    );
    let summary = index(&env);
    assert_eq!(summary.counts(), (0, 1, 0, 0, 1));
    assert_eq!(summary.segments_written, SFAX_SEGMENTS);
    assert_eq!(
        (summary.documents, summary.segments),
        (2, SFAX_SEGMENTS + 2)
    );

    env.remove(TUNIS_DOC);
    let summary = index(&env);
    assert_eq!(summary.counts(), (0, 0, 0, 1, 1));
    assert_eq!((summary.documents, summary.segments), (1, SFAX_SEGMENTS));
    env.run(["search", "saisonniers"]).not_found();
}

#[test]
fn a_renamed_report_is_not_read_again() {
    let env = Env::sfax_indexed();
    std::fs::rename(
        env.corpus().join(SFAX_DOC),
        env.corpus().join("sfax-2019.txt"),
    )
    .unwrap();
    let summary = index(&env);
    assert_eq!(summary.counts(), (0, 0, 1, 0, 0));
    assert_eq!((summary.documents, summary.segments), (1, SFAX_SEGMENTS));
}

#[test]
fn files_that_are_not_reports_are_skipped_with_a_reason() {
    let env = Env::sfax();
    env.write("empty.txt", "\n  \n");
    std::fs::write(
        env.corpus().join("photo.txt"),
        [0xFF, 0xD8, 0xFF, 0x00, 0x10, 0x00],
    )
    .unwrap();
    env.write("notes.pdf", "a PDF in name only");
    env.write("slides.odp", "not a report extension");
    let run = env.run(["index", "--json"]);
    run.success();
    let summary: IndexSummary = run.json();
    assert_eq!(summary.added, 1);
    let skipped: Vec<(&str, &str)> = summary
        .skipped
        .iter()
        .map(|s| (s.doc.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("empty.txt", "empty file"),
            (
                "notes.pdf",
                "damaged PDF: couldn't parse input: invalid file header"
            ),
            ("photo.txt", "binary file, not text")
        ]
    );
    assert!(
        run.stderr
            .contains("warning: skipped photo.txt: binary file, not text"),
        "{}",
        run.stderr
    );
}

#[test]
fn rebuild_reads_every_report_again() {
    let env = Env::sfax_indexed();
    let summary: IndexSummary = env.run(["index", "--rebuild", "--json"]).json();
    assert_eq!(summary.segments_written, SFAX_SEGMENTS);
    assert_eq!((summary.documents, summary.segments), (1, SFAX_SEGMENTS));
}

#[test]
fn the_plain_summary_goes_to_stderr() {
    let env = Env::sfax();
    let run = env.run(["index"]);
    run.success();
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("1 added, 0 updated, 0 removed, 0 unchanged"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("16 segments"), "{}", run.stderr);
}

#[test]
fn folders_can_be_set_in_the_environment() {
    let env = Env::sfax();
    // Run elsewhere, so the default `corpus/` and `index/` do not exist.
    let elsewhere = env.root().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let with_env = |args: &[&str]| {
        let mut command = bare_command(&elsewhere);
        command
            .env("PALABRE_CORPUS", env.corpus())
            .env("PALABRE_INDEX", env.index())
            .args(args);
        Run::of(command)
    };
    let run = with_env(&["index", "--json"]);
    run.success();
    assert_eq!(run.json::<IndexSummary>().added, 1);
    assert!(env.index().join("meta.json").is_file());
    assert!(!elsewhere.join("index").exists());
    with_env(&["search", "cadre juridique"]).success();

    // Without them, the defaults apply: no `corpus/` here.
    let line = Run::of({
        let mut command = bare_command(&elsewhere);
        command.arg("index");
        command
    })
    .error_line()
    .to_string();
    assert!(line.contains("corpus folder corpus not found"), "{line}");
}
