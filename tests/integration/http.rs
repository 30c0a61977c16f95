//! `palabre serve`: a real server on an ephemeral port, over TCP.

use std::time::{Duration, Instant};

use crate::harness::json::{ErrorBody, Health, SearchResults};
use crate::harness::server::{Response, Server};
use crate::harness::{Env, SFAX_SEGMENTS, TUNIS, TUNIS_DOC};

/// Asserts a JSON error answer with this status; returns the message.
fn error(response: &Response, status: u16) -> String {
    assert_eq!(response.status, status, "{}", response.body);
    assert!(is_json(response));
    let body: ErrorBody = response.json();
    assert!(!body.error.is_empty());
    body.error
}

fn is_json(response: &Response) -> bool {
    response
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/json"))
}

fn health(server: &Server) -> Health {
    let response = server.get("/health");
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

#[test]
fn health_counts_reports_and_segments() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    let response = server.get("/health");
    assert_eq!(response.status, 200);
    assert!(is_json(&response));
    let health: Health = response.json();
    assert_eq!((health.documents, health.segments), (1, 16));
    // The commit was made moments ago, by this test's indexing.
    let last = health
        .last_commit
        .expect("an indexed corpus has a commit time");
    assert_eq!(last.len(), "2026-05-01T12:00:00.000Z".len(), "{last}");
    let year: u32 = last[..4].parse().unwrap();
    assert!(year >= 2024 && last.ends_with('Z'), "{last}");
}

#[test]
fn search_answers_the_same_json_as_the_command_line() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    let response = server.get("/search?q=cadre+juridique");
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(is_json(&response));
    let served: SearchResults = response.json();
    let printed: SearchResults = env.run(["search", "--json", "cadre juridique"]).json();
    assert_eq!(served.query, "cadre juridique");
    assert_eq!(served.total, printed.total);
    assert_eq!(served.ids(), printed.ids());
    let snippets = |r: &SearchResults| r.hits.iter().map(|h| h.snippet.clone()).collect::<Vec<_>>();
    assert_eq!(snippets(&served), snippets(&printed));
}

#[test]
fn search_parameters_are_decoded() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    // "réfugiés syriens", percent-encoded UTF-8, only practices, one hit.
    let response = server.get("/search?q=r%C3%A9fugi%C3%A9s%20syriens&kind=practice&limit=1");
    assert_eq!(response.status, 200, "{}", response.body);
    let results: SearchResults = response.json();
    assert_eq!(results.query, "réfugiés syriens");
    assert_eq!(
        results.titles(),
        ["Initiative de Brital pour aider les réfugiés syriens"]
    );
    let second: SearchResults = server
        .get("/search?q=r%C3%A9fugi%C3%A9s%20syriens&kind=practice&limit=1&offset=1")
        .json();
    assert_eq!(second.hits.len(), 1);
    assert_ne!(second.ids(), results.ids());
    // A quoted phrase.
    let phrase: SearchResults = server.get("/search?q=%22participation+politique%22").json();
    assert_eq!(phrase.hits[0].title, "Concepts clés et définitions");
    // Apostrophes are text.
    let asile = server.get("/search?q=droit+d%27asile");
    assert_eq!(asile.status, 200, "{}", asile.body);
}

#[test]
fn an_unterminated_quote_is_a_400_and_the_server_keeps_answering() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    let message = error(&server.get("/search?q=%22cadre"), 400);
    assert!(message.contains("unterminated quote"), "{message}");
    assert!(message.contains("character 1"), "{message}");
    assert_eq!(health(&server).segments, SFAX_SEGMENTS);
    assert_eq!(server.get("/search?q=cadre").status, 200);
}

#[test]
fn bad_parameters_are_400s_that_name_the_parameter() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    for (path, name) in [
        ("/search?q=cadre&limit=0", "limit"),
        ("/search?q=cadre&limit=1000", "limit"),
        ("/search?q=cadre&limit=ten", "limit"),
        ("/search?q=cadre&offset=-1", "offset"),
        ("/search?q=cadre&kind=chapter", "kind"),
        ("/search", "q"),
        ("/search?limit=3", "q"),
        ("/search?q=", "query"),
        ("/search?q=+++", "query"),
    ] {
        let message = error(&server.get(path), 400);
        assert!(message.contains(name), "{path}: {message}");
    }
    assert_eq!(health(&server).documents, 1);
}

#[test]
fn unknown_paths_are_404s_in_json() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    for path in [
        "/nope",
        "/search/extra",
        "/../../etc/passwd",
        "/health.json",
    ] {
        let message = error(&server.get(path), 404);
        assert!(message.contains("no such endpoint"), "{path}: {message}");
    }
}

#[test]
fn other_methods_are_405s() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    for method in ["POST", "PUT", "DELETE"] {
        let response = server.send(&format!(
            "{method} /search?q=cadre HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ));
        let message = error(&response, 405);
        assert!(message.contains(method), "{message}");
        assert_eq!(response.header("allow"), Some("GET, HEAD"));
    }
}

#[test]
fn malformed_requests_do_not_stop_the_server() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    for raw in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /search?q=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /search?q=%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /search?q=%zz&limit=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /search?q=cadre HTTP/1.1\r\nHost: x\r\n",
    ] {
        let answer = server.exchange(raw);
        // The server may close the connection without a word; when it
        // answers, it is never a 5xx.
        if !answer.is_empty() {
            let response = Response::parse(&answer);
            assert!(
                response.status < 500,
                "{:?}: {} {}",
                String::from_utf8_lossy(raw),
                response.status,
                response.body
            );
        }
    }
    let long = format!("/search?q={}", "a".repeat(10_000));
    assert_eq!(server.get(&long).status, 414);
    assert_eq!(health(&server).documents, 1);
}

#[test]
fn parallel_requests_are_all_answered() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    let expected: SearchResults = server.get("/search?q=migrants").json();
    let totals: Vec<usize> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    (0..5)
                        .map(|_| {
                            let response = server.get("/search?q=migrants");
                            assert_eq!(response.status, 200, "{}", response.body);
                            response.json::<SearchResults>().total
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(totals, vec![expected.total; 40]);
}

#[test]
fn a_reindex_by_another_process_is_seen_without_a_restart() {
    let env = Env::sfax_indexed();
    let server = Server::start(&env);
    let before = server.get("/search?q=saisonniers");
    assert_eq!(before.json::<SearchResults>().total, 0);

    env.write(TUNIS_DOC, TUNIS);
    env.run(["index"]).success();
    let indexed = Instant::now();
    let expected = (2, SFAX_SEGMENTS + 2);
    let sizes = |h: Health| (h.documents, h.segments);
    while sizes(health(&server)) != expected {
        assert!(
            indexed.elapsed() < Duration::from_secs(2),
            "the server still shows {:?} 2 s after the re-index",
            health(&server)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let found: SearchResults = server.get("/search?q=saisonniers").json();
    assert!(found.total > 0);
    assert!(found.hits.iter().all(|h| h.doc == TUNIS_DOC));
}
