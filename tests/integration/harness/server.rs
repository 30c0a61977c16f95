//! A `palabre serve` child process on an ephemeral port, killed when the
//! guard is dropped, and a minimal HTTP/1.1 client over `TcpStream`: raw
//! requests let tests send what a browser never would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::Env;

/// Longest a test waits for one answer: a stuck server fails the test
/// instead of hanging the suite.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A running server. Dropping it kills the process.
pub struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts `palabre serve --bind 127.0.0.1:0` on the environment's index
    /// and waits for the line that gives its address.
    pub fn start(env: &Env) -> Server {
        let mut child = env
            .command(["serve", "--bind", "127.0.0.1:0", "--threads", "4"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let addr = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("palabre serve exited before listening; stderr:\n{seen}");
            }
            seen.push_str(&line);
            if let Some(addr) = line.trim().strip_prefix("palabre: listening on http://") {
                break addr.parse().unwrap();
            }
        };
        // Keep reading stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Server { child, addr }
    }

    /// `GET path` (path and query string, already percent-encoded).
    pub fn get(&self, path: &str) -> Response {
        self.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        ))
    }

    /// Sends `request` as it is and reads the answer until the server
    /// closes the connection.
    pub fn send(&self, request: &str) -> Response {
        Response::parse(&self.exchange(request.as_bytes()))
    }

    /// Sends raw bytes, closes the sending side, and returns the raw answer,
    /// maybe empty.
    pub fn exchange(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.write_all(request).unwrap();
        // Say we are done, so an incomplete request ends instead of waiting.
        stream.shutdown(Shutdown::Write).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        raw
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// Parses a raw answer.
    pub fn parse(raw: &[u8]) -> Response {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(raw)));
        let head = std::str::from_utf8(&raw[..end]).unwrap();
        let rest = &raw[end + 4..];
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
        let body = if chunked {
            dechunk(rest)
        } else {
            rest.to_vec()
        };
        Response {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }

    /// The value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Reads the body as JSON into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "body of a {} is not the expected JSON: {e}\n{}",
                self.status, self.body
            )
        })
    }
}

/// Decodes a chunked body: `SIZE\r\nDATA\r\n` … `0\r\n\r\n`. Sizes count
/// bytes, so a chunk may end inside a UTF-8 character: decode bytes first.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = std::str::from_utf8(&rest[..line_end]).unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return body;
        }
        let data = &rest[line_end + 2..];
        body.extend_from_slice(&data[..size]);
        rest = data[size..].strip_prefix(b"\r\n").unwrap();
    }
}
