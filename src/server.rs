//! The HTTP server (tiny_http): routes requests, parses parameters, calls
//! the search engine and writes JSON. Never panics on a request: every
//! error from user input becomes a 4xx JSON answer.
//!
//! The index is opened read-only with a live reader, so a re-index by
//! `palabre index` in another process is visible within about a second.

use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::Arc;

use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, Server};

use crate::analysis::Lang;
use crate::error::Error;
use crate::search::{Engine, SearchRequest};
use crate::segment::SegmentKind;

/// Longest request line accepted (path and query string), in bytes.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// An HTTP answer before it is written: status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// The JSON body.
    pub body: String,
    /// Extra headers (name, value).
    pub headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn json<T: Serialize>(status: u16, value: &T) -> Answer {
        match serde_json::to_string(value) {
            Ok(body) => Answer {
                status,
                body,
                headers: Vec::new(),
            },
            Err(e) => Answer::error(500, &format!("could not write the answer: {e}")),
        }
    }

    fn error(status: u16, message: &str) -> Answer {
        #[derive(Serialize)]
        struct ErrorBody<'a> {
            error: &'a str,
        }
        Answer {
            status,
            body: serde_json::to_string(&ErrorBody { error: message })
                .unwrap_or_else(|_| r#"{"error":"error"}"#.to_string()),
            headers: Vec::new(),
        }
    }
}

/// Binds the address and returns the server with the address it really
/// listens on (port 0 picks a free port).
pub fn bind(address: &str) -> std::io::Result<(Server, SocketAddr)> {
    let server = Server::http(address).map_err(std::io::Error::other)?;
    let local = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| std::io::Error::other("not an IP address"))?;
    Ok((server, local))
}

/// Answers requests on `threads` worker threads until the process ends.
pub fn run(server: Server, engine: Arc<Engine>, threads: usize) {
    let server = Arc::new(server);
    let workers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let server = Arc::clone(&server);
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    respond(request, &engine);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
}

fn respond(request: Request, engine: &Engine) {
    let answer = handle(request.method(), request.url(), engine);
    let mut response = Response::new(
        answer.status.into(),
        Vec::new(),
        Cursor::new(answer.body.into_bytes()),
        None,
        None,
    );
    let mut headers = vec![(
        "Content-Type",
        "application/json; charset=utf-8".to_string(),
    )];
    headers.extend(answer.headers);
    for (name, value) in headers {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // A client that went away is not our error.
    let _ = request.respond(response);
}

/// Routes one request. Pure apart from the engine: testable without sockets.
pub fn handle(method: &Method, url: &str, engine: &Engine) -> Answer {
    if url.len() > MAX_URL_BYTES {
        return Answer::error(414, &format!("URL longer than {MAX_URL_BYTES} bytes"));
    }
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let known = matches!(path, "/search" | "/health");
    if !known {
        return Answer::error(404, &format!("no such endpoint: {path}"));
    }
    if *method != Method::Get && *method != Method::Head {
        let mut answer = Answer::error(405, &format!("{method} is not allowed on {path}; use GET"));
        answer.headers.push(("Allow", "GET, HEAD".into()));
        return answer;
    }
    let result = match path {
        "/search" => search(query, engine),
        _ => health(engine),
    };
    result.unwrap_or_else(|error| {
        let status = if error.is_user_error() { 400 } else { 500 };
        Answer::error(status, &error.to_string())
    })
}

fn health(engine: &Engine) -> Result<Answer, Error> {
    #[derive(Serialize)]
    struct Health {
        status: &'static str,
        documents: usize,
        segments: usize,
    }
    let (documents, segments) = engine.counts()?;
    Ok(Answer::json(
        200,
        &Health {
            status: "ok",
            documents,
            segments,
        },
    ))
}

fn search(query: &str, engine: &Engine) -> Result<Answer, Error> {
    let request = search_request(query)?;
    let results = engine.search(&request)?;
    Ok(Answer::json(200, &results))
}

/// Reads `q`, `limit`, `offset`, `kind` and `lang` from a query string.
pub fn search_request(query: &str) -> Result<SearchRequest, Error> {
    let mut request = SearchRequest::new("");
    let mut has_q = false;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "q" => {
                request.query = value.into_owned();
                has_q = true;
            }
            "limit" => request.limit = number("limit", &value)?,
            "offset" => request.offset = number("offset", &value)?,
            "kind" if !value.is_empty() => {
                request.kind =
                    Some(SegmentKind::parse(&value).ok_or_else(|| Error::Parameter {
                        name: "kind",
                        message: format!("{value:?} is neither section nor practice"),
                    })?);
            }
            "lang" if !value.is_empty() => {
                request.lang = Some(Lang::from_code(&value).ok_or_else(|| Error::Parameter {
                    name: "lang",
                    message: format!("{value:?} is not one of fr, en, es, ar"),
                })?);
            }
            _ => {}
        }
    }
    if !has_q {
        return Err(Error::Parameter {
            name: "q",
            message: "missing: add ?q=your+words".into(),
        });
    }
    Ok(request)
}

fn number(name: &'static str, value: &str) -> Result<usize, Error> {
    value.trim().parse().map_err(|_| Error::Parameter {
        name,
        message: format!("{value:?} is not a whole number"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_decoded() {
        let r =
            search_request("q=cadre+juridique%20%C3%A9&limit=5&offset=10&kind=practice&lang=EN")
                .unwrap();
        assert_eq!(r.query, "cadre juridique é");
        assert_eq!(r.lang, Some(Lang::En));
        assert_eq!((r.limit, r.offset), (5, 10));
        assert_eq!(r.kind, Some(SegmentKind::Practice));
    }

    #[test]
    fn bad_parameters_name_themselves() {
        for (query, name) in [
            ("q=x&limit=abc", "limit"),
            ("q=x&offset=-1", "offset"),
            ("q=x&kind=chapter", "kind"),
            ("q=x&lang=de", "lang"),
            ("limit=3", "q"),
        ] {
            match search_request(query) {
                Err(Error::Parameter { name: got, .. }) => assert_eq!(got, name, "{query}"),
                other => panic!("{query}: {other:?}"),
            }
        }
    }
}
