//! Command-line definitions (clap). The doc comments are the help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Search engine for meeting reports: segments them into sections and case
/// studies, indexes them with a French-aware analyzer, and answers ranked
/// queries from the terminal and over HTTP.
#[derive(Debug, Parser)]
#[command(
    name = "palabre",
    version = env!("PALABRE_VERSION"),
    after_help = MAIN_AFTER_HELP
)]
pub struct Cli {
    /// Folders palabre works on.
    #[command(flatten)]
    pub paths: Paths,
    /// Configuration file (default: palabre.toml in the working directory, if any)
    #[arg(long, global = true, env = "PALABRE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print no progress and no summary, only warnings and errors
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more on stderr: -v what is done, -vv each file (RUST_LOG overrides)
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The examples and the exit status, at the end of `palabre --help` and of
/// the man page.
const MAIN_AFTER_HELP: &str = "\
Examples:
  palabre index                        index ./corpus into ./index
  palabre search \"cadre juridique\"
  palabre search refugies syriens --kind practice
  palabre search migrants --kind practice --city Douala --year 2019
  palabre show 1a2b3c4d5e6f7a8b
  palabre inspect corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt
  palabre serve --bind 127.0.0.1:8080 --watch
  palabre --corpus /srv/reports --index /var/lib/palabre index
  palabre config                       show the settings in effect

Settings come from flags, then environment variables (PALABRE_CORPUS,
PALABRE_INDEX, PALABRE_BIND, PALABRE_CONFIG), then palabre.toml, then the
defaults; `palabre config` shows which.

Exit status:
  0  something was found (search, show, documents), or the command did its job
  1  nothing was found
  2  an error (a bad command line, a missing index, an unreadable file, ...)";

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
    #[command(after_help = "\
Progress goes to stderr: a bar when stderr is a terminal, otherwise a line
every 2 seconds (PALABRE_PROGRESS_INTERVAL=SECONDS changes it), e.g.
  palabre: indexed 120/5000 files (3.1 MB/s, ETA 00:02:10)
and nothing with --quiet. The summary ends the run.

Examples:
  palabre index
  palabre index --rebuild
  palabre --corpus /srv/reports --index /var/lib/palabre index --quiet
  palabre index --json | jq .added")]
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
    #[command(after_help = "\
Exit status: 0 when the segment exists, 1 when no segment has that id, 2 on error.

Examples:
  palabre show 1a2b3c4d5e6f7a8b
  palabre show 1a2b3c4d5e6f7a8b --json")]
    Show {
        /// The segment id (16 hex digits)
        id: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Show how one report file is segmented (no index involved)
    #[command(after_help = "\
Examples:
  palabre inspect corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt
  palabre inspect report.pdf --json | jq '.segments | length'")]
    Inspect {
        /// The report file
        file: PathBuf,
        /// Print the segmented report as JSON
        #[arg(long)]
        json: bool,
    },
    /// List the indexed reports
    #[command(after_help = "\
Exit status: 0 when the index holds reports, 1 when it is empty, 2 on error.

Examples:
  palabre documents
  palabre documents --json")]
    Documents {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Write every segment of the index as JSON, one per line (NDJSON)
    #[command(after_help = "\
Each line is a segment as GET /segments/ID gives it (text, kind, title,
report, date, city, organisations, language…), without its neighbours.
The lines load as they are into another engine when a deployment outgrows
one machine: Elasticsearch or OpenSearch (_bulk), Quickwit, Meilisearch.

Exit status: 0 when the index holds segments, 1 when it is empty, 2 on error.

Examples:
  palabre export > segments.ndjson
  palabre export | gzip > segments.ndjson.gz")]
    Export,
    /// Answer searches over HTTP: the search page at /, GET /search?q=…,
    /// GET /segments/ID, GET /documents, GET /health, GET /openapi.json
    #[command(after_help = "\
The address, and whether to watch, may also come from palabre.toml (bind,
watch). Behind a TLS reverse proxy and as a systemd service: see
docs/deploy.md and the files in deploy/.

Examples:
  palabre serve
  palabre serve --bind 127.0.0.1:8080 --watch
  PALABRE_BIND=0.0.0.0:8080 palabre serve")]
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
        // Not `requires = "watch"`: watching may be set in palabre.toml.
        #[arg(long)]
        poll: bool,
        /// Open connections accepted at once; past it new ones get 503
        #[arg(long, default_value_t = 512, value_name = "N")]
        max_connections: usize,
        /// Keep the answers to the last N distinct searches until the index
        /// changes (0: no cache)
        #[arg(long, default_value_t = 1024, value_name = "N")]
        cache_entries: usize,
        /// Let web pages from ORIGIN (https://intranet.example) call the API;
        /// repeat for several origins. Cross-origin calls are refused by default
        #[arg(long, value_name = "ORIGIN")]
        cors: Vec<String>,
        /// Require "Authorization: Bearer TOKEN" on every request
        #[arg(
            long,
            env = "PALABRE_TOKEN",
            hide_env_values = true,
            value_name = "TOKEN"
        )]
        token: Option<String>,
        /// Also use the concepts of this glossary file (TOML, like data/glossary.toml)
        #[arg(long, value_name = "FILE")]
        glossary: Option<PathBuf>,
    },
    /// Watch the corpus and re-index when reports are added, changed or
    /// removed, until stopped (for when another process serves)
    #[command(after_help = "\
Examples:
  palabre watch
  palabre watch --poll          on a network folder")]
    Watch {
        /// Scan the corpus every second instead of relying on file events
        /// (for network folders, where file events may not arrive)
        #[arg(long)]
        poll: bool,
    },
    /// Print the settings in effect and where each comes from (flag,
    /// environment variable, configuration file or default); the token is masked
    #[command(after_help = "\
palabre.toml holds any of these keys (relative paths are relative to the file):
  corpus = \"/srv/palabre/corpus\"
  index = \"/var/lib/palabre/index\"
  bind = \"127.0.0.1:8080\"
  watch = true
  token = \"a long random string\"
  cors = [\"https://intranet.example.org\"]
  glossary = \"glossary.txt\"
Any other key is an error. Flags win over environment variables, which win
over the file, which wins over the defaults.

Examples:
  palabre config
  palabre --config /etc/palabre/palabre.toml config
  palabre config --json")]
    Config {
        /// Print JSON instead of TOML
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script to stdout
    #[command(after_help = "\
Examples:
  palabre completions bash > ~/.local/share/bash-completion/completions/palabre
  palabre completions zsh > ~/.zfunc/_palabre      (with fpath+=~/.zfunc)
  palabre completions fish > ~/.config/fish/completions/palabre.fish")]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout, or write one per subcommand to a folder
    #[command(after_help = "\
Examples:
  palabre man > palabre.1 && man ./palabre.1
  palabre man --dir /usr/local/share/man/man1")]
    Man {
        /// Write palabre.1 and palabre-SUBCOMMAND.1 into this folder
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

fn parse_lang(code: &str) -> Result<palabre::analysis::Lang, String> {
    palabre::analysis::Lang::from_code(code)
        .ok_or_else(|| format!("{code:?} is not one of fr, en, es, ar"))
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
