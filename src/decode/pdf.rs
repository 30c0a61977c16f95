//! PDF: the text layer, read with `pdf-extract` (over `lopdf`), as
//! positioned characters gathered into lines; [`super::pdf_layout`] then
//! rebuilds paragraphs from the lines' positions.
//!
//! A PDF has no paragraphs, only glyphs drawn at positions. pdf-extract
//! decodes the fonts and encodings and reports each character with its
//! transformation matrix; this module keeps, for every line, its position,
//! its extent and its font size, which is what the layout rules need.
//!
//! Files that cannot be read say why: a password-protected PDF, a damaged
//! one, or a scan without a text layer (which needs OCR first).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};

use super::pdf_layout::{self, Line, Page};

/// Fewer letters than this in the whole file: there is no text layer.
const MIN_LETTERS: usize = 16;
/// The PDF parsing crates, as their names appear in the source paths of
/// their panics (`…/pdf-extract-0.12.1/src/lib.rs`).
const PARSER_CRATES: [&str; 7] = [
    "pdf-extract-",
    "lopdf-",
    "adobe-cmap-parser-",
    "cff-parser-",
    "type1-encoding-parser-",
    "postscript-",
    "euclid-",
];

/// Decodes PDF bytes to paragraphs of text.
pub(super) fn decode(bytes: &[u8]) -> Result<String, String> {
    let pages = extract(bytes)?;
    let letters: usize = pages
        .iter()
        .flat_map(|p| &p.lines)
        .map(|l| l.text.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    if letters < MIN_LETTERS {
        return Err("no text layer (a scanned PDF? run OCR on it first)".into());
    }
    Ok(pdf_layout::text(&pages))
}

/// The lines of every page. pdf-extract indexes into PDF structures it has
/// not checked and may panic on a damaged file; a panic there is a damaged
/// file, not a bug of ours, so it is caught here (and only here). This
/// relies on `panic = "unwind"`, the default: do not set `abort` in a
/// profile that indexes.
fn extract(bytes: &[u8]) -> Result<Vec<Page>, String> {
    quiet_parser_panics();
    catch_unwind(AssertUnwindSafe(|| extract_unchecked(bytes)))
        .unwrap_or_else(|_| Err("damaged PDF: its text could not be read".into()))
}

/// A panic inside the PDF parser is reported as "damaged PDF", once, on
/// one line: the panic hook stays silent for panics raised in the parsing
/// crates and passes every other panic to the hook that was there before.
fn quiet_parser_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parser = info
                .location()
                .is_some_and(|l| PARSER_CRATES.iter().any(|c| l.file().contains(c)));
            if !in_parser {
                previous(info);
            }
        }));
    });
}

fn extract_unchecked(bytes: &[u8]) -> Result<Vec<Page>, String> {
    let mut document = Document::load_mem(bytes).map_err(|e| match e {
        pdf_extract::Error::Decryption(_) => encrypted(),
        other => format!("damaged PDF: {other}"),
    })?;
    if document.is_encrypted() {
        // Many PDFs are encrypted with an empty password only to set
        // permissions; those open. A real password cannot be guessed.
        document.decrypt("").map_err(|_| encrypted())?;
    }
    let mut collector = Collector::default();
    pdf_extract::output_doc(&document, &mut collector).map_err(|e| match e {
        OutputError::PdfError(pdf_extract::Error::Decryption(_)) => encrypted(),
        other => format!("damaged PDF: {other}"),
    })?;
    Ok(collector.pages)
}

fn encrypted() -> String {
    "encrypted PDF: a password is needed to open it".into()
}

/// Receives pdf-extract's characters and gathers them into lines.
#[derive(Default)]
struct Collector {
    pages: Vec<Page>,
    lines: Vec<Line>,
    /// Top of the page, in PDF units (y grows upwards in a PDF).
    top: f64,
    height: f64,
    /// The next character starts a new text-showing operation.
    word_start: bool,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.top = media_box.ury;
        self.height = (media_box.ury - media_box.lly).abs();
        self.lines.clear();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.pages.push(Page {
            height: self.height,
            lines: std::mem::take(&mut self.lines),
        });
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The glyph's size on the page: the font size through the text
        // matrix, as pdf-extract's own text output computes it.
        let (sx, sy) = (
            font_size * (trm.m11 + trm.m21),
            font_size * (trm.m12 + trm.m22),
        );
        let size = (sx * sy).abs().sqrt();
        let rotated = trm.m12.abs() > 0.1 * trm.m11.abs() || trm.m11 <= 0.0;
        if rotated || size <= 0.0 || !size.is_finite() {
            // Vertical or diagonal text (margins notes, watermarks) is not
            // part of the reading flow.
            return Ok(());
        }
        let x = trm.m31;
        let y = self.top - trm.m32;
        let end = x + width * size;
        let word_start = std::mem::take(&mut self.word_start);
        match self.lines.last_mut() {
            Some(line) if line.continues_with(x, y, size) => {
                let gap = x - line.x1;
                let spaced = line.text.ends_with(' ') || text.starts_with(' ');
                if !spaced && ((word_start && gap > 0.1 * size) || gap > 0.3 * size) {
                    line.text.push(' ');
                }
                line.text.push_str(text);
                line.x1 = line.x1.max(end);
                line.size = line.size.max(size);
            }
            _ => self.lines.push(Line {
                y,
                x0: x,
                x1: end,
                size,
                text: text.to_string(),
            }),
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.word_start = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
