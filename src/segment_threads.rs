//! A search's segments spread over threads.
//!
//! A one-off `palabre search` has the machine's cores to itself, and its
//! index has a segment per indexing thread (two of similar size on the
//! benchmark's 1 GB corpus). A phrase reads its words' positions in every
//! segment holding them all: collecting the segments on two threads
//! instead of one takes about a tenth off the whole process for `"mot de
//! passe"` (bench/README.md). Words alone are pruned to the top k, and
//! there a helper costs more than it saves, so the search starts helpers
//! only for phrases. Once they run, they also read and highlight part of
//! the page's documents ([`SegmentThreads::map`]). A server keeps one
//! thread per request: its requests already keep the cores busy.
//!
//! Segments are not dealt out in advance: each thread takes the next one
//! left, so that a helper that starts late only finds less to do, and a
//! search is never slower than on one thread by more than handing the work
//! over. Each helper is placed on a core other than the searching
//! thread's: on the benchmark's virtual machine the scheduler left a new
//! thread, and often a woken one, queued behind the thread that started or
//! woke it, for longer than a search lasts (a scheduler tick, 4 ms), so
//! that the two ran one after the other.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::thread;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query, Weight};
use tantivy::{Searcher, TantivyError};

/// Work handed to a helper.
type Job = Box<dyn FnOnce() + Send>;

type FruitOf<C> = <<C as Collector>::Child as SegmentCollector>::Fruit;

/// Threads waiting to collect segments, besides the searching thread.
#[derive(Default)]
pub struct SegmentThreads {
    /// How many helpers [`SegmentThreads::start`] starts.
    wanted: usize,
    helpers: OnceLock<Vec<mpsc::Sender<Job>>>,
}

impl SegmentThreads {
    /// No helper: every segment is collected on the searching thread.
    pub fn none() -> SegmentThreads {
        SegmentThreads::default()
    }

    /// Up to `helpers` threads, once started.
    pub fn up_to(helpers: usize) -> SegmentThreads {
        SegmentThreads {
            wanted: helpers,
            helpers: OnceLock::new(),
        }
    }

    /// Starts the helpers, unless started already: one per core besides
    /// this thread's (fewer if the process may not use more cores, or the
    /// system gives no more threads), waiting for searches until this is
    /// dropped.
    pub fn start(&self) {
        if self.wanted == 0 {
            return;
        }
        self.helpers.get_or_init(|| {
            cores::other_than_current()
                .into_iter()
                .take(self.wanted)
                .enumerate()
                .map_while(|(i, core)| {
                    let (sender, jobs) = mpsc::channel::<Job>();
                    let helper = thread::Builder::new()
                        .name(format!("segments-{i}"))
                        .spawn(move || jobs.into_iter().for_each(|job| job()))
                        .ok()?;
                    cores::place(&helper, core);
                    Some(sender)
                })
                .collect()
        });
    }

    fn helpers(&self) -> &[mpsc::Sender<Job>] {
        self.helpers.get().map_or(&[], Vec::as_slice)
    }

    /// Collects `collector` over the searcher's segments, as tantivy's
    /// `Searcher::search_with_statistics_provider` does, on this thread and
    /// the helpers.
    pub fn search<C>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: C,
        statistics: &dyn Bm25StatisticsProvider,
    ) -> tantivy::Result<C::Fruit>
    where
        C: Collector + 'static,
    {
        let segments = searcher.segment_readers().len();
        if self.helpers().is_empty() || segments < 2 {
            // Nothing to share: tantivy's own loop, without the hand-over.
            return searcher.search_with_statistics_provider(query, &collector, statistics);
        }
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_statistics_provider(statistics, searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let weight: Arc<dyn Weight> = Arc::from(query.weight(scoring)?);
        collector.check_schema(searcher.schema())?;
        let collector = Arc::new(collector);
        let next = Arc::new(AtomicUsize::new(0));
        let (fruits_sender, fruits) = mpsc::channel();
        for helper in self.helpers().iter().take(segments.saturating_sub(1)) {
            let job = collect_job(
                searcher.clone(),
                Arc::clone(&weight),
                Arc::clone(&collector),
                Arc::clone(&next),
                fruits_sender.clone(),
            );
            // A helper gone (a search of its panicked) leaves its segments
            // to the others.
            let _ = helper.send(job);
        }
        drop(fruits_sender);
        let mut collected: Vec<(usize, FruitOf<C>)> = Vec::with_capacity(segments);
        let readers = searcher.segment_readers();
        loop {
            let ord = next.fetch_add(1, Ordering::Relaxed);
            let Some(reader) = readers.get(ord) else {
                break;
            };
            let fruit = collector.collect_segment(weight.as_ref(), ord as u32, reader)?;
            collected.push((ord, fruit));
        }
        for _ in collected.len()..segments {
            let (ord, fruit) = fruits.recv().map_err(|_| {
                TantivyError::InternalError("a search thread stopped short".to_string())
            })?;
            collected.push((ord, fruit?));
        }
        // The order of a search on one thread, so that ties rank alike.
        collected.sort_by_key(|(ord, _)| *ord);
        collector.merge_fruits(collected.into_iter().map(|(_, fruit)| fruit).collect())
    }

    /// Each of `items` through a `work` function, on this thread and the
    /// helpers if started (each thread making its function with
    /// `make_work`, then taking the next item left), the results in the
    /// items' order. A search hands over the documents of its page this
    /// way: once a phrase's segments are collected, the helpers would
    /// otherwise wait while this thread reads and highlights ten
    /// documents.
    pub fn map<T, R, M, W>(&self, items: Vec<T>, make_work: M) -> tantivy::Result<Vec<R>>
    where
        T: Send + Sync + 'static,
        R: Send + 'static,
        M: Fn() -> W + Send + Sync + 'static,
        W: FnMut(&T) -> R,
    {
        if self.helpers().is_empty() || items.len() < 2 {
            return Ok(items.iter().map(make_work()).collect());
        }
        let count = items.len();
        let items = Arc::new(items);
        let make_work = Arc::new(make_work);
        let next = Arc::new(AtomicUsize::new(0));
        let (results_sender, results) = mpsc::channel();
        for helper in self.helpers().iter().take(count - 1) {
            let (items, next) = (Arc::clone(&items), Arc::clone(&next));
            let make_work = Arc::clone(&make_work);
            let results = results_sender.clone();
            let job: Job = Box::new(move || {
                let mut work = make_work();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else {
                        break;
                    };
                    if results.send((index, work(item))).is_err() {
                        break;
                    }
                }
            });
            // A helper gone leaves its items to the others.
            let _ = helper.send(job);
        }
        drop(results_sender);
        let mut done: Vec<(usize, R)> = Vec::with_capacity(count);
        let mut work = make_work();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                break;
            };
            done.push((index, work(item)));
        }
        for _ in done.len()..count {
            let result = results.recv().map_err(|_| {
                TantivyError::InternalError("a search thread stopped short".to_string())
            })?;
            done.push(result);
        }
        done.sort_by_key(|(index, _)| *index);
        Ok(done.into_iter().map(|(_, result)| result).collect())
    }
}

/// A helper's part of a search: the segments left, one at a time, each
/// fruit sent back with its segment's ordinal.
fn collect_job<C>(
    searcher: Searcher,
    weight: Arc<dyn Weight>,
    collector: Arc<C>,
    next: Arc<AtomicUsize>,
    fruits: mpsc::Sender<(usize, tantivy::Result<FruitOf<C>>)>,
) -> Job
where
    C: Collector + 'static,
{
    Box::new(move || {
        let readers = searcher.segment_readers();
        loop {
            let ord = next.fetch_add(1, Ordering::Relaxed);
            let Some(reader) = readers.get(ord) else {
                break;
            };
            let fruit = collector.collect_segment(weight.as_ref(), ord as u32, reader);
            if fruits.send((ord, fruit)).is_err() {
                break;
            }
        }
    })
}

/// Which cores the process may use, and placing a thread on one of them.
#[cfg(target_os = "linux")]
mod cores {
    use std::os::unix::thread::JoinHandleExt;
    use std::thread::JoinHandle;

    /// The cores this process may run on, except the one this thread is
    /// on; none if that cannot be told.
    pub fn other_than_current() -> Vec<usize> {
        // SAFETY: `cpu_set_t` is plain data, for which zeroes are an empty
        // set; the kernel writes at most its size.
        let mut allowed: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: `allowed` is a valid, writable set of `size` bytes.
        if unsafe { libc::sched_getaffinity(0, size, &mut allowed) } != 0 {
            return Vec::new();
        }
        // SAFETY: no argument; -1 on failure, which matches no core.
        let current = unsafe { libc::sched_getcpu() };
        let Ok(current) = usize::try_from(current) else {
            return Vec::new();
        };
        (0..libc::CPU_SETSIZE as usize)
            // SAFETY: `core` is below the set's size.
            .filter(|&core| core != current && unsafe { libc::CPU_ISSET(core, &allowed) })
            .collect()
    }

    /// Keeps `thread` on `core`. The thread runs anywhere if that fails.
    pub fn place<T>(thread: &JoinHandle<T>, core: usize) {
        // SAFETY: as above.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        // SAFETY: `core` came from `other_than_current`, below the set's size.
        unsafe { libc::CPU_SET(core, &mut set) };
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: the handle's thread has not been joined or detached, so
        // its pthread id is valid; `set` is a valid set of `size` bytes.
        unsafe { libc::pthread_setaffinity_np(thread.as_pthread_t(), size, &set) };
    }
}

/// Elsewhere, one helper per other core, wherever the system runs it.
#[cfg(not(target_os = "linux"))]
mod cores {
    use std::num::NonZeroUsize;
    use std::thread::JoinHandle;

    pub fn other_than_current() -> Vec<usize> {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        (1..cores).collect()
    }

    pub fn place<T>(_thread: &JoinHandle<T>, _core: usize) {}
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, Instant};

    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{Field, IndexRecordOption};
    use tantivy::{DocId, Index, Score, SegmentReader, Term};

    use super::*;

    /// Five segments of unequal sizes, some documents deleted.
    fn index() -> (Index, Field) {
        let words = ["cadre", "juridique", "ville", "cadre cadre", "gone"];
        let segment = |segment: usize| -> Vec<String> {
            (0..(200 * (segment + 1)))
                .map(|i| format!("{} {}", words[i % 5], words[(i * 7 + segment) % 5]))
                .collect()
        };
        crate::ram_index((0..5).map(segment), "gone").unwrap()
    }

    #[test]
    fn the_segments_collected_on_several_threads_are_tantivys() {
        let (index, body) = index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 5);
        let query = TermQuery::new(
            Term::from_field_text(body, "cadre"),
            IndexRecordOption::WithFreqs,
        );
        let top = || TopDocs::with_limit(50).order_by_score();
        let expected = searcher.search(&query, &(top(), Count)).unwrap();
        assert!(expected.1 > 50, "more matches than the page holds");
        for helpers in [0, 1, 4] {
            let threads = SegmentThreads::up_to(helpers);
            let found = threads.search(&searcher, &query, (top(), Count), &searcher);
            assert_eq!(found.unwrap(), expected, "not started");
            threads.start();
            let others = cores::other_than_current().len();
            assert_eq!(threads.helpers().len(), helpers.min(others));
            for _ in 0..20 {
                let found = threads
                    .search(&searcher, &query, (top(), Count), &searcher)
                    .unwrap();
                assert_eq!(found, expected, "{helpers} helpers");
            }
        }
        let none = SegmentThreads::none();
        let found = none.search(&searcher, &query, (top(), Count), &searcher);
        assert_eq!(found.unwrap(), expected);
    }

    /// Counts, but panics on a helper, once the searching thread has
    /// started its first segment.
    struct PanicsOnAHelper {
        searching: Arc<AtomicBool>,
    }

    struct Counting(usize);

    impl SegmentCollector for Counting {
        type Fruit = usize;

        fn collect(&mut self, _doc: DocId, _score: Score) {
            self.0 += 1;
        }

        fn harvest(self) -> usize {
            self.0
        }
    }

    impl Collector for PanicsOnAHelper {
        type Fruit = usize;
        type Child = Counting;

        fn for_segment(&self, _ord: u32, _reader: &SegmentReader) -> tantivy::Result<Counting> {
            let on_a_helper = thread::current()
                .name()
                .is_some_and(|name| name.starts_with("segments-"));
            if on_a_helper {
                self.searching.store(true, Ordering::SeqCst);
                panic!("a bug in a collector");
            }
            // Leaves the helper time to take a segment.
            let started = Instant::now();
            while !self.searching.load(Ordering::SeqCst) && started.elapsed().as_secs() < 10 {
                thread::sleep(Duration::from_millis(1));
            }
            Ok(Counting(0))
        }

        fn requires_scoring(&self) -> bool {
            false
        }

        fn merge_fruits(&self, counts: Vec<usize>) -> tantivy::Result<usize> {
            Ok(counts.into_iter().sum())
        }
    }

    #[test]
    fn a_helper_that_panics_fails_one_search_and_leaves_the_next_whole() {
        if cores::other_than_current().is_empty() {
            return; // No helper to panic.
        }
        let (index, body) = index();
        let searcher = index.reader().unwrap().searcher();
        let query = TermQuery::new(
            Term::from_field_text(body, "ville"),
            IndexRecordOption::Basic,
        );
        let expected = searcher.search(&query, &Count).unwrap();
        let threads = SegmentThreads::up_to(1);
        threads.start();
        let panicking = PanicsOnAHelper {
            searching: Arc::new(AtomicBool::new(false)),
        };
        let error = threads
            .search(&searcher, &query, panicking, &searcher)
            .unwrap_err();
        assert!(error.to_string().contains("a search thread stopped short"));
        let found = threads.search(&searcher, &query, Count, &searcher).unwrap();
        assert_eq!(found, expected);
    }

    #[test]
    fn items_mapped_on_several_threads_come_back_in_order() {
        let items: Vec<u64> = (0..40).collect();
        let expected: Vec<u64> = items.iter().map(|i| i * i).collect();
        for helpers in [0, 1, 4] {
            let threads = SegmentThreads::up_to(helpers);
            threads.start();
            for _ in 0..20 {
                let squares = threads.map(items.clone(), || {
                    |i: &u64| {
                        // Long enough for a helper to take some items.
                        thread::sleep(Duration::from_micros(50));
                        i * i
                    }
                });
                assert_eq!(squares.unwrap(), expected, "{helpers} helpers");
            }
        }
        let one = SegmentThreads::up_to(1).map(vec![7u64], || |i: &u64| i + 1);
        assert_eq!(one.unwrap(), [8]);
    }

    #[test]
    fn a_helper_that_panics_on_an_item_fails_that_map_only() {
        if cores::other_than_current().is_empty() {
            return; // No helper to panic.
        }
        let threads = SegmentThreads::up_to(1);
        threads.start();
        let items: Vec<u64> = (0..8).collect();
        let helper_started = Arc::new(AtomicBool::new(false));
        let started = Arc::clone(&helper_started);
        let error = threads
            .map(items.clone(), move || {
                let started = Arc::clone(&started);
                move |&i: &u64| {
                    let on_a_helper = thread::current()
                        .name()
                        .is_some_and(|name| name.starts_with("segments-"));
                    if on_a_helper {
                        started.store(true, Ordering::SeqCst);
                        panic!("a bug in the work");
                    }
                    // Leaves the helper time to take an item.
                    let waiting = Instant::now();
                    while !started.load(Ordering::SeqCst) && waiting.elapsed().as_secs() < 10 {
                        thread::sleep(Duration::from_millis(1));
                    }
                    i
                }
            })
            .unwrap_err();
        assert!(error.to_string().contains("a search thread stopped short"));
        let found = threads.map(items.clone(), || |&i: &u64| i).unwrap();
        assert_eq!(found, items);
    }
}
