//! The library's error type. Each variant names the file, field or query
//! position involved, so the message alone tells the user what to fix.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The corpus folder does not exist or is not a folder.
    #[error("corpus folder {0} not found (set --corpus or PALABRE_CORPUS)")]
    MissingCorpus(PathBuf),
    /// A report could not be turned into text.
    #[error("{path}: {reason}")]
    BadReport {
        /// The report file.
        path: PathBuf,
        /// Why it was skipped.
        reason: String,
    },
    /// The index folder holds something that is not a palabre index.
    #[error("{path} is not a palabre index: {reason}")]
    ForeignIndex {
        /// The index folder.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// No index has been built in this folder yet.
    #[error("no index in {0}: run `palabre index` first")]
    NoIndex(PathBuf),
    /// Another process holds the index's writer lock.
    #[error("another palabre process (`index`, `watch` or `serve --watch`) is writing to {path} (it holds the lock {lock}); try again when it has finished")]
    Locked {
        /// The index folder.
        path: PathBuf,
        /// The lock file held by the other process.
        lock: PathBuf,
    },
    /// The corpus cannot be watched for changes.
    #[error("cannot watch {path}: {reason}")]
    Watch {
        /// The corpus folder.
        path: PathBuf,
        /// What the file watcher said.
        reason: String,
    },
    /// The query cannot be understood.
    #[error("invalid query: {message} (at character {position})")]
    Query {
        /// What is wrong.
        message: String,
        /// Character position in the query, from 1.
        position: usize,
    },
    /// A search parameter is out of range or unknown.
    #[error("invalid {name}: {message}")]
    Parameter {
        /// The parameter's name (`limit`, `kind` …).
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A glossary file cannot be read as one.
    #[error("glossary {name}: {reason}")]
    Glossary {
        /// The file.
        name: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// No segment has this id.
    #[error("no segment with id {0}")]
    UnknownSegment(String),
    /// tantivy failed.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the error comes from what the user asked (query or
    /// parameters) rather than from the index or the system.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Query { .. } | Error::Parameter { .. } | Error::UnknownSegment(_)
        )
    }
}
