//! The live server: sees every committed re-index, its own or another
//! process's, within 2 s, with no failed or empty answer in between; and
//! lists the indexed reports at `GET /documents`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::{http_get, json, report, Env, Record, Results, Server};

#[test]
fn get_documents_lists_what_palabre_documents_prints() {
    let env = Env::new();
    env.write("tunis.txt", report("Réunion de Tunis", "zorglub"));
    env.write("2020/sfax.md", report("Atelier de Sfax", "kraspek"));
    env.index(&[]);
    let server = Server::start(&env, &[]);

    let (status, body) = server.get("/documents").unwrap();
    assert_eq!(status, 200, "{body}");
    let listed: Vec<Record> = json(body.as_bytes());
    assert_eq!(listed, env.documents());
    let docs: Vec<&str> = listed.iter().map(|r| r.doc.as_str()).collect();
    assert_eq!(docs, ["2020/sfax.md", "tunis.txt"]);
    let tunis = &listed[1];
    assert_eq!(tunis.doc_title, "Réunion de Tunis");
    assert_eq!(tunis.date.as_deref(), Some("2021-03-12"));
    assert_eq!(tunis.city.as_deref(), Some("Tunis"));
    assert_eq!(tunis.lang, "fr");
    assert_eq!(tunis.segments, 2);
    assert!(tunis.indexed_at > 1_700_000_000, "seconds since 1970");

    let (status, _) = server.get("/documents/extra").unwrap();
    assert_eq!(status, 404);
}

/// Requests answered while the index changed under the server.
#[derive(Default)]
struct Tally {
    requests: usize,
    failures: Vec<String>,
}

#[test]
fn the_server_sees_other_processes_commits_without_a_failed_answer() {
    let env = Env::new();
    for i in 0..3 {
        env.write(
            &format!("base-{i}.txt"),
            report("Réunion de Tunis", "zorglub"),
        );
    }
    env.index(&[]);
    let server = Server::start(&env, &[]);

    // A client asks all along for something that is always there.
    let stop = Arc::new(AtomicBool::new(false));
    let client = {
        let stop = Arc::clone(&stop);
        let address = server.address.clone();
        std::thread::spawn(move || {
            let mut tally = Tally::default();
            let started = Instant::now();
            while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(120) {
                tally.requests += 1;
                match http_get(&address, "/search?q=coop%C3%A9ration&limit=100") {
                    Ok((200, body)) => {
                        let results: Results = json(body.as_bytes());
                        if results.total < 3 {
                            tally.failures.push(format!("{} hits", results.total));
                        }
                    }
                    Ok((status, body)) => tally.failures.push(format!("{status}: {body}")),
                    Err(error) => tally.failures.push(error.to_string()),
                }
            }
            tally
        })
    };

    // Another process adds reports, rebuilds, removes: each commit shows
    // within 2 s.
    let mut latencies = Vec::new();
    for round in 0..3 {
        let word = format!("nouveaumot{round}");
        env.write(
            &format!("new-{round}.txt"),
            report("Réunion de Rabat", &word),
        );
        let rebuild: &[&str] = if round == 1 { &["--rebuild"] } else { &[] };
        env.index(rebuild);
        let committed = Instant::now();
        while server.search(&word).total == 0 {
            assert!(
                committed.elapsed() < Duration::from_secs(2),
                "round {round}: the server did not see the commit within 2 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        latencies.push(committed.elapsed());
    }
    env.remove("new-0.txt");
    env.index(&[]);
    let committed = Instant::now();
    while server.search("nouveaumot0").total > 0 {
        assert!(
            committed.elapsed() < Duration::from_secs(2),
            "removal not seen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    latencies.push(committed.elapsed());

    stop.store(true, Ordering::Relaxed);
    let tally = client.join().unwrap();
    eprintln!(
        "{} requests during re-indexing, commits seen after {latencies:?}",
        tally.requests
    );
    assert!(tally.requests > 10, "the client hardly ran");
    assert_eq!(tally.failures, Vec::<String>::new());
}
