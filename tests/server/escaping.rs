//! A report whose title and text hold HTML and a script: everything that
//! reaches a page is escaped. (The browser test checks the rendered page.)

use crate::harness::{Passage, Server};

#[test]
fn snippets_escape_the_report_and_mark_only_the_matches() {
    let server = Server::start();
    let results = server.search("q=alert");
    assert_eq!(results.total, 1);
    let hit = &results.hits[0];
    assert!(
        hit.snippet
            .contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"),
        "{}",
        hit.snippet
    );
    assert!(
        hit.snippet.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "{}",
        hit.snippet
    );
    // The only tags left are the highlights.
    let tags = hit.snippet.matches('<').count();
    assert_eq!(
        tags,
        hit.snippet.matches("<mark>").count() + hit.snippet.matches("</mark>").count()
    );
    // The JSON carries the title as plain text: the page writes it as text.
    assert_eq!(hit.title, "Raw notes <em>unfiltered</em> & more");
}

#[test]
fn the_passage_page_shows_the_script_as_text() {
    let server = Server::start();
    let hit = server.search("q=alert").hits.remove(0);
    let page = server.get_as(&hit.url, "text/html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page
        .body
        .contains("<h1>Raw notes &lt;em&gt;unfiltered&lt;/em&gt; &amp; more</h1>"));
    assert!(!page.body.contains("<script"), "no script element at all");
    assert!(!page.body.contains("<em>") && !page.body.contains("<b>"));
    // JSON keeps the text as it is.
    let passage: Passage = server.json(&hit.url);
    assert!(passage.text.contains("<script>alert(1)</script>"));
}
