//! One writer at a time: a second `palabre index` while one is running
//! exits at once with a message naming the lock, and harms nothing.

use std::time::Duration;

use crate::harness::{is_locked, long_report, wait_for, Env};

/// Long reports, so that indexing them takes seconds in a debug build.
pub const SLOW_REPORTS: usize = 12;

pub fn write_slow_corpus(env: &Env) {
    for i in 0..SLOW_REPORTS {
        env.write(
            &format!("long-{i:02}.txt"),
            long_report(&format!("variante{i}")),
        );
    }
}

#[test]
fn a_second_index_run_is_refused_while_one_is_running() {
    let env = Env::new();
    write_slow_corpus(&env);
    let lock = env.index.join(".tantivy-writer.lock");
    let mut first = env.palabre().arg("index").spawn().unwrap();
    wait_for(Duration::from_secs(60), "first run takes the lock", || {
        is_locked(&lock)
    });

    let second = env.palabre().arg("index").output().unwrap();
    let still_running = first.try_wait().unwrap().is_none();
    assert!(
        still_running,
        "the first run ended before the second one: make the corpus larger"
    );
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8(second.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is writing to"), "{stderr}");
    assert!(
        stderr.contains(&lock.display().to_string()),
        "the message names the lock: {stderr}"
    );

    assert!(first.wait().unwrap().success());
    assert_eq!(env.documents().len(), SLOW_REPORTS);
    // The lock is free again: the next run works.
    let next = env.index(&[]);
    assert_eq!(next.unchanged, SLOW_REPORTS);
}
