//! The corpus: finding report files in a folder and reading them as
//! normalised text (UTF-8, NFC, `\n` line ends).
//!
//! Reports arrive as text in any common encoding, PDF, Word, OpenDocument or
//! HTML. Decoding happens once, through [`decode`] (one module per format in
//! [`crate::decode`]), so the segmenter and the analyzers only ever see
//! clean Unicode with the same kind of structure.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// File extensions read as reports (lower-case; matched in any case).
pub const REPORT_EXTENSIONS: [&str; 8] =
    ["txt", "md", "markdown", "pdf", "docx", "odt", "html", "htm"];

/// A report file found in the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// Path relative to the corpus folder, with `/` separators: the report's name.
    pub doc: String,
    /// Full path.
    pub path: PathBuf,
}

/// Lists the report files under `corpus`, recursively, sorted by name.
/// Hidden files and folders, editors' lock, swap and temporary files are
/// left out, as are extensions palabre does not read.
pub fn list_reports(corpus: &Path) -> Result<Vec<ReportFile>> {
    if !corpus.is_dir() {
        return Err(Error::MissingCorpus(corpus.to_path_buf()));
    }
    let mut found = Vec::new();
    let mut pending = vec![corpus.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if is_ignored_name(&name) {
                continue;
            }
            let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if file_type.is_dir() {
                pending.push(path);
            } else if is_report_path(&path) {
                let doc = doc_name(corpus, &path);
                found.push(ReportFile { doc, path });
            }
        }
    }
    found.sort_by(|a, b| a.doc.cmp(&b.doc));
    Ok(found)
}

/// Whether a path has a report extension and is not a hidden or temporary file.
pub fn is_report_path(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy());
    let Some(name) = name else { return false };
    if is_ignored_name(&name) {
        return false;
    }
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|ext| REPORT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Hidden files (`.~lock.x.txt#`, `.x.swp`), backups (`x.txt~`), partial
/// downloads and temporary files (`*.part`, `*.tmp`, `*.crdownload`).
pub fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with('~')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with('#')
        || [
            ".part",
            ".tmp",
            ".temp",
            ".crdownload",
            ".swp",
            ".swx",
            ".bak",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The report's name: its path relative to the corpus, `/`-separated.
pub fn doc_name(corpus: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(corpus).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a file's bytes. Only regular files (or links to them) are read:
/// reading a named pipe called `x.txt` would block the indexer for ever.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    file_size(path)?;
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The size of a report file, refused as [`read_bytes`] would refuse it
/// when it is not a regular file.
pub fn file_size(path: &Path) -> Result<u64> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !metadata.is_file() {
        return Err(Error::BadReport {
            path: path.to_path_buf(),
            reason: "not a regular file".into(),
        });
    }
    Ok(metadata.len())
}

pub use crate::decode::normalise;

/// Decodes a report's bytes to normalised text, whatever its format, or
/// says why it cannot (see [`crate::decode`]).
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String> {
    crate::decode::decode(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_no_known_encoding_are_refused_with_a_reason() {
        // Not UTF-8 (0xc3 starts a sequence that 0x28 does not continue),
        // and mostly C1 control characters once read as Windows-1252.
        let bytes = b"\x81\x8d\x8f\x90\x9d\xc3\x28 r\x81\x8d\x8f\x90\x9d";
        let err = decode(Path::new("x.txt"), bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.txt: neither UTF-8 nor Windows-1252 text"
        );
        let err = decode(Path::new("x.txt"), b"\xff\xfe\x00\xd8").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.txt: invalid text after its byte-order mark"
        );
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_bytes(dir.path()).unwrap_err();
        assert!(err.to_string().ends_with(": not a regular file"), "{err}");
    }

    #[test]
    fn temporary_and_hidden_files_are_not_reports() {
        for name in [
            ".~lock.r.txt#",
            ".r.txt.swp",
            "r.txt~",
            "r.txt.part",
            "r.tmp",
            "r.pdf.crdownload",
        ] {
            assert!(!is_report_path(Path::new(name)), "{name}");
        }
        assert!(is_report_path(Path::new("dir/r.TXT")));
        assert!(is_report_path(Path::new("r.md")));
        for name in ["r.pdf", "r.DOCX", "r.odt", "r.html", "r.htm"] {
            assert!(is_report_path(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn every_report_extension_has_a_decoder() {
        for ext in REPORT_EXTENSIONS {
            assert!(
                crate::decode::Format::from_extension(ext).is_some(),
                "{ext}"
            );
        }
        assert_eq!(
            crate::decode::Format::EXTENSIONS.len(),
            REPORT_EXTENSIONS.len()
        );
    }

    #[test]
    fn listing_is_recursive_sorted_and_relative() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("2020")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "x").unwrap();
        std::fs::write(dir.path().join("2020/a.md"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden.txt"), "x").unwrap();
        std::fs::write(dir.path().join("notes.odp"), "x").unwrap();
        let docs: Vec<String> = list_reports(dir.path())
            .unwrap()
            .into_iter()
            .map(|r| r.doc)
            .collect();
        assert_eq!(docs, ["2020/a.md", "b.txt"]);
    }

    #[test]
    fn a_missing_corpus_is_named() {
        let err = list_reports(Path::new("/nonexistent/corpus")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/corpus"));
    }
}
