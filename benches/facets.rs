//! Facet counting: tantivy's terms aggregations (what `palabre::facets`
//! uses) against a collector of ours that reads the same columns document
//! by document (kept here, as the alternative measured), on the bundled
//! corpus and on a bigger synthetic one (the Sfax report copied with other
//! cities and years). Also times a whole search with its facets. See
//! `benches/README.md`.
//!
//! Run: `cargo bench --bench facets` (optionally `-- COPIES`, default 400).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use palabre::facets::{self, FacetCounts, FacetField};
use palabre::search::{Engine, SearchRequest};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{AllQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, Term};

const SFAX: &str = include_str!("../corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt");
const CITIES: [&str; 8] = [
    "Sfax", "Tunis", "Rabat", "Nador", "Málaga", "Lyon", "Beyrouth", "Amman",
];
const RUNS: usize = 30;

fn main() {
    let copies: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(400);
    let root = tempfile::tempdir().unwrap();
    for (name, copies) in [("bundled", 1), ("bigger", copies)] {
        let corpus = root.path().join(name).join("corpus");
        let index = root.path().join(name).join("index");
        std::fs::create_dir_all(&corpus).unwrap();
        for i in 0..copies {
            let city = CITIES[i % CITIES.len()];
            let year = 2015 + i % 10;
            let text = SFAX.replace(
                "25-26 juin 2019, Salle Municipale, Sfax",
                &format!("25-26 juin {year}, Salle Municipale, {city}"),
            );
            std::fs::write(corpus.join(format!("rapport-{i:04}.txt")), text).unwrap();
        }
        let started = Instant::now();
        let summary = palabre::index::run(&corpus, &index, Default::default()).unwrap();
        println!(
            "\n{name}: {} reports, {} segments (indexed in {:.1} s)",
            summary.documents,
            summary.segments,
            started.elapsed().as_secs_f64()
        );
        measure(&index);
    }
}

fn measure(dir: &Path) {
    let (index, fields) = palabre::index::open(dir).unwrap();
    let searcher = index.reader().unwrap().searcher();
    let term = |text: &str| {
        TermQuery::new(
            Term::from_field_text(fields.body_for(palabre::analysis::Lang::Fr), text),
            IndexRecordOption::Basic,
        )
    };
    let queries: [(&str, Box<dyn Query>); 2] = [
        ("every document", Box::new(AllQuery)),
        (
            "segments with \"migrants\"",
            Box::new(term(&stem("migrants"))),
        ),
    ];
    for (label, query) in &queries {
        let matched = searcher
            .search(query.as_ref(), &tantivy::collector::Count)
            .unwrap();
        let fields = FacetField::ALL;
        let columns = ColumnCollector::new(fields.to_vec());
        let by_columns = time(|| {
            let counts = searcher.search(query.as_ref(), &columns).unwrap().unwrap();
            assert_eq!(counts.len(), 6);
        });
        let aggregations = facets::collector(&fields).unwrap();
        let mut by_aggregations_counts = FacetCounts::new();
        let by_aggregations = time(|| {
            let results = searcher.search(query.as_ref(), &aggregations).unwrap();
            by_aggregations_counts = facets::counts(&fields, &results);
        });
        let by_columns_counts = searcher.search(query.as_ref(), &columns).unwrap().unwrap();
        assert_eq!(
            by_columns_counts, by_aggregations_counts,
            "both count the same"
        );
        println!(
            "  {label} ({matched} matches): terms aggregations {}, column collector {}",
            show(by_aggregations),
            show(by_columns)
        );
    }
    let engine = Engine::open(dir).unwrap();
    for query in ["migrants", "cadre juridique"] {
        let mut request = SearchRequest::new(query);
        let whole = time(|| {
            engine.search(&request).unwrap();
        });
        request.kind = Some(palabre::segment::SegmentKind::Practice);
        let filtered = time(|| {
            engine.search(&request).unwrap();
        });
        println!(
            "  search {query:?} with facets: {} (with kind=practice, one more facet pass: {})",
            show(whole),
            show(filtered)
        );
    }
}

/// The French index term of a word.
fn stem(word: &str) -> String {
    palabre::analysis::analyze(palabre::analysis::Lang::Fr, word)
        .remove(0)
        .1
}

/// Median of [`RUNS`] runs, after one warm-up.
fn time(mut run: impl FnMut()) -> Duration {
    run();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn show(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

/// The alternative measured: reads the facet columns document by document.
#[derive(Debug, Clone)]
struct ColumnCollector {
    fields: Vec<FacetField>,
}

impl ColumnCollector {
    /// A collector for these facets.
    fn new(fields: Vec<FacetField>) -> ColumnCollector {
        ColumnCollector { fields }
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
struct ColumnSegmentCollector {
    columns: Vec<(FacetField, FacetColumn)>,
}

impl Collector for ColumnCollector {
    // An unreadable term dictionary is reported at the end, not swallowed.
    type Fruit = Result<FacetCounts, String>;
    type Child = ColumnSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ColumnSegmentCollector> {
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
        Ok(ColumnSegmentCollector { columns })
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

impl SegmentCollector for ColumnSegmentCollector {
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
