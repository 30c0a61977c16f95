//! Facets: how many matching segments have each value of the filterable
//! fields (kind, report, city, year, language, organisation), counted by a
//! tantivy collector over the fields' columns (FAST), never by loading the
//! stored documents.
//!
//! A collector reading the columns directly was measured against tantivy's
//! terms aggregations on the same fields (`benches/facets.rs`, figures in
//! `benches/README.md`): it does the same work without building a request
//! tree and JSON-like results, and is the cheaper of the two.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::name;

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
    /// An organisation a practice names.
    Org,
}

impl FacetField {
    /// Every facet, in the order of the JSON answer.
    pub const ALL: [FacetField; 6] = [
        FacetField::Kind,
        FacetField::Doc,
        FacetField::City,
        FacetField::Year,
        FacetField::Lang,
        FacetField::Org,
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
}

impl Facets {
    /// The counts of one facet.
    pub fn get(&self, field: FacetField) -> &[FacetCount] {
        match field {
            FacetField::Kind => &self.kind,
            FacetField::Doc => &self.doc,
            FacetField::City => &self.city,
            FacetField::Year => &self.year,
            FacetField::Lang => &self.lang,
            FacetField::Org => &self.org,
        }
    }

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
        }
    }
}

/// Raw counts per facet and value.
pub type FacetCounts = BTreeMap<FacetField, BTreeMap<String, u64>>;

/// Counts the values of some facets over the documents a query matches.
#[derive(Debug, Clone)]
pub struct FacetCollector {
    fields: Vec<FacetField>,
}

impl FacetCollector {
    /// A collector for these facets.
    pub fn new(fields: Vec<FacetField>) -> FacetCollector {
        FacetCollector { fields }
    }
}

/// A facet's column in one index segment.
enum FacetColumn {
    /// Text values: counts per term ordinal, resolved to text at the end.
    Text(StrColumn, Vec<u64>),
    /// Numbers (the year): counts per value.
    Number(Column<u64>, BTreeMap<u64, u64>),
    /// The segment has no value for this field.
    Missing,
}

/// Counts facets in one index segment.
pub struct FacetSegmentCollector {
    columns: Vec<(FacetField, FacetColumn)>,
}

impl Collector for FacetCollector {
    // An unreadable term dictionary is reported at the end, not swallowed.
    type Fruit = Result<FacetCounts, String>;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let fast = reader.fast_fields();
        let mut columns = Vec::with_capacity(self.fields.len());
        for &field in &self.fields {
            let column = if field == FacetField::Year {
                match fast.column_opt::<u64>(field.name())? {
                    Some(column) => FacetColumn::Number(column, BTreeMap::new()),
                    None => FacetColumn::Missing,
                }
            } else {
                match fast.str(field.name())? {
                    Some(column) => {
                        let terms = column.dictionary().num_terms();
                        FacetColumn::Text(column, vec![0; terms])
                    }
                    None => FacetColumn::Missing,
                }
            };
            columns.push((field, column));
        }
        Ok(FacetSegmentCollector { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Result<FacetCounts, String>>,
    ) -> tantivy::Result<Result<FacetCounts, String>> {
        let mut merged = FacetCounts::new();
        for fruit in fruits {
            let counts = match fruit {
                Ok(counts) => counts,
                Err(message) => return Ok(Err(message)),
            };
            for (field, values) in counts {
                let into = merged.entry(field).or_default();
                for (value, count) in values {
                    *into.entry(value).or_default() += count;
                }
            }
        }
        Ok(Ok(merged))
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Result<FacetCounts, String>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (_, column) in &mut self.columns {
            match column {
                FacetColumn::Text(values, counts) => {
                    for ord in values.term_ords(doc) {
                        if let Some(count) =
                            usize::try_from(ord).ok().and_then(|o| counts.get_mut(o))
                        {
                            *count += 1;
                        }
                    }
                }
                FacetColumn::Number(values, counts) => {
                    for value in values.values_for_doc(doc) {
                        *counts.entry(value).or_default() += 1;
                    }
                }
                FacetColumn::Missing => {}
            }
        }
    }

    fn harvest(self) -> Result<FacetCounts, String> {
        let mut out = FacetCounts::new();
        for (field, column) in self.columns {
            let values = out.entry(field).or_default();
            match column {
                FacetColumn::Text(dictionary, counts) => {
                    let mut text = String::new();
                    for (ord, count) in counts.into_iter().enumerate() {
                        if count == 0 {
                            continue;
                        }
                        match dictionary.ord_to_str(ord as u64, &mut text) {
                            Ok(true) => *values.entry(text.clone()).or_default() += count,
                            Ok(false) => {}
                            Err(e) => return Err(format!("facet {}: {e}", field.name())),
                        }
                    }
                }
                FacetColumn::Number(_, counts) => {
                    for (value, count) in counts {
                        *values.entry(value.to_string()).or_default() += count;
                    }
                }
                FacetColumn::Missing => {}
            }
        }
        Ok(out)
    }
}
