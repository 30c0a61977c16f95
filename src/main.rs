//! The `palabre` binary: parses the command line and dispatches. Errors are
//! printed once, on one line, and mapped to exit codes like grep's: 0 when
//! something was found, 1 when nothing was, 2 on error.

mod cli;

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command};
use palabre::render::{self, Style};
use palabre::search::{Engine, SearchRequest};
use palabre::watch::{self, WatchOptions, Watcher};
use palabre::{corpus, index, segment, server, Error};

/// Exit status: something found, or the command did its job.
const FOUND: u8 = 0;
/// Exit status: the search found nothing.
const NOT_FOUND: u8 = 1;
/// Exit status: an error.
const FAILED: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) if is_broken_pipe(&error) => ExitCode::from(FOUND),
        Err(error) => {
            eprintln!("palabre: {error:#}");
            ExitCode::from(FAILED)
        }
    }
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
            json,
        } => {
            let engine = open_or_build(&paths.corpus, &paths.index)?;
            let request = SearchRequest {
                query: query.join(" "),
                limit,
                offset,
                kind: kind.map(Into::into),
            };
            let results = engine.search(&request)?;
            if json {
                print(&format!("{}\n", serde_json::to_string(&results)?))?;
            } else {
                print(&render::results_terminal(&results, offset, stdout_style()))?;
            }
            Ok(if results.total > 0 { FOUND } else { NOT_FOUND })
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
        } => {
            let engine = match Engine::open_live(&paths.index) {
                Err(Error::NoIndex(_)) => {
                    build(&paths.corpus, &paths.index)?;
                    Engine::open_live(&paths.index)?
                }
                other => other?,
            };
            let (server, address) =
                server::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
            if !address.ip().is_loopback() {
                eprintln!("palabre: warning: listening on all interfaces ({address}); anyone on the network can search");
            }
            let engine = Arc::new(engine);
            if watch {
                let watcher = start_watching(paths, poll)?;
                watch_in_background(watcher, Arc::clone(&engine));
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

/// Runs the watcher on its own thread: the server's process is then the
/// index's writer, and its reader shows each of its commits at once.
fn watch_in_background(watcher: Watcher, engine: Arc<Engine>) {
    std::thread::spawn(move || {
        let mut log = watch_log();
        let result = watcher.run(|event| {
            log(event);
            // Without this, the reader would see the commit at its next
            // look at meta.json, up to half a second later.
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
