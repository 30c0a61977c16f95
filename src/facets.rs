//! Facets: how many matching segments have each value of the filterable
//! fields (kind, report, city, year, language, organisation, person), counted by
//! tantivy's terms aggregations over the fields' columns (FAST), never by
//! loading the stored documents.
//!
//! The aggregations were measured against a collector of ours that reads
//! the same columns document by document (`benches/facets.rs`, figures in
//! `benches/README.md`): a few hundredths of a millisecond either way on
//! the bundled corpus, four to six times faster on 6,800 documents, since
//! they read the columns in blocks.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, AggregationResults, BucketResult};
use tantivy::aggregation::{AggregationCollector, Key};

use crate::error::{Error, Result};
use crate::schema::name;

/// Most values listed per facet, the most frequent (Meilisearch's default
/// too): more than a page shows, and an answer stays a few kilobytes when
/// a word is in thousands of reports (the report facet listed 1,000
/// values, 40 KB, on the 1 GB benchmark corpus).
const MAX_VALUES: u32 = 100;

/// A field that can be filtered on and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FacetField {
    /// `section` or `practice`.
    Kind,
    /// The report's name.
    Doc,
    /// The city (see [`crate::schema::name::CITY`]).
    City,
    /// The meeting's year.
    Year,
    /// The segment's language code.
    Lang,
    /// An organisation a practice or a speaker names.
    Org,
    /// A person who speaks in the segment.
    Person,
}

impl FacetField {
    /// Every facet, in the order of the JSON answer.
    pub const ALL: [FacetField; 7] = [
        FacetField::Kind,
        FacetField::Doc,
        FacetField::City,
        FacetField::Year,
        FacetField::Lang,
        FacetField::Org,
        FacetField::Person,
    ];

    /// The index field (and the query-string parameter) it counts.
    pub fn name(self) -> &'static str {
        match self {
            FacetField::Kind => name::KIND,
            FacetField::Doc => name::DOC,
            FacetField::City => name::CITY,
            FacetField::Year => name::YEAR,
            FacetField::Lang => name::LANG,
            FacetField::Org => name::ORG,
            FacetField::Person => name::PERSON,
        }
    }
}

/// One value of a facet and the number of matching segments that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value, as it is filtered on (`practice`, `Sfax`, `2019` …).
    pub value: String,
    /// Matching segments with this value.
    pub count: u64,
}

/// Counts per value of each facet, most frequent first (ties by value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Per kind of segment.
    pub kind: Vec<FacetCount>,
    /// Per report.
    pub doc: Vec<FacetCount>,
    /// Per city.
    pub city: Vec<FacetCount>,
    /// Per year.
    pub year: Vec<FacetCount>,
    /// Per language.
    pub lang: Vec<FacetCount>,
    /// Per organisation.
    pub org: Vec<FacetCount>,
    /// Per person speaking.
    pub person: Vec<FacetCount>,
}

impl Facets {
    /// Sets the counts of one facet from raw counts.
    pub fn set(&mut self, field: FacetField, counts: BTreeMap<String, u64>) {
        let mut list: Vec<FacetCount> = counts
            .into_iter()
            .map(|(value, count)| FacetCount { value, count })
            .collect();
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        match field {
            FacetField::Kind => self.kind = list,
            FacetField::Doc => self.doc = list,
            FacetField::City => self.city = list,
            FacetField::Year => self.year = list,
            FacetField::Lang => self.lang = list,
            FacetField::Org => self.org = list,
            FacetField::Person => self.person = list,
        }
    }
}

/// Raw counts per facet and value.
pub type FacetCounts = BTreeMap<FacetField, BTreeMap<String, u64>>;

/// The aggregation request counting these facets: one terms aggregation
/// per field, named after it.
pub fn collector(fields: &[FacetField]) -> Result<AggregationCollector> {
    let request: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|field| {
            let terms = serde_json::json!({"terms": {"field": field.name(), "size": MAX_VALUES}});
            (field.name().to_string(), terms)
        })
        .collect();
    let aggregations: Aggregations = serde_json::from_value(serde_json::Value::Object(request))
        .map_err(|e| Error::Tantivy(tantivy::TantivyError::InvalidArgument(e.to_string())))?;
    Ok(AggregationCollector::from_aggs(
        aggregations,
        Default::default(),
    ))
}

/// Reads the counts out of the aggregations' results.
pub fn counts(fields: &[FacetField], results: &AggregationResults) -> FacetCounts {
    let mut out = FacetCounts::new();
    for &field in fields {
        let values = out.entry(field).or_default();
        let Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) =
            results.0.get(field.name())
        else {
            continue;
        };
        for bucket in buckets {
            let value = match &bucket.key {
                Key::Str(text) => text.clone(),
                Key::U64(n) => n.to_string(),
                Key::I64(n) => n.to_string(),
                // Years come back as integers; a float would be a surprise,
                // shown as it is.
                Key::F64(n) => n.to_string(),
            };
            *values.entry(value).or_default() += bucket.doc_count;
        }
    }
    out
}
