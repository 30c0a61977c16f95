//! The HTTP server (tiny_http): routes requests, parses parameters, calls
//! the search engine and writes JSON, or HTML for the search page and the
//! passage view. Never panics on a request: every error from user input
//! becomes a 4xx JSON answer.
//!
//! The index is opened read-only with a live reader, so a re-index by
//! `palabre index` in another process is visible within about a second.

mod http;
mod log;

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::Serialize;
pub use tiny_http::Method;

pub use http::{bind, serve, Limits};
pub use log::Metrics;

use crate::analysis::Lang;
use crate::cache::ResultCache;
use crate::error::Error;
use crate::render;
use crate::search::{milliseconds, Engine, SearchRequest};
use crate::segment::SegmentKind;
use crate::web;

/// Longest request line accepted (path and query string), in bytes.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// The JSON API's paths, as `docs/openapi.json` documents them.
pub const API_PATHS: [&str; 6] = [
    "/search",
    "/segments/{id}",
    "/documents",
    "/health",
    "/metrics",
    "/openapi.json",
];
/// Most parameters in one query string: each filter value is a clause of
/// the search, so their number is bounded like the query's words.
pub const MAX_PARAMETERS: usize = 64;
/// The search page and its assets.
pub const PAGE_PATHS: [&str; 3] = ["/", "/app.js", "/app.css"];
/// Where the passage views live: `/segments/{id}`.
const SEGMENTS_PREFIX: &str = "/segments/";
/// Sent with every HTML page: scripts and styles only from this server,
/// never inline, so that text from a report can never run as code.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'";

/// What a path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Search,
    Documents,
    Health,
    Metrics,
    Segment(&'a str),
    /// A file compiled into the binary: its content type and body.
    Asset(&'static str, &'static str),
}

fn route(path: &str) -> Option<Route<'_>> {
    match path {
        "/search" => Some(Route::Search),
        "/documents" => Some(Route::Documents),
        "/health" => Some(Route::Health),
        "/metrics" => Some(Route::Metrics),
        _ => {
            if let Some(id) = path.strip_prefix(SEGMENTS_PREFIX) {
                return (!id.is_empty() && !id.contains('/')).then_some(Route::Segment(id));
            }
            web::asset(path).map(|(content_type, body)| Route::Asset(content_type, body))
        }
    }
}

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

    /// JSON already written.
    fn json_body(status: u16, body: String) -> Answer {
        Answer {
            status,
            body,
            headers: Vec::new(),
        }
    }

    /// A page or file with its content type; HTML gets the security policy.
    fn content(content_type: &'static str, body: String) -> Answer {
        let mut headers = vec![("Content-Type", content_type.to_string())];
        if content_type.starts_with("text/html") {
            headers.push(("Content-Security-Policy", CONTENT_SECURITY_POLICY.into()));
        }
        Answer {
            status: 200,
            body,
            headers,
        }
    }

    pub(crate) fn error(status: u16, message: &str) -> Answer {
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

/// A request as the router sees it: method, raw URL and the headers
/// that matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The method.
    pub method: Method,
    /// Path and query string, still percent-encoded.
    pub url: String,
    /// The `Accept` header.
    pub accept: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The `Origin` header (cross-origin requests from a browser).
    pub origin: Option<String>,
}

/// Who may ask: the token and the origins allowed to call from a browser.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// When set, every request needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Origins (`https://intranet.example`) allowed cross-origin calls;
    /// none by default.
    pub cors: Vec<String>,
    /// Answers to distinct searches kept until the index changes; 0 keeps
    /// none.
    pub cache_entries: usize,
}

/// A search answer kept by the cache: its JSON after the leading
/// `{"took_ms":…,` (see [`crate::search::SearchResults::took_ms`]).
pub struct CachedAnswer {
    rest: String,
}

impl CachedAnswer {
    const HEAD: &'static str = "{\"took_ms\":";

    /// Splits a serialized answer; `None` if it does not start with the time.
    fn new(json: &str) -> Option<CachedAnswer> {
        let after = json.strip_prefix(Self::HEAD)?;
        let (_, rest) = after.split_once(',')?;
        Some(CachedAnswer {
            rest: rest.to_string(),
        })
    }

    /// The answer with `took_ms` as its time.
    fn body(&self, took_ms: f64) -> String {
        let mut body = String::with_capacity(self.rest.len() + 24);
        body.push_str(Self::HEAD);
        // Written as serde_json writes it: `3.0`, not `3`.
        body.push_str(&serde_json::to_string(&took_ms).unwrap_or_else(|_| "0.0".into()));
        body.push(',');
        body.push_str(&self.rest);
        body
    }
}

/// The server's cache of search answers.
pub type AnswerCache = ResultCache<CachedAnswer>;

/// The engine, the access rules and the counters: everything a worker
/// needs to answer a request.
pub struct Service {
    engine: Arc<Engine>,
    policy: Policy,
    /// The token's hash: compared in constant time (`blake3::Hash`'s
    /// equality), and equal lengths whatever the token.
    token: Option<blake3::Hash>,
    metrics: Metrics,
    cache: Option<AnswerCache>,
}

impl Service {
    /// A service answering from `engine` under `policy`.
    pub fn new(engine: Arc<Engine>, policy: Policy) -> Service {
        let token = policy.token.as_deref().map(|t| blake3::hash(t.as_bytes()));
        let cache = NonZeroUsize::new(policy.cache_entries).map(ResultCache::new);
        Service {
            engine,
            policy,
            token,
            metrics: Metrics::default(),
            cache,
        }
    }

    /// The request counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Answers one request: CORS preflight, token, then the routes.
    pub fn answer(&self, request: &Incoming) -> Answer {
        let origin = request
            .origin
            .as_deref()
            .filter(|o| self.policy.cors.iter().any(|allowed| allowed == o));
        let mut answer = if request.method == Method::Options && request.origin.is_some() {
            preflight(origin.is_some())
        } else if !self.authorized(request.authorization.as_deref()) {
            let mut answer = Answer::error(
                401,
                "missing or wrong token: send Authorization: Bearer <token>",
            );
            answer.headers.push(("WWW-Authenticate", "Bearer".into()));
            answer
        } else {
            route_request(
                &request.method,
                &request.url,
                request.accept.as_deref(),
                &self.engine,
                Some((&self.metrics, self.cache.as_ref())),
            )
        };
        if let Some(origin) = origin {
            answer
                .headers
                .push(("Access-Control-Allow-Origin", origin.to_string()));
            answer.headers.push(("Vary", "Origin".into()));
        }
        answer
    }

    fn authorized(&self, authorization: Option<&str>) -> bool {
        let Some(expected) = self.token else {
            return true;
        };
        let presented = authorization
            .and_then(|value| value.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        presented.is_some_and(|token| blake3::hash(token.as_bytes()) == expected)
    }
}

/// The answer to a CORS preflight (`OPTIONS` with `Origin`): allowed
/// origins may `GET` with an `Authorization` header; others are refused.
fn preflight(allowed: bool) -> Answer {
    if !allowed {
        return Answer::error(
            403,
            "origin not allowed: start the server with --cors ORIGIN",
        );
    }
    Answer {
        status: 204,
        body: String::new(),
        headers: vec![
            ("Access-Control-Allow-Methods", "GET, HEAD".into()),
            ("Access-Control-Allow-Headers", "Authorization".into()),
            ("Access-Control-Max-Age", "600".into()),
        ],
    }
}

/// Routes one request, as a program asking for JSON. Pure apart from the
/// engine: testable without sockets.
pub fn handle(method: &Method, url: &str, engine: &Engine) -> Answer {
    handle_with_accept(method, url, None, engine)
}

/// Routes one request; `accept` is its `Accept` header, which decides
/// between JSON and HTML for the passage view.
pub fn handle_with_accept(
    method: &Method,
    url: &str,
    accept: Option<&str>,
    engine: &Engine,
) -> Answer {
    route_request(method, url, accept, engine, None)
}

/// Routes one request; `/metrics` shows the server's counters (empty
/// without a server), and searches go through its cache when it has one.
fn route_request(
    method: &Method,
    url: &str,
    accept: Option<&str>,
    engine: &Engine,
    server: Option<(&Metrics, Option<&AnswerCache>)>,
) -> Answer {
    if url.len() > MAX_URL_BYTES {
        return Answer::error(414, &format!("URL longer than {MAX_URL_BYTES} bytes"));
    }
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let Some(route) = route(path) else {
        return Answer::error(404, &format!("no such endpoint: {path}"));
    };
    if *method != Method::Get && *method != Method::Head {
        let mut answer = Answer::error(405, &format!("{method} is not allowed on {path}; use GET"));
        answer.headers.push(("Allow", "GET, HEAD".into()));
        return answer;
    }
    let result = match route {
        Route::Search => search(query, engine, server.and_then(|(_, cache)| cache)),
        Route::Documents => documents(engine),
        Route::Health => health(engine),
        Route::Metrics => match server {
            Some((metrics, cache)) => metrics_page(engine, metrics, cache),
            None => metrics_page(engine, &Metrics::default(), None),
        },
        Route::Segment(id) => segment(id, prefers_html(accept), engine),
        Route::Asset(content_type, body) => Ok(Answer::content(content_type, body.to_string())),
    };
    result.unwrap_or_else(|error| {
        let status = match error {
            Error::UnknownSegment(_) => 404,
            ref e if e.is_user_error() => 400,
            _ => 500,
        };
        Answer::error(status, &error.to_string())
    })
}

/// `GET /segments/{id}`: the passage as JSON, or as a page for a browser.
fn segment(id: &str, html: bool, engine: &Engine) -> Result<Answer, Error> {
    let passage = engine.passage(id)?;
    let mut answer = if html {
        Answer::content("text/html; charset=utf-8", render::passage_html(&passage))
    } else {
        Answer::json(200, &passage)
    };
    // Caches must keep the JSON and the HTML apart.
    answer.headers.push(("Vary", "Accept".into()));
    Ok(answer)
}

/// Whether an `Accept` header ranks `text/html` above `application/json`
/// (a browser following a link), by quality and then by precision. No
/// header, or `*/*` alone (`fetch`, curl), means JSON.
pub fn prefers_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    // For a media type: the quality of the most precise range matching it.
    let quality = |kind: &str, subtype: &str| {
        let mut best: Option<(u8, f32)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let (k, sub) = media.split_once('/').unwrap_or((media.as_str(), ""));
            let precision = match (k == kind, sub == subtype) {
                (true, true) => 2,
                (true, false) if sub == "*" => 1,
                _ if k == "*" => 0,
                _ => continue,
            };
            if best.is_none_or(|(p, _)| precision > p) {
                best = Some((precision, q));
            }
        }
        best.map_or(0.0, |(_, q)| q)
    };
    quality("text", "html") > quality("application", "json")
}

fn health(engine: &Engine) -> Result<Answer, Error> {
    #[derive(Serialize)]
    struct Health {
        status: &'static str,
        documents: usize,
        segments: usize,
        last_commit: Option<String>,
    }
    let (documents, segments) = engine.counts()?;
    // Each report records when it was indexed: the latest is the last
    // commit that added or changed one.
    let last_commit = engine
        .documents()?
        .iter()
        .map(|d| d.indexed_at)
        .max()
        .map(|secs| log::rfc3339(UNIX_EPOCH + Duration::from_secs(secs)));
    Ok(Answer::json(
        200,
        &Health {
            status: "ok",
            documents,
            segments,
            last_commit,
        },
    ))
}

/// `GET /metrics`: the counters in Prometheus' text format.
fn metrics_page(
    engine: &Engine,
    metrics: &Metrics,
    cache: Option<&AnswerCache>,
) -> Result<Answer, Error> {
    let (documents, segments) = engine.counts()?;
    let mut answer = Answer::content(
        "text/plain; version=0.0.4; charset=utf-8",
        metrics.render(documents, segments, cache.map(ResultCache::counts)),
    );
    answer.headers.push(("Cache-Control", "no-store".into()));
    Ok(answer)
}

/// The indexed reports, as `palabre documents --json` prints them.
fn documents(engine: &Engine) -> Result<Answer, Error> {
    Ok(Answer::json(200, &engine.documents()?))
}

/// `GET /search`, from the cache when the same request was answered on
/// the same state of the index.
fn search(query: &str, engine: &Engine, cache: Option<&AnswerCache>) -> Result<Answer, Error> {
    let started = Instant::now();
    let request = search_request(query)?;
    let Some(cache) = cache else {
        return Ok(Answer::json(200, &engine.search(&request)?));
    };
    // Read before searching: an answer is never kept under a generation
    // newer than the one it was computed on.
    let generation = engine.generation();
    if let Some(cached) = cache.get(generation, &request) {
        return Ok(Answer::json_body(200, cached.body(milliseconds(started))));
    }
    let answer = Answer::json(200, &engine.search(&request)?);
    if let Some(cached) = CachedAnswer::new(&answer.body) {
        cache.put(generation, request, Arc::new(cached));
    }
    Ok(answer)
}

/// Reads `q`, `limit`, `offset` and the filters (`kind`, `doc`, `city`,
/// `year`, `lang`, `org`, `person`, each repeatable), `expand` and
/// `facets` from a query string. An empty
/// filter value is ignored, so an empty form field filters nothing.
pub fn search_request(query: &str) -> Result<SearchRequest, Error> {
    let mut request = SearchRequest::new("");
    let mut has_q = false;
    let mut kinds: Vec<SegmentKind> = Vec::new();
    if form_urlencoded::parse(query.as_bytes()).count() > MAX_PARAMETERS {
        return Err(Error::Parameter {
            name: "query string",
            message: format!("too many parameters: at most {MAX_PARAMETERS}"),
        });
    }
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "q" => {
                request.query = value.into_owned();
                has_q = true;
            }
            "limit" => request.limit = number("limit", &value)?,
            "offset" => request.offset = number("offset", &value)?,
            _ if value.trim().is_empty() => {}
            "kind" => {
                kinds.push(SegmentKind::parse(&value).ok_or_else(|| Error::Parameter {
                    name: "kind",
                    message: format!("{value:?} is neither section nor practice"),
                })?);
            }
            "doc" => request.filters.doc.push(value.into_owned()),
            "city" => request.filters.city.push(value.into_owned()),
            "org" => request.filters.org.push(value.into_owned()),
            "person" => request.filters.person.push(value.into_owned()),
            "expand" => request.expand = boolean("expand", &value)?,
            // A search box asking at each keystroke has no use for them,
            // and counting them is a pass over every match.
            "facets" => request.facets = boolean("facets", &value)?,
            "year" => {
                request
                    .filters
                    .year
                    .push(value.trim().parse().map_err(|_| Error::Parameter {
                        name: "year",
                        message: format!("{value:?} is not a year"),
                    })?)
            }
            "lang" => request
                .filters
                .lang
                .push(Lang::from_code(&value).ok_or_else(|| Error::Parameter {
                    name: "lang",
                    message: format!("{value:?} is not one of fr, en, es, ar"),
                })?),
            _ => {}
        }
    }
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    // Both kinds OR'ed together filter nothing.
    request.kind = match kinds.as_slice() {
        [kind] => Some(*kind),
        _ => None,
    };
    if !has_q {
        return Err(Error::Parameter {
            name: "q",
            message: "missing: add ?q=your+words".into(),
        });
    }
    Ok(request)
}

fn boolean(name: &'static str, value: &str) -> Result<bool, Error> {
    match value.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(Error::Parameter {
            name,
            message: format!("{value:?} is neither true nor false"),
        }),
    }
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
    fn a_cached_answer_is_the_same_json_with_a_new_time() {
        let results = crate::search::SearchResults {
            took_ms: 12.5,
            query: "a, b".into(),
            total: 3,
            ..Default::default()
        };
        let json = serde_json::to_string(&results).unwrap();
        let cached = CachedAnswer::new(&json).unwrap();
        let again: serde_json::Value = serde_json::from_str(&cached.body(0.04)).unwrap();
        let mut expected: serde_json::Value = serde_json::from_str(&json).unwrap();
        expected["took_ms"] = 0.04.into();
        assert_eq!(again, expected);
        assert!(CachedAnswer::new("{\"query\":\"x\"}").is_none());
    }

    #[test]
    fn parameters_are_decoded() {
        let r =
            search_request("q=cadre+juridique%20%C3%A9&limit=5&offset=10&kind=practice&lang=EN")
                .unwrap();
        assert_eq!(r.query, "cadre juridique é");
        assert_eq!(r.filters.lang, [Lang::En]);
        assert_eq!((r.limit, r.offset), (5, 10));
        assert_eq!(r.kind, Some(SegmentKind::Practice));
    }

    #[test]
    fn filters_repeat_and_empty_values_are_ignored() {
        let r = search_request(
            "q=x&city=Sfax&city=Nador&year=2019&lang=fr&doc=a.txt&org=Caritas&kind=&year=",
        )
        .unwrap();
        assert_eq!(r.filters.city, ["Sfax", "Nador"]);
        assert_eq!(r.filters.year, [2019]);
        assert_eq!(r.filters.lang, [Lang::Fr]);
        assert_eq!(r.filters.doc, ["a.txt"]);
        assert_eq!(r.filters.org, ["Caritas"]);
        assert_eq!(r.kind, None);
        let both = search_request("q=x&kind=section&kind=practice").unwrap();
        assert_eq!(both.kind, None, "either kind: no filter");
        let twice = search_request("q=x&kind=practice&kind=practices").unwrap();
        assert_eq!(twice.kind, Some(SegmentKind::Practice));
    }

    #[test]
    fn browsers_get_html_and_programs_json() {
        let chromium =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
        assert!(prefers_html(Some(chromium)));
        assert!(prefers_html(Some("text/*")));
        assert!(!prefers_html(None));
        assert!(!prefers_html(Some("*/*")));
        assert!(!prefers_html(Some("application/json")));
        assert!(!prefers_html(Some("text/html;q=0.5, application/json")));
        assert!(
            !prefers_html(Some("text/html, application/json")),
            "a tie is JSON"
        );
    }

    #[test]
    fn every_api_path_is_routed() {
        for path in API_PATHS.iter().chain(&PAGE_PATHS) {
            let path = path.replace("{id}", "0123456789abcdef");
            assert!(route(&path).is_some(), "{path}");
        }
        assert_eq!(route("/segments/"), None);
        assert_eq!(route("/segments/a/b"), None);
        assert_eq!(route("/index.html"), None);
        assert_eq!(route("/../Cargo.toml"), None);
    }

    #[test]
    fn bad_parameters_name_themselves() {
        for (query, name) in [
            ("q=x&limit=abc", "limit"),
            ("q=x&offset=-1", "offset"),
            ("q=x&kind=chapter", "kind"),
            ("q=x&year=deux-mille", "year"),
            ("q=x&year=99999", "year"),
            ("q=x&lang=klingon", "lang"),
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
