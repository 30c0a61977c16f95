//! Progress while indexing: plain, parseable lines when stderr is not a
//! terminal, a bar when it is (run under `script`, which gives the command
//! a pseudo-terminal), nothing with `--quiet`, more with `-v`.

use std::process::Command;

use crate::harness::{sfax_txt, stderr, stdout, Workspace};
use crate::tool_available;

const REPORTS: usize = 12;

fn workspace() -> Workspace {
    let workspace = Workspace::new();
    let text = std::fs::read_to_string(sfax_txt()).unwrap();
    for n in 0..REPORTS {
        // Different content each, so that none is taken for a rename.
        workspace.write(
            &format!("report-{n:02}.txt"),
            format!("{text}\nCopie {n}.\n").as_bytes(),
        );
    }
    workspace
}

/// `palabre: indexed 3/12 files (0.4 MB/s, ETA 00:00:02)` → (3, 12).
fn parse_indexed(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("palabre: indexed ")?;
    let (counts, rest) = rest.split_once(" files (")?;
    let (done, total) = counts.split_once('/')?;
    let (rate, eta) = rest.strip_suffix(')')?.split_once(" MB/s, ETA ")?;
    rate.parse::<f64>().ok()?;
    let clock: Vec<&str> = eta.split(':').collect();
    if clock.len() != 3
        || clock
            .iter()
            .any(|p| p.len() != 2 || p.parse::<u8>().is_err())
    {
        return None;
    }
    Some((done.parse().ok()?, total.parse().ok()?))
}

#[test]
fn without_a_terminal_progress_is_plain_periodic_lines() {
    let workspace = workspace();
    let mut command = Command::new(env!("CARGO_BIN_EXE_palabre"));
    command
        .env_remove("RUST_LOG")
        // A line after each file instead of every 2 seconds.
        .env("PALABRE_PROGRESS_INTERVAL", "0")
        .arg("--corpus")
        .arg(workspace.corpus())
        .arg("--index")
        .arg(workspace.index())
        .arg("index");
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(!text.contains('\u{1b}'), "escape codes in {text}");
    let lines: Vec<&str> = text.lines().collect();
    let indexing = format!("palabre: indexing {REPORTS} files (");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&indexing) && l.ends_with(" MB)")),
        "{text}"
    );
    let counts: Vec<(usize, usize)> = lines.iter().filter_map(|l| parse_indexed(l)).collect();
    assert_eq!(counts.len(), REPORTS, "{text}");
    assert!(
        counts
            .iter()
            .enumerate()
            .all(|(i, c)| *c == (i + 1, REPORTS)),
        "{counts:?}"
    );
    let writing = lines
        .iter()
        .position(|l| *l == "palabre: writing the index");
    assert!(writing.is_some_and(|at| at > 0), "{text}");
    assert!(lines.last().unwrap().starts_with("indexed in "), "{text}");
    // Every line is palabre's and parseable.
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with("palabre: ")),
        "{text}"
    );
}

#[test]
fn at_the_default_pace_the_stages_and_parseable_lines() {
    let workspace = workspace();
    let output = workspace.palabre(&["index"]);
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("palabre: indexing 12 files ("),
        "{text}"
    );
    // How many progress lines depends on the machine's speed: one every
    // 2 s. Each is well-formed.
    for line in &lines[1..lines.len() - 2] {
        assert!(parse_indexed(line).is_some(), "{line:?} in {text}");
    }
    assert_eq!(lines[lines.len() - 2], "palabre: writing the index");
}

#[test]
fn quiet_prints_nothing_and_verbose_says_more() {
    let workspace = workspace();
    let quiet = workspace.palabre(&["index", "--quiet"]);
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "");
    assert_eq!(stdout(&quiet), "");

    let verbose = workspace.palabre(&["index", "--rebuild", "-v"]);
    let text = stderr(&verbose);
    assert!(
        text.contains(&format!("palabre: info: {REPORTS} report files in ")),
        "{text}"
    );
    assert!(!text.contains("palabre: debug: "), "{text}");

    let debug = workspace.palabre(&["index", "--rebuild", "-vv"]);
    let text = stderr(&debug);
    assert!(
        text.contains("palabre: debug: indexed report-00.txt ("),
        "{text}"
    );

    let both = workspace.palabre(&["index", "-q", "-v"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn on_a_terminal_progress_is_a_bar() {
    if !tool_available("script", "bsdutils") {
        return;
    }
    let workspace = workspace();
    let command = format!(
        "{} --corpus '{}' --index '{}' index",
        env!("CARGO_BIN_EXE_palabre"),
        workspace.corpus().display(),
        workspace.index().display()
    );
    // script runs the command on a pseudo-terminal and copies what it
    // writes there to its own stdout.
    let output = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .env_remove("PALABRE_PROGRESS_INTERVAL")
        .env("TERM", "xterm")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    let screen = stdout(&output);
    assert!(screen.contains("indexing ["), "{screen:?}");
    assert!(screen.contains(&format!("/{REPORTS} files")), "{screen:?}");
    assert!(screen.contains("ETA"), "{screen:?}");
    // The bar is redrawn in place (cursor moves, line clears) and replaces
    // the plain lines.
    assert!(screen.contains('\u{1b}'), "{screen:?}");
    assert!(!screen.contains("palabre: indexed "), "{screen:?}");
    assert!(screen.contains("indexed in "), "{screen:?}");
}
