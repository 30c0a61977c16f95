//! Bad input: every error is one line on stderr starting with `palabre:`,
//! saying what is wrong and where, with exit code 2 and nothing on stdout.

use std::fs;

use crate::harness::{Env, SFAX_DOC};

/// Runs `palabre ARGS` expecting an error; returns the error line.
fn error(env: &Env, args: &[&str]) -> String {
    env.run(args).error_line().to_string()
}

fn assert_mentions(line: &str, parts: &[&str]) {
    for part in parts {
        assert!(line.contains(part), "{part:?} missing from {line:?}");
    }
}

#[test]
fn a_missing_corpus_folder() {
    let env = Env::empty();
    fs::remove_dir(env.corpus()).unwrap();
    let line = error(&env, &["index"]);
    assert_mentions(&line, &["corpus folder", "not found"]);
    assert_mentions(&line, &[&env.corpus().display().to_string()]);
    // A search with no index tries to build one first, and fails the same way.
    let run = env.run(["search", "cadre"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.lines().all(|l| l.starts_with("palabre: ")));
    assert!(run.stderr.contains("corpus folder"), "{}", run.stderr);
    assert!(!env.index().exists());
}

#[test]
fn an_index_folder_holding_other_files() {
    let env = Env::sfax();
    fs::create_dir(env.index()).unwrap();
    fs::write(env.index().join("notes.txt"), "not an index").unwrap();
    let index = env.index().display().to_string();
    for args in [
        &["index"][..],
        &["search", "cadre"],
        &["documents"],
        &["serve", "--bind", "127.0.0.1:0"],
    ] {
        let line = error(&env, args);
        assert_mentions(&line, &[&index, "is not a palabre index"]);
    }
    // Nothing was written next to the user's file.
    assert_eq!(fs::read_dir(env.index()).unwrap().count(), 1);
}

#[test]
fn a_corrupt_index() {
    let env = Env::sfax();
    fs::create_dir(env.index()).unwrap();
    fs::write(env.index().join("meta.json"), "{ not json").unwrap();
    let line = error(&env, &["search", "cadre"]);
    assert_mentions(
        &line,
        &[&env.index().display().to_string(), "not a palabre index"],
    );
}

#[test]
fn an_index_of_another_program() {
    use tantivy::schema::{Schema, TEXT};
    let env = Env::sfax();
    fs::create_dir(env.index()).unwrap();
    let mut schema = Schema::builder();
    schema.add_text_field("body", TEXT);
    tantivy::Index::create_in_dir(env.index(), schema.build()).unwrap();
    for args in [&["search", "cadre"][..], &["index"], &["documents"]] {
        let line = error(&env, args);
        assert_mentions(&line, &["not a palabre index", "another schema"]);
    }
}

#[test]
fn an_index_path_that_is_a_file() {
    let env = Env::sfax();
    fs::write(env.index(), "a file").unwrap();
    for args in [&["search", "cadre"][..], &["index"]] {
        let line = error(&env, args);
        assert_mentions(&line, &[&env.index().display().to_string(), "not a folder"]);
    }
}

#[test]
fn an_unterminated_quote_says_what_and_where() {
    let env = Env::sfax_indexed();
    let line = error(&env, &["search", "migrants \"cadre juridique"]);
    assert_mentions(
        &line,
        &["invalid query", "unterminated quote", "character 10"],
    );
}

#[test]
fn an_empty_query() {
    let env = Env::sfax_indexed();
    for query in ["", "   "] {
        let line = error(&env, &["search", query]);
        assert_mentions(&line, &["invalid query", "empty"]);
    }
    let line = error(&env, &["search"]);
    assert_mentions(&line, &["QUERY"]);
}

#[test]
fn a_bad_kind() {
    let env = Env::sfax_indexed();
    let line = error(&env, &["search", "cadre", "--kind", "chapter"]);
    assert_mentions(&line, &["chapter", "--kind", "section", "practice"]);
}

#[test]
fn limits_out_of_range() {
    let env = Env::sfax_indexed();
    for limit in ["0", "1000"] {
        let line = error(&env, &["search", "cadre", "--limit", limit]);
        assert_mentions(&line, &["invalid limit", limit, "1..=100"]);
    }
    let line = error(&env, &["search", "cadre", "--limit", "ten"]);
    assert_mentions(&line, &["ten", "--limit"]);
    let line = error(&env, &["search", "cadre", "--offset", "20000"]);
    assert_mentions(&line, &["invalid offset", "20000"]);
}

#[test]
fn an_unknown_option_or_command() {
    let env = Env::sfax_indexed();
    let line = error(&env, &["search", "cadre", "--colour"]);
    assert_mentions(&line, &["--colour"]);
    let line = error(&env, &["find", "cadre"]);
    assert_mentions(&line, &["find"]);
}

#[test]
fn inspect_of_a_missing_file() {
    let env = Env::empty();
    let missing = env.corpus().join(SFAX_DOC);
    let line = error(&env, &["inspect", missing.to_str().unwrap()]);
    assert_mentions(&line, &[&missing.display().to_string(), "No such file"]);
    // The system's reason is said once.
    assert_eq!(line.matches("No such file").count(), 1, "{line}");
}

#[test]
fn documents_without_an_index() {
    let env = Env::sfax();
    let line = error(&env, &["documents"]);
    assert_mentions(&line, &["no index", "palabre index"]);
}

#[test]
fn help_and_version_are_not_errors() {
    let env = Env::empty();
    for args in [&["--help"][..], &["search", "--help"], &["--version"]] {
        let run = env.run(args);
        run.success();
        assert!(!run.stdout.is_empty());
        assert_eq!(run.stderr, "");
    }
}
