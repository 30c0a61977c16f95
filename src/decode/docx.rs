//! Word (`.docx`) and OpenDocument (`.odt`) files: zip archives of XML,
//! read with `zip` and the `quick-xml` pull parser.
//!
//! Both formats are a flow of paragraphs, each with a style; this module
//! reads the paragraphs in order and writes headings for heading styles,
//! `- ` lines for list items and `**…**` for bold runs. Page headers and
//! footers, footnotes, comments, text boxes, tracked deletions and tables of
//! contents live elsewhere in the archive or are skipped: they are not the
//! report's text.
//!
//! A heading style is recognised by its outline level (Word's `outlineLvl`,
//! OpenDocument's `default-outline-level`), which does not depend on the
//! language of the application that wrote the file, or else by its id or
//! name: `Heading 1` (English Word, LibreOffice), `Titre 1` (French),
//! `Título 1` (Spanish). French Word stores `Titre1` as the style id and
//! `heading 1` as its name; both are read.
//!
//! Full object-model crates (`docx-rs`) were considered and left aside:
//! their issue trackers report hangs on zips that are not Word files, and
//! parse failures and panics on files LibreOffice writes, where a tolerant
//! pull parser only needs the few elements that carry text.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use super::{Blocks, Inline};

/// Largest XML part read from an archive: a guard against zip bombs.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// Deepest `basedOn` chain followed when looking for a heading style.
const MAX_STYLE_DEPTH: usize = 16;

/// Decodes a `.docx` file.
pub(super) fn decode_docx(bytes: &[u8]) -> Result<String, String> {
    let mut archive = open(bytes, "Word document")?;
    let document = read_part(&mut archive, "word/document.xml")?
        .ok_or("not a Word document (no word/document.xml in the archive)")?;
    let styles = match read_part(&mut archive, "word/styles.xml")? {
        Some(xml) => docx_styles(&xml).map_err(|e| damaged("word/styles.xml", &e))?,
        None => HashMap::new(),
    };
    docx_body(&document, &styles).map_err(|e| damaged("word/document.xml", &e))
}

/// Decodes an `.odt` file.
pub(super) fn decode_odt(bytes: &[u8]) -> Result<String, String> {
    let mut archive = open(bytes, "OpenDocument file")?;
    let content = read_part(&mut archive, "content.xml")?
        .ok_or("not an OpenDocument file (no content.xml in the archive)")?;
    let mut styles = OdtStyles::default();
    if let Some(xml) = read_part(&mut archive, "styles.xml")? {
        styles.read(&xml).map_err(|e| damaged("styles.xml", &e))?;
    }
    styles
        .read(&content)
        .map_err(|e| damaged("content.xml", &e))?;
    odt_body(&content, &styles).map_err(|e| damaged("content.xml", &e))
}

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn open<'a>(bytes: &'a [u8], what: &str) -> Result<Archive<'a>, String> {
    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        format!("not a {what}: not a zip archive (damaged, password-protected, or an older format)")
    })
}

/// An XML part of the archive, or `None` when there is no such part.
fn read_part(archive: &mut Archive<'_>, name: &str) -> Result<Option<String>, String> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("damaged archive: {name}: {e}")),
    };
    let mut xml = String::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_string(&mut xml)
        .map_err(|e| format!("damaged archive: {name}: {e}"))?;
    if xml.len() as u64 > MAX_PART_BYTES {
        return Err(format!(
            "{name} is larger than {} MiB",
            MAX_PART_BYTES / 1024 / 1024
        ));
    }
    Ok(Some(xml))
}

fn damaged(part: &str, error: &str) -> String {
    format!("damaged document: {part}: {error}")
}

/// An attribute's value, by local name (`w:val` → `val`), unescaped.
fn attr(element: &BytesStart<'_>, local: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The text of `&amp;`, `&#233;` and the like.
fn entity(reference: &BytesRef<'_>) -> String {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return c.to_string();
    }
    quick_xml::escape::resolve_predefined_entity(reference.as_ref())
        .unwrap_or_default()
        .to_string()
}

fn local(element: &BytesStart<'_>) -> String {
    element.local_name().as_ref().to_string()
}

/// Heading level of a style named or identified `name`: `Heading 2`,
/// `heading2`, `Titre 1`, `Título 3`, `Heading_20_1` (OpenDocument's
/// escaped space); `Title` and `Titre` alone are level 1.
fn heading_level_of_name(name: &str) -> Option<usize> {
    let compact: String = name
        .replace("_20_", " ")
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if compact == "title" || compact == "titre" || compact == "título" || compact == "titulo" {
        return Some(1);
    }
    for prefix in ["heading", "titre", "título", "titulo", "überschrift"] {
        if let Some(rest) = compact.strip_prefix(prefix) {
            if let Ok(level) = rest.parse::<usize>() {
                return (1..=9).contains(&level).then_some(level);
            }
        }
    }
    None
}

/// Whether a style name says list (`List Paragraph`, `List Bullet`,
/// `Paragraphe de liste`, `Lista`).
fn is_list_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    ["list", "liste", "lista"].iter().any(|w| {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|part| part == *w)
    })
}

/// Whether a style is a table of contents entry (`toc 1`, `Contents 1`).
fn is_toc_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.starts_with("toc") || lower.starts_with("contents")
}

/// What a Word paragraph style says.
#[derive(Debug, Default, Clone)]
struct DocxStyle {
    name: String,
    based_on: Option<String>,
    outline: Option<usize>,
    numbered: bool,
}

fn docx_styles(xml: &str) -> Result<HashMap<String, DocxStyle>, String> {
    let mut styles = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<(String, DocxStyle)> = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                "style" => {
                    let id = attr(&e, "styleId").unwrap_or_default();
                    current = Some((id, DocxStyle::default()));
                }
                "name" => {
                    if let Some((_, style)) = current.as_mut() {
                        style.name = attr(&e, "val").unwrap_or_default();
                    }
                }
                "basedOn" => {
                    if let Some((_, style)) = current.as_mut() {
                        style.based_on = attr(&e, "val");
                    }
                }
                "outlineLvl" => {
                    if let Some((_, style)) = current.as_mut() {
                        style.outline = outline_level(attr(&e, "val"));
                    }
                }
                "numPr" => {
                    if let Some((_, style)) = current.as_mut() {
                        style.numbered = true;
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "style" => {
                if let Some((id, style)) = current.take() {
                    styles.insert(id, style);
                }
            }
            _ => {}
        }
    }
    Ok(styles)
}

/// Word's outline levels count from 0; 9 means body text.
fn outline_level(value: Option<String>) -> Option<usize> {
    let level: usize = value?.trim().parse().ok()?;
    (level < 9).then_some(level + 1)
}

/// The heading level a Word style gives, following `basedOn`.
fn docx_style_heading(styles: &HashMap<String, DocxStyle>, id: &str) -> Option<usize> {
    let mut id = id.to_string();
    for _ in 0..MAX_STYLE_DEPTH {
        let Some(style) = styles.get(&id) else {
            return heading_level_of_name(&id);
        };
        if let Some(level) = style
            .outline
            .or_else(|| heading_level_of_name(&style.name))
            .or_else(|| heading_level_of_name(&id))
        {
            return Some(level);
        }
        id = style.based_on.clone()?;
    }
    None
}

/// A paragraph being read, and what it will be written as.
#[derive(Debug, Default)]
struct Paragraph {
    inline: Inline,
    heading: Option<usize>,
    list_item: bool,
    skip: bool,
}

impl Paragraph {
    fn write(mut self, blocks: &mut Blocks) {
        if self.skip {
            return;
        }
        let text = self.inline.take();
        match (self.heading, self.list_item) {
            (Some(level), _) => blocks.heading(level, &text),
            (None, true) => blocks.list_item(&text),
            (None, false) => blocks.paragraph(&text),
        }
    }
}

/// Elements of `word/document.xml` whose content is not the report's text:
/// text boxes (`txbxContent`), the fallback copy of drawings, deleted text.
const DOCX_SKIPPED: [&str; 4] = ["txbxContent", "Fallback", "del", "instrText"];

fn docx_body(xml: &str, styles: &HashMap<String, DocxStyle>) -> Result<String, String> {
    let mut blocks = Blocks::default();
    let mut stream = Stream::new(xml, &DOCX_SKIPPED);
    let mut paragraph: Option<Paragraph> = None;
    let mut in_paragraph_properties = false;
    let mut in_run_properties = false;
    let mut in_text = false;
    let mut bold = false;
    while let Some(item) = stream.next()? {
        let (element, is_start) = match item {
            Item::Open(element, is_start) => (element, is_start),
            Item::Text(text) => {
                if let (true, Some(p)) = (in_text, paragraph.as_mut()) {
                    p.inline.push(&text, bold);
                }
                continue;
            }
            Item::Close(name) => {
                match name.as_str() {
                    "p" => {
                        if let Some(p) = paragraph.take() {
                            p.write(&mut blocks);
                        }
                    }
                    "pPr" => in_paragraph_properties = false,
                    "rPr" => in_run_properties = false,
                    "t" => in_text = false,
                    _ => {}
                }
                continue;
            }
        };
        let name = local(&element);
        match name.as_str() {
            "p" if is_start => paragraph = Some(Paragraph::default()),
            "pPr" => in_paragraph_properties = is_start,
            "rPr" => in_run_properties = is_start,
            "r" => bold = false,
            "t" => in_text = is_start,
            _ => {}
        }
        let Some(p) = paragraph.as_mut() else {
            continue;
        };
        match name.as_str() {
            "pStyle" if in_paragraph_properties => {
                let id = attr(&element, "val").unwrap_or_default();
                let style = styles.get(&id);
                let style_name = style.map_or(id.as_str(), |s| s.name.as_str());
                p.heading = p.heading.or_else(|| docx_style_heading(styles, &id));
                p.list_item |= style.is_some_and(|s| s.numbered) || is_list_name(style_name);
                p.skip = is_toc_name(style_name) || is_toc_name(&id);
            }
            "outlineLvl" if in_paragraph_properties && !in_run_properties => {
                p.heading = outline_level(attr(&element, "val")).or(p.heading);
            }
            "numPr" if in_paragraph_properties => p.list_item = true,
            "b" if in_run_properties && !in_paragraph_properties => {
                bold = !matches!(
                    attr(&element, "val").as_deref(),
                    Some("0" | "false" | "off")
                );
            }
            "tab" if !in_paragraph_properties => p.inline.push(" ", bold),
            "br" | "cr" => p.inline.push("\n", bold),
            "noBreakHyphen" => p.inline.push("-", bold),
            _ => {}
        }
    }
    Ok(blocks.finish())
}

/// What the body readers need from the XML: elements opened (with whether
/// they have content, i.e. a closing tag will follow) and closed, and text
/// with its entities resolved.
enum Item<'a> {
    Open(BytesStart<'a>, bool),
    Close(String),
    Text(String),
}

/// The XML events of a part, without the subtrees of skipped elements.
struct Stream<'a> {
    reader: Reader<&'a [u8]>,
    skipped: &'a [&'a str],
}

impl<'a> Stream<'a> {
    fn new(xml: &'a str, skipped: &'a [&'a str]) -> Stream<'a> {
        Stream {
            reader: Reader::from_str(xml),
            skipped,
        }
    }

    fn next(&mut self) -> Result<Option<Item<'a>>, String> {
        let mut skip_depth = 0usize;
        loop {
            let event = self.reader.read_event().map_err(|e| e.to_string())?;
            if skip_depth > 0 {
                match event {
                    Event::Start(_) => skip_depth += 1,
                    Event::End(_) => skip_depth -= 1,
                    Event::Eof => return Ok(None),
                    _ => {}
                }
                continue;
            }
            return Ok(Some(match event {
                Event::Eof => return Ok(None),
                Event::Start(e) if self.skipped.contains(&local(&e).as_str()) => {
                    skip_depth = 1;
                    continue;
                }
                Event::Start(e) => Item::Open(e, true),
                Event::Empty(e) => Item::Open(e, false),
                Event::End(e) => Item::Close(e.local_name().as_ref().to_string()),
                Event::Text(text) => Item::Text(text.xml10_content().into_owned()),
                Event::GeneralRef(reference) => Item::Text(entity(&reference)),
                _ => continue,
            }));
        }
    }
}

/// What the OpenDocument styles say: outline levels, parents, bold.
#[derive(Debug, Default)]
struct OdtStyles {
    /// Style name → (parent name, outline level, display name).
    paragraph: HashMap<String, (Option<String>, Option<usize>, String)>,
    /// Text styles that set bold type.
    bold: std::collections::HashSet<String>,
}

impl OdtStyles {
    /// Reads the `style:style` elements of `styles.xml` or `content.xml`.
    fn read(&mut self, xml: &str) -> Result<(), String> {
        let mut reader = Reader::from_str(xml);
        let mut current: Option<String> = None;
        loop {
            match reader.read_event().map_err(|e| e.to_string())? {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                    "style" => {
                        let name = attr(&e, "name").unwrap_or_default();
                        let display = attr(&e, "display-name").unwrap_or_else(|| name.clone());
                        let outline = attr(&e, "default-outline-level")
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .filter(|l| (1..=10).contains(l));
                        let parent = attr(&e, "parent-style-name");
                        self.paragraph
                            .insert(name.clone(), (parent, outline, display));
                        current = Some(name);
                    }
                    "text-properties" => {
                        let weight = attr(&e, "font-weight").unwrap_or_default();
                        let heavy =
                            weight == "bold" || weight.parse::<u32>().is_ok_and(|w| w >= 600);
                        if let (true, Some(name)) = (heavy, current.as_ref()) {
                            self.bold.insert(name.clone());
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == "style" => current = None,
                _ => {}
            }
        }
        Ok(())
    }

    /// The heading level a paragraph style gives, following its parents.
    fn heading(&self, name: &str) -> Option<usize> {
        let mut name = name.to_string();
        for _ in 0..MAX_STYLE_DEPTH {
            let Some((parent, outline, display)) = self.paragraph.get(&name) else {
                return heading_level_of_name(&name);
            };
            if let Some(level) = outline.or_else(|| heading_level_of_name(display)) {
                return Some(level);
            }
            name = parent.clone()?;
        }
        None
    }

    fn is_toc(&self, name: &str) -> bool {
        let display = self
            .paragraph
            .get(name)
            .map_or(name, |(_, _, d)| d.as_str());
        is_toc_name(display) || is_toc_name(name)
    }
}

/// Elements of `content.xml` whose content is not the report's text.
const ODT_SKIPPED: [&str; 7] = [
    "annotation",
    "note",
    "tracked-changes",
    "frame",
    "table-of-content",
    "automatic-styles",
    "forms",
];

fn odt_body(xml: &str, styles: &OdtStyles) -> Result<String, String> {
    let mut blocks = Blocks::default();
    let mut stream = Stream::new(xml, &ODT_SKIPPED);
    let mut paragraph: Option<Paragraph> = None;
    let mut list_depth = 0usize;
    // Whether each open `text:span` is bold.
    let mut spans: Vec<bool> = Vec::new();
    while let Some(item) = stream.next()? {
        let bold = spans.last().copied().unwrap_or(false);
        let (element, is_start) = match item {
            Item::Open(element, is_start) => (element, is_start),
            Item::Text(text) => {
                if let Some(p) = paragraph.as_mut() {
                    p.inline.push(&text, bold);
                }
                continue;
            }
            Item::Close(name) => {
                match name.as_str() {
                    "p" | "h" => {
                        if let Some(p) = paragraph.take() {
                            p.write(&mut blocks);
                        }
                    }
                    "list-item" => list_depth = list_depth.saturating_sub(1),
                    "span" => {
                        spans.pop();
                    }
                    _ => {}
                }
                continue;
            }
        };
        let name = local(&element);
        let style = attr(&element, "style-name");
        match name.as_str() {
            "p" | "h" if is_start => {
                let style = style.unwrap_or_default();
                let level = attr(&element, "outline-level").and_then(|v| v.trim().parse().ok());
                let heading = match name.as_str() {
                    "h" => level.or_else(|| styles.heading(&style)).or(Some(1)),
                    _ => styles.heading(&style),
                };
                paragraph = Some(Paragraph {
                    heading,
                    list_item: list_depth > 0,
                    skip: styles.is_toc(&style),
                    ..Paragraph::default()
                });
            }
            "list-item" if is_start => list_depth += 1,
            "span" if is_start => {
                spans.push(bold || style.is_some_and(|s| styles.bold.contains(&s)));
            }
            "s" | "tab" | "line-break" => {
                let spacing = match name.as_str() {
                    "s" => " ".repeat(
                        attr(&element, "c")
                            .and_then(|c| c.parse().ok())
                            .unwrap_or(1)
                            .min(64),
                    ),
                    "tab" => " ".to_string(),
                    _ => "\n".to_string(),
                };
                if let Some(p) = paragraph.as_mut() {
                    p.inline.push(&spacing, bold);
                }
            }
            _ => {}
        }
    }
    Ok(blocks.finish())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    fn archive(parts: &[(&str, String)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, content) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    fn docx(styles: &str, body: &str) -> Vec<u8> {
        archive(&[
            (
                "word/styles.xml",
                format!("<w:styles {W}>{styles}</w:styles>"),
            ),
            (
                "word/document.xml",
                format!("<w:document {W}><w:body>{body}</w:body></w:document>"),
            ),
        ])
    }

    fn paragraph(style: &str, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    }

    #[test]
    fn heading_styles_in_english_and_french_become_headings() {
        // French Word: id "Titre1", name "heading 1", outline level 0.
        // A style named "Titre 2" without outline level; one based on
        // "Titre1"; an id that is not in styles.xml at all.
        let styles = r#"
            <w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="Titre2"><w:name w:val="Titre 2"/></w:style>
            <w:style w:type="paragraph" w:styleId="MonTitre"><w:name w:val="Mon titre"/><w:basedOn w:val="Titre1"/></w:style>
            <w:style w:type="paragraph" w:styleId="Heading"><w:name w:val="Heading"/></w:style>"#;
        let body = [
            paragraph("Titre1", "Contexte"),
            paragraph("Titre2", "Défis"),
            paragraph("MonTitre", "Annexe"),
            paragraph("Heading3", "Sans définition"),
            paragraph("Heading", "Pas un titre"),
        ]
        .concat();
        assert_eq!(
            decode_docx(&docx(styles, &body)).unwrap(),
            "# Contexte\n\n## Défis\n\n# Annexe\n\n### Sans définition\n\nPas un titre"
        );
    }

    #[test]
    fn runs_lists_bold_and_what_is_not_text() {
        let styles = r#"
            <w:style w:type="paragraph" w:styleId="Paragraphedeliste"><w:name w:val="List Paragraph"/></w:style>
            <w:style w:type="paragraph" w:styleId="TM1"><w:name w:val="toc 1"/></w:style>"#;
        let body = r#"
            <w:p><w:pPr><w:pStyle w:val="TM1"/></w:pPr><w:r><w:t>Contexte</w:t><w:tab/><w:t>3</w:t></w:r></w:p>
            <w:p><w:r><w:t xml:space="preserve">Le </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>cadre juridique</w:t></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t xml:space="preserve"> est &amp; reste </w:t></w:r><w:del><w:r><w:delText>supprimé </w:delText></w:r></w:del><w:r><w:t>clair.</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="Paragraphedeliste"/></w:pPr><w:r><w:t>premier point</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>second</w:t><w:br/><w:t>point</w:t></w:r></w:p>
            <w:p><w:pPr><w:rPr><w:b/></w:rPr></w:pPr><w:r><w:t>Pas en gras.</w:t></w:r></w:p>
            <w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing><w:txbxContent><w:p><w:r><w:t>Zone de texte</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:t>Copie</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
            <w:p/>"#;
        assert_eq!(
            decode_docx(&docx(styles, body)).unwrap(),
            "Le **cadre juridique** est & reste clair.\n\n- premier point\n\n- second point\n\nPas en gras."
        );
    }

    #[test]
    fn files_that_are_not_word_documents_say_why() {
        let err = decode_docx(b"PK but not really a zip").unwrap_err();
        assert!(
            err.starts_with("not a Word document: not a zip archive"),
            "{err}"
        );
        let no_document = archive(&[("content.xml", "<x/>".to_string())]);
        assert_eq!(
            decode_docx(&no_document).unwrap_err(),
            "not a Word document (no word/document.xml in the archive)"
        );
        let broken = archive(&[("word/document.xml", "<w:document><w:body></w:p>".into())]);
        let err = decode_docx(&broken).unwrap_err();
        assert!(
            err.starts_with("damaged document: word/document.xml"),
            "{err}"
        );
    }

    #[test]
    fn opendocument_headings_lists_and_spans() {
        const NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0""#;
        let styles = format!(
            r#"<office:document-styles {NS}><office:styles>
            <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1"/>
            <style:style style:name="Titre_20_perso" style:display-name="Titre 3" style:family="paragraph"/>
            </office:styles></office:document-styles>"#
        );
        let content = format!(
            r#"<office:document-content {NS}><office:automatic-styles>
            <style:style style:name="P1" style:family="paragraph" style:parent-style-name="Heading_20_1"/>
            <style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
            </office:automatic-styles><office:body><office:text>
            <text:table-of-content><text:index-body><text:p>Contexte 3</text:p></text:index-body></text:table-of-content>
            <text:p text:style-name="P1">Contexte</text:p>
            <text:p>Le <text:span text:style-name="T1">cadre juridique</text:span> est<text:s text:c="2"/>clair.<text:note><text:note-body><text:p>Une note.</text:p></text:note-body></text:note></text:p>
            <text:h text:outline-level="2">Défis</text:h>
            <text:list><text:list-item><text:p>un point</text:p></text:list-item></text:list>
            <text:p text:style-name="Titre_20_perso">Troisième niveau</text:p>
            <text:p>Fin<text:line-break/>du texte.</text:p>
            </office:text></office:body></office:document-content>"#
        );
        let odt = archive(&[("styles.xml", styles), ("content.xml", content)]);
        assert_eq!(
            decode_odt(&odt).unwrap(),
            "# Contexte\n\nLe **cadre juridique** est clair.\n\n## Défis\n\n- un point\n\n\
             ### Troisième niveau\n\nFin du texte."
        );
    }
}
