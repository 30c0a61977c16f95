//! The corpus: finding report files in a folder and reading them as
//! normalised text (UTF-8, NFC, `\n` line ends).
//!
//! Text files arrive in whatever encoding the author's computer used: UTF-8
//! with or without a byte-order mark, UTF-16 with a mark, or Windows-1252
//! from older Windows editors. Decoding happens here, once, so the segmenter
//! and the analyzers only ever see clean Unicode.

use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// File extensions read as reports.
pub const REPORT_EXTENSIONS: [&str; 3] = ["txt", "md", "markdown"];

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
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !metadata.is_file() {
        return Err(Error::BadReport {
            path: path.to_path_buf(),
            reason: "not a regular file".into(),
        });
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Decodes a report's bytes to normalised text, or says why it cannot.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String> {
    let bad = |reason: &str| Error::BadReport {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(bad("empty file"));
    }
    let text = decode_bytes(bytes).map_err(bad)?;
    Ok(normalise(&text))
}

/// The text, or why the bytes are not text palabre can read.
fn decode_bytes(bytes: &[u8]) -> std::result::Result<String, &'static str> {
    // A byte-order mark says it all: UTF-8, UTF-16LE or UTF-16BE.
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        return if had_errors {
            Err("invalid text after its byte-order mark")
        } else {
            Ok(text.into_owned())
        };
    }
    // NUL bytes do not occur in text in any 8-bit encoding.
    if bytes.contains(&0) {
        return Err("binary file, not text");
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    // Not UTF-8: Windows-1252, the superset of Latin-1 that Windows editors write.
    let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(bytes);
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if had_errors || controls * 100 > text.chars().count() {
        return Err("neither UTF-8 nor Windows-1252 text");
    }
    Ok(text.into_owned())
}

/// NFC (so a decomposed `é` is one letter for the tokenizer), `\n` line
/// ends, form feeds (page breaks) as blank lines, no byte-order mark.
pub fn normalise(text: &str) -> String {
    let unified = text
        .replace("\r\n", "\n")
        .replace(['\r', '\u{c}'], "\n")
        .replace('\u{feff}', "");
    unified.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_ok(bytes: &[u8]) -> String {
        decode(Path::new("t.txt"), bytes).unwrap()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode_ok("réfugiés".as_bytes()), "réfugiés");
        assert_eq!(decode_ok(b"\xef\xbb\xbfr\xc3\xa9fugi\xc3\xa9s"), "réfugiés");
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for unit in "Meknès".encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(decode_ok(&le), "Meknès");
        assert_eq!(decode_ok(&be), "Meknès");
    }

    #[test]
    fn windows_1252_is_detected() {
        // "Málaga – réfugiés" in Windows-1252, with its en dash at 0x96.
        let bytes = b"M\xe1laga \x96 r\xe9fugi\xe9s";
        assert_eq!(decode_ok(bytes), "Málaga – réfugiés");
    }

    #[test]
    fn crlf_and_decomposed_accents_are_normalised() {
        assert_eq!(decode_ok(b"a\r\nb\rc"), "a\nb\nc");
        assert_eq!(decode_ok("re\u{301}fugie\u{301}".as_bytes()), "réfugié");
    }

    #[test]
    fn empty_and_binary_files_are_refused_with_a_reason() {
        let err = decode(Path::new("x.txt"), b"  \n").unwrap_err();
        assert_eq!(err.to_string(), "x.txt: empty file");
        let err = decode(Path::new("x.txt"), b"\x7fELF\x02\x01\x00\x00").unwrap_err();
        assert_eq!(err.to_string(), "x.txt: binary file, not text");
    }

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
