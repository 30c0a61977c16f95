//! The `palabre` binary: parses the command line and dispatches. Errors are
//! printed once, on one line, and mapped to exit codes like grep's: 0 when
//! something was found, 1 when nothing was, 2 on error.

// The C runtime calls `entry::main`: see there why.
#![cfg_attr(all(unix, not(test)), no_main)]

mod allocator;
mod cli;
mod config;
#[cfg(all(unix, not(test)))]
mod entry;
mod progress;

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};
use signal_hook::consts::{SIGINT, SIGTERM};

use cli::{Cli, Command};
use config::Config;
use palabre::render::{self, Style};
use palabre::search::{Engine, Filters, SearchRequest};
use palabre::watch::{self, WatchOptions, Watcher};
use palabre::{corpus, index, segment, server, Error};

#[global_allocator]
static ALLOCATOR: allocator::Switching = allocator::Switching;

/// Exit status: something found, or the command did its job.
const FOUND: u8 = 0;
/// Exit status: the search found nothing.
const NOT_FOUND: u8 = 1;
/// Exit status: an error.
const FAILED: u8 = 2;

/// Rust's own entry point, where [`entry`] is not used (and in the test
/// harness's build, which has its own).
#[cfg(any(not(unix), test))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run_command(std::env::args_os().collect()))
}

/// Runs the command line `args` (the program's name first); returns the
/// exit status.
fn run_command(args: Vec<OsString>) -> u8 {
    // Parsed in place, not on a clone: copying every subcommand's arguments
    // and dropping the copy were about 1% of a one-off search's instructions.
    let mut command = Cli::command();
    let parsed = command
        .try_get_matches_from_mut(args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return usage_error(&error),
    };
    init_logging(cli.quiet, cli.verbose);
    let result = config::resolve(&command, &matches).and_then(|config| run(cli, config));
    match result {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => FOUND,
        Err(error) => {
            eprintln!("palabre: {}", one_line(&error));
            FAILED
        }
    }
}

/// Help and version go to stdout as clap writes them (and the full help to
/// stderr when no subcommand is given); a bad command line gets one line,
/// like every other error, e.g. `palabre: invalid value 'chapter' for
/// '--kind <KIND>' [possible values: section, practice]`.
fn usage_error(error: &clap::Error) -> u8 {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return if error.use_stderr() { FAILED } else { FOUND };
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
    FAILED
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

/// Log lines go to stderr as `palabre: info: …`. `-v` shows palabre's
/// info lines, `-vv` its debug lines, `-vvv` everyone's; `RUST_LOG` (e.g.
/// `RUST_LOG=tantivy=info`) adds to or overrides that.
fn init_logging(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,palabre=info",
        (false, 2) => "warn,palabre=debug",
        _ => "debug",
    };
    env_logger::Builder::new()
        .parse_filters(level)
        .parse_env("RUST_LOG")
        .format(|out, record| {
            let level = record.level().as_str().to_ascii_lowercase();
            writeln!(out, "palabre: {level}: {}", record.args())
        })
        .init();
}

fn run(cli: Cli, config: Config) -> anyhow::Result<u8> {
    let paths = &cli::Paths {
        corpus: config.corpus.value.clone(),
        index: config.index.value.clone(),
    };
    let quiet = cli.quiet;
    match cli.command {
        Command::Index { rebuild, json } => {
            allocator::use_mimalloc();
            let mode = progress::Mode::choose(quiet, cli.verbose, std::io::stderr().is_terminal());
            let mut reporter = progress::Reporter::new(mode);
            let result = index::run_with_progress(
                &paths.corpus,
                &paths.index,
                index::IndexOptions { rebuild },
                &mut |p| reporter.update(p),
            );
            reporter.finish();
            let summary = result?;
            report_skipped(&summary.skipped);
            if json {
                print(&format!("{}\n", serde_json::to_string(&summary)?))?;
            } else if !quiet {
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
            glossary: _,
            json,
        } => {
            // --glossary, or `glossary` in palabre.toml.
            let glossary = config.glossary.value.clone();
            let engine = open_or_build(&paths.corpus, &paths.index)?.with_segment_threads();
            let engine = with_glossary(engine, glossary)?;
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
                // The terminal shows no facets; JSON has them all.
                facets: json,
            };
            let results = engine.search(&request)?;
            // The process ends here: tearing down the readers, caches and
            // the glossary would cost more than the rest of the answer
            // (0.8 M instructions on a 1 GB index), and frees nothing the
            // exit does not.
            std::mem::forget(engine);
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
        Command::Export => {
            let engine = Engine::open(&paths.index)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut written = 0_usize;
            engine.each_passage(|passage| -> anyhow::Result<()> {
                // Written as bytes so that a closed pipe (`| head`) is an
                // io::Error, which ends the program quietly.
                let mut line = serde_json::to_vec(&passage)?;
                line.push(b'\n');
                out.write_all(&line)?;
                written += 1;
                Ok(())
            })?;
            out.flush()?;
            Ok(if written == 0 { NOT_FOUND } else { FOUND })
        }
        Command::Serve {
            bind: _,
            threads,
            watch: _,
            poll,
            max_connections,
            cache_entries,
            cors: _,
            token: _,
            glossary: _,
        } => {
            allocator::use_mimalloc();
            // The address, --watch, the token and the CORS origins may come
            // from palabre.toml too.
            let bind = config.bind.value.clone();
            let token = config.token.value.clone();
            let cors = config.cors.value.clone();
            let watch = config.watch.value;
            if poll && !watch {
                anyhow::bail!("--poll goes with --watch (or watch = true in palabre.toml)");
            }
            let engine = match Engine::open_live(&paths.index) {
                Err(Error::NoIndex(_)) => {
                    build(&paths.corpus, &paths.index)?;
                    Engine::open_live(&paths.index)?
                }
                other => other?,
            };
            let glossary = config.glossary.value.clone();
            let engine = with_glossary(engine, glossary)?;
            let (listener, address) =
                server::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
            if !address.ip().is_loopback() {
                eprintln!("palabre: warning: listening on all interfaces ({address}); anyone on the network can search");
            }
            // The first SIGINT or SIGTERM sets `stop`; a second one, with
            // `stop` already set, ends the process at once.
            let stop = Arc::new(AtomicBool::new(false));
            for signal in [SIGINT, SIGTERM] {
                signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&stop))
                    .context("cannot handle signals")?;
                signal_hook::flag::register(signal, Arc::clone(&stop))
                    .context("cannot handle signals")?;
            }
            let engine = Arc::new(engine);
            let watching = if watch {
                Some(serve_watch(paths, poll, &engine, &stop)?)
            } else {
                None
            };
            let limits = server::Limits {
                threads,
                max_connections,
                ..server::Limits::default()
            };
            let service = Arc::new(server::Service::new(
                engine,
                server::Policy {
                    token: token.filter(|t| !t.is_empty()),
                    cors,
                    cache_entries,
                },
            ));
            eprintln!("palabre: listening on http://{address}");
            server::serve(listener, service, limits, Arc::clone(&stop));
            eprintln!("palabre: stopping: no longer accepting connections");
            if let Some(done) = watching {
                // A re-index in progress ends with its commit; past the
                // wait, exiting leaves the last commit as it was.
                if done.recv_timeout(limits.grace).is_err() {
                    eprintln!("palabre: warning: the watcher was still indexing; the index keeps its last commit");
                }
            }
            eprintln!("palabre: stopped");
            Ok(FOUND)
        }
        Command::Watch { poll } => {
            allocator::use_mimalloc();
            let watcher = start_watching(paths, poll)?;
            watcher.run(watch_log())?;
            Ok(FOUND)
        }
        Command::Config { json } => {
            if json {
                print(&format!("{}\n", serde_json::to_string_pretty(&config)?))?;
            } else {
                print(&config.to_toml())?;
            }
            Ok(FOUND)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "palabre", &mut script);
            print(&String::from_utf8_lossy(&script))?;
            Ok(FOUND)
        }
        Command::Man { dir } => {
            let command = Cli::command();
            match dir {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    clap_mangen::generate_to(command, &dir).with_context(|| {
                        format!("cannot write the man pages in {}", dir.display())
                    })?;
                }
                None => {
                    let mut page = Vec::new();
                    clap_mangen::Man::new(command).render(&mut page)?;
                    print(&String::from_utf8_lossy(&page))?;
                }
            }
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

/// Watches the corpus for a server, in a thread that reloads the engine
/// after its own commits; the receiver hears when the thread has stopped.
fn serve_watch(
    paths: &cli::Paths,
    poll: bool,
    engine: &Arc<Engine>,
    stop: &Arc<AtomicBool>,
) -> anyhow::Result<std::sync::mpsc::Receiver<()>> {
    let watcher = start_watching(paths, poll)?;
    let engine = Arc::clone(engine);
    let stop = Arc::clone(stop);
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut log = watch_log();
        let result = watcher.run_until(&stop, |event| {
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
        let _ = done.send(());
    });
    Ok(finished)
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
