//! Watching the corpus: notices new, changed and removed report files and
//! re-indexes them, so a folder that receives reports one by one is
//! searchable within seconds without anyone running `palabre index`.
//!
//! File events come from the operating system (inotify on Linux) through
//! `notify`, debounced by `notify-debouncer-mini`. Where native events are
//! not available (too many watches, some network file systems) or when
//! asked to, the corpus is polled instead. Events only say *that* something
//! changed: each re-index is an ordinary incremental [`index::run`], which
//! compares content hashes, so a lost or doubled event costs one scan at
//! most, and an event-queue overflow is answered by a scan too.
//!
//! Files still being written: the debouncer waits until a file has had no
//! event for the debounce time (a file written for longer is reported as
//! "continuous" and waited for); then the sizes and modification times of
//! the changed files are taken again after a short pause, and the run is
//! put off while they still move. Hidden, temporary and lock files
//! (`.~lock.x.txt#`, `x.txt.part`, `.x.txt.swp`) never trigger a run.
//!
//! The watcher is a writer like `palabre index`: when another process holds
//! the index lock, it tries again later instead of giving up.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use notify_debouncer_mini::notify::event::{AccessKind, AccessMode};
use notify_debouncer_mini::notify::{
    self, EventHandler, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, WatcherKind,
};
use notify_debouncer_mini::{
    new_debouncer_opt, Config, DebounceEventResult, DebouncedEventKind, Debouncer,
};

use crate::corpus;
use crate::error::{Error, Result};
use crate::index::{self, IndexOptions, IndexSummary};

/// Quiet time after the last event on a file before it is re-indexed.
pub const DEBOUNCE: Duration = Duration::from_millis(500);
/// How often the corpus is scanned when polling.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Pause between the two looks at a changed file's size and time.
const SETTLE: Duration = Duration::from_millis(250);
/// First and longest wait before retrying a run that failed.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_LONGEST: Duration = Duration::from_secs(60);
/// How often a waiting watcher looks whether it should stop.
const STOP_POLL: Duration = Duration::from_millis(200);

/// How to watch.
#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// Poll the corpus instead of relying on file events.
    pub poll: bool,
    /// Quiet time after the last event on a file.
    pub debounce: Duration,
    /// Time between two scans when polling.
    pub poll_interval: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            poll: false,
            debounce: DEBOUNCE,
            poll_interval: POLL_INTERVAL,
        }
    }
}

/// How changes are noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// File events from the operating system.
    Native,
    /// Scanning the corpus at intervals; `fallback` says why native events
    /// could not be used, when they were tried.
    Polling {
        /// How often.
        interval: Duration,
        /// Why file events were not used, if they were tried.
        fallback: Option<String>,
    },
}

/// What the watcher reports while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A re-index finished (it may have found nothing to change).
    Indexed(&'a IndexSummary),
    /// A re-index failed (the lock is held by another process, the corpus
    /// is gone …); it is tried again after `retry_in`.
    Failed {
        /// What went wrong.
        error: &'a Error,
        /// When the next try comes.
        retry_in: Duration,
    },
    /// The file watcher reported an error (events may have been lost); a
    /// full re-index follows.
    WatchError(String),
}

/// A corpus being watched, ready to [`run`](Watcher::run).
pub struct Watcher {
    corpus: PathBuf,
    index: PathBuf,
    events: Receiver<DebounceEventResult>,
    mode: Mode,
    /// The debouncer: watching stops when it is dropped.
    _debouncer: Box<dyn Send>,
}

impl Watcher {
    /// Starts watching `corpus` (recursively) for the index in `index`.
    /// Falls back to polling when native file events cannot be set up.
    pub fn start(corpus: &Path, index: &Path, options: WatchOptions) -> Result<Watcher> {
        if !corpus.is_dir() {
            return Err(Error::MissingCorpus(corpus.to_path_buf()));
        }
        let (sender, events) = mpsc::channel();
        let config = Config::default()
            .with_timeout(options.debounce)
            .with_notify_config(
                notify::Config::default().with_poll_interval(options.poll_interval),
            );
        let mut fallback = None;
        if !options.poll {
            match watch::<ChangesOnly<RecommendedWatcher>>(corpus, config.clone(), sender.clone()) {
                Ok(debouncer) => {
                    return Ok(Watcher {
                        corpus: corpus.to_path_buf(),
                        index: index.to_path_buf(),
                        events,
                        mode: Mode::Native,
                        _debouncer: Box::new(debouncer),
                    })
                }
                Err(error) => fallback = Some(error.to_string()),
            }
        }
        let debouncer = watch::<PollWatcher>(corpus, config, sender)?;
        Ok(Watcher {
            corpus: corpus.to_path_buf(),
            index: index.to_path_buf(),
            events,
            mode: Mode::Polling {
                interval: options.poll_interval,
                fallback,
            },
            _debouncer: Box::new(debouncer),
        })
    }

    /// How changes are noticed.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Indexes once to catch up with changes made while nobody watched,
    /// then re-indexes after every change, reporting each run to `report`.
    /// Returns only if the file watcher stops.
    pub fn run(self, report: impl FnMut(&Event)) -> Result<()> {
        self.run_until(&AtomicBool::new(false), report)
    }

    /// Like [`run`](Watcher::run), and returns `Ok` soon after `stop` is
    /// set: between two re-index runs, never during one (a run ends with
    /// its commit).
    pub fn run_until(self, stop: &AtomicBool, mut report: impl FnMut(&Event)) -> Result<()> {
        let mut due: Option<Instant> = Some(Instant::now());
        let mut changed: HashSet<PathBuf> = HashSet::new();
        let mut retry = RETRY_FIRST;
        loop {
            let wait = due.map_or(STOP_POLL, |at| {
                at.saturating_duration_since(Instant::now()).min(STOP_POLL)
            });
            let received = self.events.recv_timeout(wait);
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            match received {
                Ok(Ok(events)) => {
                    let mut relevant = false;
                    for event in events {
                        // A "continuous" event is a file still being
                        // written: its final event comes when it stops.
                        if event.kind == DebouncedEventKind::Any
                            && is_relevant(&self.corpus, &event.path)
                        {
                            relevant = true;
                            changed.insert(event.path);
                        }
                    }
                    if relevant {
                        due = Some(Instant::now());
                    }
                }
                Ok(Err(error)) => {
                    report(&Event::WatchError(error.to_string()));
                    due = Some(Instant::now());
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::Watch {
                        path: self.corpus.clone(),
                        reason: "the file watcher stopped".into(),
                    })
                }
            }
            if due.is_none_or(|at| at > Instant::now()) {
                continue;
            }
            if !settled(&changed) {
                due = Some(Instant::now() + SETTLE);
                continue;
            }
            match index::run(&self.corpus, &self.index, IndexOptions::default()) {
                Ok(summary) => {
                    report(&Event::Indexed(&summary));
                    changed.clear();
                    due = None;
                    retry = RETRY_FIRST;
                }
                Err(error) => {
                    report(&Event::Failed {
                        error: &error,
                        retry_in: retry,
                    });
                    due = Some(Instant::now() + retry);
                    retry = (retry * 2).min(RETRY_LONGEST);
                }
            }
        }
    }
}

/// A file watcher that passes on only the events that can change a file:
/// inotify also reports every `open` and every close without a write, and
/// the debouncer forgets what kind an event was, so without this filter
/// each re-index, which reads the reports, would set off the next one (and
/// so would anyone opening a report to read it).
struct ChangesOnly<W>(W);

impl<W: notify::Watcher> notify::Watcher for ChangesOnly<W> {
    fn new<F: EventHandler>(mut handler: F, config: notify::Config) -> notify::Result<Self> {
        let filter = move |event: notify::Result<notify::Event>| match event {
            // An overflowed event queue comes as an event with no path,
            // which the debouncer would drop: pass it on as an error, and
            // the watcher re-indexes everything.
            Ok(e) if e.need_rescan() => handler.handle_event(Err(notify::Error::generic(
                "events were lost (the queue overflowed)",
            ))),
            Ok(e) if !is_change(&e.kind) => {}
            other => handler.handle_event(other),
        };
        W::new(filter, config).map(ChangesOnly)
    }

    fn watch(&mut self, path: &Path, recursive_mode: RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, recursive_mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn kind() -> WatcherKind {
        W::kind()
    }
}

/// Whether an event can mean a changed file: anything but a mere access,
/// except the close of a file opened for writing.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Sets up a debounced watcher of kind `W` on the corpus.
fn watch<W: notify::Watcher>(
    corpus: &Path,
    config: Config,
    sender: mpsc::Sender<DebounceEventResult>,
) -> Result<Debouncer<W>> {
    let failed = |error: notify::Error| Error::Watch {
        path: corpus.to_path_buf(),
        reason: error.to_string(),
    };
    let mut debouncer = new_debouncer_opt::<_, W>(config, sender).map_err(failed)?;
    debouncer
        .watcher()
        .watch(corpus, RecursiveMode::Recursive)
        .map_err(failed)?;
    Ok(debouncer)
}

/// Whether a change at `path` can concern a report: a report file, or a
/// folder (which may hold reports), outside hidden folders; not a
/// temporary, hidden or lock file.
fn is_relevant(corpus: &Path, path: &Path) -> bool {
    let relative = path.strip_prefix(corpus).unwrap_or(path);
    let hidden = relative
        .components()
        .any(|c| corpus::is_ignored_name(&c.as_os_str().to_string_lossy()));
    !hidden && (corpus::is_report_path(path) || path.extension().is_none() || path.is_dir())
}

/// Whether the changed files have stopped growing: their sizes and
/// modification times are the same twice, [`SETTLE`] apart.
fn settled(changed: &HashSet<PathBuf>) -> bool {
    let look = || -> Vec<Option<(u64, SystemTime)>> {
        changed
            .iter()
            .map(|path| {
                let metadata = std::fs::metadata(path).ok()?;
                Some((metadata.len(), metadata.modified().ok()?))
            })
            .collect()
    };
    let files = changed.iter().filter(|p| p.is_file()).count();
    if files == 0 {
        return true;
    }
    let before = look();
    std::thread::sleep(SETTLE);
    look() == before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_and_folders_are_relevant_temporary_files_are_not() {
        let corpus = Path::new("/c");
        for path in ["/c/r.txt", "/c/2020/r.md", "/c/2020"] {
            assert!(is_relevant(corpus, Path::new(path)), "{path}");
        }
        for path in [
            "/c/.~lock.r.txt#",
            "/c/r.txt.part",
            "/c/r.tmp",
            "/c/.r.txt.swp",
            "/c/r.txt~",
            "/c/.git/r.txt",
            "/c/notes.odp",
        ] {
            assert!(!is_relevant(corpus, Path::new(path)), "{path}");
        }
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        use notify::event::{CreateKind, ModifyKind, RemoveKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Remove(RemoveKind::File)));
    }

    #[test]
    fn a_growing_file_is_not_settled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.txt");
        std::fs::write(&path, "début").unwrap();
        let changed: HashSet<PathBuf> = [path.clone()].into();
        assert!(settled(&changed));
        let writer = std::thread::spawn(move || {
            for _ in 0..10 {
                std::thread::sleep(SETTLE / 5);
                let mut text = std::fs::read_to_string(&path).unwrap();
                text.push_str(" suite");
                std::fs::write(&path, text).unwrap();
            }
        });
        assert!(!settled(&changed));
        writer.join().unwrap();
    }
}
