//! Shows how an indexing run is going, on stderr: a live bar when stderr is
//! a terminal, plain lines every few seconds otherwise (logs, journald, a
//! file), nothing with `--quiet`. The lines are meant to be parsed:
//!
//! ```text
//! palabre: read 5000/5000 files
//! palabre: indexing 5000 files (103.2 MB)
//! palabre: indexed 120/5000 files (3.1 MB/s, ETA 00:02:10)
//! palabre: writing the index
//! ```

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use palabre::index::{Progress, Stage};

/// Time between two plain lines, unless `PALABRE_PROGRESS_INTERVAL` (in
/// seconds) says otherwise.
const LINE_INTERVAL: Duration = Duration::from_secs(2);
/// The environment variable that sets the time between two plain lines.
pub const INTERVAL_ENV: &str = "PALABRE_PROGRESS_INTERVAL";

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A bar redrawn in place (stderr is a terminal).
    Bar,
    /// A line every few seconds.
    Lines,
    /// Nothing.
    Quiet,
}

impl Mode {
    /// The bar on a terminal, lines elsewhere. With `-v` the log lines
    /// would tear the bar apart, so they get plain lines too.
    pub fn choose(quiet: bool, verbose: u8, stderr_is_terminal: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if stderr_is_terminal && verbose == 0 {
            Mode::Bar
        } else {
            Mode::Lines
        }
    }
}

/// Receives [`Progress`] from the indexer and shows it.
pub struct Reporter {
    mode: Mode,
    interval: Duration,
    stage: Option<Stage>,
    stage_started: Instant,
    last_line: Instant,
    bar: Option<ProgressBar>,
}

impl Reporter {
    /// A reporter showing progress the `mode` way.
    pub fn new(mode: Mode) -> Reporter {
        let interval = std::env::var(INTERVAL_ENV)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .unwrap_or(LINE_INTERVAL);
        Reporter {
            mode,
            interval,
            stage: None,
            stage_started: Instant::now(),
            last_line: Instant::now(),
            bar: None,
        }
    }

    /// Shows where the run stands.
    pub fn update(&mut self, progress: Progress) {
        let new_stage = self.stage != Some(progress.stage);
        if new_stage {
            self.stage = Some(progress.stage);
            self.stage_started = Instant::now();
        }
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => self.line(progress, new_stage),
            Mode::Bar => self.bar(progress, new_stage),
        }
    }

    /// Takes the bar off the screen, before the summary is printed.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn line(&mut self, progress: Progress, new_stage: bool) {
        let due = self.last_line.elapsed() >= self.interval;
        let line = match progress.stage {
            // Reading is quick: a line only when it is not.
            Stage::Reading if due && !new_stage => Some(format!(
                "read {}/{} files",
                progress.files_done, progress.files_total
            )),
            Stage::Indexing if new_stage => Some(format!(
                "indexing {} files ({})",
                progress.files_total,
                megabytes(progress.bytes_total)
            )),
            Stage::Indexing if due => Some(indexed_line(progress, self.stage_started.elapsed())),
            Stage::Committing if new_stage => Some("writing the index".to_string()),
            _ => None,
        };
        if let Some(line) = line {
            eprintln!("palabre: {line}");
            self.last_line = Instant::now();
        }
    }

    fn bar(&mut self, progress: Progress, new_stage: bool) {
        if new_stage {
            self.finish();
            let bar = match progress.stage {
                Stage::Reading => bar_with(
                    progress.files_total as u64,
                    "{prefix:>8} [{wide_bar}] {pos}/{len} files",
                ),
                Stage::Indexing => bar_with(
                    progress.bytes_total,
                    "{prefix:>8} [{wide_bar}] {msg} files, {binary_bytes_per_sec}, ETA {eta}",
                ),
                Stage::Committing => {
                    let bar = bar_with(0, "{prefix:>8} {spinner} writing the index ({elapsed})");
                    bar.enable_steady_tick(Duration::from_millis(120));
                    bar
                }
            };
            bar.set_prefix(match progress.stage {
                Stage::Reading => "reading",
                Stage::Indexing => "indexing",
                Stage::Committing => "saving",
            });
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            match progress.stage {
                Stage::Reading => bar.set_position(progress.files_done as u64),
                Stage::Indexing => {
                    bar.set_position(progress.bytes_done);
                    bar.set_message(format!("{}/{}", progress.files_done, progress.files_total));
                }
                Stage::Committing => {}
            }
        }
    }
}

fn bar_with(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    // The templates are constants of ours: a bad one is a bug that the
    // tests show, and the default style is a fine fallback meanwhile.
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `indexed 120/5000 files (3.1 MB/s, ETA 00:02:10)`.
fn indexed_line(progress: Progress, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        progress.bytes_done as f64 / seconds
    } else {
        0.0
    };
    let eta = if rate > 0.0 {
        let left = progress.bytes_total.saturating_sub(progress.bytes_done) as f64;
        clock(Duration::from_secs_f64(left / rate))
    } else {
        "--:--:--".to_string()
    };
    // Two decimals below 1 MB/s: a slow run does not read as stalled.
    let megabytes = rate / 1e6;
    let decimals = if megabytes < 1.0 { 2 } else { 1 };
    format!(
        "indexed {}/{} files ({megabytes:.decimals$} MB/s, ETA {eta})",
        progress.files_done, progress.files_total,
    )
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `00:02:10`.
fn clock(duration: Duration) -> String {
    let s = duration.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_gives_files_rate_and_time_left() {
        let progress = Progress {
            stage: Stage::Indexing,
            files_done: 120,
            files_total: 5000,
            bytes_done: 31_000_000,
            bytes_total: 310_000_000,
        };
        assert_eq!(
            indexed_line(progress, Duration::from_secs(10)),
            "indexed 120/5000 files (3.1 MB/s, ETA 00:01:30)"
        );
        assert_eq!(clock(Duration::from_secs(3 * 3600 + 61)), "03:01:01");
        let slow = Progress {
            bytes_done: 400_000,
            ..progress
        };
        assert_eq!(
            indexed_line(slow, Duration::from_secs(10)),
            "indexed 120/5000 files (0.04 MB/s, ETA 02:09:00)"
        );
    }

    #[test]
    fn the_bar_only_on_a_terminal_and_never_when_quiet() {
        assert_eq!(Mode::choose(false, 0, true), Mode::Bar);
        assert_eq!(Mode::choose(false, 0, false), Mode::Lines);
        assert_eq!(Mode::choose(false, 1, true), Mode::Lines);
        assert_eq!(Mode::choose(true, 0, true), Mode::Quiet);
    }
}
