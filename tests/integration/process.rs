//! The process around a command: its standard streams and `SIGPIPE`, which
//! palabre's own entry point sets up (`src/entry.rs`) instead of Rust's.

use std::fs;
use std::os::unix::process::CommandExt;
use std::process::Stdio;

use crate::harness::Env;

#[test]
fn a_pipe_closed_by_its_reader_ends_a_search_quietly() {
    let env = Env::sfax_indexed();
    // `palabre search … | head -0`: nobody reads the answer.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = env
        .command(["search", "cadre juridique"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    // Killed by SIGPIPE, the process would have no exit code.
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn a_closed_standard_output_swallows_the_answer_as_dev_null_would() {
    let env = Env::sfax_indexed();
    let mut command = env.command(["search", "cadre juridique"]);
    // SAFETY: between fork and exec, `close` is async-signal-safe and
    // touches nothing of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::close(1);
            Ok(())
        });
    }
    let output = command.output().unwrap();
    // Not "Bad file descriptor": the answer went nowhere, as with
    // `>/dev/null`.
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    // Nor into a file that took descriptor 1: only the answer has the
    // snippet's marks around a word.
    let marked = b"[juridiques]";
    for entry in fs::read_dir(env.index()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        assert!(
            !bytes.windows(marked.len()).any(|w| w == marked),
            "{} holds the answer",
            path.display()
        );
    }
}
