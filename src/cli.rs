//! Command-line definitions (clap). The doc comments are the help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Search engine for meeting reports: segments them into sections and case
/// studies, indexes them with a French-aware analyzer, and answers ranked
/// queries from the terminal and over HTTP.
#[derive(Debug, Parser)]
#[command(
    name = "palabre",
    version,
    after_help = "Examples:\n  palabre search \"cadre juridique\"\n  palabre search refugies syriens --kind practice\n  palabre search migrants --kind practice --city Douala --year 2019\n  palabre show 1a2b3c4d5e6f7a8b\n  palabre index\n  palabre inspect corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt\n  palabre serve --bind 127.0.0.1:8080 --watch"
)]
pub struct Cli {
    /// Folders palabre works on.
    #[command(flatten)]
    pub paths: Paths,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The corpus and index folders, accepted by every subcommand.
#[derive(Debug, Args)]
pub struct Paths {
    /// Folder of report files (.txt, .md, .pdf, .docx, .odt, .html)
    #[arg(long, global = true, env = "PALABRE_CORPUS", default_value = palabre::DEFAULT_CORPUS, value_name = "DIR")]
    pub corpus: PathBuf,
    /// Folder of the index
    #[arg(long, global = true, env = "PALABRE_INDEX", default_value = palabre::DEFAULT_INDEX, value_name = "DIR")]
    pub index: PathBuf,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index the corpus: new and changed reports are (re-)indexed, removed
    /// ones deleted, unchanged ones skipped
    Index {
        /// Re-read every report instead of only new and changed ones
        #[arg(long)]
        rebuild: bool,
        /// Print the summary as JSON
        #[arg(long)]
        json: bool,
    },
    /// Search the reports (builds the index first if there is none)
    #[command(
        after_help = "Query syntax:\n  words            segments with all words rank first, then those with some\n  \"a phrase\"       the words together, in this order (also “…” and «…»)\n  -word            leave out segments containing the word\nApostrophes are part of words: droit d'asile, l’intégration.\n\nExit status: 0 when something was found, 1 when nothing was, 2 on error."
    )]
    Search {
        /// The query: words and "quoted phrases"
        #[arg(required = true, num_args = 1.., value_name = "QUERY")]
        query: Vec<String>,
        /// Number of hits to show (1-100)
        #[arg(long, short = 'n', default_value_t = palabre::search::DEFAULT_LIMIT)]
        limit: usize,
        /// Number of hits to skip
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Only sections or only practices (case studies)
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Only this report (its file name); repeat for several
        #[arg(long, value_name = "NAME")]
        doc: Vec<String>,
        /// Only this city (of the meeting, or named by the practice); repeat for several
        #[arg(long, value_name = "CITY")]
        city: Vec<String>,
        /// Only meetings of this year; repeat for several
        #[arg(long, value_name = "YEAR")]
        year: Vec<u16>,
        /// Only segments in this language (fr, en, es, ar); repeat for several
        #[arg(long, value_name = "CODE", value_parser = parse_lang)]
        lang: Vec<palabre::analysis::Lang>,
        /// Only segments naming this organisation (practices, speakers); repeat for several
        #[arg(long, value_name = "NAME")]
        org: Vec<String>,
        /// Only segments where this person speaks (full name); repeat for several
        #[arg(long, value_name = "NAME")]
        person: Vec<String>,
        /// Search the words as typed, without their glossary equivalents
        #[arg(long)]
        no_expand: bool,
        /// Also use the concepts of this glossary file (TOML, like data/glossary.toml)
        #[arg(long, value_name = "FILE")]
        glossary: Option<PathBuf>,
        /// Print one JSON object instead of text (with the facets)
        #[arg(long)]
        json: bool,
    },
    /// Print one segment in full, by the id that search shows
    Show {
        /// The segment id (16 hex digits)
        id: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Show how one report file is segmented (no index involved)
    Inspect {
        /// The report file
        file: PathBuf,
        /// Print the segmented report as JSON
        #[arg(long)]
        json: bool,
    },
    /// List the indexed reports
    Documents {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Answer searches over HTTP: the search page at /, GET /search?q=…,
    /// GET /segments/ID, GET /documents, GET /health, GET /openapi.json
    Serve {
        /// Address to listen on; use 0.0.0.0:PORT to listen on all interfaces
        #[arg(long, env = "PALABRE_BIND", default_value = palabre::DEFAULT_BIND, value_name = "ADDR")]
        bind: String,
        /// Worker threads answering requests
        #[arg(long, default_value_t = 8)]
        threads: usize,
        /// Also watch the corpus and re-index when reports are added, changed or removed
        #[arg(long)]
        watch: bool,
        /// With --watch: scan the corpus every second instead of relying on file events
        #[arg(long, requires = "watch")]
        poll: bool,
        /// Also use the concepts of this glossary file (TOML, like data/glossary.toml)
        #[arg(long, value_name = "FILE")]
        glossary: Option<PathBuf>,
    },
    /// Watch the corpus and re-index when reports are added, changed or
    /// removed, until stopped (for when another process serves)
    Watch {
        /// Scan the corpus every second instead of relying on file events
        /// (for network folders, where file events may not arrive)
        #[arg(long)]
        poll: bool,
    },
}

fn parse_lang(code: &str) -> Result<palabre::analysis::Lang, String> {
    palabre::analysis::Lang::from_code(code)
        .ok_or_else(|| format!("{code:?} is not one of fr, en, es, ar"))
}

/// `--lang` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// French
    Fr,
    /// English
    En,
    /// Spanish
    Es,
    /// Arabic
    Ar,
}

impl From<LangArg> for palabre::analysis::Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::Fr => palabre::analysis::Lang::Fr,
            LangArg::En => palabre::analysis::Lang::En,
            LangArg::Es => palabre::analysis::Lang::Es,
            LangArg::Ar => palabre::analysis::Lang::Ar,
        }
    }
}

/// `--kind` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// A section of the report
    Section,
    /// A case study from the annex
    Practice,
}

impl From<KindArg> for palabre::segment::SegmentKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Section => palabre::segment::SegmentKind::Section,
            KindArg::Practice => palabre::segment::SegmentKind::Practice,
        }
    }
}
