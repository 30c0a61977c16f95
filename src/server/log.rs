//! What the server tells its operator: one access-log line per request on
//! stderr, and the counters behind `GET /metrics` (Prometheus text format).
//!
//! The access log names the path only: the query string (what people
//! search for) and the headers (the `Authorization` token) are never
//! written.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];
/// Status codes are counted one by one in 100..=599.
const STATUSES: std::ops::RangeInclusive<u16> = 100..=599;

/// Request counters, shared by every connection.
pub struct Metrics {
    /// Requests answered, by status code (index: code - 100).
    by_status: Vec<AtomicU64>,
    /// Requests whose handling took at most each of [`BUCKETS`].
    buckets: [AtomicU64; BUCKETS.len()],
    /// Requests recorded, and the sum of their latencies in microseconds.
    count: AtomicU64,
    micros: AtomicU64,
    /// Connections turned away with a 503 (too many open, queue full).
    rejected: AtomicU64,
    /// Connections open right now.
    pub(crate) open: AtomicUsize,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            by_status: STATUSES.map(|_| AtomicU64::new(0)).collect(),
            buckets: Default::default(),
            count: AtomicU64::new(0),
            micros: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            open: AtomicUsize::new(0),
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn record(&self, status: u16, took: Duration) {
        if let Some(counter) = status
            .checked_sub(*STATUSES.start())
            .and_then(|i| self.by_status.get(usize::from(i)))
        {
            counter.fetch_add(1, Relaxed);
        }
        let seconds = took.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.micros.fetch_add(micros, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }

    /// Counts a connection turned away.
    pub fn reject(&self) {
        self.rejected.fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition, with the index's sizes.
    pub fn render(&self, documents: usize, segments: usize, cache: Option<(u64, u64)>) -> String {
        let mut out = String::new();
        out.push_str("# HELP palabre_requests_total Requests answered, by HTTP status.\n");
        out.push_str("# TYPE palabre_requests_total counter\n");
        for (code, counter) in STATUSES.zip(&self.by_status) {
            let count = counter.load(Relaxed);
            if count > 0 {
                let _ = writeln!(out, "palabre_requests_total{{status=\"{code}\"}} {count}");
            }
        }
        out.push_str("# HELP palabre_request_duration_seconds Time from a complete request to its answer being written.\n");
        out.push_str("# TYPE palabre_request_duration_seconds histogram\n");
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "palabre_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Relaxed)
            );
        }
        let sum = self.micros.load(Relaxed) as f64 / 1e6;
        let total = self.count.load(Relaxed);
        let _ = writeln!(
            out,
            "palabre_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}\n\
             palabre_request_duration_seconds_sum {sum}\n\
             palabre_request_duration_seconds_count {total}"
        );
        let gauges = [
            (
                "palabre_connections_rejected_total",
                "counter",
                "Connections answered 503 because the server was saturated.",
                self.rejected.load(Relaxed),
            ),
            (
                "palabre_open_connections",
                "gauge",
                "Connections open now.",
                self.open.load(Relaxed) as u64,
            ),
            (
                "palabre_documents",
                "gauge",
                "Reports in the index.",
                documents as u64,
            ),
            (
                "palabre_segments",
                "gauge",
                "Sections and practices in the index.",
                segments as u64,
            ),
        ];
        let cache = cache.map(|(hits, misses)| {
            [
                (
                    "palabre_search_cache_hits_total",
                    "counter",
                    "Searches answered from the result cache.",
                    hits,
                ),
                (
                    "palabre_search_cache_misses_total",
                    "counter",
                    "Searches looked up in the result cache and computed.",
                    misses,
                ),
            ]
        });
        for (name, kind, help, value) in gauges.into_iter().chain(cache.into_iter().flatten()) {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out
    }
}

/// One access-log line: time, client, method, path (no query string),
/// status, bytes of body and milliseconds.
pub fn access_line(
    client: &str,
    method: &str,
    url: &str,
    status: u16,
    bytes: usize,
    took: Duration,
) -> String {
    let path = url.split_once('?').map_or(url, |(path, _)| path);
    // Control characters would let a client forge log lines.
    let path: String = path
        .chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!(
        "palabre: {} {client} {method} {path} {status} {bytes} {:.1}ms",
        rfc3339(SystemTime::now()),
        took.as_secs_f64() * 1000.0
    )
}

/// A time as `2026-05-01T12:00:00.123Z` (UTC).
pub fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let rest = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 to a (year, month, day), after Howard Hinnant's
/// `civil_from_days` (proleptic Gregorian calendar).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_millis(951_827_696_789);
        assert_eq!(rfc3339(leap), "2000-02-29T12:34:56.789Z");
        let later = UNIX_EPOCH + Duration::from_secs(1_790_812_800);
        assert_eq!(rfc3339(later), "2026-10-01T00:00:00.000Z");
    }

    #[test]
    fn the_log_has_no_query_string_and_no_control_characters() {
        let line = access_line(
            "127.0.0.1",
            "GET",
            "/search\r\nfake?q=secret",
            200,
            12,
            Duration::from_millis(3),
        );
        assert!(!line.contains("secret"), "{line}");
        assert!(!line.contains('\n') && !line.contains('\r'), "{line}");
        assert!(line.ends_with(" 200 12 3.0ms"), "{line}");
    }

    #[test]
    fn metrics_count_statuses_and_fill_the_histogram() {
        let metrics = Metrics::default();
        metrics.record(200, Duration::from_millis(2));
        metrics.record(200, Duration::from_millis(30));
        metrics.record(404, Duration::from_micros(500));
        metrics.record(999, Duration::from_micros(500));
        let text = metrics.render(3, 12, Some((7, 2)));
        assert!(text.contains("palabre_requests_total{status=\"200\"} 2\n"));
        assert!(text.contains("palabre_requests_total{status=\"404\"} 1\n"));
        assert!(text.contains("palabre_request_duration_seconds_bucket{le=\"0.001\"} 2\n"));
        assert!(text.contains("palabre_request_duration_seconds_bucket{le=\"0.005\"} 3\n"));
        assert!(text.contains("palabre_request_duration_seconds_bucket{le=\"0.05\"} 4\n"));
        assert!(text.contains("palabre_request_duration_seconds_count 4\n"));
        assert!(text.contains("palabre_documents 3\n"));
        assert!(text.contains("palabre_segments 12\n"));
        assert!(text.contains("palabre_search_cache_hits_total 7\n"));
        assert!(text.contains("palabre_search_cache_misses_total 2\n"));
        let uncached = metrics.render(3, 12, None);
        assert!(!uncached.contains("cache"), "{uncached}");
    }
}
