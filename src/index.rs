//! The only writer: opens or creates the on-disk index and brings it up to
//! date with the corpus, incrementally, in one commit per run.
//!
//! Each report is identified by its name (path relative to the corpus) and
//! its content hash. A run reads the report records already in the index,
//! skips files whose hash is unchanged, replaces the segments of changed
//! files (delete by `doc` term, then add, in the same commit) and deletes
//! the reports whose file has gone. Readers see the old state until the one
//! commit at the end publishes the new one atomically; a run killed before
//! that leaves the last committed state intact, and the next writer
//! garbage-collects the files it left behind.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector};
use tantivy::directory::error::LockError;
use tantivy::indexer::{LogMergePolicy, UserOperation};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::store::Compressor;
use tantivy::{
    Index, IndexSettings, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, TantivyError, Term,
};

use crate::analysis::{self, Lang};
use crate::corpus::{self, ReportFile};
use crate::error::{Error, Result};
use crate::language::Detector;
use crate::pipeline;
use crate::schema::{self, Fields, ReportRecord, REPORT_KIND, VOCABULARY_KIND};
use crate::segment;
use crate::vocabulary;

/// Memory for each indexing thread: the larger its segments, the fewer
/// merges a large corpus needs (each thread writes a segment whenever its
/// share is full).
const WRITER_MEMORY_PER_THREAD: usize = 256 * 1024 * 1024;
/// Indexing threads at most: more rarely help, and each takes its memory.
const MAX_WRITER_THREADS: usize = 4;
/// Bytes of documents compressed together in the document store.
const DOCSTORE_BLOCK_BYTES: usize = 64 * 1024;
/// Files a worker thread may prepare ahead of the writer: enough to keep
/// every thread busy, few enough that memory does not depend on the corpus.
const WINDOW_PER_THREAD: usize = 4;
/// Segments under this many documents count as one size when tantivy picks
/// segments to merge, so the small segments of incremental runs merge among
/// themselves. With tantivy's default (10,000), the third one-report run
/// after a `--rebuild` of 1,000 reports also merged the rebuild's two large
/// segments (28,000 documents), and waited over a second for it.
const MERGE_MIN_LAYER_DOCS: u32 = 1_000;
/// The file tantivy locks while a writer is open.
const WRITER_LOCK_FILE: &str = ".tantivy-writer.lock";
/// Files that may sit in an index folder that holds no index yet.
const HARMLESS_FILES: [&str; 2] = [".gitignore", "README.md"];

/// Options of an indexing run.
#[derive(Debug, Clone, Copy, Default)]
pub struct IndexOptions {
    /// Start from scratch: re-read every report.
    pub rebuild: bool,
}

/// Where an indexing run stands, passed to the callback of
/// [`run_with_progress`] after each file and at each change of stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What the run is doing.
    pub stage: Stage,
    /// Files done in this stage.
    pub files_done: usize,
    /// Files this stage has to go through.
    pub files_total: usize,
    /// Bytes of the files done in this stage.
    pub bytes_done: u64,
    /// Bytes of all the files of this stage (0 while reading: not known yet).
    pub bytes_total: u64,
}

/// The stages of an indexing run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading every file to see which are new or changed (fast).
    Reading,
    /// Segmenting and indexing the new and changed files (the long part).
    Indexing,
    /// Writing the index to disk and merging.
    Committing,
}

/// A report that could not be indexed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Skipped {
    /// The report's name.
    pub doc: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexSummary {
    /// New reports.
    pub added: usize,
    /// Reports whose content changed.
    pub updated: usize,
    /// Reports whose file was renamed, content unchanged.
    pub renamed: usize,
    /// Reports whose file is gone.
    pub removed: usize,
    /// Reports left as they were.
    pub unchanged: usize,
    /// Files that could not be read as reports.
    pub skipped: Vec<Skipped>,
    /// Segments written in this run.
    pub segments_written: usize,
    /// Reports in the index after the run.
    pub documents: usize,
    /// Segments in the index after the run.
    pub segments: usize,
    /// Wall time of the run.
    #[serde(serialize_with = "serialize_millis")]
    pub elapsed: Duration,
}

fn serialize_millis<S: serde::Serializer>(
    duration: &Duration,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_u128(duration.as_millis())
}

impl IndexSummary {
    /// Whether the run changed the index.
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.renamed + self.removed > 0
    }
}

/// Whether `dir` holds an index (of any kind).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// Opens an existing palabre index, registering our analyzers.
pub fn open(dir: &Path) -> Result<(Index, Fields)> {
    check_not_a_file(dir)?;
    if !exists(dir) {
        if dir.is_dir() && !is_empty_folder(dir)? {
            return Err(Error::ForeignIndex {
                path: dir.to_path_buf(),
                reason: "the folder holds other files and no index".into(),
            });
        }
        return Err(Error::NoIndex(dir.to_path_buf()));
    }
    let index = Index::open_in_dir(dir).map_err(|e| Error::ForeignIndex {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let fields = schema::fields_of(&index.schema()).ok_or_else(|| Error::ForeignIndex {
        path: dir.to_path_buf(),
        reason: "it was built with another schema; run `palabre index --rebuild`".into(),
    })?;
    analysis::register(index.tokenizers());
    Ok((index, fields))
}

/// Opens the index for writing, creating it in an empty or missing folder.
/// With `rebuild`, an index of an older palabre schema is replaced; any
/// other content of the folder is left alone and reported.
fn open_for_writing(dir: &Path, rebuild: bool) -> Result<(Index, Fields)> {
    check_not_a_file(dir)?;
    if exists(dir) {
        match open(dir) {
            Err(Error::ForeignIndex { .. }) if rebuild && was_built_by_palabre(dir) => {
                remove_index_files(dir)?;
            }
            other => return other,
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if !is_empty_folder(dir)? {
        return Err(Error::ForeignIndex {
            path: dir.to_path_buf(),
            reason: "the folder holds other files and no index; choose an empty folder".into(),
        });
    }
    let (schema, fields) = schema::build();
    let index = Index::builder()
        .schema(schema)
        .settings(settings())
        .create_in_dir(dir)?;
    analysis::register(index.tokenizers());
    Ok((index, fields))
}

/// How new indexes store documents: LZ4 on 64 KB blocks. The stored text
/// (for snippets and `show`) is about half of the index. zstd level 3 made
/// it a third smaller (1 GB benchmark corpus: 170 MB of store against 245,
/// the whole index 0.39 of the raw text against 0.47), but cost indexing a
/// tenth of its time (a compression context set up for every block) and
/// each search 0.1-0.3 ms (a decompression context per hit shown, each
/// asking the processor for its features, slow on virtual machines): LZ4
/// keeps the index under half the text with blocks of 64 KB (tantivy's
/// default, 16 KB, made a store of 44 MB for the 100 MB corpus, against 29
/// MB). Older indexes keep their own setting (it is in their meta.json),
/// so zstd stays compiled in to read them.
fn settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Lz4,
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    }
}

/// A file where the index folder should be would otherwise be taken for a
/// missing index, and creating the folder would fail with "File exists".
fn check_not_a_file(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::ForeignIndex {
            path: dir.to_path_buf(),
            reason: "it is a file, not a folder".into(),
        });
    }
    Ok(())
}

/// An index whose schema has our `kind` and `doc` fields: an older palabre's.
fn was_built_by_palabre(dir: &Path) -> bool {
    Index::open_in_dir(dir).is_ok_and(|index| {
        let schema = index.schema();
        schema.get_field(schema::name::KIND).is_ok() && schema.get_field(schema::name::DOC).is_ok()
    })
}

fn remove_index_files(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if HARMLESS_FILES.contains(&name.as_str()) || entry.path().is_dir() {
            continue;
        }
        std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
    }
    Ok(())
}

/// True when the folder holds nothing but hidden files and a README.
fn is_empty_folder(dir: &Path) -> Result<bool> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with('.') || HARMLESS_FILES.contains(&name.as_str())) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn writer(index: &Index, dir: &Path) -> Result<IndexWriter> {
    let threads = pipeline::threads().clamp(1, MAX_WRITER_THREADS);
    let writer = index
        .writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD)
        .map_err(|e| match e {
            TantivyError::LockFailure(LockError::LockBusy, _) => Error::Locked {
                path: dir.to_path_buf(),
                lock: dir.join(WRITER_LOCK_FILE),
            },
            other => Error::Tantivy(other),
        })?;
    let mut policy = LogMergePolicy::default();
    policy.set_min_layer_size(MERGE_MIN_LAYER_DOCS);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

/// The report records in the index, by report name.
pub fn read_records(searcher: &Searcher, fields: &Fields) -> Result<HashMap<String, ReportRecord>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.kind, REPORT_KIND),
        IndexRecordOption::Basic,
    );
    let mut records = HashMap::new();
    for address in searcher.search(&query, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc.get_first(fields.report).and_then(|v| v.as_str());
        if let Some(record) = json.and_then(|j| serde_json::from_str::<ReportRecord>(j).ok()) {
            records.insert(record.doc.clone(), record);
        }
    }
    Ok(records)
}

/// The numbers of reports and of segments in the index. Counted, not
/// read: every document is a report record, one of its segments or a
/// vocabulary document, so the segments are the rest.
pub fn counts(searcher: &Searcher, fields: &Fields) -> Result<(usize, usize)> {
    let count_kind = |kind: &str| {
        let query = TermQuery::new(
            Term::from_field_text(fields.kind, kind),
            IndexRecordOption::Basic,
        );
        searcher.search(&query, &Count)
    };
    let reports = count_kind(REPORT_KIND)?;
    let vocabularies = count_kind(VOCABULARY_KIND)?;
    let all = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    Ok((reports, all.saturating_sub(reports + vocabularies)))
}

/// Brings the index in `index_dir` up to date with the reports in `corpus_dir`.
pub fn run(corpus_dir: &Path, index_dir: &Path, options: IndexOptions) -> Result<IndexSummary> {
    run_with_progress(corpus_dir, index_dir, options, &mut |_| {})
}

/// [`run`], telling `progress` where it stands after each file.
pub fn run_with_progress(
    corpus_dir: &Path,
    index_dir: &Path,
    options: IndexOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<IndexSummary> {
    let started = Instant::now();
    let files = corpus::list_reports(corpus_dir)?;
    log::info!("{} report files in {}", files.len(), corpus_dir.display());
    let mut reading = Progress {
        stage: Stage::Reading,
        files_done: 0,
        files_total: files.len(),
        bytes_done: 0,
        bytes_total: 0,
    };
    progress(reading);
    let (index, fields) = open_for_writing(index_dir, options.rebuild)?;
    let mut writer = writer(&index, index_dir)?;
    // A one-off reader: the default policy would start a thread watching
    // meta.json for every run of a long-lived watcher.
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let mut old = if options.rebuild {
        writer.delete_all_documents()?;
        HashMap::new()
    } else {
        read_records(&reader.searcher(), &fields)?
    };

    let mut summary = IndexSummary::default();
    let threads = pipeline::threads();
    // First pass: which files are new or changed. Only files with a record
    // in the index are read (to hash them); the others are new whatever
    // their content, so a rebuild reads nothing here. No bytes are kept:
    // the second pass reads each file again when its turn comes, so memory
    // does not grow with the corpus.
    let mut pending: Vec<Pending> = Vec::new();
    let checked = |file: &ReportFile| check(file, old.get(&file.doc));
    pipeline::ordered_map(
        &files,
        threads,
        WINDOW_PER_THREAD * threads,
        checked,
        |i, checked| {
            let Some(file) = files.get(i) else {
                return Ok(());
            };
            reading.files_done += 1;
            match checked {
                Checked::Unreadable(error) => summary.skipped.push(skipped(file, &error)),
                Checked::Unchanged(bytes) => {
                    reading.bytes_done += bytes;
                    summary.unchanged += 1;
                }
                Checked::Changed(bytes) => {
                    reading.bytes_done += bytes;
                    pending.push(Pending {
                        file: file.clone(),
                        bytes,
                        was_indexed: old.contains_key(&file.doc),
                    });
                }
            }
            progress(reading);
            Ok::<(), Error>(())
        },
    )?;
    // Every file listed keeps its record for now: unchanged, replaced in
    // the second pass, or (unreadable now) left as it was indexed.
    for file in &files {
        old.remove(&file.doc);
    }
    // The old records left have no file any more: their reports go. A new
    // file with the same content as one of them is that report renamed.
    let mut gone_hashes: HashMap<String, usize> = HashMap::new();
    for record in old.values() {
        *gone_hashes.entry(record.hash.clone()).or_default() += 1;
        writer.delete_term(Term::from_field_text(fields.doc, &record.doc));
    }
    summary.removed = old.len();
    // The vocabulary documents naming a report that goes or changes go
    // too; the other reports of their batches get new ones.
    let leaving: HashSet<String> = old
        .keys()
        .cloned()
        .chain(
            pending
                .iter()
                .filter(|p| p.was_indexed)
                .map(|p| p.file.doc.clone()),
        )
        .collect();
    let before = reader.searcher();
    let batches_left = vocabulary::batches_left(&before, &fields, &leaving)?;
    for doc in &leaving {
        writer.delete_term(Term::from_field_text(fields.vocabulary_of, doc));
    }
    for members in batches_left {
        let mut batch = vocabulary::Batch::default();
        for member in &members {
            batch.add(
                member,
                &vocabulary::words_in_index(&before, &fields, member)?,
            );
        }
        if let Some(doc) = batch.take(&fields) {
            writer.add_document(doc)?;
        }
    }

    let indexed_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    log::info!(
        "{} reports to index, {} unchanged, {} removed",
        pending.len(),
        summary.unchanged,
        summary.removed
    );
    let mut indexing = Progress {
        stage: Stage::Indexing,
        files_done: 0,
        files_total: pending.len(),
        bytes_done: 0,
        bytes_total: pending.iter().map(|p| p.bytes).sum(),
    };
    progress(indexing);
    // Second pass: worker threads read, decode, segment, detect languages
    // and build the documents; this thread adds them to the writer in file
    // order, so the index is the same whatever the number of threads.
    // lingua loads its models on first use: a run with nothing to index
    // never pays for them.
    let detector = Detector::new();
    let prepare = |pending: &Pending| prepare(pending, &fields, &detector, indexed_at);
    let window = WINDOW_PER_THREAD * threads;
    let mut batch = vocabulary::Batch::default();
    pipeline::ordered_map(&pending, threads, window, prepare, |i, prepared| {
        let Some(Pending {
            file, was_indexed, ..
        }) = pending.get(i)
        else {
            return Ok(());
        };
        indexing.files_done += 1;
        let (record, documents): (Prepared, _) = match prepared {
            Ok(prepared) => prepared,
            Err(error) => {
                // An older, readable version stays in the index, and its
                // words in the vocabulary.
                if *was_indexed {
                    batch.add(
                        &file.doc,
                        &vocabulary::words_in_index(&before, &fields, &file.doc)?,
                    );
                }
                summary.skipped.push(skipped(file, &error));
                progress(indexing);
                return Ok(());
            }
        };
        indexing.bytes_done += record.bytes;
        // A report's operations go to the writer as one batch: one message
        // to its threads instead of one per segment, and its segments stay
        // together in one tantivy segment.
        let mut operations = Vec::with_capacity(documents.len() + 1);
        if *was_indexed {
            summary.updated += 1;
            operations.push(UserOperation::Delete(Term::from_field_text(
                fields.doc, &file.doc,
            )));
        } else if let Some(count) = gone_hashes.get_mut(&record.hash).filter(|c| **c > 0) {
            *count -= 1;
            summary.renamed += 1;
            summary.removed = summary.removed.saturating_sub(1);
        } else {
            summary.added += 1;
        }
        operations.extend(documents.into_iter().map(UserOperation::Add));
        writer.run(operations)?;
        batch.add(&file.doc, &record.words);
        if batch.is_full() {
            if let Some(doc) = batch.take(&fields) {
                writer.add_document(doc)?;
            }
        }
        summary.segments_written += record.segments;
        log::debug!("indexed {} ({} segments)", file.doc, record.segments);
        progress(indexing);
        Ok::<(), Error>(())
    })?;
    if let Some(doc) = batch.take(&fields) {
        writer.add_document(doc)?;
    }
    progress(Progress {
        stage: Stage::Committing,
        files_done: indexing.files_done,
        files_total: indexing.files_total,
        bytes_done: indexing.bytes_done,
        bytes_total: indexing.bytes_total,
    });

    if summary.changed() || options.rebuild {
        writer.commit()?;
    }
    // A commit collects garbage by itself, but a run with nothing to commit
    // must still delete the files that a killed run left behind (tantivy
    // lists every file it creates in .managed.json, so it knows them).
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    reader.reload()?;
    // Counted, not read: reading every report record back decompressed
    // the whole document store (a record sits in nearly every block), on
    // one thread, at the end of every run.
    (summary.documents, summary.segments) = counts(&reader.searcher(), &fields)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A file the second pass (re-)indexes.
struct Pending {
    file: ReportFile,
    /// Its size when the first pass saw it.
    bytes: u64,
    /// Whether an older version is in the index.
    was_indexed: bool,
}

/// What the first pass found out about a file.
enum Checked {
    /// It cannot be read now.
    Unreadable(Error),
    /// Same content as indexed; its size.
    Unchanged(u64),
    /// New or changed; its size.
    Changed(u64),
}

/// Whether `file` differs from its `record` in the index. A file without a
/// record is new: only its size is read.
fn check(file: &ReportFile, record: Option<&ReportRecord>) -> Checked {
    let Some(record) = record else {
        return match corpus::file_size(&file.path) {
            Ok(size) => Checked::Changed(size),
            Err(error) => Checked::Unreadable(error),
        };
    };
    match corpus::read_bytes(&file.path) {
        Ok(bytes) if hash(&bytes) == record.hash => Checked::Unchanged(bytes.len() as u64),
        Ok(bytes) => Checked::Changed(bytes.len() as u64),
        Err(error) => Checked::Unreadable(error),
    }
}

fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// What the writer's side needs to know of a report [`prepare`]d for it,
/// besides its documents.
struct Prepared {
    /// blake3 of the bytes indexed: a new file with the hash of a removed
    /// one is that report renamed.
    hash: String,
    /// Segments indexed.
    segments: usize,
    /// Bytes read.
    bytes: u64,
    /// Its words for the typo vocabulary (see [`vocabulary::report_words`]).
    words: String,
}

/// Reads, decodes and segments a pending file, detects its languages and
/// builds its documents: everything but the writer, on a worker thread.
/// The hash is that of the bytes read here, which are the ones indexed.
fn prepare(
    pending: &Pending,
    fields: &Fields,
    detector: &Detector,
    indexed_at: u64,
) -> Result<(Prepared, Vec<TantivyDocument>)> {
    let file = &pending.file;
    let bytes = corpus::read_bytes(&file.path)?;
    let text = corpus::decode(&file.path, &bytes)?;
    let report = segment::segment(&file.doc, &text);
    let (lang, segment_langs) = languages(detector, &report);
    let record = ReportRecord {
        doc: file.doc.clone(),
        doc_title: report.meta.title.clone(),
        date: report.meta.date.clone(),
        city: report.meta.city.clone(),
        lang,
        segments: report.segments.len(),
        indexed_at,
        hash: hash(&bytes),
    };
    let documents = schema::documents(fields, &report, &record, &segment_langs);
    let prepared = Prepared {
        words: vocabulary::report_words(&report),
        hash: record.hash,
        segments: record.segments,
        bytes: bytes.len() as u64,
    };
    Ok((prepared, documents))
}

/// The report's language, detected on a sample of its text, and each
/// segment's.
fn languages(detector: &Detector, report: &segment::Report) -> (Lang, Vec<Lang>) {
    let texts: Vec<&str> = report.segments.iter().map(|s| s.text.as_str()).collect();
    detector.detect_report(&texts)
}

fn skipped(file: &ReportFile, error: &Error) -> Skipped {
    let reason = match error {
        Error::BadReport { reason, .. } => reason.clone(),
        Error::Io { source, .. } => format!("cannot read it: {source}"),
        other => other.to_string(),
    };
    Skipped {
        doc: file.doc.clone(),
        reason,
    }
}
