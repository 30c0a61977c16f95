//! The index schema: field names, the tantivy schema, and the conversion of
//! a segmented report into tantivy documents.
//!
//! Each report becomes one *report record* (kind `report`: its content hash
//! and metadata, never matched by a text query because it has no text
//! fields) plus one document per segment. Text is indexed in per-language
//! fields (`body_fr`, `body_en` …), each with its language's analyzer, so
//! reports in four languages share one index; a query is analysed once per
//! language and searches them all.

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::TantivyDocument;

use crate::analysis::{self, Lang};
use crate::segment::{Report, SegmentKind};

/// Field names.
pub mod name {
    /// Segment id: its 16 hex digits as a number (see [`super::id_key`]),
    /// stored, and looked up in its column.
    pub const ID: &str = "id";
    /// Report name: path relative to the corpus.
    pub const DOC: &str = "doc";
    /// Report title.
    pub const DOC_TITLE: &str = "doc_title";
    /// `section`, `practice`, or `report` for a report record.
    pub const KIND: &str = "kind";
    /// Segment heading, stored for display.
    pub const TITLE: &str = "title";
    /// Language code of the segment (or the report, on a report record).
    pub const LANG: &str = "lang";
    /// Meeting date, `YYYY-MM-DD`.
    pub const DATE: &str = "date";
    /// Meeting year.
    pub const YEAR: &str = "year";
    /// City: of the meeting for a section or a report record; the one the
    /// practice names for a practice (empty when it names none).
    pub const CITY: &str = "city";
    /// Organisations a practice names, and those of the segment's
    /// speakers (several values).
    pub const ORG: &str = "org";
    /// Full names of the people who speak in the segment (several values).
    pub const PERSON: &str = "person";
    /// The same names, as words, for text queries.
    pub const SPEAKER: &str = "speaker";
    /// The folded, unstemmed words of the reports' headings and texts: the
    /// vocabulary that typo tolerance and "did you mean" look words up in.
    /// Only vocabulary documents hold it, each distinct word of a batch of
    /// reports once (see `crate::vocabulary`): its document frequency
    /// counts batches, and segments do not pay for a second postings table
    /// (the largest part of the index when they did).
    pub const FOLD: &str = "fold";
    /// The reports whose words a vocabulary document holds (several
    /// values).
    pub const VOCABULARY_OF: &str = "vocabulary_of";
    /// Enclosing heading (e.g. the annex title).
    pub const PART: &str = "part";
    /// Position of the segment in its report.
    pub const ORDINAL: &str = "ordinal";
    /// Content hash of the report file (report records).
    pub const HASH: &str = "hash";
    /// Report metadata as JSON (report records).
    pub const REPORT: &str = "report";
}

/// The value of the `kind` field on report records.
pub const REPORT_KIND: &str = "report";
/// The value of the `kind` field on vocabulary documents.
pub const VOCABULARY_KIND: &str = "vocabulary";

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// See [`name::ID`].
    pub id: Field,
    /// See [`name::DOC`].
    pub doc: Field,
    /// See [`name::DOC_TITLE`].
    pub doc_title: Field,
    /// See [`name::KIND`].
    pub kind: Field,
    /// See [`name::TITLE`].
    pub title: Field,
    /// See [`name::LANG`].
    pub lang: Field,
    /// See [`name::DATE`].
    pub date: Field,
    /// See [`name::YEAR`].
    pub year: Field,
    /// See [`name::CITY`].
    pub city: Field,
    /// See [`name::ORG`].
    pub org: Field,
    /// See [`name::PERSON`].
    pub person: Field,
    /// See [`name::SPEAKER`].
    pub speaker: Field,
    /// See [`name::FOLD`].
    pub fold: Field,
    /// See [`name::VOCABULARY_OF`].
    pub vocabulary_of: Field,
    /// See [`name::PART`].
    pub part: Field,
    /// See [`name::ORDINAL`].
    pub ordinal: Field,
    /// See [`name::HASH`].
    pub hash: Field,
    /// See [`name::REPORT`].
    pub report: Field,
    /// Indexed headings, one field per language, in [`Lang::ALL`] order.
    pub title_by_lang: [Field; 4],
    /// Indexed texts, one field per language, in [`Lang::ALL`] order.
    pub body_by_lang: [Field; 4],
    /// Indexed bold key phrases, one field per language.
    pub keyphrases_by_lang: [Field; 4],
}

impl Fields {
    /// The indexed heading field for a language.
    pub fn title_for(&self, lang: Lang) -> Field {
        self.title_by_lang[lang_slot(lang)]
    }

    /// The text field for a language: indexed, and stored in the
    /// segments of that language.
    pub fn body_for(&self, lang: Lang) -> Field {
        self.body_by_lang[lang_slot(lang)]
    }

    /// A stored segment's id, as 16 hex digits.
    pub fn segment_id(&self, doc: &TantivyDocument) -> String {
        doc.get_first(self.id)
            .and_then(|v| v.as_u64())
            .map(|key| format!("{key:016x}"))
            .unwrap_or_default()
    }

    /// A stored segment's text, from the text field of its language.
    pub fn segment_text<'a>(&self, doc: &'a TantivyDocument) -> Option<&'a str> {
        self.body_by_lang
            .iter()
            .find_map(|&field| doc.get_first(field).and_then(|v| v.as_str()))
    }

    /// The indexed key-phrase field for a language.
    pub fn keyphrases_for(&self, lang: Lang) -> Field {
        self.keyphrases_by_lang[lang_slot(lang)]
    }
}

/// The number a segment id is indexed as: its 16 lower-case hex digits
/// read in base 16. `None` for anything else, which no segment has.
pub fn id_key(id: &str) -> Option<u64> {
    let hex = id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    hex.then(|| u64::from_str_radix(id, 16).ok()).flatten()
}

fn lang_slot(lang: Lang) -> usize {
    match lang {
        Lang::Fr => 0,
        Lang::En => 1,
        Lang::Es => 2,
        Lang::Ar => 3,
    }
}

/// The schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let keyword = STRING | STORED | FAST;
    // Fields that hold one value per document and only ever filter or look
    // up: a field norm (one byte per document and field, 1.3 MB per field
    // at 1 GB of text) would always be 1, and BM25 reads a constant 1
    // without it, so scores are unchanged. `org` and `person` hold several
    // values and keep theirs.
    let without_norms = |options: TextOptions| match options.get_indexing_options().cloned() {
        Some(indexing) => options.set_indexing_options(indexing.set_fieldnorms(false)),
        None => options,
    };
    let analysed = |lang: Lang| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(lang.tokenizer_name())
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let folded = |record: IndexRecordOption, fieldnorms: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::FOLD_TOKENIZER)
                .set_index_option(record)
                .set_fieldnorms(fieldnorms),
        )
    };
    let fields = Fields {
        // A column, not a term: a term per segment, each in one document,
        // was a twentieth of the indexing time (1.3 M of them at 1 GB) and
        // 130 MB of its peak memory. Finding one id reads the column: about
        // a millisecond per million segments, once per passage shown.
        id: builder.add_u64_field(name::ID, FAST | STORED),
        doc: builder.add_text_field(name::DOC, without_norms(keyword.clone())),
        doc_title: builder.add_text_field(name::DOC_TITLE, STORED),
        kind: builder.add_text_field(name::KIND, without_norms(keyword.clone())),
        title: builder.add_text_field(name::TITLE, STORED),
        lang: builder.add_text_field(name::LANG, without_norms(keyword.clone())),
        date: builder.add_text_field(name::DATE, STORED),
        year: builder.add_u64_field(name::YEAR, INDEXED | STORED | FAST),
        city: builder.add_text_field(name::CITY, without_norms(keyword.clone())),
        org: builder.add_text_field(name::ORG, keyword.clone()),
        person: builder.add_text_field(name::PERSON, keyword),
        speaker: builder.add_text_field(
            name::SPEAKER,
            folded(IndexRecordOption::WithFreqsAndPositions, true),
        ),
        // Never scored: typo tolerance reads its terms and their counts.
        fold: builder.add_text_field(name::FOLD, folded(IndexRecordOption::Basic, false)),
        vocabulary_of: builder.add_text_field(name::VOCABULARY_OF, without_norms(STRING | STORED)),
        part: builder.add_text_field(name::PART, STORED),
        ordinal: builder.add_u64_field(name::ORDINAL, STORED | FAST),
        hash: builder.add_text_field(name::HASH, STORED),
        report: builder.add_text_field(name::REPORT, STORED),
        title_by_lang: Lang::ALL
            .map(|lang| builder.add_text_field(&format!("title_{}", lang.code()), analysed(lang))),
        // The text is stored in the field that indexes it, not in a field
        // of its own: one copy of every segment's text per document instead
        // of two (a segment has one language, so one of these fields).
        body_by_lang: Lang::ALL.map(|lang| {
            builder.add_text_field(
                &format!("body_{}", lang.code()),
                analysed(lang).set_stored(),
            )
        }),
        keyphrases_by_lang: Lang::ALL.map(|lang| {
            builder.add_text_field(&format!("keyphrases_{}", lang.code()), analysed(lang))
        }),
    };
    (builder.build(), fields)
}

/// Looks up our fields in a schema read from disk. `None` when one is
/// missing or has other options: the index was not built by this version.
pub fn fields_of(schema: &Schema) -> Option<Fields> {
    let (expected, fields) = build();
    let same = expected.fields().count() == schema.fields().count()
        && expected.fields().all(|(field, entry)| {
            schema.get_field(entry.name()).ok() == Some(field)
                && schema.get_field_entry(field) == entry
        });
    same.then_some(fields)
}

/// What a report record stores about a report, for `palabre documents` and
/// incremental indexing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRecord {
    /// Report name, relative to the corpus.
    pub doc: String,
    /// Report title.
    pub doc_title: String,
    /// Meeting date.
    pub date: Option<String>,
    /// Meeting city.
    pub city: Option<String>,
    /// Language detected for the report.
    pub lang: Lang,
    /// Number of segments indexed.
    pub segments: usize,
    /// When it was indexed, seconds since the Unix epoch.
    pub indexed_at: u64,
    /// blake3 of the file's bytes.
    pub hash: String,
}

/// The tantivy documents for one report: its record, then its segments.
/// `segment_langs` gives each segment's language, in order.
pub fn documents(
    fields: &Fields,
    report: &Report,
    record: &ReportRecord,
    segment_langs: &[Lang],
) -> Vec<TantivyDocument> {
    let meta = &report.meta;
    let year = meta.year().map(u64::from);
    let mut docs = Vec::with_capacity(report.segments.len() + 1);

    let mut head = TantivyDocument::default();
    head.add_text(fields.kind, REPORT_KIND);
    head.add_text(fields.doc, &report.doc);
    head.add_text(fields.doc_title, &meta.title);
    head.add_text(fields.lang, record.lang.code());
    head.add_text(fields.hash, &record.hash);
    head.add_text(
        fields.report,
        serde_json::to_string(record).unwrap_or_default(),
    );
    add_meeting(fields, &mut head, report, year);
    if let Some(city) = &meta.city {
        head.add_text(fields.city, city);
    }
    docs.push(head);

    for (segment, lang) in report.segments.iter().zip(segment_langs) {
        let mut doc = TantivyDocument::default();
        if let Some(key) = id_key(&segment.id) {
            doc.add_u64(fields.id, key);
        }
        doc.add_text(fields.doc, &report.doc);
        doc.add_text(fields.doc_title, &meta.title);
        doc.add_text(fields.kind, segment.kind.as_str());
        doc.add_text(fields.title, &segment.title);
        doc.add_text(fields.lang, lang.code());
        doc.add_text(fields.title_for(*lang), &segment.title);
        doc.add_text(fields.body_for(*lang), &segment.text);
        for phrase in &segment.keyphrases {
            doc.add_text(fields.keyphrases_for(*lang), phrase);
        }
        doc.add_u64(fields.ordinal, segment.ordinal as u64);
        if let Some(part) = &segment.part {
            doc.add_text(fields.part, part);
        }
        add_meeting(fields, &mut doc, report, year);
        // A practice is about the place it names, not where it was told.
        let city = match segment.kind {
            SegmentKind::Section => meta.city.as_ref(),
            SegmentKind::Practice => segment.city.as_ref(),
        };
        if let Some(city) = city {
            doc.add_text(fields.city, city);
        }
        let speakers_organisations = segment
            .speakers
            .iter()
            .filter_map(|p| p.organisation.as_ref());
        let mut organisations: Vec<&String> = Vec::new();
        for organisation in segment.organisations.iter().chain(speakers_organisations) {
            if !organisations.contains(&organisation) {
                organisations.push(organisation);
                doc.add_text(fields.org, organisation);
            }
        }
        for person in &segment.speakers {
            doc.add_text(fields.person, &person.name);
            doc.add_text(fields.speaker, &person.name);
        }
        docs.push(doc);
    }
    docs
}

fn add_meeting(fields: &Fields, doc: &mut TantivyDocument, report: &Report, year: Option<u64>) {
    if let Some(date) = &report.meta.date {
        doc.add_text(fields.date, date);
    }
    if let Some(year) = year {
        doc.add_u64(fields.year, year);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_id_is_indexed_as_its_number_and_read_back_as_written() {
        let (_, fields) = build();
        for id in ["0000000000000000", "00ff3a9c2b7d4e10", "ffffffffffffffff"] {
            let key = id_key(id).expect("an id");
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.id, key);
            assert_eq!(fields.segment_id(&doc), id);
        }
        for not_an_id in [
            "",
            "00ff3a9c2b7d4e1",
            "00ff3a9c2b7d4e100",
            "00FF3A9C2B7D4E10",
            "+0ff3a9c2b7d4e10",
            "00ff3a9c2b7d4e1g",
            "00ff3a9c2b7d4é1",
        ] {
            assert_eq!(id_key(not_an_id), None, "{not_an_id:?}");
        }
        let report = crate::segment::segment("r.txt", "Contexte\n\nTexte.\n");
        let docs = documents(&fields, &report, &record(&report), &[Lang::Fr]);
        assert_eq!(
            docs[1].get_first(fields.id).and_then(|v| v.as_u64()),
            id_key(&report.segments[0].id)
        );
    }

    fn record(report: &Report) -> ReportRecord {
        ReportRecord {
            doc: report.doc.clone(),
            doc_title: report.meta.title.clone(),
            date: report.meta.date.clone(),
            city: report.meta.city.clone(),
            lang: Lang::Fr,
            segments: report.segments.len(),
            indexed_at: 0,
            hash: "h".into(),
        }
    }

    #[test]
    fn a_schema_matches_itself_and_not_another() {
        let (schema, _) = build();
        assert!(fields_of(&schema).is_some());
        let mut other = Schema::builder();
        other.add_text_field("title", tantivy::schema::TEXT);
        assert!(fields_of(&other.build()).is_none());
    }

    #[test]
    fn a_report_gives_a_record_and_one_document_per_segment() {
        let (_, fields) = build();
        let report = crate::segment::segment(
            "r.txt",
            "Titre\n\n3 mars 2020, Rabat\n\nContexte\n\nTexte.\n\nSuite\n\nAutre.\n",
        );
        let docs = documents(&fields, &report, &record(&report), &[Lang::Fr, Lang::En]);
        assert_eq!(docs.len(), 3);
        use tantivy::schema::Value;
        let kind = |d: &TantivyDocument| {
            d.get_first(fields.kind)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        assert_eq!(kind(&docs[0]).as_deref(), Some("report"));
        assert_eq!(kind(&docs[1]).as_deref(), Some("section"));
        assert!(docs[2].get_first(fields.body_for(Lang::En)).is_some());
        assert!(docs[2].get_first(fields.body_for(Lang::Fr)).is_none());
        // The vocabulary is in vocabulary documents, not here.
        assert!(docs.iter().all(|d| d.get_first(fields.fold).is_none()));
    }

    #[test]
    fn a_practice_is_filed_under_its_own_city_and_organisations() {
        use tantivy::schema::Value;
        let (_, fields) = build();
        let text = "Titre\n\n3 mars 2020, Rabat\n\nContexte\n\nTexte.\n\nAnnexe: Pratiques\n\nLogement, Caritas Douala\n\nCaritas aide les familles de Douala. Suite.\n\nUne pratique sans lieu\n\nRien ici.\n";
        let report = crate::segment::segment("r.txt", text);
        let docs = documents(&fields, &report, &record(&report), &[Lang::Fr; 3]);
        let values = |d: &TantivyDocument, field: Field| -> Vec<String> {
            d.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        // Report record and section: the meeting's city.
        assert_eq!(values(&docs[0], fields.city), ["Rabat"]);
        assert_eq!(values(&docs[1], fields.city), ["Rabat"]);
        assert_eq!(values(&docs[2], fields.city), ["Douala"]);
        assert_eq!(values(&docs[2], fields.org), ["Caritas"]);
        assert!(values(&docs[3], fields.city).is_empty(), "never guessed");
        assert_eq!(
            docs[3].get_first(fields.year).and_then(|v| v.as_u64()),
            Some(2020)
        );
    }
}
