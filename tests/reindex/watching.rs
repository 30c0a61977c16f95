//! Watching: `palabre serve --watch` and `palabre watch` re-index when
//! reports are added, changed or removed, ignore temporary files, wait for
//! files still being written, and wait for a writer lock held by another
//! process. Latencies are printed, not asserted (see `bench/` for the
//! measured figures); the limits here only stop a test that hangs.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{report, Env, Running, Server};

const LIMIT: Duration = Duration::from_secs(20);

fn runs(process: &Running) -> Vec<String> {
    process
        .stderr()
        .into_iter()
        .filter(|l| l.contains("indexed in"))
        .collect()
}

/// Waits until `server` finds (or no longer finds) `word`; returns how long.
fn until_found(server: &Server, word: &str, wanted: bool) -> Duration {
    let started = Instant::now();
    while (server.search(word).total > 0) != wanted {
        assert!(
            started.elapsed() < LIMIT,
            "{word}: still {}: {:#?}",
            !wanted,
            server.process.stderr()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    started.elapsed()
}

#[test]
fn serve_watch_follows_the_corpus() {
    let env = Env::new();
    env.write("base.txt", report("Réunion de Tunis", "zorglub"));
    let mut server = Server::start(&env, &["--watch"]);
    let watching = server.process.wait_line("watching", LIMIT);
    assert!(watching.contains("(file events)"), "{watching}");
    // The catch-up run at start.
    server.process.wait_line("indexed in", LIMIT);

    env.write("new.txt", report("Réunion de Rabat", "kraspek"));
    let added = until_found(&server, "kraspek", true);
    env.remove("new.txt");
    let removed = until_found(&server, "kraspek", false);
    eprintln!("serve --watch: added seen after {added:?}, removal after {removed:?}");
    // The server may see the commit before the watcher has logged it; the
    // runs are counted below.
    crate::harness::wait_for(LIMIT, "the removal run is logged", || {
        runs(&server.process)
            .last()
            .is_some_and(|run| run.contains(" 1 removed"))
    });

    // Temporary, hidden and lock files trigger nothing, nor does reading a
    // report (the watcher's own runs read them all).
    let before = runs(&server.process).len();
    std::fs::read(env.corpus.join("base.txt")).unwrap();
    env.write("draft.txt.part", report("Brouillon", "plimbus"));
    env.write(".~lock.base.txt#", "x");
    env.write(".base.txt.swp", "x");
    env.write("notes.tmp", "x");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        runs(&server.process).len(),
        before,
        "{:#?}",
        server.process.stderr()
    );
    assert_eq!(server.search("plimbus").total, 0);

    // The usual way to publish a file: write it aside, then rename it.
    std::fs::rename(
        env.corpus.join("draft.txt.part"),
        env.corpus.join("final.txt"),
    )
    .unwrap();
    until_found(&server, "plimbus", true);
    // The server may see the commit before the watcher has logged it.
    crate::harness::wait_for(LIMIT, "the run is logged", || {
        runs(&server.process).len() == before + 1
    });

    // A report written slowly, in pieces closer together than the debounce
    // time, is indexed once, whole.
    let before = before + 1;
    let mut file = std::fs::File::create(env.corpus.join("slow.txt")).unwrap();
    let text = report("Réunion de Sousse", "commencement");
    for piece in text.as_bytes().chunks(text.len() / 3 + 1) {
        file.write_all(piece).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    drop(file);
    until_found(&server, "commencement", true);
    std::thread::sleep(Duration::from_secs(2));
    let new_runs = runs(&server.process).split_off(before);
    assert_eq!(new_runs.len(), 1, "{new_runs:#?}");
    assert!(new_runs[0].contains("1 added, 0 updated"), "{new_runs:#?}");
    assert_eq!(server.search("Renforcer").total, 3);

    // A bad file is warned about once, not at every run.
    env.write("empty.txt", "");
    env.write("other.txt", report("Réunion de Gabès", "vortaque"));
    until_found(&server, "vortaque", true);
    env.write("other.txt", report("Réunion de Gabès", "quenouille"));
    until_found(&server, "quenouille", true);
    let warnings: Vec<String> = server
        .process
        .stderr()
        .into_iter()
        .filter(|l| l.contains("warning"))
        .collect();
    assert_eq!(
        warnings,
        ["palabre: warning: skipped empty.txt: empty file"],
        "{:#?}",
        server.process.stderr()
    );
}

#[test]
fn watch_polls_while_another_process_serves() {
    let env = Env::new();
    env.write("base.txt", report("Réunion de Tunis", "zorglub"));
    env.index(&[]);
    let server = Server::start(&env, &[]);
    let mut command = env.palabre();
    command.args(["watch", "--poll"]);
    let mut watcher = Running::start(command);
    let line = watcher.wait_line("watching", LIMIT);
    assert!(line.contains("polling every 1000 ms"), "{line}");
    watcher.wait_line("indexed in", LIMIT);

    env.write("2021/new.md", report("Réunion de Rabat", "kraspek"));
    let added = until_found(&server, "kraspek", true);
    env.write("2021/new.md", report("Réunion de Rabat", "plimbus"));
    let changed = until_found(&server, "plimbus", true);
    env.remove("2021/new.md");
    let removed = until_found(&server, "plimbus", false);
    eprintln!("watch --poll: added {added:?}, changed {changed:?}, removed {removed:?}");
}

#[test]
fn the_watcher_waits_while_another_process_holds_the_lock() {
    let env = Env::new();
    env.write("base.txt", report("Réunion de Tunis", "zorglub"));
    env.index(&[]);
    let mut command = env.palabre();
    command.arg("watch");
    let mut watcher = Running::start(command);
    watcher.wait_line("indexed in", LIMIT);

    // Another writer: `flock` takes the OS lock that tantivy's writer takes.
    let lock = env.index.join(".tantivy-writer.lock");
    let mut holder = Command::new("flock")
        .arg(&lock)
        .args(["sleep", "3"])
        .spawn()
        .unwrap();
    crate::harness::wait_for(LIMIT, "flock holds the lock", || {
        crate::harness::is_locked(&lock)
    });
    env.write("new.txt", report("Réunion de Rabat", "kraspek"));
    let refused = watcher.wait_line("trying again in", LIMIT);
    assert!(refused.contains(&lock.display().to_string()), "{refused}");
    assert!(holder.wait().unwrap().success());

    crate::harness::wait_for(LIMIT, "the watcher indexes after the lock is freed", || {
        env.documents().len() == 2
    });
    assert!(
        watcher.child.try_wait().unwrap().is_none(),
        "the watcher died"
    );
    assert_eq!(env.search("kraspek").total, 1);
}
