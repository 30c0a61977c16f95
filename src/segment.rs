//! The segmenter: a pure function from a report's text to a [`Report`]
//! (metadata + ordered sections and practices). No index, no I/O.
//!
//! The reports are summaries of meetings, as plain text or light Markdown:
//!
//! ```text
//! Migration Ville-à-Ville en Méditerranée          ┐
//! Bâtir la Confiance …: le Rôle de la Société …    │ front matter: title lines,
//! 25-26 juin 2019, Salle Municipale, Sfax          │ event, date, place, city
//! Résumé des discussions                           ┘
//! Contexte                                         ← heading: short line, no final punctuation
//! Ce document résume …                             ← body
//! Annexe: Exemples de Pratiques …                  ← from here on, each heading is a practice
//! Initiative de Brital pour aider les réfugiés syriens
//! ```
//!
//! The steps, in order: split into paragraphs (a blank line ends one, a list
//! marker starts one), join paragraphs cut by a page break, clean inline
//! Markdown, classify headings, then read the front matter and group the
//! rest into segments.

use serde::Serialize;

use crate::entities;
use crate::speakers::{self, Person};

/// Longest line, in characters, that may still be a heading.
const MAX_HEADING_CHARS: usize = 160;
/// Most words a heading may have.
const MAX_HEADING_WORDS: usize = 28;

/// What a segment is: a section of the report or a case study of its annex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SegmentKind {
    /// A section of the report body ("Contexte", "Recommandations …").
    Section,
    /// A case study ("practice") from the report's annex.
    Practice,
}

impl SegmentKind {
    /// The name used in the index, the CLI and the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Section => "section",
            SegmentKind::Practice => "practice",
        }
    }

    /// Parses `section` or `practice` (case-insensitive, plural accepted).
    pub fn parse(name: &str) -> Option<SegmentKind> {
        match name.trim().to_lowercase().as_str() {
            "section" | "sections" => Some(SegmentKind::Section),
            "practice" | "practices" | "pratique" | "pratiques" => Some(SegmentKind::Practice),
            _ => None,
        }
    }
}

impl std::fmt::Display for SegmentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A segmented report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The report's name: its path relative to the corpus folder.
    pub doc: String,
    /// What the front matter says about the meeting.
    pub meta: ReportMeta,
    /// Sections and practices, in the order of the report.
    pub segments: Vec<Segment>,
}

/// Metadata read from the report's front matter. What cannot be found stays
/// empty rather than guessed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportMeta {
    /// The title shown for the report: the event title when there is one.
    pub title: String,
    /// The front matter's lines, except the date line.
    pub title_lines: Vec<String>,
    /// The event title: the front-matter line just before the date line.
    pub event: Option<String>,
    /// The meeting's first day, `YYYY-MM-DD` ("25-26 juin 2019" → `2019-06-25`).
    pub date: Option<String>,
    /// The place as written after the date ("Salle Municipale, Sfax").
    pub place: Option<String>,
    /// The city: the last part of the place ("Sfax").
    pub city: Option<String>,
}

impl ReportMeta {
    /// The meeting's year, from [`ReportMeta::date`].
    pub fn year(&self) -> Option<u16> {
        self.date.as_deref()?.get(..4)?.parse().ok()
    }
}

/// One searchable unit of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Stable id: the same report and the same segment give the same id after
    /// any re-index, even when the text is corrected.
    pub id: String,
    /// Section or practice.
    pub kind: SegmentKind,
    /// The heading.
    pub title: String,
    /// The enclosing heading without a body of its own, e.g. the annex title.
    pub part: Option<String>,
    /// Position in the report, from 0.
    pub ordinal: usize,
    /// The text: one paragraph or list item per line, Markdown cleaned.
    pub text: String,
    /// Phrases the report sets in bold (`**Cadre juridique:**`): its key
    /// points, weighted above the body text when ranking.
    pub keyphrases: Vec<String>,
    /// For a practice: the city (or country) its title or first sentence
    /// names; `None` when none is named, and always for a section.
    pub city: Option<String>,
    /// For a practice: the organisations its title or first sentence names.
    pub organisations: Vec<String>,
    /// The people who speak or present in this segment: introduced here,
    /// or introduced elsewhere in the report and named here by title and
    /// surname.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<Person>,
}

/// Segments a report. `doc` names it (its path relative to the corpus) and
/// seeds the segment ids.
pub fn segment(doc: &str, text: &str) -> Report {
    let blocks = join_page_breaks(paragraphs(text));
    let classified: Vec<Block> = blocks.into_iter().map(classify).collect();

    let body_start = first_section_heading(&classified);
    let (front, body) = classified.split_at(body_start);
    let meta = read_front_matter(doc, front, body);
    let segments = group_segments(doc, &meta, body);
    Report {
        doc: doc.to_string(),
        meta,
        segments,
    }
}

/// A paragraph, list item or heading, Markdown already cleaned.
#[derive(Debug, Clone, PartialEq)]
struct Block {
    text: String,
    /// Bold spans, read before the Markdown is cleaned.
    bold: Vec<String>,
    is_list_item: bool,
    /// A Markdown `#` heading: always a heading, whatever its length.
    markdown_heading: bool,
    is_heading: bool,
}

/// Splits text into paragraphs: a blank line ends a paragraph, a list
/// marker starts a new one, and the lines of a hard-wrapped paragraph are
/// joined. Lines without blank lines between them are one wrapped paragraph
/// only where they reach the wrap width: a short line ends its paragraph,
/// so a title block or a heading written directly above its text stays
/// apart ("Contexte" / "Ce document résume …").
fn paragraphs(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let lines = trimmed_lines(text);
    let mut widths: Vec<usize> = Vec::new();
    // The lines of the block being read, joined once it ends: a wrapped
    // paragraph grown line by line was reallocated many times over.
    let mut open = OpenBlock::default();
    for group in lines.split(|line| line.is_empty()) {
        widths.clear();
        widths.extend(group.iter().map(|l| l.chars().count()));
        let wrap_width = widths.iter().copied().max().unwrap_or(0);
        for (line, &width) in group.iter().zip(&widths) {
            let markdown_heading = markdown_heading(line);
            let is_list_item = markdown_heading.is_none() && list_marker_len(line).is_some();
            if !open.goes_on || is_list_item || markdown_heading.is_some() {
                blocks.extend(open.close());
                open.markdown_heading = markdown_heading.is_some();
                open.is_list_item = is_list_item;
            }
            open.lines.push(markdown_heading.unwrap_or(line));
            // A Markdown heading is a paragraph of its own.
            open.goes_on = markdown_heading.is_none() && reaches_wrap_width(width, wrap_width);
        }
        open.goes_on = false;
    }
    blocks.extend(open.close());
    blocks
}

/// The lines of `text`, as `str::lines` gives them, trimmed. Line ends are
/// found with `memchr`, faster than the standard library's search on the
/// many short lines of a report.
fn trimmed_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(text.get(start..end).unwrap_or_default().trim());
        start = end + 1;
    }
    if start < text.len() {
        lines.push(text.get(start..).unwrap_or_default().trim());
    }
    lines
}

/// The lines of a block [`paragraphs`] is reading.
#[derive(Default)]
struct OpenBlock<'a> {
    lines: Vec<&'a str>,
    is_list_item: bool,
    markdown_heading: bool,
    /// Whether the next line belongs to this block: the last one reached
    /// the wrap width.
    goes_on: bool,
}

impl OpenBlock<'_> {
    /// The block, its lines joined by spaces; `None` when it has none.
    fn close(&mut self) -> Option<Block> {
        if self.lines.is_empty() {
            return None;
        }
        let len = self.lines.iter().map(|l| l.len() + 1).sum();
        let mut text = String::with_capacity(len);
        for line in self.lines.drain(..) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(line);
        }
        Some(Block {
            text,
            bold: Vec::new(),
            is_list_item: self.is_list_item,
            markdown_heading: self.markdown_heading,
            is_heading: false,
        })
    }
}

/// Shortest line width, in characters, that can be a wrapped line.
const MIN_WRAP_WIDTH: usize = 50;

/// Whether a line `width` characters wide is as long as the lines around
/// it: the text goes on on the next line.
fn reaches_wrap_width(width: usize, wrap_width: usize) -> bool {
    wrap_width >= MIN_WRAP_WIDTH && width * 4 >= wrap_width * 3
}

/// Joins a paragraph cut by a page break: one that ends without final
/// punctuation followed by one that starts in lower case is one paragraph
/// ("… la participation" / "politique des migrants …").
fn join_page_breaks(blocks: Vec<Block>) -> Vec<Block> {
    let mut joined: Vec<Block> = Vec::with_capacity(blocks.len());
    for block in blocks {
        match joined.last_mut() {
            Some(last)
                if !block.is_list_item
                    && !block.markdown_heading
                    && !last.markdown_heading
                    && !ends_sentence(&last.text)
                    && starts_lowercase(&block.text) =>
            {
                last.text.push(' ');
                last.text.push_str(&block.text);
            }
            _ => joined.push(block),
        }
    }
    joined
}

fn classify(mut block: Block) -> Block {
    block.bold = bold_spans(&block.text)
        .into_iter()
        .map(|span| clean_markdown(&span))
        .filter(|span| !span.is_empty())
        .collect();
    block.text = clean_markdown_owned(std::mem::take(&mut block.text));
    block.is_heading = block.markdown_heading || looks_like_heading(&block);
    block
}

/// A heading is a short standalone line without final punctuation that does
/// not start in lower case and holds a single sentence.
fn looks_like_heading(block: &Block) -> bool {
    let text = block.text.as_str();
    // The tests that read only the ends of the text come first: they rule
    // out most paragraphs, which end with a full stop. `nth` stops at the
    // limit: no full count of a long paragraph.
    !block.is_list_item
        && !ends_sentence(text)
        && !text.ends_with([',', ':'])
        && !starts_lowercase(text)
        && text.chars().nth(MAX_HEADING_CHARS).is_none()
        && is_one_short_sentence(text)
}

/// Index of the first heading that opens a section: a heading followed by
/// body text. Everything before it is front matter (title lines, date …),
/// which is a run of short lines.
fn first_section_heading(blocks: &[Block]) -> usize {
    for (i, block) in blocks.iter().enumerate() {
        if !block.is_heading {
            // Body text before any heading: no front matter to speak of.
            return i;
        }
        match blocks.get(i + 1) {
            Some(next) if !next.is_heading => return i,
            None => return i,
            _ => {}
        }
    }
    blocks.len()
}

fn read_front_matter(doc: &str, front: &[Block], body: &[Block]) -> ReportMeta {
    let mut meta = ReportMeta::default();
    let mut date_line = None;
    for (i, block) in front.iter().enumerate() {
        if date_line.is_none() {
            if let Some((date, place)) = parse_date_line(&block.text) {
                meta.date = Some(date);
                meta.city = place.as_deref().and_then(city_of_place);
                meta.place = place;
                date_line = Some(i);
                continue;
            }
        }
        meta.title_lines.push(block.text.clone());
    }
    meta.event = date_line
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| front.get(i))
        .map(|b| b.text.clone());
    meta.title = meta
        .event
        .clone()
        .or_else(|| meta.title_lines.first().cloned())
        .or_else(|| body.iter().find(|b| b.is_heading).map(|b| b.text.clone()))
        .unwrap_or_else(|| file_stem(doc).to_string());
    meta
}

fn group_segments(doc: &str, meta: &ReportMeta, body: &[Block]) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut kind = SegmentKind::Section;
    let mut part: Option<String> = None;
    let mut current: Option<Segment> = None;

    for (i, block) in body.iter().enumerate() {
        let followed_by_body = body.get(i + 1).is_some_and(|next| !next.is_heading);
        if block.is_heading && is_annex_heading(&block.text) {
            kind = SegmentKind::Practice;
            part = Some(block.text.clone());
            segments.extend(current.take());
            continue;
        }
        if block.is_heading && !followed_by_body {
            // A heading without a body of its own encloses the next ones.
            segments.extend(current.take());
            part = Some(block.text.clone());
            continue;
        }
        if block.is_heading {
            segments.extend(current.take());
            current = Some(Segment {
                id: String::new(),
                kind,
                title: block.text.clone(),
                part: part.clone(),
                ordinal: 0,
                text: String::with_capacity(text_len(body.get(i + 1..).unwrap_or_default())),
                keyphrases: Vec::new(),
                city: None,
                organisations: Vec::new(),
                speakers: Vec::new(),
            });
            continue;
        }
        let segment = current.get_or_insert_with(|| Segment {
            // Body text before any heading belongs to the report itself.
            id: String::new(),
            kind,
            title: meta.title.clone(),
            part: part.clone(),
            ordinal: 0,
            text: String::with_capacity(text_len(body.get(i..).unwrap_or_default())),
            keyphrases: Vec::new(),
            city: None,
            organisations: Vec::new(),
            speakers: Vec::new(),
        });
        if !segment.text.is_empty() {
            segment.text.push('\n');
        }
        segment.text.push_str(&block.text);
        segment.keyphrases.extend(block.bold.iter().cloned());
    }
    segments.extend(current);
    assign_ids(doc, &mut segments);
    for practice in segments
        .iter_mut()
        .filter(|s| s.kind == SegmentKind::Practice)
    {
        let found = entities::practice_entities(&practice.title, &practice.text);
        practice.city = found.city;
        practice.organisations = found.organisations;
    }
    let introduced: Vec<Person> = segments
        .iter()
        .flat_map(|s| speakers::introduced(&s.text))
        .fold(Vec::new(), |mut all, person| {
            if !all.iter().any(|p: &Person| p.name == person.name) {
                all.push(person);
            }
            all
        });
    for segment in &mut segments {
        segment.speakers = speakers::mentioned(&segment.text, &introduced)
            .into_iter()
            .cloned()
            .collect();
    }
    segments
}

/// The length of the text of a segment whose blocks start `blocks`: up to
/// the next heading, one line each.
fn text_len(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .take_while(|b| !b.is_heading)
        .map(|b| b.text.len() + 1)
        .sum()
}

/// Ids hash the report name, the kind, the title and how many segments
/// before this one had the same title: stable across text corrections.
fn assign_ids(doc: &str, segments: &mut [Segment]) {
    let mut seen: Vec<(SegmentKind, String)> = Vec::new();
    for (ordinal, segment) in segments.iter_mut().enumerate() {
        let key = (segment.kind, segment.title.clone());
        let repeat = seen.iter().filter(|k| **k == key).count();
        seen.push(key);
        segment.ordinal = ordinal;
        segment.id = segment_id(doc, segment.kind, &segment.title, repeat);
    }
}

/// The stable id of a segment: 16 hex digits.
pub fn segment_id(doc: &str, kind: SegmentKind, title: &str, repeat: usize) -> String {
    // One call on the joined parts: each `Hasher::update` has a fixed cost
    // larger than hashing these few bytes, and every segment has an id.
    let repeat = repeat.to_string();
    let parts = [doc, kind.as_str(), title, &repeat];
    let mut joined = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for part in parts {
        joined.extend_from_slice(part.as_bytes());
        joined.push(0);
    }
    blake3::hash(&joined).to_hex()[..16].to_string()
}

fn is_annex_heading(text: &str) -> bool {
    const ANNEX: [&str; 4] = ["annexe", "annex", "anexo", "ملحق"];
    // Compared as it is lower-cased, letter by letter: most headings
    // differ from the first letter, and none is copied.
    ANNEX.iter().any(|word| {
        let mut lower = text.chars().flat_map(char::to_lowercase);
        word.chars().all(|letter| lower.next() == Some(letter))
    })
}

fn file_stem(doc: &str) -> &str {
    let name = doc.rsplit('/').next().unwrap_or(doc);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// `# Title` → `Title`; up to six `#`, then a space.
fn markdown_heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) {
        let rest = &line[hashes..];
        if rest.starts_with(' ') {
            return Some(rest.trim().trim_end_matches('#').trim_end());
        }
    }
    None
}

/// Length of a list marker at the start of a line: `- `, `* `, `• `, `1. `, `2) `.
fn list_marker_len(line: &str) -> Option<usize> {
    for bullet in ["- ", "* ", "• ", "– ", "+ "] {
        if line.starts_with(bullet) {
            return Some(bullet.len());
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        if rest.starts_with(". ") || rest.starts_with(") ") {
            return Some(digits + 2);
        }
    }
    None
}

/// Final punctuation of a sentence, possibly followed by a closing quote or bracket.
pub(crate) fn ends_sentence(text: &str) -> bool {
    let trimmed = text.trim_end_matches(['"', '»', '”', ')', ']', '*', '_', ' ']);
    trimmed.ends_with(['.', '!', '?', ';', '…', '؟', '。'])
}

pub(crate) fn starts_lowercase(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(char::is_lowercase)
}

/// At most [`MAX_HEADING_WORDS`] words and no sentence break, in one pass
/// over the words. A full stop followed by a capitalised word means two
/// sentences: prose, not a heading. Initials such as "M. Aydi" are not
/// breaks.
fn is_one_short_sentence(text: &str) -> bool {
    let mut words = words(text).peekable();
    let mut count = 0;
    while let Some(word) = words.next() {
        count += 1;
        if count > MAX_HEADING_WORDS {
            return false;
        }
        let Some(&next) = words.peek() else {
            return true;
        };
        if word.ends_with(['.', '!', '?'])
            && word.chars().filter(|c| c.is_alphabetic()).count() > 2
            && !starts_lowercase(next)
        {
            return false;
        }
    }
    true
}

/// Removes inline Markdown: `**gras**`, `__gras__`, `*italique*`,
/// `_italique_`, `` `code` `` and `[texte](url)` become plain text. A list
/// marker at the start is kept.
pub fn clean_markdown(text: &str) -> String {
    clean_markdown_owned(text.to_owned())
}

/// [`clean_markdown`] on a string it may give back: most paragraphs have
/// nothing to clean, and are not copied.
fn clean_markdown_owned(text: String) -> String {
    let (marker, rest) = match list_marker_len(&text) {
        Some(len) => text.split_at(len),
        None => ("", text.as_str()),
    };
    // Most paragraphs have no Markdown at all: only the spaces to collapse.
    if !has_markup(rest) {
        return collapse_spaces(text);
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(marker);
    // Every mark is ASCII, so byte positions are character boundaries and
    // the text between marks is copied in runs.
    let bytes = rest.as_bytes();
    let mut run_start = 0;
    let mut i = 0;
    while let Some(offset) = bytes
        .get(i..)
        .and_then(|tail| tail.iter().position(is_mark))
    {
        let at = i + offset;
        out.push_str(rest.get(run_start..at).unwrap_or_default());
        i = at + 1;
        run_start = i;
        match bytes.get(at) {
            Some(b'[') => match link_span(rest, at) {
                Some((label_end, url_end)) => {
                    out.push_str(rest.get(at + 1..label_end).unwrap_or_default());
                    i = url_end + 1;
                    run_start = i;
                }
                None => run_start = at,
            },
            Some(b'_') => {
                // Only emphasis underscores go: `snake_case` and `Migrant_e` stay.
                let prev = rest.get(..at).and_then(|r| r.chars().next_back());
                let next = rest.get(at + 1..).and_then(|r| r.chars().next());
                let inside_word = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if inside_word {
                    run_start = at;
                }
            }
            // `*` and `` ` `` go.
            _ => {}
        }
    }
    out.push_str(rest.get(run_start..).unwrap_or_default());
    collapse_spaces(out)
}

/// Whether `text` holds a character that may be inline Markdown.
fn has_markup(text: &str) -> bool {
    // No early exit, so that the compiler vectorises it: every paragraph
    // is read, and most have no mark.
    text.bytes().fold(false, |found, b| found | is_mark(&b))
}

/// The bytes that may start or end inline Markdown.
fn is_mark(byte: &u8) -> bool {
    matches!(byte, b'[' | b'*' | b'`' | b'_')
}

/// The spans between `**…**` or `__…__`.
fn bold_spans(text: &str) -> Vec<String> {
    let mut spans = Vec::new();
    if memchr::memchr2(b'*', b'_', text.as_bytes()).is_none() {
        return spans;
    }
    for marker in ["**", "__"] {
        let mut rest = text;
        // memmem's search, much faster than `str::find` on long paragraphs
        // (file names and variables put `_` in many).
        let finder = memchr::memmem::Finder::new(marker);
        while let Some(open) = finder.find(rest.as_bytes()) {
            let after = &rest[open + marker.len()..];
            let Some(close) = finder.find(after.as_bytes()) else {
                break;
            };
            spans.push(after[..close].trim().to_string());
            rest = &after[close + marker.len()..];
        }
    }
    spans
}

/// `[label](url)` starting at byte `start`: the byte index of `]` and of `)`.
fn link_span(text: &str, start: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let label_end = start + bytes.get(start..)?.iter().position(|&b| b == b']')?;
    if bytes.get(label_end + 1) != Some(&b'(') {
        return None;
    }
    let url_end = label_end + bytes.get(label_end..)?.iter().position(|&b| b == b')')?;
    Some((label_end, url_end))
}

fn collapse_spaces(text: String) -> String {
    // Every run of white space becomes one space, none at the ends and
    // none before `.` or `,` (a link whose label was empty leaves one:
    // "disponible [](#)." → "disponible ."). Most of a text is words
    // between single spaces: it is skipped a chunk at a time, and copied
    // only from the first run of white space to change (most paragraphs
    // have none).
    let bytes = text.as_bytes();
    let mut collapsed = Collapsed::default();
    let mut i = 0;
    while i < bytes.len() {
        // The first byte is read on its own: a space there goes.
        let window = bytes.get(i..i + CHUNK + 2).filter(|_| i > 0);
        match window.and_then(|w| <&[u8; CHUNK + 2]>::try_from(w).ok()) {
            Some(window) if is_plain(window) => i += CHUNK,
            Some(_) => {
                let chunk_end = i + CHUNK;
                while i < chunk_end {
                    i = collapsed.step(&text, i);
                }
            }
            None => i = collapsed.step(&text, i),
        }
    }
    collapsed.finish(text)
}

/// Bytes [`collapse_spaces`] skips at once when none needs a change.
const CHUNK: usize = 16;

/// Whether the first [`CHUNK`] bytes of `window` (and the two after it,
/// read to see where white space ends) are words between single spaces:
/// no ASCII white space but spaces, no space before white space, `.` or
/// `,`, and no white space beyond ASCII (see [`white_space_len`]). Branch-free,
/// so that the compiler vectorises it.
fn is_plain(window: &[u8; CHUNK + 2]) -> bool {
    let mut changes = false;
    for k in 0..CHUNK {
        let (b, n1, n2) = (window[k], window[k + 1], window[k + 2]);
        let control = b.wrapping_sub(b'\t') < 5;
        // A space before what may be white space too, beyond the chunk
        // perhaps: the run is read byte by byte.
        let space_before = (b == b' ')
            & ((n1 == b' ')
                | (n1 == b'.')
                | (n1 == b',')
                | (n1.wrapping_sub(b'\t') < 5)
                | (n1 == 0xC2)
                | (n1 == 0xE1)
                | (n1 == 0xE2)
                | (n1 == 0xE3));
        let two_bytes = (b == 0xC2) & ((n1 == 0x85) | (n1 == 0xA0));
        let general = (b == 0xE2)
            & (((n1 == 0x80) & ((n2 <= 0x8A) | (n2 == 0xA8) | (n2 == 0xA9) | (n2 == 0xAF)))
                | ((n1 == 0x81) & (n2 == 0x9F)));
        let other = ((b == 0xE1) & (n1 == 0x9A) & (n2 == 0x80))
            | ((b == 0xE3) & (n1 == 0x80) & (n2 == 0x80));
        changes |= control | space_before | two_bytes | general | other;
    }
    !changes
}

/// The output of [`collapse_spaces`] being built.
#[derive(Default)]
struct Collapsed {
    /// The text so far, once a change was made.
    out: Option<String>,
    /// Bytes of the input before this are in `out`, when there is one.
    copied: usize,
}

impl Collapsed {
    /// Reads `text` at byte `i`, a character boundary: a run of white
    /// space there becomes what it should be. The index after it.
    fn step(&mut self, text: &str, i: usize) -> usize {
        let bytes = text.as_bytes();
        let Some(&byte) = bytes.get(i) else {
            return i + 1;
        };
        if !MAY_START_WHITE_SPACE[usize::from(byte)] {
            return i + 1;
        }
        let Some(first) = white_space_len(bytes, i) else {
            return i + 1;
        };
        let mut end = i + first;
        while let Some(len) = white_space_len(bytes, end) {
            end += len;
        }
        let keeps_a_space = i > 0 && bytes.get(end).is_some_and(|b| !matches!(b, b'.' | b','));
        let unchanged = keeps_a_space && end == i + 1 && byte == b' ';
        if !unchanged {
            let out = self
                .out
                .get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(text.get(self.copied..i).unwrap_or_default());
            if keeps_a_space {
                out.push(' ');
            }
            self.copied = end;
        }
        end
    }

    /// The collapsed text: `text` itself when nothing changed.
    fn finish(self, text: String) -> String {
        match self.out {
            Some(mut out) => {
                out.push_str(text.get(self.copied..).unwrap_or_default());
                out
            }
            None => text,
        }
    }
}

/// The bytes that may start a white space character (see
/// [`white_space_len`]).
const MAY_START_WHITE_SPACE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = matches!(byte as u8, b' ' | b'\t'..=b'\r' | 0xC2 | 0xE1 | 0xE2 | 0xE3);
        byte += 1;
    }
    table
};

/// The length in bytes of the white space character at `i` in UTF-8
/// `bytes`, if there is one: ASCII white space, U+0085, U+00A0, U+1680,
/// U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F or U+3000 (what
/// `char::is_whitespace` accepts). Read as byte patterns, without
/// decoding, because typographic text is full of other characters that
/// start with the same bytes (`«` is C2 AB, `’` is E2 80 99).
fn white_space_len(bytes: &[u8], i: usize) -> Option<usize> {
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match at(0) {
        b' ' | b'\t'..=b'\r' => Some(1),
        0xC2 if matches!(at(1), 0x85 | 0xA0) => Some(2),
        0xE1 if at(1) == 0x9A && at(2) == 0x80 => Some(3),
        0xE2 if at(1) == 0x80 && matches!(at(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) => Some(3),
        0xE2 if at(1) == 0x81 && at(2) == 0x9F => Some(3),
        0xE3 if at(1) == 0x80 && at(2) == 0x80 => Some(3),
        _ => None,
    }
}

/// The words of `text` between white space, as `split_whitespace` gives
/// them; text in ASCII (most of it) is split without decoding characters.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let ascii = text.is_ascii();
    let (ascii_text, other_text) = if ascii { (text, "") } else { ("", text) };
    ascii_text
        .split_ascii_whitespace()
        .chain(other_text.split_whitespace())
}

const MONTHS: [(&str, u8); 40] = [
    ("janvier", 1),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("decembre", 12),
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("sept", 9),
    ("oct", 10),
    ("dec", 12),
];

fn month_number(word: &str) -> Option<u8> {
    let folded: String = word
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' => 'e',
            'û' | 'ù' => 'u',
            c => c,
        })
        .collect();
    MONTHS
        .iter()
        .find(|(name, _)| *name == folded)
        .map(|&(_, n)| n)
}

/// Reads a date line such as "25-26 juin 2019, Salle Municipale, Sfax",
/// "June 25-26, 2019 – Tunis" or "Sfax, 25 de junio de 2019". Returns the
/// first day as `YYYY-MM-DD` and the rest of the line as the place.
fn parse_date_line(line: &str) -> Option<(String, Option<String>)> {
    // Words with their byte spans, so the date can be cut out of the line.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices().chain([(line.len(), ' ')]) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    let word = |k: usize| words.get(k).map(|&(s, e)| &line[s..e]);
    // "1er", "1st", "25th": ordinal suffixes are part of the day.
    let number = |k: usize| {
        word(k).and_then(|w| {
            w.trim_end_matches(['e', 'r', 's', 't', 'n', 'd', 'h', 'º'])
                .parse::<u16>()
                .ok()
        })
    };

    let month_at = (0..words.len()).find(|&k| word(k).and_then(month_number).is_some())?;
    let month = word(month_at).and_then(month_number)?;
    let is_filler = |k: usize| word(k).is_some_and(|w| w.eq_ignore_ascii_case("de"));

    // Day before the month ("25-26 juin", "25 de junio") or after it ("June 25-26").
    let mut day_index = None;
    let mut k = month_at;
    while k > 0 {
        k -= 1;
        if is_filler(k) {
            continue;
        }
        match number(k) {
            Some(d) if (1..=31).contains(&d) => day_index = Some(k),
            _ => break,
        }
    }
    let mut after = month_at + 1;
    if day_index.is_none() {
        if let Some(d) = number(after).filter(|d| (1..=31).contains(d)) {
            let _ = d;
            day_index = Some(after);
            after += 1;
            while number(after).is_some_and(|d| (1..=31).contains(&d)) {
                after += 1;
            }
        }
    }
    while is_filler(after) {
        after += 1;
    }
    let year = number(after).filter(|y| (1900..=2999).contains(y))?;
    // Without a day the date is the month alone ("juin 2019" → 2019-06).
    let date = match day_index.and_then(number) {
        Some(day) => format!("{year:04}-{month:02}-{day:02}"),
        None => format!("{year:04}-{month:02}"),
    };

    let first = day_index.map_or(month_at, |k| k.min(month_at));
    let date_start = words.get(first)?.0;
    let date_end = words.get(after)?.1;
    let before = line[..date_start]
        .trim()
        .trim_end_matches([',', '-', '–', '—', ' ']);
    let after_text = line[date_end..]
        .trim()
        .trim_start_matches([',', '-', '–', '—', ' '])
        .trim();
    let place: Vec<&str> = [before.trim(), after_text]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let place = (!place.is_empty()).then(|| place.join(", "));
    Some((date, place))
}

/// The city is the last comma-separated part of the place.
fn city_of_place(place: &str) -> Option<String> {
    place
        .rsplit(',')
        .map(str::trim)
        .find(|p| !p.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(report: &Report, kind: SegmentKind) -> Vec<&str> {
        report
            .segments
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.title.as_str())
            .collect()
    }

    #[test]
    fn date_lines_in_three_languages() {
        assert_eq!(
            parse_date_line("25-26 juin 2019, Salle Municipale, Sfax"),
            Some(("2019-06-25".into(), Some("Salle Municipale, Sfax".into())))
        );
        assert_eq!(
            parse_date_line("June 25-26, 2019 – Tunis"),
            Some(("2019-06-25".into(), Some("Tunis".into())))
        );
        assert_eq!(
            parse_date_line("Málaga, 3 de diciembre de 2020"),
            Some(("2020-12-03".into(), Some("Málaga".into())))
        );
        assert_eq!(
            parse_date_line("1er février 2021"),
            Some(("2021-02-01".into(), None))
        );
        assert_eq!(
            parse_date_line("Rabat, février 2021"),
            Some(("2021-02".into(), Some("Rabat".into()))),
            "no day: the month alone, no guess"
        );
        assert_eq!(parse_date_line("Résumé des discussions"), None);
        assert_eq!(parse_date_line("Mai 68 revisité"), None);
    }

    #[test]
    fn city_is_the_last_part_of_the_place() {
        assert_eq!(
            city_of_place("Salle Municipale, Sfax").as_deref(),
            Some("Sfax")
        );
        assert_eq!(city_of_place("Tunis").as_deref(), Some("Tunis"));
    }

    #[test]
    fn markdown_is_cleaned_and_list_markers_kept() {
        assert_eq!(
            clean_markdown("la **municipalité de Sfax** et *ASTICUDE* ([ici](#))."),
            "la municipalité de Sfax et ASTICUDE (ici)."
        );
        assert_eq!(
            clean_markdown("- **Cadre juridique:** Bien que"),
            "- Cadre juridique: Bien que"
        );
        assert_eq!(
            clean_markdown("1. __Des cadres__ adéquats"),
            "1. Des cadres adéquats"
        );
        assert_eq!(
            clean_markdown("voir [le document](http://x.org/a_b)"),
            "voir le document"
        );
        assert_eq!(clean_markdown("snake_case reste"), "snake_case reste");
        // Marks next to letters beyond ASCII, labels kept as written, and
        // brackets that open no link.
        assert_eq!(
            clean_markdown("Migrant·e_s é_é _é_ «*Málaga*»"),
            "Migrant·e_s é_é é «Málaga»"
        );
        assert_eq!(
            clean_markdown("[l’*accueil*](u) [ملحق](x)"),
            "l’*accueil* ملحق"
        );
        assert_eq!(clean_markdown("[a] [b (c) ] [d](e"), "[a] [b (c) ] [d](e");
        assert_eq!(clean_markdown("fin **"), "fin");
    }

    #[test]
    fn page_breaks_are_joined_but_sentences_and_list_items_are_not() {
        let text = "Titre\n\nUn paragraphe coupé par la participation\n\n\n\npolitique des migrants.\n\nNouveau paragraphe.\n- un\n- deux\n";
        let report = segment("t.txt", text);
        assert_eq!(report.segments.len(), 1);
        assert_eq!(
            report.segments[0].text,
            "Un paragraphe coupé par la participation politique des migrants.\nNouveau paragraphe.\n- un\n- deux"
        );
    }

    #[test]
    fn bold_phrases_become_keyphrases() {
        let text = "Contexte\n\n- **Cadre juridique:** Bien que *rien*.\n- __Pragmatisme__ et **[lien](#)**.\n";
        let report = segment("t.txt", text);
        assert_eq!(
            report.segments[0].keyphrases,
            ["Cadre juridique:", "lien", "Pragmatisme"]
        );
    }

    #[test]
    fn hard_wrapped_lines_form_one_paragraph() {
        let text = "Contexte\n\nUne ligne de texte assez longue pour être coupée par\nl'éditeur, puis la suite de la phrase qui se termine\nici.\n";
        let report = segment("t.txt", text);
        assert_eq!(
            report.segments[0].text,
            "Une ligne de texte assez longue pour être coupée par l'éditeur, puis la suite de la phrase qui se termine ici."
        );
    }

    #[test]
    fn short_lines_without_blank_lines_stay_apart() {
        let text = "Migration Ville-à-Ville\nRencontre des villes\n3 mars 2020, Rabat\nContexte\nLes villes et les organisations de la société civile se sont réunies à Rabat.\n";
        let report = segment("t.txt", text);
        assert_eq!(report.meta.city.as_deref(), Some("Rabat"));
        assert_eq!(report.meta.event.as_deref(), Some("Rencontre des villes"));
        assert_eq!(report.segments.len(), 1);
        assert_eq!(report.segments[0].title, "Contexte");
    }

    #[test]
    fn markdown_headings_are_headings_whatever_their_length() {
        let text = "# Rapport de Tunis\n\n## Contexte. Une phrase. Puis une autre\n\nTexte.\n\n## Suite\n\nEncore du texte.\n";
        let report = segment("r.md", text);
        assert_eq!(
            titles(&report, SegmentKind::Section),
            ["Contexte. Une phrase. Puis une autre", "Suite"]
        );
        assert_eq!(report.meta.title, "Rapport de Tunis");
    }

    #[test]
    fn headings_are_short_unpunctuated_single_sentences() {
        let block = |text: &str| Block {
            text: text.into(),
            bold: Vec::new(),
            is_list_item: false,
            markdown_heading: false,
            is_heading: false,
        };
        assert!(looks_like_heading(&block("Concepts clés et définitions")));
        assert!(looks_like_heading(&block(
            "«Soyez un migrant et parlez de la citoyenneté à Málaga» par l'Association marocaine pour l'intégration des Migrant.e.s"
        )));
        assert!(!looks_like_heading(&block(
            "Les photos sont disponibles ici."
        )));
        assert!(!looks_like_heading(&block("Les priorités suivantes:")));
        assert!(!looks_like_heading(&block("interventions locales")));
        assert!(!looks_like_heading(&block(
            "Deux phrases. Sans point final"
        )));
        assert!(looks_like_heading(&block("M. Aydi et Mme Garbouj")));
    }

    #[test]
    fn text_before_any_heading_is_kept_under_the_report_title() {
        let report = segment("notes.txt", "Une note sans titre, mais avec du texte.\n");
        assert_eq!(report.meta.title, "notes");
        assert_eq!(report.segments.len(), 1);
        assert_eq!(report.segments[0].title, "notes");
    }

    #[test]
    fn spaces_are_collapsed_only_where_needed() {
        for text in [
            "",
            "a",
            "un deux trois",
            " un",
            "un ",
            "un  deux",
            "un\tdeux",
            "un\ndeux",
            "un\u{a0}: deux",
            "un\u{3000}deux",
            "un . deux , trois",
            "un. deux, trois",
            "é è ï œ",
            "« l’Europe » – c’est…",
            "disponible ici ).",
            "un \u{2028}\u{202f}deux\u{85}",
            "\u{a0}début \t\r\n , fin",
            " .début",
            "a\u{b}b\u{c}c",
            "l’«\u{2009}été\u{2009}» , puis",
        ] {
            let mut expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if expected.contains(" .") || expected.contains(" ,") {
                expected = expected.replace(" .", ".").replace(" ,", ",");
            }
            assert_eq!(collapse_spaces(text.to_string()), expected, "{text:?}");
        }
    }

    #[test]
    fn spaces_are_collapsed_in_long_texts_across_chunks() {
        // Texts long enough to be read in chunks, with every kind of white
        // space at every place of a chunk: the same as splitting on white
        // space and joining with single spaces.
        let pieces = [
            "mot", "é", "’", "«", " ", "  ", "\t", "\n", "\u{a0}", "\u{2009}", "\u{202f}",
            "\u{3000}", ".", ",", "x", "\u{2019}",
        ];
        let mut state: u32 = 7;
        for _ in 0..5_000 {
            let mut text = String::new();
            for _ in 0..40 {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                text.push_str(pieces[(state >> 16) as usize % pieces.len()]);
            }
            let expected = text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace(" .", ".")
                .replace(" ,", ",");
            assert_eq!(collapse_spaces(text.clone()), expected, "{text:?}");
        }
    }

    #[test]
    fn lines_are_those_of_str_lines_trimmed() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\n\n",
            "\na\r\n b \r\n\n\tc",
            " un\u{a0}\ndeux\r",
            "é\n\n\n",
        ] {
            let expected: Vec<&str> = text.lines().map(str::trim).collect();
            assert_eq!(trimmed_lines(text), expected, "{text:?}");
        }
    }

    #[test]
    fn white_space_is_told_as_char_is_whitespace_tells_it() {
        for c in '\0'..=char::MAX {
            let text = format!("{c}x");
            let expected = c.is_whitespace().then_some(c.len_utf8());
            assert_eq!(
                white_space_len(text.as_bytes(), 0),
                expected,
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn empty_text_gives_no_segment() {
        let report = segment("vide.txt", "\n\n  \n");
        assert!(report.segments.is_empty());
        assert_eq!(report.meta.title, "vide");
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = segment("a.txt", "Contexte\n\nTexte.\n\nSuite\n\nAutre.\n");
        let b = segment("a.txt", "Contexte\n\nTexte corrigé.\n\nSuite\n\nAutre.\n");
        assert_eq!(a.segments[0].id, b.segments[0].id);
        assert_ne!(a.segments[0].id, a.segments[1].id);
        let other = segment("b.txt", "Contexte\n\nTexte.\n");
        assert_ne!(a.segments[0].id, other.segments[0].id);
        assert_eq!(a.segments[0].id.len(), 16);
    }

    #[test]
    fn repeated_titles_get_distinct_ids() {
        let r = segment("a.txt", "Débat\n\nUn.\n\nDébat\n\nDeux.\n");
        assert_eq!(r.segments.len(), 2);
        assert_ne!(r.segments[0].id, r.segments[1].id);
    }

    #[test]
    fn annex_headings_switch_to_practices() {
        let text = "Contexte\n\nTexte.\n\nAnnex: Examples of Practices\n\nA shelter in Tunis\n\nThe city opened a shelter.\n";
        let report = segment("en.txt", text);
        assert_eq!(titles(&report, SegmentKind::Section), ["Contexte"]);
        assert_eq!(
            titles(&report, SegmentKind::Practice),
            ["A shelter in Tunis"]
        );
        assert_eq!(
            report.segments[1].part.as_deref(),
            Some("Annex: Examples of Practices")
        );
    }
}
