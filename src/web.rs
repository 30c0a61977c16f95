//! The search page and the API description, compiled into the binary: the
//! server needs no files beside it and the page works offline, without a
//! CDN. The page is plain HTML, CSS and a little JavaScript
//! (`src/web/`); the JavaScript writes report text with `textContent`
//! only, and the server's `Content-Security-Policy` forbids inline code.

/// The search page.
pub const INDEX_HTML: &str = include_str!("web/index.html");
/// The page's script.
pub const APP_JS: &str = include_str!("web/app.js");
/// The page's styles, shared with the passage view.
pub const APP_CSS: &str = include_str!("web/app.css");
/// The OpenAPI 3 description of the JSON API.
pub const OPENAPI_JSON: &str = include_str!("../docs/openapi.json");

/// The content type and body of a compiled-in file, by URL path.
pub fn asset(path: &str) -> Option<(&'static str, &'static str)> {
    match path {
        "/" => Some(("text/html; charset=utf-8", INDEX_HTML)),
        "/app.js" => Some(("text/javascript; charset=utf-8", APP_JS)),
        "/app.css" => Some(("text/css; charset=utf-8", APP_CSS)),
        "/openapi.json" => Some(("application/json; charset=utf-8", OPENAPI_JSON)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_its_assets_from_this_server_only() {
        assert!(INDEX_HTML.contains(r#"<script src="/app.js" defer></script>"#));
        assert!(INDEX_HTML.contains(r#"<link rel="stylesheet" href="/app.css">"#));
        for inline in [
            "<style", "onclick", "onload", "style=\"", "http://", "https://",
        ] {
            assert!(!INDEX_HTML.contains(inline), "{inline} in index.html");
        }
    }

    #[test]
    fn the_script_writes_report_text_as_text() {
        // The snippet is the one pre-escaped string (render::snippet_html).
        let inner_html: Vec<&str> = APP_JS.lines().filter(|l| l.contains("innerHTML")).collect();
        assert_eq!(inner_html.len(), 1, "{inner_html:?}");
        assert!(inner_html[0].contains("hit.snippet"), "{inner_html:?}");
        assert!(!APP_JS.contains("eval(") && !APP_JS.contains("document.write"));
    }
}
