//! Bad files never stop a run: each is skipped with one warning line
//! naming it and the reason, and every other report is indexed.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::harness::{report, Env};

#[test]
fn bad_files_are_skipped_with_one_warning_each() {
    let env = Env::new();
    env.write("good-1.txt", report("Réunion de Tunis", "zorglub"));
    env.write("good-2.md", report("Réunion de Sfax", "kraspek"));
    env.write("empty.txt", "");
    env.write("blank.txt", "  \n\n\t\n");
    // A PNG header: binary, with NUL bytes.
    env.write("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00");
    // No NUL byte, not UTF-8, and mostly control characters in Windows-1252.
    env.write(
        "garbled.txt",
        b"\x81\x8d\x8f\x90\x9d\xc3\x28\x81\x8d\x8f\x90\x9d",
    );
    // Cannot be read: a link to nothing. (`chmod 000` is tried below, but
    // tests often run as root, who reads such files anyway.)
    std::os::unix::fs::symlink(
        env.corpus.join("nowhere.txt"),
        env.corpus.join("dangling.txt"),
    )
    .unwrap();
    // Reading a named pipe would block for ever.
    let fifo = env.corpus.join("pipe.txt");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    env.write("locked.txt", report("Réunion de Rabat", "plimbus"));
    let locked = env.corpus.join("locked.txt");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let unreadable = std::fs::read(&locked).is_err();

    let mut expected = vec![
        ("blank.txt", "empty file"),
        (
            "dangling.txt",
            "cannot read it: No such file or directory (os error 2)",
        ),
        ("empty.txt", "empty file"),
        ("garbled.txt", "neither UTF-8 nor Windows-1252 text"),
        ("image.txt", "binary file, not text"),
        ("pipe.txt", "not a regular file"),
    ];
    if unreadable {
        expected.push((
            "locked.txt",
            "cannot read it: Permission denied (os error 13)",
        ));
        expected.sort();
    }

    let output = env.run_ok(&["index"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let mut warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    warnings.sort();
    let wanted: Vec<String> = expected
        .iter()
        .map(|(doc, reason)| format!("palabre: warning: skipped {doc}: {reason}"))
        .collect();
    assert_eq!(warnings, wanted, "{stderr}");

    let mut indexed: Vec<String> = env.documents().into_iter().map(|r| r.doc).collect();
    indexed.sort();
    let mut good = vec!["good-1.txt", "good-2.md"];
    if !unreadable {
        good.push("locked.txt");
    }
    assert_eq!(indexed, good);
    assert_eq!(env.search("zorglub").total, 1);

    // The JSON summary lists the same files.
    let summary = env.index(&[]);
    assert_eq!(summary.skipped.len(), expected.len());
    assert!(summary.skipped.iter().any(|s| s.doc == "garbled.txt"));
}
