//! The JSON that palabre prints (`--json`) and serves (HTTP), as typed
//! structs written independently of the library's own types: they are the
//! contract other programs rely on. `deny_unknown_fields` makes a renamed or
//! added field fail here, on purpose.

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
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    /// Counts per value of each field, over all the matches.
    pub facets: std::collections::BTreeMap<String, Vec<FacetCount>>,
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

/// One value of a facet and how many matches have it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
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
#[derive(Debug, Deserialize)]
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

/// One entry of `documents --json`.
#[derive(Debug, Deserialize)]
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
