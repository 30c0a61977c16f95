//! The JSON that palabre prints (`--json`) and serves (HTTP), as typed
//! structs written independently of the library's own types: they are the
//! contract other programs rely on. `deny_unknown_fields` makes a renamed or
//! added field fail here, on purpose. One file for every test binary
//! (`tests/integration`, `tests/server`, `tests/reindex`), included with
//! `#[path]`, so that the contract is written once.

// Some fields are declared only so that `deny_unknown_fields` accepts the
// whole answer; no test reads them.
#![allow(dead_code)]

use serde::Deserialize;

/// `search --json` and `GET /search`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchResults {
    pub query: String,
    pub total: usize,
    /// Whether counting stopped at 10,000 matches (`total` is then "at
    /// least"): terminal answers and `facets=false` only.
    #[serde(default)]
    pub total_is_lower_bound: bool,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    /// Counts per value of each field, over all the matches.
    pub facets: Facets,
    /// Glossary terms found in the query and what they added.
    pub expanded: Vec<Expansion>,
    /// "Did you mean", when the words as typed find nothing.
    #[serde(default)]
    pub suggestion: Option<String>,
}

/// A glossary expansion applied to a query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expansion {
    pub term: String,
    pub concept: String,
    pub with: Vec<String>,
}

/// The facets of a search: for each field, its most frequent values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facets {
    pub kind: Vec<FacetCount>,
    pub doc: Vec<FacetCount>,
    pub city: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub lang: Vec<FacetCount>,
    pub org: Vec<FacetCount>,
    pub person: Vec<FacetCount>,
}

/// `facets["city"]`: a facet by its field's name, as the query string
/// names it.
impl std::ops::Index<&str> for Facets {
    type Output = Vec<FacetCount>;

    fn index(&self, field: &str) -> &Vec<FacetCount> {
        match field {
            "kind" => &self.kind,
            "doc" => &self.doc,
            "city" => &self.city,
            "year" => &self.year,
            "lang" => &self.lang,
            "org" => &self.org,
            "person" => &self.person,
            other => panic!("no facet {other}"),
        }
    }
}

/// One value of a facet and how many matches have it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
}

/// A facet as a map from value to count.
pub fn counts(facet: &[FacetCount]) -> std::collections::BTreeMap<&str, usize> {
    facet.iter().map(|c| (c.value.as_str(), c.count)).collect()
}

impl SearchResults {
    /// The hits' titles, in rank order.
    pub fn titles(&self) -> Vec<&str> {
        self.hits.iter().map(|h| h.title.as_str()).collect()
    }

    /// The hits' ids, in rank order.
    pub fn ids(&self) -> Vec<&str> {
        self.hits.iter().map(|h| h.id.as_str()).collect()
    }

    /// The reports the hits come from, without repeats.
    pub fn docs(&self) -> std::collections::HashSet<String> {
        self.hits.iter().map(|h| h.doc.clone()).collect()
    }
}

/// One ranked segment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hit {
    pub id: String,
    pub doc: String,
    pub doc_title: String,
    pub kind: Kind,
    pub title: String,
    pub score: f32,
    /// HTML: escaped text, matched words in `<mark>`.
    pub snippet: String,
    pub lang: String,
    pub date: Option<String>,
    pub city: Option<String>,
    #[serde(default)]
    pub organisations: Vec<String>,
    /// People who speak in the segment.
    #[serde(default)]
    pub people: Vec<String>,
    /// The passage view of the segment.
    pub url: String,
}

/// A segment's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Section,
    Practice,
}

impl Kind {
    /// As written in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Section => "section",
            Kind::Practice => "practice",
        }
    }
}

impl PartialEq<&str> for Kind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// `index --json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSummary {
    pub added: usize,
    pub updated: usize,
    pub renamed: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub skipped: Vec<Skipped>,
    pub segments_written: usize,
    pub documents: usize,
    pub segments: usize,
    /// Milliseconds.
    pub elapsed: u64,
}

impl IndexSummary {
    /// (added, updated, renamed, removed, unchanged): what the run did.
    pub fn counts(&self) -> (usize, usize, usize, usize, usize) {
        (
            self.added,
            self.updated,
            self.renamed,
            self.removed,
            self.unchanged,
        )
    }
}

/// A file `index` could not read as a report.
#[derive(Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    pub doc: String,
    pub reason: String,
}

/// `inspect --json`: a segmented report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub doc: String,
    pub meta: Meta,
    pub segments: Vec<Segment>,
}

impl Report {
    /// The titles of the segments of one kind, in report order.
    pub fn titles(&self, kind: Kind) -> Vec<&str> {
        self.segments
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.title.as_str())
            .collect()
    }
}

/// A report's front matter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub title: String,
    pub title_lines: Vec<String>,
    pub event: Option<String>,
    pub date: Option<String>,
    pub place: Option<String>,
    pub city: Option<String>,
}

/// One segment of `inspect --json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub part: Option<String>,
    pub ordinal: usize,
    pub text: String,
    pub keyphrases: Vec<String>,
    /// For a practice: the city it took place in, when the title or first
    /// sentence names one.
    pub city: Option<String>,
    /// For a practice: the organisations named in its title or first sentence.
    pub organisations: Vec<String>,
    /// The people who speak in the segment.
    #[serde(default)]
    pub speakers: Vec<Speaker>,
}

/// A person speaking, in `inspect --json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Speaker {
    pub name: String,
    pub role: String,
    pub organisation: Option<String>,
}

/// One entry of `documents --json` and `GET /documents`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub doc: String,
    pub doc_title: String,
    pub date: Option<String>,
    pub city: Option<String>,
    pub lang: String,
    pub segments: usize,
    pub indexed_at: u64,
    pub hash: String,
}

/// `GET /health`.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub status: String,
    pub documents: usize,
    pub segments: usize,
    /// UTC, `2026-05-01T12:00:00.000Z`; none for an empty index.
    pub last_commit: Option<String>,
}

/// An HTTP error body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: String,
}

/// `GET /segments/{id}` as JSON: a segment in full.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passage {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub part: Option<String>,
    pub ordinal: u64,
    pub text: String,
    pub lang: String,
    pub city: Option<String>,
    pub organisations: Vec<String>,
    pub doc: String,
    pub doc_title: String,
    pub date: Option<String>,
    pub year: Option<u64>,
    pub url: String,
    pub report: Option<Document>,
    pub previous: Option<Neighbour>,
    pub next: Option<Neighbour>,
}

/// The segment before or after a passage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Neighbour {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    pub url: String,
}
