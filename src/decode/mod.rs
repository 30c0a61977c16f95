//! Decoding report files into the text the segmenter reads, whatever their
//! format: plain text or Markdown, PDF, Word (`.docx`), OpenDocument
//! (`.odt`) and HTML.
//!
//! Every format comes out the same way, so the segmenter sees the same kind
//! of structure: one paragraph or list item per block, blocks separated by a
//! blank line, headings the document marks as such (Word heading styles,
//! `<h1>`–`<h3>`) written as Markdown `#` lines, list items as `- ` lines and
//! bold runs as `**…**` (the segmenter's key phrases). Where a format has no
//! marked headings (a PDF, a Word file typed without heading styles), the
//! segmenter recognises them from the paragraphs, as in a `.txt`.
//!
//! The result is normalised: NFC, `\n` line ends, no byte-order mark. A file
//! that cannot be read fails with [`Error::BadReport`] and a reason the
//! indexer shows when it skips the file.

mod docx;
mod html;
mod pdf;
mod pdf_layout;
mod text;

use std::path::Path;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::error::{Error, Result};

/// The formats palabre reads, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text or Markdown, in any of the encodings `text` detects.
    Text,
    /// PDF with a text layer.
    Pdf,
    /// Word 2007+ (Office Open XML).
    Docx,
    /// OpenDocument text (LibreOffice).
    Odt,
    /// HTML.
    Html,
}

impl Format {
    /// Every extension palabre reads, lower-case, with its format.
    pub const EXTENSIONS: [(&'static str, Format); 8] = [
        ("txt", Format::Text),
        ("md", Format::Text),
        ("markdown", Format::Text),
        ("pdf", Format::Pdf),
        ("docx", Format::Docx),
        ("odt", Format::Odt),
        ("html", Format::Html),
        ("htm", Format::Html),
    ];

    /// The format of a file extension (any case), if palabre reads it.
    pub fn from_extension(extension: &str) -> Option<Format> {
        let lower = extension.to_ascii_lowercase();
        Format::EXTENSIONS
            .iter()
            .find(|(ext, _)| *ext == lower)
            .map(|&(_, format)| format)
    }

    /// The format of a path, by its extension; plain text when it has none
    /// palabre knows (`palabre inspect notes` still works on a text file).
    pub fn of_path(path: &Path) -> Format {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
            .unwrap_or(Format::Text)
    }
}

/// Decodes a report's bytes to normalised text, or says why it cannot.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String> {
    let bad = |reason: String| Error::BadReport {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(bad("empty file".into()));
    }
    let text = match Format::of_path(path) {
        Format::Text => text::decode(bytes),
        Format::Pdf => pdf::decode(bytes),
        Format::Docx => docx::decode_docx(bytes),
        Format::Odt => docx::decode_odt(bytes),
        Format::Html => html::decode(bytes),
    }
    .map_err(bad)?;
    let text = normalise(text);
    if text.chars().all(char::is_whitespace) {
        return Err(bad("no text in the file".into()));
    }
    Ok(text)
}

/// The first byte of U+0300 in UTF-8, and of every character after it:
/// continuation bytes are below it, as are the first bytes of U+0080 to
/// U+02FF.
const FIRST_BYTE_FROM_U0300: u8 = 0xCC;

/// NFC (so a decomposed `é` is one letter for the tokenizer), `\n` line
/// ends, form feeds (page breaks) as blank lines, no byte-order mark.
pub fn normalise(text: String) -> String {
    // The control characters are ASCII bytes, found by memchr; U+FEFF is
    // looked for by `contains` (memchr too).
    let unified =
        if memchr::memchr2(b'\r', 0x0C, text.as_bytes()).is_some() || text.contains('\u{feff}') {
            text.replace("\r\n", "\n")
                .replace(['\r', '\u{c}'], "\n")
                .replace('\u{feff}', "")
        } else {
            text
        };
    // Most text is NFC already: the quick check spares composing it again.
    // Characters below U+0300 (ASCII, Latin-1, the accented letters of our
    // languages) are NFC and never reorder combining marks (class 0), so
    // the check reads the others only, found by their first byte (0xCC or
    // above) without decoding the rest; leaving characters out can turn a
    // Yes into a Maybe or a No, never the reverse.
    let bytes = unified.as_bytes();
    let beyond_latin = bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b >= FIRST_BYTE_FROM_U0300)
        .filter_map(|(i, _)| unified.get(i..).and_then(|rest| rest.chars().next()));
    if is_nfc_quick(beyond_latin) == IsNormalized::Yes {
        return unified;
    }
    unified.nfc().collect()
}

/// Writes the text the segmenter reads from a document's paragraphs: one
/// block per paragraph, a blank line between blocks, so that no two
/// paragraphs are read as the hard-wrapped lines of one.
#[derive(Debug, Default)]
struct Blocks {
    out: String,
}

impl Blocks {
    /// A heading of `level` (1 for the top), as a Markdown `#` line.
    fn heading(&mut self, level: usize, text: &str) {
        let hashes = "#".repeat(level.clamp(1, 6));
        self.push(&format!("{hashes} "), text);
    }

    /// A list item, as a `- ` line.
    fn list_item(&mut self, text: &str) {
        self.push("- ", text);
    }

    /// A paragraph of body text.
    fn paragraph(&mut self, text: &str) {
        self.push("", text);
    }

    /// Text whose lines are kept as they are: a preformatted block, read by
    /// the segmenter as a `.txt` would be.
    fn raw(&mut self, text: &str) {
        let text = text.trim_matches(|c: char| c == '\n' || c == '\r');
        if text.trim().is_empty() {
            return;
        }
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
        self.out.push_str(text);
    }

    fn push(&mut self, prefix: &str, text: &str) {
        let text = collapse_whitespace(text);
        if text.is_empty() {
            return;
        }
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
        self.out.push_str(prefix);
        self.out.push_str(&text);
    }

    fn finish(self) -> String {
        self.out
    }
}

/// One space between words; line breaks inside a paragraph become spaces.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Inline text with its bold spans, built run by run, written with `**`
/// around bold spans so the segmenter reads them as key phrases.
#[derive(Debug, Default)]
struct Inline {
    text: String,
    bold_open: bool,
}

impl Inline {
    /// Appends a run of text, bold or not.
    fn push(&mut self, run: &str, bold: bool) {
        if run.is_empty() {
            return;
        }
        if bold && !self.bold_open && !run.trim().is_empty() {
            // Spaces before a bold word stay outside the markers: `a **b**`.
            let trimmed = run.trim_start();
            self.text.push_str(&run[..run.len() - trimmed.len()]);
            self.text.push_str("**");
            self.text.push_str(trimmed);
            self.bold_open = true;
            return;
        }
        if !bold && self.bold_open {
            self.close_bold();
        }
        self.text.push_str(run);
    }

    fn close_bold(&mut self) {
        if self.bold_open {
            // `**b **` would not read as bold: close before trailing spaces.
            let trimmed_len = self.text.trim_end().len();
            let trailing = self.text.split_off(trimmed_len);
            self.text.push_str("**");
            self.text.push_str(&trailing);
            self.bold_open = false;
        }
    }

    /// The text, bold spans closed; empties the buffer.
    fn take(&mut self) -> String {
        self.close_bold();
        std::mem::take(&mut self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_below_u0300_need_no_nfc_check() {
        use unicode_normalization::char::canonical_combining_class;
        for c in '\0'..'\u{300}' {
            assert_eq!(canonical_combining_class(c), 0, "U+{:04X}", u32::from(c));
            assert_eq!(
                is_nfc_quick([c].into_iter()),
                IsNormalized::Yes,
                "U+{:04X}",
                u32::from(c)
            );
            assert!(c.to_string().as_bytes()[0] < FIRST_BYTE_FROM_U0300);
        }
        assert_eq!("\u{300}".as_bytes()[0], FIRST_BYTE_FROM_U0300);
        // Decomposed accents, after plain and accented letters, are composed.
        let decomposed = "Me\u{301}dine, Mekne\u{300}s, « ça » – l’État";
        assert_eq!(
            normalise(decomposed.to_string()),
            "Médine, Meknès, « ça » – l’État"
        );
    }

    #[test]
    fn extensions_map_to_formats() {
        assert_eq!(Format::of_path(Path::new("a/R.PDF")), Format::Pdf);
        assert_eq!(Format::of_path(Path::new("r.docx")), Format::Docx);
        assert_eq!(Format::of_path(Path::new("r.odt")), Format::Odt);
        assert_eq!(Format::of_path(Path::new("r.htm")), Format::Html);
        assert_eq!(Format::of_path(Path::new("r.md")), Format::Text);
        assert_eq!(Format::of_path(Path::new("notes")), Format::Text);
        assert_eq!(Format::from_extension("odp"), None);
    }

    #[test]
    fn blocks_are_separated_by_blank_lines() {
        let mut blocks = Blocks::default();
        blocks.heading(2, "Cadre  juridique");
        blocks.paragraph("Le cadre\nnational.");
        blocks.paragraph("   ");
        blocks.list_item("un point");
        blocks.heading(9, "Profond");
        assert_eq!(
            blocks.finish(),
            "## Cadre juridique\n\nLe cadre national.\n\n- un point\n\n###### Profond"
        );
    }

    #[test]
    fn bold_runs_become_markdown_bold() {
        let mut inline = Inline::default();
        inline.push("Le ", false);
        inline.push(" cadre ", true);
        inline.push("juridique ", true);
        inline.push("est clair.", false);
        assert_eq!(inline.take(), "Le  **cadre juridique** est clair.");
        inline.push("Tout en gras ", true);
        assert_eq!(inline.take(), "**Tout en gras** ");
        inline.push("  ", true);
        inline.push("x", false);
        assert_eq!(inline.take(), "  x");
    }

    #[test]
    fn empty_and_textless_files_are_refused_with_a_reason() {
        let err = decode(Path::new("x.txt"), b"  \n").unwrap_err();
        assert_eq!(err.to_string(), "x.txt: empty file");
        let err = decode(
            Path::new("x.html"),
            b"<html><body><script>x()</script></body></html>",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "x.html: no text in the file");
    }
}
