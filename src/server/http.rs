//! Connections: accepting, reading request heads under limits and
//! deadlines, handing them to a fixed pool of workers, writing answers,
//! and stopping cleanly.
//!
//! Why not tiny_http's own connection handling: its accept thread hands
//! each socket to an unbounded thread pool and never exposes the socket, so
//! there is no way to set read or write time-outs, to cap the number of
//! open connections, or to limit the size of a request head; a client
//! sending a byte a second, or never reading its answer, holds a thread
//! for ever. So this module owns the `TcpListener` and the sockets, and
//! tiny_http keeps the HTTP types (`Method`, `Header`) and writes the
//! answers (`Response::raw_print`: status line, `Date`, `Content-Length`
//! or chunks, no body for `HEAD`). Request heads are parsed by `httparse`.
//!
//! The design, from the outside in:
//! - one accept thread; past `max_connections` open connections, a new
//!   one gets `503` with `Retry-After` at once and is closed;
//! - one light thread per open connection (small stack), which only does
//!   I/O: it reads a request head, which must be complete within
//!   `head_timeout` and fit in `head_bytes`, else `408` / `431`; bodies are
//!   refused (`413`): every endpoint is a `GET`; answers are written with a
//!   `write_timeout`, so a client that never reads is dropped;
//! - a fixed pool of `threads` workers behind a queue of `queue` requests
//!   does the searching; when the queue is full the request gets `503` with
//!   `Retry-After` instead of waiting. Slow clients therefore hold a cheap
//!   connection thread for at most `head_timeout`, never a worker.
//!
//! Shutdown: when `stop` is set the accept loop ends (a short loopback
//! connection wakes it), idle keep-alive connections close, requests
//! being read or answered finish, and `serve` returns once every
//! connection is closed or after `grace`.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tiny_http::{HTTPVersion, Header, Method, Response};

use super::log::access_line;
use super::{Answer, Incoming, Service};

/// Most headers in one request.
const MAX_HEADERS: usize = 64;
/// Longest single wait on a socket read, so that a connection notices a
/// shutdown while it waits for a request.
const POLL: Duration = Duration::from_millis(200);
/// Longest time spent reading what a client still sends after the answer
/// that closes its connection.
const LINGER: Duration = Duration::from_secs(1);
/// Stack of a connection thread: it only parses heads and copies bytes.
const CONNECTION_STACK: usize = 256 * 1024;

/// The bounds on connections and requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Worker threads answering requests.
    pub threads: usize,
    /// Requests waiting for a worker before new ones get `503`.
    pub queue: usize,
    /// Open connections before new ones get `503`.
    pub max_connections: usize,
    /// Largest request head (request line and headers), in bytes.
    pub head_bytes: usize,
    /// Time for a whole request head to arrive, counted from when the
    /// connection starts waiting for it (so also the keep-alive idle time).
    pub head_timeout: Duration,
    /// Time for an answer to be taken by the client.
    pub write_timeout: Duration,
    /// Longest wait for open connections to finish at shutdown.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            threads: 4,
            queue: 128,
            max_connections: 512,
            head_bytes: 16 * 1024,
            head_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(10),
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// What each connection thread shares.
struct Shared {
    service: Arc<Service>,
    jobs: SyncSender<Job>,
    limits: Limits,
    stop: Arc<AtomicBool>,
}

/// Binds the address; returns the listener and the address it really
/// listens on (port 0 picks a free port).
pub fn bind(address: &str) -> io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(address)?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// Answers connections until `stop` is set, then lets open connections
/// finish (at most `limits.grace`) and returns.
pub fn serve(listener: TcpListener, service: Arc<Service>, limits: Limits, stop: Arc<AtomicBool>) {
    let (jobs, receiver) = mpsc::sync_channel::<Job>(limits.queue.max(1));
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..limits.threads.max(1) {
        let receiver = Arc::clone(&receiver);
        std::thread::spawn(move || work(&receiver));
    }
    let local = listener.local_addr().ok();
    let done = Arc::new(AtomicBool::new(false));
    if let Some(local) = local {
        wake_on_stop(local, Arc::clone(&stop), Arc::clone(&done));
    }
    let shared = Arc::new(Shared {
        service,
        jobs,
        limits,
        stop: Arc::clone(&stop),
    });
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(stream) => stream,
            // Out of file descriptors, a connection reset before accept …:
            // the listener itself is fine.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let metrics = shared.service.metrics();
        if metrics.open.load(Ordering::SeqCst) >= limits.max_connections {
            metrics.reject();
            turn_away(stream, "too many open connections");
            continue;
        }
        metrics.open.fetch_add(1, Ordering::SeqCst);
        let guard = OpenGuard(Arc::clone(&shared));
        let spawned = std::thread::Builder::new()
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let guard = guard;
                connection(stream, &guard.0);
            });
        if spawned.is_err() {
            metrics.reject();
        }
    }
    done.store(true, Ordering::SeqCst);
    drop(listener);
    let deadline = Instant::now() + limits.grace;
    while shared.service.metrics().open.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Counts a connection as open for as long as it lives.
struct OpenGuard(Arc<Shared>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.service.metrics().open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A worker: runs jobs until the queue is closed. A job that panics (a
/// bug in a library) costs its request a `500`, not the worker.
fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

/// Wakes the blocking `accept` once `stop` is set, with a connection of
/// its own (to the loopback address when listening on all interfaces).
fn wake_on_stop(mut local: SocketAddr, stop: Arc<AtomicBool>, done: Arc<AtomicBool>) {
    if local.ip().is_unspecified() {
        local.set_ip(match local {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    std::thread::spawn(move || {
        while !done.load(Ordering::SeqCst) {
            if stop.load(Ordering::SeqCst) {
                let _ = TcpStream::connect_timeout(&local, Duration::from_secs(1));
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
}

/// Answers `503` on a connection we will not serve, without waiting for it.
fn turn_away(mut stream: TcpStream, why: &str) {
    // Take what the client already sent, so that closing does not reset
    // the connection before it reads the answer.
    if stream.set_nonblocking(true).is_ok() {
        let mut sink = [0u8; 4096];
        while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        let _ = stream.set_nonblocking(false);
    }
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let answer = busy(why);
    let _ = write_answer(&mut stream, answer, HTTPVersion(1, 1), false, true);
    // No lingering here: the accept thread must not wait on anyone.
    let _ = stream.shutdown(Shutdown::Write);
}

/// `503` with `Retry-After`: the server is saturated, come back in a second.
fn busy(why: &str) -> Answer {
    let mut answer = Answer::error(503, &format!("server busy ({why}); retry in a second"));
    answer.headers.push(("Retry-After", "1".into()));
    answer
}

/// A request head read from a connection.
struct Head {
    incoming: Incoming,
    version: HTTPVersion,
    keep_alive: bool,
    has_body: bool,
}

/// Why no request head could be read.
enum NoHead {
    /// The client closed, or went quiet between requests, or we stop.
    Closed,
    /// The answer to give before closing.
    Reject(Answer),
}

/// Serves one connection: requests one after the other (keep-alive).
fn connection(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(shared.limits.write_timeout));
    let client = stream
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|_| "-".into());
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let (length, head) = match read_head(&mut stream, &mut buffer, shared) {
            Ok(read) => read,
            Err(NoHead::Closed) => return,
            Err(NoHead::Reject(answer)) => {
                let started = Instant::now();
                let status = answer.status;
                let bytes = answer.body.len();
                let _ = write_answer(&mut stream, answer, HTTPVersion(1, 1), false, true);
                log(shared, &client, "-", "-", status, bytes, started);
                linger_close(&mut stream);
                return;
            }
        };
        buffer.drain(..length);
        let started = Instant::now();
        let answer = if head.has_body {
            Answer::error(
                413,
                "request bodies are not accepted: every endpoint is GET",
            )
        } else {
            dispatch(head.incoming.clone(), shared)
        };
        let close = !head.keep_alive
            || head.has_body
            || answer.status == 503
            || shared.stop.load(Ordering::SeqCst);
        let (status, bytes) = (answer.status, answer.body.len());
        let head_only = head.incoming.method == Method::Head;
        let written = write_answer(&mut stream, answer, head.version, head_only, close);
        log(
            shared,
            &client,
            head.incoming.method.as_str(),
            &head.incoming.url,
            status,
            bytes,
            started,
        );
        if written.is_err() {
            return;
        }
        if close {
            linger_close(&mut stream);
            return;
        }
    }
}

fn log(
    shared: &Shared,
    client: &str,
    method: &str,
    url: &str,
    status: u16,
    bytes: usize,
    started: Instant,
) {
    let took = started.elapsed();
    shared.service.metrics().record(status, took);
    eprintln!("{}", access_line(client, method, url, status, bytes, took));
}

/// Hands a request to the worker pool and waits for its answer, or
/// answers `503` at once when the queue is full.
fn dispatch(incoming: Incoming, shared: &Shared) -> Answer {
    let (reply, answer) = mpsc::sync_channel(1);
    let service = Arc::clone(&shared.service);
    let job: Job = Box::new(move || {
        let _ = reply.send(service.answer(&incoming));
    });
    match shared.jobs.try_send(job) {
        Ok(()) => answer
            .recv()
            .unwrap_or_else(|_| Answer::error(500, "internal error while answering")),
        Err(TrySendError::Full(_)) => busy("all workers are busy"),
        Err(TrySendError::Disconnected(_)) => busy("shutting down"),
    }
}

/// Reads until `buffer` holds a whole request head; returns its length and
/// what it says. Bytes after the head (a pipelined request) stay in
/// `buffer`.
fn read_head(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    shared: &Shared,
) -> Result<(usize, Head), NoHead> {
    let limits = shared.limits;
    let deadline = Instant::now() + limits.head_timeout;
    let mut chunk = [0u8; 4096];
    loop {
        if !buffer.is_empty() {
            if let Some(parsed) = parse_head(buffer, limits.head_bytes)? {
                return Ok(parsed);
            }
        }
        if buffer.is_empty() && shared.stop.load(Ordering::SeqCst) {
            return Err(NoHead::Closed);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(if buffer.is_empty() {
                NoHead::Closed
            } else {
                NoHead::Reject(Answer::error(
                    408,
                    &format!(
                        "request head not received within {} s",
                        limits.head_timeout.as_secs()
                    ),
                ))
            });
        }
        let _ = stream.set_read_timeout(Some((deadline - now).min(POLL)));
        let room = (limits.head_bytes + 1)
            .saturating_sub(buffer.len())
            .clamp(1, chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => return Err(NoHead::Closed),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(NoHead::Closed),
        }
    }
}

/// Parses a request head if `buffer` holds a whole one.
fn parse_head(buffer: &[u8], max_bytes: usize) -> Result<Option<(usize, Head)>, NoHead> {
    let too_large = || {
        NoHead::Reject(Answer::error(
            431,
            &format!("request head larger than {max_bytes} bytes or {MAX_HEADERS} headers"),
        ))
    };
    let bad = |why: &str| NoHead::Reject(Answer::error(400, &format!("malformed request: {why}")));
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let length = match request.parse(buffer) {
        Ok(httparse::Status::Complete(length)) if length <= max_bytes => length,
        Ok(httparse::Status::Partial) if buffer.len() <= max_bytes => return Ok(None),
        Ok(_) | Err(httparse::Error::TooManyHeaders) => return Err(too_large()),
        Err(e) => return Err(bad(&e.to_string())),
    };
    let (Some(method), Some(url), Some(minor)) = (request.method, request.path, request.version)
    else {
        return Err(bad("incomplete request line"));
    };
    let method = Method::from_str(method).map_err(|_| bad("method"))?;
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let connection = header("Connection")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let keep_alive = if minor == 0 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    let has_body = header("Transfer-Encoding").is_some()
        || header("Content-Length").is_some_and(|l| l.trim() != "0");
    let incoming = Incoming {
        method,
        url: url.to_string(),
        accept: header("Accept"),
        authorization: header("Authorization"),
        origin: header("Origin"),
    };
    Ok(Some((
        length,
        Head {
            incoming,
            version: HTTPVersion(1, minor),
            keep_alive,
            has_body,
        },
    )))
}

/// Writes an answer with the headers every answer carries.
fn write_answer(
    stream: &mut TcpStream,
    answer: Answer,
    version: HTTPVersion,
    head_only: bool,
    close: bool,
) -> io::Result<()> {
    // from_data sets Content-Length: no chunked encoding for small bodies.
    let mut response =
        Response::from_data(answer.body.into_bytes()).with_status_code(answer.status);
    let mut headers = vec![
        ("Server", "palabre".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
        ("Referrer-Policy", "no-referrer".to_string()),
    ];
    if !answer
        .headers
        .iter()
        .any(|(name, _)| *name == "Content-Type")
    {
        headers.push((
            "Content-Type",
            "application/json; charset=utf-8".to_string(),
        ));
    }
    headers.extend(answer.headers);
    for (name, value) in headers {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    let mut bytes = Vec::with_capacity(1024);
    response.raw_print(&mut bytes, version, &[], head_only, None)?;
    if close {
        // tiny_http drops a `Connection` header set on a response (it
        // decides that itself on its own connections): add it after the
        // status line.
        let line_end = bytes
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(0, |i| i + 2);
        bytes.splice(line_end..line_end, b"Connection: close\r\n".iter().copied());
    }
    stream.write_all(&bytes)?;
    stream.flush()
}

/// Closes a connection without resetting it: says we are done, then reads
/// what the client still sends (a refused body, the rest of a head too
/// large) for a moment, so the client reads our answer before the close.
fn linger_close(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(POLL));
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<(usize, Head)>, NoHead> {
        parse_head(text.as_bytes(), 1024)
    }

    #[test]
    fn heads_are_parsed_with_their_headers() {
        let (length, head) = parse(
            "GET /search?q=x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nOrigin: http://o\r\n\r\nGET",
        )
        .ok()
        .flatten()
        .unwrap();
        assert_eq!(length, 80, "the pipelined GET is not part of the head");
        assert_eq!(head.incoming.url, "/search?q=x");
        assert_eq!(head.incoming.authorization.as_deref(), Some("Bearer t"));
        assert_eq!(head.incoming.origin.as_deref(), Some("http://o"));
        assert!(head.keep_alive && !head.has_body);
    }

    #[test]
    fn keep_alive_follows_the_version_and_connection_header() {
        let head = |text: &str| parse(text).ok().flatten().unwrap().1;
        assert!(!head("GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
        assert!(!head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
        assert!(head("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").has_body);
    }

    #[test]
    fn partial_large_and_bad_heads() {
        assert!(matches!(parse("GET / HTTP/1.1\r\nHost:"), Ok(None)));
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(2000));
        assert!(matches!(parse(&long), Err(NoHead::Reject(a)) if a.status == 431));
        assert!(
            matches!(parse("\x01\x02 nonsense\r\n\r\n"), Err(NoHead::Reject(a)) if a.status == 400)
        );
    }
}
