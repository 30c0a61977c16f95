//! Hardening: every limit answers a 4xx that names it, every answer has
//! its security headers, the token and CORS rules hold, slow and idle
//! clients do not hold up others, a saturated server says 503 at once, and
//! SIGTERM lets the request in flight finish before exiting with 0.
//!
//! Requests are written by hand on raw sockets, to control every byte.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{ErrorBody, Server};

/// An answer read off a raw socket.
struct Raw {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// Sends `request` as is and reads until the server closes.
fn send(server: &Server, request: &str) -> Raw {
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    read_answer(&mut stream)
}

fn read_answer(stream: &mut TcpStream) -> Raw {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Raw {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A GET that closes the connection, with extra header lines.
fn get(server: &Server, path: &str, headers: &str) -> Raw {
    send(
        server,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n"),
    )
}

fn error_of(raw: &Raw) -> String {
    serde_json::from_str::<ErrorBody>(&raw.body)
        .unwrap_or_else(|e| panic!("{e}: {}", raw.body))
        .error
}

#[test]
fn every_limit_is_a_4xx_that_names_it() {
    let server = Server::start();
    let words = vec!["mot"; 33].join("+");
    let filters = "city=x&".repeat(70);
    let cases: Vec<(String, u16, &str)> = vec![
        (format!("/search?q={}", "a".repeat(1001)), 400, "1000"),
        (format!("/search?q={words}"), 400, "32"),
        ("/search?q=migrants&limit=101".into(), 400, "limit"),
        ("/search?q=migrants&limit=0".into(), 400, "limit"),
        ("/search?q=migrants&offset=10001".into(), 400, "offset"),
        (format!("/search?q=migrants&{filters}"), 400, "64"),
        (format!("/search?q={}", "a".repeat(9000)), 414, "8192"),
    ];
    for (path, status, named) in cases {
        let answer = get(&server, &path, "");
        assert_eq!(answer.status, status, "{}: {}", &path[..40], answer.body);
        assert!(answer.headers["content-type"].starts_with("application/json"));
        let message = error_of(&answer);
        assert!(message.contains(named), "{message}");
    }
    // The head: one header of 20 KiB is past the 16 KiB limit.
    let big = get(
        &server,
        "/health",
        &format!("X-Big: {}\r\n", "b".repeat(20_000)),
    );
    assert_eq!(big.status, 431);
    assert!(error_of(&big).contains("16384"));
    // Bodies are refused: every endpoint is a GET.
    let body = send(
        &server,
        "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert_eq!(body.status, 413);
    // And the server still answers.
    assert_eq!(get(&server, "/health", "").status, 200);
}

#[test]
fn answers_carry_the_security_headers() {
    let server = Server::start();
    for path in ["/", "/health", "/search?q=migrants", "/nowhere"] {
        let answer = get(&server, path, "");
        assert_eq!(
            answer.headers["x-content-type-options"], "nosniff",
            "{path}"
        );
        assert_eq!(answer.headers["referrer-policy"], "no-referrer", "{path}");
        assert!(!answer.headers.contains_key("access-control-allow-origin"));
    }
    let page = get(&server, "/", "");
    assert_eq!(
        page.headers["content-security-policy"],
        "default-src 'self'"
    );
    // No request path reaches the file system.
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/app.js/../../x",
    ] {
        assert_eq!(get(&server, path, "").status, 404, "{path}");
    }
}

#[test]
fn cross_origin_calls_only_from_allowed_origins() {
    let closed = Server::start();
    let answer = get(&closed, "/health", "Origin: https://intranet.example\r\n");
    assert_eq!(answer.status, 200);
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
    let preflight = "OPTIONS /search HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccess-Control-Request-Method: GET\r\n";
    let refused = send(
        &closed,
        &format!("{preflight}Origin: https://intranet.example\r\n\r\n"),
    );
    assert_eq!(refused.status, 403);

    let open = Server::start_with(&["--cors", "https://intranet.example"], &[]);
    let answer = get(&open, "/health", "Origin: https://intranet.example\r\n");
    assert_eq!(
        answer.headers["access-control-allow-origin"],
        "https://intranet.example"
    );
    let other = get(&open, "/health", "Origin: https://evil.example\r\n");
    assert!(!other.headers.contains_key("access-control-allow-origin"));
    let allowed = send(
        &open,
        &format!("{preflight}Origin: https://intranet.example\r\n\r\n"),
    );
    assert_eq!(allowed.status, 204);
    assert!(allowed.headers["access-control-allow-methods"].contains("GET"));
    assert!(allowed.headers["access-control-allow-headers"].contains("Authorization"));
    let evil = send(
        &open,
        &format!("{preflight}Origin: https://evil.example\r\n\r\n"),
    );
    assert_eq!(evil.status, 403);
}

#[test]
fn a_token_guards_every_endpoint_and_never_reaches_the_log() {
    const TOKEN: &str = "s3cr3t-t0ken-value";
    for server in [
        Server::start_with(&["--token", TOKEN], &[]),
        Server::start_with(&[], &[("PALABRE_TOKEN", TOKEN)]),
    ] {
        for path in [
            "/",
            "/health",
            "/search?q=migrants",
            "/metrics",
            "/openapi.json",
        ] {
            let without = get(&server, path, "");
            assert_eq!(without.status, 401, "{path}");
            assert_eq!(without.headers["www-authenticate"], "Bearer");
            assert!(error_of(&without).contains("token"));
            let wrong = get(
                &server,
                path,
                "Authorization: Bearer s3cr3t-t0ken-valuX\r\n",
            );
            assert_eq!(wrong.status, 401, "{path}");
            let with = get(&server, path, &format!("Authorization: Bearer {TOKEN}\r\n"));
            assert_eq!(with.status, 200, "{path}: {}", with.body);
        }
        let log = server.log();
        assert!(
            log.iter().any(|l| l.contains(" GET /search 200 ")),
            "{log:?}"
        );
        assert!(
            log.iter().any(|l| l.contains(" GET /health 401 ")),
            "{log:?}"
        );
        assert!(!log.iter().any(|l| l.contains(TOKEN)), "{log:?}");
        assert!(
            !log.iter().any(|l| l.contains("migrants")),
            "no query strings: {log:?}"
        );
    }
}

#[test]
fn metrics_count_requests_by_status() {
    let server = Server::start();
    get(&server, "/health", "");
    get(&server, "/nowhere", "");
    let metrics = get(&server, "/metrics", "");
    assert_eq!(metrics.status, 200);
    assert!(metrics.headers["content-type"].starts_with("text/plain; version=0.0.4"));
    for line in [
        "palabre_requests_total{status=\"200\"} 1",
        "palabre_requests_total{status=\"404\"} 1",
        "palabre_request_duration_seconds_count 2",
        "palabre_documents 3",
        "# TYPE palabre_request_duration_seconds histogram",
    ] {
        assert!(
            metrics.body.lines().any(|l| l == line),
            "{line}\n{}",
            metrics.body
        );
    }
}

/// Slow clients each hold a connection, sending their request a byte at a
/// time; a normal client is served all the same, well before the slow
/// ones' time runs out. (The bound is loose on purpose: what matters is
/// that it does not wait for the slow ones.)
#[test]
fn slow_clients_do_not_hold_up_a_normal_one() {
    let server = Server::start();
    let mut slow: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(server.address()).unwrap())
        .collect();
    let request = b"GET /search?q=migrants HTTP/1.1\r\nHost: x\r\n";
    for byte in &request[..3] {
        for stream in &mut slow {
            stream.write_all(&[*byte]).unwrap();
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let started = Instant::now();
    let answer = get(&server, "/search?q=migrants", "");
    let took = started.elapsed();
    assert_eq!(answer.status, 200);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let metrics = get(&server, "/metrics", "").body;
    let open: usize = metrics
        .lines()
        .find_map(|l| l.strip_prefix("palabre_open_connections "))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(open > 100, "the slow ones are still open: {open}");
}

#[test]
fn past_the_connection_cap_new_clients_get_503_at_once() {
    let server = Server::start_with(&["--max-connections", "2"], &[]);
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(server.address()).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let answer = get(&server, "/health", "");
    assert_eq!(answer.status, 503);
    assert_eq!(answer.headers["retry-after"], "1");
    assert!(error_of(&answer).contains("too many open connections"));
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(held);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(get(&server, "/health", "").status, 200);
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits_0() {
    let mut server = Server::start();
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // Half a request, then the signal, then the rest.
    stream
        .write_all(b"GET /search?q=migrants HTTP/1.1\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let pid = server.child().id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(b"Host: x\r\n\r\n").unwrap();
    let answer = read_answer(&mut stream);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.headers["connection"], "close");
    assert!(answer.body.contains("\"hits\""));
    let _ = stream.shutdown(Shutdown::Both);
    let status = server.child().wait().unwrap();
    assert_eq!(status.code(), Some(0), "{:?}", server.log());
    // No new connections once stopped.
    assert!(TcpStream::connect(server.address()).is_err());
    let log = server.log();
    assert!(
        log.iter().any(|l| l.contains("palabre: stopped")),
        "{log:?}"
    );
}

/// A repeated search is answered from the cache, with the same results;
/// `--cache-entries 0` turns the cache off.
#[test]
fn repeated_searches_come_from_the_cache() {
    let server = Server::start();
    let path = "/search?q=cadre+juridique&kind=section";
    let answers: Vec<serde_json::Value> = (0..5)
        .map(|_| serde_json::from_str(&get(&server, path, "").body).unwrap())
        .collect();
    assert!(answers[0]["total"].as_u64().unwrap() > 0, "{}", answers[0]);
    for answer in &answers[1..] {
        assert_eq!(answer["hits"], answers[0]["hits"]);
        assert_eq!(answer["facets"], answers[0]["facets"]);
    }
    let metrics = get(&server, "/metrics", "").body;
    let counter = |name: &str| -> u64 {
        let line = metrics.lines().find(|l| l.starts_with(name)).unwrap();
        line[name.len()..].trim().parse().unwrap()
    };
    // The reader may load the index's state once more just after start-up
    // (a new generation empties the cache): at most two misses.
    let (hits, misses) = (
        counter("palabre_search_cache_hits_total"),
        counter("palabre_search_cache_misses_total"),
    );
    assert_eq!(hits + misses, 5, "{metrics}");
    assert!(hits >= 3, "{metrics}");

    let uncached = Server::start_with(&["--cache-entries", "0"], &[]);
    get(&uncached, path, "");
    get(&uncached, path, "");
    let metrics = get(&uncached, "/metrics", "").body;
    assert!(!metrics.contains("cache"), "{metrics}");
}
