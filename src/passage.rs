//! The passage view: one segment in full, by id, with its report's
//! metadata and its neighbours in the report (by ordinal). Part of the
//! search stage: reads the index, never prints.

use std::ops::Bound;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, BooleanQuery, Occur, RangeQuery};
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::schema::{self, name, Fields, ReportRecord, REPORT_KIND, VOCABULARY_KIND};
use crate::search::{segment_url, term_query as term, Engine};

/// A segment in full.
#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    /// Segment id.
    pub id: String,
    /// `section` or `practice`.
    pub kind: String,
    /// The heading.
    pub title: String,
    /// The enclosing heading (e.g. the annex title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Position in the report, from 0.
    pub ordinal: u64,
    /// The whole text: one paragraph or list item per line.
    pub text: String,
    /// Language of the segment.
    pub lang: String,
    /// City: of the meeting for a section, named by the practice for a practice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Organisations the practice names.
    pub organisations: Vec<String>,
    /// Report name.
    pub doc: String,
    /// Report title.
    pub doc_title: String,
    /// Meeting date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Meeting year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<u64>,
    /// This view's address.
    pub url: String,
    /// The report's metadata, as `/documents` lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportRecord>,
    /// The segment before this one in the report.
    pub previous: Option<Neighbour>,
    /// The segment after this one in the report.
    pub next: Option<Neighbour>,
}

/// A segment next to a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Neighbour {
    /// Segment id.
    pub id: String,
    /// Its heading.
    pub title: String,
    /// `section` or `practice`.
    pub kind: String,
    /// Its passage view.
    pub url: String,
}

impl Engine {
    /// The segment with this id, in full. An unknown id is
    /// [`Error::UnknownSegment`].
    pub fn passage(&self, id: &str) -> Result<Passage> {
        let searcher = self.searcher();
        let fields = self.fields();
        let key = schema::id_key(id).ok_or_else(|| Error::UnknownSegment(id.to_string()))?;
        let key = Term::from_field_u64(fields.id, key);
        let by_id = RangeQuery::new(Bound::Included(key.clone()), Bound::Included(key));
        let address = searcher
            .search(&by_id, &DocSetCollector)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::UnknownSegment(id.to_string()))?;
        let doc: TantivyDocument = searcher.doc(address)?;
        let mut passage = passage_of(&doc, fields);
        let (previous, next) = neighbours(&searcher, fields, &passage.doc, passage.ordinal)?;
        passage.report = report_record(&searcher, fields, &passage.doc)?;
        passage.previous = previous;
        passage.next = next;
        Ok(passage)
    }

    /// Calls `each` with every segment of the index in full (without its
    /// neighbours and report record), in index order: what `palabre
    /// export` writes. Stops at the first error `each` returns.
    pub fn each_passage<E: From<Error>>(
        &self,
        mut each: impl FnMut(Passage) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let searcher = self.searcher();
        let fields = self.fields();
        let segments = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(AllQuery) as Box<dyn tantivy::query::Query>,
            ),
            (Occur::MustNot, term(fields.kind, REPORT_KIND)),
            (Occur::MustNot, term(fields.kind, VOCABULARY_KIND)),
        ]);
        let mut addresses: Vec<DocAddress> = searcher
            .search(&segments, &DocSetCollector)
            .map_err(Error::from)?
            .into_iter()
            .collect();
        addresses.sort();
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(Error::from)?;
            each(passage_of(&doc, fields))?;
        }
        Ok(())
    }
}

/// A stored segment as a passage, without its neighbours and report record.
fn passage_of(doc: &TantivyDocument, fields: &Fields) -> Passage {
    let text = |field: Field| first_text(doc, field).unwrap_or_default();
    let id = fields.segment_id(doc);
    Passage {
        url: segment_url(&id),
        id,
        kind: text(fields.kind),
        title: text(fields.title),
        part: first_text(doc, fields.part),
        ordinal: doc
            .get_first(fields.ordinal)
            .and_then(|v| v.as_u64())
            .unwrap_or_default(),
        text: fields.segment_text(doc).unwrap_or_default().to_string(),
        lang: text(fields.lang),
        city: first_text(doc, fields.city),
        organisations: doc
            .get_all(fields.org)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        doc_title: text(fields.doc_title),
        date: first_text(doc, fields.date),
        year: doc.get_first(fields.year).and_then(|v| v.as_u64()),
        doc: text(fields.doc),
        report: None,
        previous: None,
        next: None,
    }
}

fn first_text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The segments at `ordinal - 1` and `ordinal + 1` of the report. Ordinals
/// are read from their column, so only the two neighbours are loaded.
fn neighbours(
    searcher: &Searcher,
    fields: &Fields,
    report: &str,
    ordinal: u64,
) -> Result<(Option<Neighbour>, Option<Neighbour>)> {
    let segments = BooleanQuery::new(vec![
        (Occur::Must, term(fields.doc, report)),
        (Occur::MustNot, term(fields.kind, REPORT_KIND)),
    ]);
    let mut previous: Option<DocAddress> = None;
    let mut next: Option<DocAddress> = None;
    for address in searcher.search(&segments, &DocSetCollector)? {
        let column = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64(name::ORDINAL)?;
        match column.first(address.doc_id) {
            Some(o) if o + 1 == ordinal => previous = Some(address),
            Some(o) if o == ordinal + 1 => next = Some(address),
            _ => {}
        }
    }
    let load = |address: Option<DocAddress>| -> Result<Option<Neighbour>> {
        let Some(address) = address else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let id = fields.segment_id(&doc);
        Ok(Some(Neighbour {
            url: segment_url(&id),
            id,
            title: first_text(&doc, fields.title).unwrap_or_default(),
            kind: first_text(&doc, fields.kind).unwrap_or_default(),
        }))
    };
    Ok((load(previous)?, load(next)?))
}

/// The report record of a report, if the index holds one.
fn report_record(
    searcher: &Searcher,
    fields: &Fields,
    report: &str,
) -> Result<Option<ReportRecord>> {
    let query = BooleanQuery::new(vec![
        (Occur::Must, term(fields.doc, report)),
        (Occur::Must, term(fields.kind, REPORT_KIND)),
    ]);
    for address in searcher.search(&query, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc.get_first(fields.report).and_then(|v| v.as_str());
        if let Some(record) = json.and_then(|j| serde_json::from_str(j).ok()) {
            return Ok(Some(record));
        }
    }
    Ok(None)
}
