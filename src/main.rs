//! The `palabre` binary: parses the command line and dispatches. Errors are
//! printed once, on one line, and mapped to exit codes like grep's: 0 when
//! something was found, 1 when nothing was, 2 on error.

mod cli;

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command};
use palabre::render::{self, Style};
use palabre::search::{Engine, Filters, SearchRequest};
use palabre::watch::{self, WatchOptions, Watcher};
use palabre::{corpus, index, segment, server, Error};

/// Exit status: something found, or the command did its job.
const FOUND: u8 = 0;
/// Exit status: the search found nothing.
const NOT_FOUND: u8 = 1;
/// Exit status: an error.
const FAILED: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) if is_broken_pipe(&error) => ExitCode::from(FOUND),
        Err(error) => {
            eprintln!("palabre: {}", one_line(&error));
            ExitCode::from(FAILED)
        }
    }
}

/// Help and version go to stdout as clap writes them (and the full help to
/// stderr when no subcommand is given); a bad command line gets one line,
/// like every other error, e.g. `palabre: invalid value 'chapter' for
/// '--kind <KIND>' [possible values: section, practice]`.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(if error.use_stderr() { FAILED } else { FOUND });
    }
    // clap's message is a paragraph, then a blank line, tips and usage: keep
    // the paragraph, on one line, without its "error: " prefix, and the tips.
    let rendered = error.render().to_string();
    let mut lines = rendered.lines().map(str::trim);
    let mut message = lines
        .by_ref()
        .take_while(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    for tip in lines.filter(|line| line.starts_with("tip:")) {
        message = format!("{message} ({tip})");
    }
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    eprintln!("palabre: {message}");
    ExitCode::from(FAILED)
}

/// The error and its causes on one line, like anyhow's `{:#}`, except that
/// a cause already quoted by the message before it is not repeated: the
/// library's errors include their cause (`notes.txt: No such file …`).
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let paths = &cli.paths;
    match cli.command {
        Command::Index { rebuild, json } => {
            let summary = index::run(&paths.corpus, &paths.index, index::IndexOptions { rebuild })?;
            report_skipped(&summary.skipped);
            if json {
                print(&format!("{}\n", serde_json::to_string(&summary)?))?;
            } else {
                eprintln!("{}", render::summary_line(&summary));
            }
            Ok(FOUND)
        }
        Command::Search {
            query,
            limit,
            offset,
            kind,
            doc,
            city,
            year,
            lang,
            org,
            person,
            no_expand,
            glossary,
            json,
        } => {
            let engine = with_glossary(open_or_build(&paths.corpus, &paths.index)?, glossary)?;
            let request = SearchRequest {
                query: query.join(" "),
                limit,
                offset,
                kind: kind.map(Into::into),
                filters: Filters {
                    doc,
                    city,
                    year,
                    lang,
                    org,
                    person,
                },
                expand: !no_expand,
            };
            let results = engine.search(&request)?;
            if json {
                print(&format!("{}\n", serde_json::to_string(&results)?))?;
            } else {
                print(&render::results_terminal(&results, offset, stdout_style()))?;
            }
            Ok(if results.total > 0 { FOUND } else { NOT_FOUND })
        }
        Command::Show { id, json } => {
            let engine = Engine::open(&paths.index)?;
            let passage = match engine.passage(&id) {
                Err(error @ Error::UnknownSegment(_)) => {
                    // Nothing found, like a search without hits.
                    eprintln!("palabre: {error}");
                    return Ok(NOT_FOUND);
                }
                other => other?,
            };
            if json {
                print(&format!("{}\n", serde_json::to_string(&passage)?))?;
            } else {
                print(&render::passage_terminal(&passage))?;
            }
            Ok(FOUND)
        }
        Command::Inspect { file, json } => {
            let bytes = corpus::read_bytes(&file)?;
            let text = corpus::decode(&file, &bytes)?;
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let report = segment::segment(&name, &text);
            if json {
                print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                print(&render::report_terminal(&report))?;
            }
            Ok(FOUND)
        }
        Command::Documents { json } => {
            let engine = Engine::open(&paths.index)?;
            let documents = engine.documents()?;
            if json {
                print(&format!("{}\n", serde_json::to_string(&documents)?))?;
            } else {
                print(&render::documents_terminal(&documents))?;
            }
            Ok(if documents.is_empty() {
                NOT_FOUND
            } else {
                FOUND
            })
        }
        Command::Serve {
            bind,
            threads,
            watch,
            poll,
            glossary,
        } => {
            let engine = match Engine::open_live(&paths.index) {
                Err(Error::NoIndex(_)) => {
                    build(&paths.corpus, &paths.index)?;
                    Engine::open_live(&paths.index)?
                }
                other => other?,
            };
            let engine = with_glossary(engine, glossary)?;
            let (server, address) =
                server::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
            if !address.ip().is_loopback() {
                eprintln!("palabre: warning: listening on all interfaces ({address}); anyone on the network can search");
            }
            let engine = Arc::new(engine);
            if watch {
                let watcher = start_watching(paths, poll)?;
                let engine = Arc::clone(&engine);
                std::thread::spawn(move || {
                    let mut log = watch_log();
                    let result = watcher.run(|event| {
                        log(event);
                        // Our own commits are shown at once, without
                        // waiting for the reader's next look at meta.json.
                        if let watch::Event::Indexed(summary) = event {
                            if summary.changed() {
                                if let Err(error) = engine.reload() {
                                    eprintln!("palabre: warning: {error}");
                                }
                            }
                        }
                    });
                    if let Err(error) = result {
                        eprintln!("palabre: {error}; the server goes on without watching");
                    }
                });
            }
            eprintln!("palabre: listening on http://{address}");
            server::run(server, engine, threads);
            Ok(FOUND)
        }
        Command::Watch { poll } => {
            let watcher = start_watching(paths, poll)?;
            watcher.run(watch_log())?;
            Ok(FOUND)
        }
    }
}

/// Adds the user's glossary file, read now so that a mistake in it is
/// reported before any search.
fn with_glossary(engine: Engine, file: Option<PathBuf>) -> anyhow::Result<Engine> {
    Ok(match file {
        Some(file) => engine.with_glossary(palabre::glossary::Glossary::load(&file)?),
        None => engine,
    })
}

/// Opens the index, building it first when there is none yet, so that the
/// first search on a fresh clone works.
fn open_or_build(corpus: &Path, index_dir: &Path) -> anyhow::Result<Engine> {
    match Engine::open(index_dir) {
        Err(Error::NoIndex(_)) => {
            build(corpus, index_dir)?;
            Ok(Engine::open(index_dir)?)
        }
        other => Ok(other?),
    }
}

fn build(corpus: &Path, index_dir: &Path) -> anyhow::Result<()> {
    eprintln!(
        "palabre: no index in {} yet; indexing {} first",
        index_dir.display(),
        corpus.display()
    );
    let summary = index::run(corpus, index_dir, index::IndexOptions::default())?;
    report_skipped(&summary.skipped);
    eprintln!("palabre: {}", render::summary_line(&summary));
    Ok(())
}

fn report_skipped<'a>(skipped: impl IntoIterator<Item = &'a index::Skipped>) {
    for skipped in skipped {
        eprintln!(
            "palabre: warning: skipped {}: {}",
            skipped.doc, skipped.reason
        );
    }
}

fn start_watching(paths: &cli::Paths, poll: bool) -> anyhow::Result<Watcher> {
    let options = WatchOptions {
        poll,
        ..WatchOptions::default()
    };
    let watcher = Watcher::start(&paths.corpus, &paths.index, options)?;
    let how = match watcher.mode() {
        watch::Mode::Native => "file events".to_string(),
        watch::Mode::Polling { interval, fallback } => {
            let every = format!("polling every {} ms", interval.as_millis());
            match fallback {
                Some(reason) => format!("{every}: file events unavailable ({reason})"),
                None => every,
            }
        }
    };
    eprintln!(
        "palabre: watching {} for changes ({how})",
        paths.corpus.display()
    );
    Ok(watcher)
}

/// Prints what the watcher does: a line per run, and each bad file once
/// rather than at every run (again if it is fixed and breaks again).
fn watch_log() -> impl FnMut(&watch::Event) {
    let mut warned: HashSet<index::Skipped> = HashSet::new();
    move |event| match event {
        watch::Event::Indexed(summary) => {
            let now: HashSet<index::Skipped> = summary.skipped.iter().cloned().collect();
            report_skipped(now.difference(&warned));
            eprintln!("palabre: {}", render::summary_line(summary));
            warned = now;
        }
        watch::Event::Failed { error, retry_in } => {
            eprintln!("palabre: {error}; trying again in {} s", retry_in.as_secs());
        }
        watch::Event::WatchError(message) => {
            eprintln!("palabre: warning: file watcher: {message}; re-indexing everything");
        }
    }
}

fn stdout_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if std::io::stdout().is_terminal() && !no_color {
        Style::Color
    } else {
        Style::Plain
    }
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
