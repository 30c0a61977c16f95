//! Arbitrary bytes as what a client sends: a real `palabre serve` (the
//! server's own connection handling, head parser, worker pool, access rules
//! and routes) on an index of the bundled corpus, listening on loopback in
//! this process; each input is written on a new connection, which is then
//! half-closed, and everything the server answers is read. The first byte
//! picks the server: an open one (with `--cors`) or one that requires a
//! token (`Authorization: Bearer fuzz-token`). No answer may be a 5xx, and
//! the server must answer or close within the time-out.
//!
//! The server logs a line per request on stderr: run with
//! `-close_fd_mask=2` to keep libFuzzer's own output readable.
#![no_main]
#[path = "common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use palabre::search::Engine;
use palabre::server::{Limits, Policy, Service};

/// Longest wait for the server to answer or close.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Starts a server with `policy` on a free loopback port.
fn start(policy: Policy) -> SocketAddr {
    let engine = Engine::open(common::index_dir()).expect("the engine");
    let service = Arc::new(Service::new(Arc::new(engine), policy));
    let (listener, address) = palabre::server::bind("127.0.0.1:0").expect("a loopback port");
    let limits = Limits {
        // The client half-closes at once, so a head never waits for more.
        head_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    std::thread::spawn(move || {
        palabre::server::serve(listener, service, limits, Arc::new(AtomicBool::new(false)))
    });
    address
}

fn servers() -> &'static [SocketAddr; 2] {
    static SERVERS: OnceLock<[SocketAddr; 2]> = OnceLock::new();
    SERVERS.get_or_init(|| {
        // libFuzzer's own `main` does not ignore SIGPIPE as a Rust `main`
        // does: a write to a connection the other side has closed (the
        // server closing after a 4xx, or a client gone) must be an error,
        // not the end of the process.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        [
            start(Policy {
                token: None,
                cors: vec!["http://intranet.example".into()],
                cache_entries: 1024,
            }),
            start(Policy {
                token: Some("fuzz-token".into()),
                cors: Vec::new(),
                cache_entries: 0,
            }),
        ]
    })
}

/// The status codes of the answers in `bytes`: every line that starts an
/// HTTP/1.x status line. Bodies are JSON (escaped), HTML or metrics text,
/// none with `\r\n`, so a status line only follows `\r\n` or the start.
fn statuses(bytes: &[u8]) -> Vec<u16> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let line = &bytes[at..];
        if line.starts_with(b"HTTP/1.") && line.len() >= 12 {
            if let Some(code) = std::str::from_utf8(&line[9..12])
                .ok()
                .and_then(|c| c.parse().ok())
            {
                found.push(code);
            }
        }
        match line.windows(2).position(|w| w == b"\r\n") {
            Some(end) => at += end + 2,
            None => break,
        }
    }
    found
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, request)) = data.split_first() else {
        return;
    };
    let address = servers()[usize::from(pick % 2)];
    let mut stream = TcpStream::connect(address).expect("a connection to the server");
    stream
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .expect("a read time-out");
    // The server may answer and close before reading everything (431, 413):
    // a failed write is then expected.
    let _ = stream.write_all(request);
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    if let Err(error) = stream.read_to_end(&mut answer) {
        assert!(
            !matches!(
                error.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "no answer nor close within {ANSWER_TIMEOUT:?}"
        );
    }
    for status in statuses(&answer) {
        assert!(
            status < 500,
            "answered {status}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
});
