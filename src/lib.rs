//! palabre: a search engine for meeting reports.
//!
//! The pipeline, one module per stage:
//! [`corpus`] (find report files; [`decode`] reads each format as text) →
//! [`segment`] (text → report
//! with sections and practices; [`entities`] reads a practice's city and
//! organisations, [`speakers`] the people who speak) → [`analysis`] (language-aware analyzers;
//! [`language`] detects the language at index time) → [`schema`] and
//! [`index`] (tantivy documents, the only writer) → [`query`] and
//! [`search`] (parse, rank, snippets; [`typos`] finds the index's words
//! near a typed one; [`presence`] keeps queries out of segments without
//! their field; [`seek_union`] intersects words cheaply; [`cache`] keeps a
//! server's recent answers) → [`render`] (terminal, JSON, HTML)
//! → [`server`] (HTTP; [`web`] holds the search page and the API
//! description compiled in). [`facets`] counts field values over the
//! matches; [`passage`] reads one segment in full. [`watch`] re-indexes
//! when the corpus changes.

pub mod analysis;
pub mod cache;
pub mod corpus;
pub mod decode;
pub mod entities;
pub mod error;
pub mod exact_phrase;
pub mod facets;
pub mod fold_start;
pub mod glossary;
pub mod index;
pub mod language;
pub mod passage;
pub mod pipeline;
pub mod presence;
pub mod pruned_intersection;
pub mod query;
pub mod render;
pub mod schema;
pub mod search;
pub mod seek_union;
pub mod segment;
pub mod segment_threads;
pub mod server;
pub mod snippet;
pub mod speakers;
pub mod typos;
pub mod vocabulary;
pub mod watch;
pub mod web;

pub use error::{Error, Result};

/// The bundled corpus's plain-text reports, for tests that compare two
/// ways of reading real text.
#[cfg(test)]
pub(crate) fn bundled_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "txt"))
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .collect();
    texts.sort();
    texts
}

/// An index in memory with one text field, `body`: a segment per list of
/// texts, then the documents holding `deleted` deleted.
#[cfg(test)]
pub(crate) fn ram_index(
    segments: impl IntoIterator<Item = Vec<String>>,
    deleted: &str,
) -> tantivy::Result<(tantivy::Index, tantivy::schema::Field)> {
    use tantivy::schema::{Schema, TEXT};
    let mut builder = Schema::builder();
    let body = builder.add_text_field("body", TEXT);
    let index = tantivy::Index::create_in_ram(builder.build());
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
    for texts in segments {
        for text in texts {
            writer.add_document(tantivy::doc!(body => text))?;
        }
        writer.commit()?;
    }
    writer.delete_term(tantivy::Term::from_field_text(body, deleted));
    writer.commit()?;
    Ok((index, body))
}

/// Default corpus folder.
pub const DEFAULT_CORPUS: &str = "corpus";
/// Default index folder.
pub const DEFAULT_INDEX: &str = "index";
/// Default address of the HTTP server.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
