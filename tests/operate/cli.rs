//! `--version`, exit codes, completions and the man page.

use std::process::Command;

use crate::harness::{sfax_txt, stderr, stdout, Workspace};
use crate::palabre;

const SUBCOMMANDS: [&str; 10] = [
    "index",
    "search",
    "show",
    "inspect",
    "documents",
    "serve",
    "watch",
    "config",
    "completions",
    "man",
];

#[test]
fn version_names_the_release_and_the_commit_of_a_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let output = palabre(dir.path()).arg("--version").output().unwrap();
    assert!(output.status.success());
    let line = stdout(&output);
    let expected = format!("palabre {} ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(expected.trim_end()), "{line}");
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    // Built from a checkout with git at hand: the commit is in the version
    // (the build is older than the last commit at most by a rebuild).
    if let Some(commit) = commit.ok().filter(|o| o.status.success()) {
        let hex = line
            .trim()
            .strip_prefix(&expected)
            .and_then(|rest| rest.strip_prefix('('))
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or_else(|| panic!("no commit in {line:?}"));
        assert!(
            hex.len() >= 7 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{line}"
        );
        assert!(!String::from_utf8_lossy(&commit.stdout).trim().is_empty());
    }
}

#[test]
fn exit_codes_are_grep_s_found_nothing_error() {
    let workspace = Workspace::new();
    workspace.add(&sfax_txt(), "sfax.txt");
    let found = workspace.palabre(&["search", "migration"]);
    assert_eq!(found.status.code(), Some(0), "{}", stderr(&found));
    let nothing = workspace.palabre(&["search", "zzyzxquux"]);
    assert_eq!(nothing.status.code(), Some(1), "{}", stderr(&nothing));
    let bad_flag = workspace.palabre(&["search", "--kind", "chapter", "x"]);
    assert_eq!(bad_flag.status.code(), Some(2));
    let no_index = palabre(workspace.dir.path())
        .args(["--index", "nowhere", "documents"])
        .output()
        .unwrap();
    assert_eq!(no_index.status.code(), Some(2), "{}", stderr(&no_index));
    assert_eq!(
        stderr(&no_index).lines().count(),
        1,
        "{}",
        stderr(&no_index)
    );
}

#[test]
fn the_help_documents_the_exit_codes_and_gives_examples() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&palabre(dir.path()).arg("--help").output().unwrap());
    assert!(help.contains("Exit status:"), "{help}");
    assert!(help.contains("0  something was found"), "{help}");
    assert!(help.contains("1  nothing was found"), "{help}");
    assert!(help.contains("2  an error"), "{help}");
    for subcommand in SUBCOMMANDS {
        let output = palabre(dir.path())
            .args([subcommand, "--help"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{subcommand}");
        let text = stdout(&output);
        assert!(
            text.contains("Examples:") || text.contains("Exit status"),
            "palabre {subcommand} --help has no examples:\n{text}"
        );
    }
}

#[test]
fn completions_cover_every_subcommand_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let output = palabre(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        assert!(script.len() > 1000, "{shell}: {script}");
        for subcommand in SUBCOMMANDS {
            assert!(script.contains(subcommand), "{shell} lacks {subcommand}");
        }
        assert!(script.contains("corpus"), "{shell} lacks --corpus");
    }
    let bad = palabre(dir.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_man_page_is_generated_from_the_command_line_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let output = palabre(dir.path()).arg("man").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH palabre 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
        ".SH VERSION",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    assert!(page.contains("Exit status"), "{page}");
    assert!(page.contains("PALABRE_CORPUS"), "{page}");

    let pages = dir.path().join("man1");
    let output = palabre(dir.path())
        .args(["man", "--dir"])
        .arg(&pages)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    for name in [
        "palabre.1",
        "palabre-search.1",
        "palabre-serve.1",
        "palabre-config.1",
    ] {
        let text = std::fs::read_to_string(pages.join(name)).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{name}");
    }
}
