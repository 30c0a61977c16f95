//! Crash safety: a `palabre index` killed (SIGKILL) at any moment leaves
//! the last committed state searchable, releases its lock with the
//! process, and the next run completes and removes what it left behind.
//! The 1,000-report version of this test is `bench/crash.sh`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::harness::{is_locked, report, wait_for, Env};
use crate::lock::{write_slow_corpus, SLOW_REPORTS};

/// When to kill a run after it has taken the writer lock.
#[derive(Clone, Copy, Debug)]
enum Moment {
    /// After this many milliseconds.
    After(u64),
    /// As soon as it has written files that no commit refers to yet.
    FirstFiles,
}

const MOMENTS: [Moment; 3] = [Moment::FirstFiles, Moment::After(0), Moment::After(700)];

/// Starts `palabre ARGS`, SIGKILLs it at `moment`, and returns how many
/// files it left behind.
fn kill_run(env: &Env, args: &[&str], moment: Moment) -> usize {
    let lock = env.index.join(".tantivy-writer.lock");
    let mut run = env
        .palabre()
        .args(args)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for(Duration::from_secs(60), "the run takes the lock", || {
        is_locked(&lock)
    });
    match moment {
        Moment::After(ms) => std::thread::sleep(Duration::from_millis(ms)),
        Moment::FirstFiles => {
            let started = Instant::now();
            while env.orphan_files().is_empty()
                && run.try_wait().unwrap().is_none()
                && started.elapsed() < Duration::from_secs(60)
            {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
    run.kill().unwrap(); // SIGKILL
    run.wait().unwrap();
    // The OS released the lock with the process.
    assert!(!is_locked(&lock), "the lock outlived the killed run");
    env.orphan_files().len()
}

fn set(docs: &[&str]) -> HashSet<String> {
    docs.iter().map(|d| d.to_string()).collect()
}

#[test]
fn a_killed_index_run_leaves_a_working_index() {
    let env = Env::new();
    for (name, word) in [
        ("a.txt", "zorglub"),
        ("b.txt", "kraspek"),
        ("c.txt", "plimbus"),
    ] {
        env.write(name, report("Réunion de Tunis", word));
    }
    env.index(&[]);
    write_slow_corpus(&env);
    let before = 3;
    let after = 3 + SLOW_REPORTS;

    // Killed while adding reports: searches answer from the last commit,
    // before the run or after it, never from half a run.
    for moment in MOMENTS {
        kill_run(&env, &["index"], moment);
        let documents = env.documents().len();
        assert!(
            documents == before || documents == after,
            "{moment:?}: {documents} reports"
        );
        assert_eq!(env.found("zorglub"), set(&["a.txt"]), "{moment:?}");
    }
    let summary = env.index(&[]);
    assert_eq!(summary.documents, after);

    // Killed while rebuilding (delete everything, re-add, one commit): no
    // search ever sees the index empty or a report twice.
    let mut orphans = 0;
    for moment in MOMENTS {
        orphans += kill_run(&env, &["index", "--rebuild"], moment);
        assert_eq!(env.documents().len(), after, "{moment:?}");
        assert_eq!(env.search("variante7").total, 1, "{moment:?}");
        assert_eq!(env.found("kraspek"), set(&["b.txt"]), "{moment:?}");
    }
    assert!(orphans > 0, "no kill landed before a commit");

    // The next run completes; it has nothing to commit, and still removes
    // the files the killed runs left.
    let summary = env.index(&[]);
    assert_eq!((summary.unchanged, summary.documents), (after, after));
    assert_eq!(env.orphan_files(), Vec::<String>::new());
}
