//! `GET /search` filters and facets, `GET /segments/{id}`, the page's
//! assets and the errors, on a real server.

use std::collections::BTreeMap;

use crate::harness::{counts, ErrorBody, Passage, Server};

fn kinds(results: &crate::harness::Results) -> Vec<&str> {
    results.hits.iter().map(|h| h.kind.as_str()).collect()
}

#[test]
fn kind_practice_returns_only_practices_and_facets_count_them_by_city() {
    let server = Server::start();
    let results = server.search("q=migrants&kind=practice");
    assert_eq!(results.total, 4);
    assert_eq!(kinds(&results), ["practice"; 4]);
    assert_eq!(
        counts(&results.facets.city),
        BTreeMap::from([("Douala", 1), ("Nador", 1), ("Sousse", 1), ("Tunisie", 1)])
    );
    // The kind facet leaves its own filter out: it still shows the sections
    // one could switch to.
    let kind = counts(&results.facets.kind);
    assert_eq!(kind.get("practice"), Some(&4));
    assert_eq!(kind.get("section"), Some(&3), "{kind:?}");
    assert_eq!(results.query, "migrants");
    assert!(results.took_ms >= 0.0);
    assert_eq!(
        counts(&results.facets.year),
        BTreeMap::from([("2019", 2), ("2020", 1), ("2021", 1)])
    );
    assert_eq!(
        counts(&results.facets.lang),
        BTreeMap::from([("en", 1), ("fr", 3)])
    );
    assert_eq!(
        counts(&results.facets.org),
        BTreeMap::from([("ASTICUDE", 1), ("Caritas", 1), ("Terre d'Asile", 1)])
    );
    assert_eq!(counts(&results.facets.doc).values().sum::<usize>(), 4);
}

#[test]
fn without_filters_the_facets_add_up_to_the_total() {
    let server = Server::start();
    let results = server.search("q=migrants");
    assert_eq!(results.total, 7, "{:?}", results.hits);
    let kind = counts(&results.facets.kind);
    assert_eq!(kind, BTreeMap::from([("practice", 4), ("section", 3)]));
    for facet in [
        &results.facets.doc,
        &results.facets.year,
        &results.facets.lang,
        &results.facets.city,
    ] {
        assert_eq!(counts(facet).values().sum::<usize>(), 7, "{facet:?}");
    }
    // Sections count under the city of their meeting, practices under theirs.
    assert_eq!(
        counts(&results.facets.city),
        BTreeMap::from([
            ("Douala", 1),
            ("Nador", 1),
            ("Rabat", 1),
            ("Sfax", 2),
            ("Sousse", 1),
            ("Tunisie", 1)
        ])
    );
    // Most frequent first, ties by value.
    let values: Vec<&str> = results
        .facets
        .kind
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(values, ["practice", "section"]);
}

#[test]
fn values_of_one_filter_are_ored_and_filters_are_anded() {
    let server = Server::start();
    let both = server.search("q=migrants&city=Nador&city=Douala");
    assert_eq!(both.total, 2);
    let mut cities: Vec<&str> = both.hits.iter().filter_map(|h| h.city.as_deref()).collect();
    cities.sort();
    assert_eq!(cities, ["Douala", "Nador"]);
    // The city facet still counts the other cities.
    assert_eq!(counts(&both.facets.city).len(), 6);

    let none = server.search("q=migrants&city=Nador&kind=section");
    assert_eq!(none.total, 0);
    assert!(none.hits.is_empty());

    let sfax_2019 = server.search("q=migrants&city=Sfax&year=2019");
    let mut titles: Vec<&str> = sfax_2019.hits.iter().map(|h| h.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["Contexte", "Recommandations"]);
    assert_eq!(server.search("q=migrants&city=Sfax&year=2021").total, 0);
}

#[test]
fn year_filter() {
    let server = Server::start();
    let results = server.search("q=migrants&year=2021");
    assert_eq!(results.total, 2);
    assert!(results.hits.iter().all(|h| h.doc == "2021-03-rabat.md"));
    assert!(results
        .hits
        .iter()
        .all(|h| h.date.as_deref() == Some("2021-03-03")));
    assert_eq!(
        counts(&results.facets.year),
        BTreeMap::from([("2019", 4), ("2020", 1), ("2021", 2)])
    );
    let two_years = server.search("q=migrants&year=2021&year=2020");
    assert_eq!(two_years.total, 3);
}

#[test]
fn doc_filter() {
    let server = Server::start();
    let results = server.search("q=migrants&doc=2019-06-sfax.txt");
    assert_eq!(results.total, 4);
    assert!(results.hits.iter().all(|h| h.doc == "2019-06-sfax.txt"));
    assert!(results
        .hits
        .iter()
        .all(|h| h.doc_title == "Réunion des villes partenaires"));
    assert_eq!(server.search("q=migrants&doc=nope.txt").total, 0);
}

#[test]
fn lang_filter() {
    let server = Server::start();
    let english = server.search("q=migrants&lang=en");
    assert_eq!(english.total, 1);
    assert_eq!(english.hits[0].lang, "en");
    assert_eq!(english.hits[0].title, "A shelter in Sousse");
    let french = server.search("q=migrants&lang=fr");
    assert_eq!(french.total, 6);
    assert!(french.hits.iter().all(|h| h.lang == "fr"));
    assert_eq!(
        counts(&french.facets.lang),
        BTreeMap::from([("en", 1), ("fr", 6)])
    );
}

#[test]
fn org_filter_and_organisations_in_hits() {
    let server = Server::start();
    let results = server.search("q=migrants&org=Caritas");
    assert_eq!(results.total, 1);
    let hit = &results.hits[0];
    assert_eq!(hit.title, "Logement décent, Caritas Douala");
    assert_eq!(hit.organisations, ["Caritas"]);
    assert_eq!(hit.city.as_deref(), Some("Douala"));
    let nador = server.search("q=exposition&org=ASTICUDE&org=Caritas");
    assert_eq!(nador.total, 1);
    assert_eq!(nador.hits[0].city.as_deref(), Some("Nador"));
}

#[test]
fn pages_of_hits() {
    let server = Server::start();
    let first = server.search("q=migrants&limit=4");
    let second = server.search("q=migrants&limit=4&offset=4");
    assert_eq!((first.hits.len(), second.hits.len()), (4, 3));
    assert_eq!((first.total, second.total), (7, 7));
    let mut ids: Vec<&str> = first
        .hits
        .iter()
        .chain(&second.hits)
        .map(|h| h.id.as_str())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7, "pages do not overlap");
}

#[test]
fn facets_false_leaves_the_facets_out_and_the_hits_as_they_are() {
    let server = Server::start();
    let with = server.search("q=migrants");
    let without = server.search("q=migrants&facets=false");
    let ids = |results: &crate::harness::Results| -> Vec<String> {
        results.hits.iter().map(|h| h.id.clone()).collect()
    };
    assert_eq!(ids(&without), ids(&with));
    assert_eq!((without.total, without.total_is_lower_bound), (7, false));
    assert!(!with.facets.kind.is_empty());
    for field in ["kind", "doc", "city", "year", "lang", "org", "person"] {
        assert!(without.facets[field].is_empty(), "{field}");
    }
    // The filters still apply; only their counts are left out.
    let practices = server.search("q=migrants&kind=practice&facets=0");
    assert_eq!(kinds(&practices), ["practice"; 4]);
    assert!(practices.facets.city.is_empty());
}

#[test]
fn bad_requests_are_400_json_naming_the_problem() {
    let server = Server::start();
    for (query, needle) in [
        ("q=migrants&year=deux", "year"),
        ("q=migrants&lang=xx", "lang"),
        ("q=migrants&kind=chapter", "kind"),
        ("q=%22cadre", "quote"),
        ("q=migrants&limit=0", "limit"),
        ("q=migrants&facets=maybe", "facets"),
        ("kind=practice", "q"),
    ] {
        let answer = server.get(&format!("/search?{query}"));
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
        assert!(answer.content_type.starts_with("application/json"));
        let error: ErrorBody = serde_json::from_str(&answer.body).unwrap();
        assert!(error.error.contains(needle), "{query}: {}", error.error);
    }
}

#[test]
fn hits_link_to_their_passage_in_full() {
    let server = Server::start();
    let results = server.search("q=exposition&kind=practice");
    let hit = &results.hits[0];
    assert_eq!(hit.url, format!("/segments/{}", hit.id));
    let passage: Passage = server.json(&hit.url);
    assert_eq!(passage.id, hit.id);
    assert_eq!(passage.url, hit.url);
    assert_eq!(passage.kind, "practice");
    assert_eq!(passage.title, "Exposition interculturelle à Nador");
    assert!(passage
        .text
        .ends_with("Le cadre juridique local a été présenté aux visiteurs."));
    assert_eq!(passage.city.as_deref(), Some("Nador"));
    assert_eq!(passage.organisations, ["ASTICUDE"]);
    assert_eq!(
        passage.part.as_deref(),
        Some("Annexe: Exemples de pratiques")
    );
    assert_eq!((passage.ordinal, passage.lang.as_str()), (2, "fr"));
    assert_eq!(passage.doc, "2019-06-sfax.txt");
    assert_eq!(passage.doc_title, "Réunion des villes partenaires");
    assert_eq!(
        (passage.date.as_deref(), passage.year),
        (Some("2019-06-25"), Some(2019))
    );
    let report = passage.report.as_ref().unwrap();
    assert_eq!(report.doc, "2019-06-sfax.txt");
    assert_eq!(report.doc_title, passage.doc_title);
    assert_eq!(report.date.as_deref(), Some("2019-06-25"));
    assert_eq!(report.city.as_deref(), Some("Sfax"), "the meeting's city");
    assert_eq!((report.lang.as_str(), report.segments), ("fr", 4));
    assert!(report.indexed_at > 0);

    // Neighbours by ordinal, and back again.
    let previous = passage.previous.as_ref().unwrap();
    assert_eq!(
        (previous.title.as_str(), previous.kind.as_str()),
        ("Recommandations", "section")
    );
    let next = passage.next.as_ref().unwrap();
    assert_eq!(next.title, "Logement décent, Caritas Douala");
    let last: Passage = server.json(&next.url);
    assert_eq!(last.ordinal, 3);
    assert!(last.next.is_none());
    assert_eq!(
        last.previous.as_ref().map(|p| p.id.as_str()),
        Some(passage.id.as_str())
    );
    let first: Passage = server.json(&previous.url);
    let first: Passage = server.json(&first.previous.as_ref().unwrap().url);
    assert_eq!((first.ordinal, first.title.as_str()), (0, "Contexte"));
    assert!(first.previous.is_none());
    assert_eq!(first.city.as_deref(), Some("Sfax"));
}

#[test]
fn a_browser_gets_the_passage_as_a_page() {
    let server = Server::start();
    let hit = server.search("q=logement").hits.remove(0);
    let chromium = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let page = server.get_as(&hit.url, chromium);
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    assert_eq!(
        page.headers
            .get("content-security-policy")
            .map(String::as_str),
        Some("default-src 'self'")
    );
    assert_eq!(page.headers.get("vary").map(String::as_str), Some("Accept"));
    assert!(page
        .body
        .contains("<h1>Logement décent, Caritas Douala</h1>"));
    assert!(page.body.contains("<dd>Douala</dd>"));
    assert!(page.body.contains("<dd>Caritas</dd>"));
    assert!(page.body.contains(r#"<a rel="prev" href="/segments/"#));
    assert!(
        !page.body.contains(r#"rel="next""#),
        "the last segment has no next"
    );
    let json = server.get(&hit.url);
    assert!(json.content_type.starts_with("application/json"));
}

#[test]
fn an_unknown_segment_is_a_404_in_json() {
    let server = Server::start();
    for (path, accept) in [
        ("/segments/0000000000000000", "*/*"),
        ("/segments/0000000000000000", "text/html"),
        ("/segments/%3Cscript%3E", "text/html"),
        ("/segments/", "*/*"),
        ("/nothing-here", "*/*"),
    ] {
        let answer = server.get_as(path, accept);
        assert_eq!(answer.status, 404, "{path}");
        assert!(
            answer.content_type.starts_with("application/json"),
            "{path}"
        );
        let error: ErrorBody = serde_json::from_str(&answer.body).unwrap();
        assert!(!error.error.is_empty());
    }
}

#[test]
fn the_page_and_its_assets_come_from_the_binary() {
    let server = Server::start();
    for (path, content_type, needle) in [
        ("/", "text/html; charset=utf-8", r#"<label for="q">"#),
        ("/app.js", "text/javascript; charset=utf-8", "textContent"),
        ("/app.css", "text/css; charset=utf-8", "mark"),
        (
            "/?q=cadre+juridique&kind=practice",
            "text/html; charset=utf-8",
            r#"<html lang="fr">"#,
        ),
    ] {
        let answer = server.get_as(path, "text/html");
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.content_type, content_type, "{path}");
        assert!(answer.body.contains(needle), "{path}");
        let csp = answer.headers.get("content-security-policy");
        if content_type.starts_with("text/html") {
            assert_eq!(
                csp.map(String::as_str),
                Some("default-src 'self'"),
                "{path}"
            );
        }
        assert_eq!(
            answer
                .headers
                .get("x-content-type-options")
                .map(String::as_str),
            Some("nosniff")
        );
    }
    let post = crate::harness::agent()
        .post(server.url("/"))
        .send("")
        .unwrap();
    assert_eq!(post.status().as_u16(), 405);
}
