//! Runs a function over a list on worker threads and hands the results to
//! the calling thread in list order, so that what the caller does with them
//! (adding documents to the index, counting, reporting progress) happens
//! exactly as in a sequential loop, whatever the number of threads.
//!
//! At most `window` results are computed ahead of the one the caller waits
//! for, so memory stays bounded even when one item is slow (a large PDF)
//! while the others race ahead.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

/// Worker threads to use: one per core the process may run on.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How far ahead of the caller the workers may go.
struct Window {
    /// Results the caller has consumed: item `i` may start once
    /// `i < consumed + size`.
    consumed: Mutex<usize>,
    moved: Condvar,
    size: usize,
    stop: AtomicBool,
}

impl Window {
    /// Waits until item `i` may start; false when the caller has stopped.
    fn wait_for(&self, i: usize) -> bool {
        let mut consumed = self.consumed.lock().unwrap_or_else(PoisonError::into_inner);
        while i >= *consumed + self.size && !self.stop.load(Ordering::Acquire) {
            consumed = self
                .moved
                .wait(consumed)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !self.stop.load(Ordering::Acquire)
    }

    fn advance(&self, consumed: usize) {
        *self.consumed.lock().unwrap_or_else(PoisonError::into_inner) = consumed;
        self.moved.notify_all();
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        // Taking the lock orders the store before any waiter's next check.
        drop(self.consumed.lock().unwrap_or_else(PoisonError::into_inner));
        self.moved.notify_all();
    }
}

/// Calls `work` on every item on `threads` threads (at least one), and
/// `consume` on the calling thread with each item's index and result, in
/// order. The first error of `consume` stops the workers and is returned;
/// items not yet consumed are dropped.
pub fn ordered_map<T, R, E>(
    items: &[T],
    threads: usize,
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    let window = Window {
        consumed: Mutex::new(0),
        moved: Condvar::new(),
        size: window.max(1),
        stop: AtomicBool::new(false),
    };
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, R)>();
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            let sender = sender.clone();
            let (window, next, work) = (&window, &next, &work);
            scope.spawn(move || loop {
                // Items are taken in order, so the one the caller waits
                // for is always inside the window: no deadlock.
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if !window.wait_for(i) {
                    break;
                }
                if sender.send((i, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut early: BTreeMap<usize, R> = BTreeMap::new();
        let mut wanted = 0;
        for (i, result) in receiver {
            early.insert(i, result);
            while let Some(result) = early.remove(&wanted) {
                if let Err(error) = consume(wanted, result) {
                    window.stop();
                    return Err(error);
                }
                wanted += 1;
                window.advance(wanted);
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_thread_count() {
        let items: Vec<u64> = (0..500).collect();
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let result: Result<(), ()> = ordered_map(
                &items,
                threads,
                4,
                |n| {
                    // Uneven work, so that threads finish out of order.
                    if n % 7 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                    n * 2
                },
                |i, doubled| {
                    seen.push((i, doubled));
                    Ok(())
                },
            );
            assert_eq!(result, Ok(()));
            let expected: Vec<(usize, u64)> = (0..500).map(|n| (n as usize, n * 2)).collect();
            assert_eq!(seen, expected, "{threads} threads");
        }
    }

    #[test]
    fn the_workers_never_run_further_ahead_than_the_window() {
        let items: Vec<usize> = (0..200).collect();
        let consumed = AtomicUsize::new(0);
        let ahead = AtomicUsize::new(0);
        let result: Result<(), ()> = ordered_map(
            &items,
            4,
            3,
            |&i| {
                let gap = i.saturating_sub(consumed.load(Ordering::SeqCst));
                ahead.fetch_max(gap, Ordering::SeqCst);
                i
            },
            |i, _| {
                std::thread::sleep(std::time::Duration::from_micros(50));
                consumed.store(i + 1, Ordering::SeqCst);
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        assert!(ahead.load(Ordering::SeqCst) < 3, "{ahead:?}");
    }

    #[test]
    fn an_error_stops_the_run_and_is_returned() {
        let items: Vec<usize> = (0..10_000).collect();
        let worked = AtomicUsize::new(0);
        let mut consumed = 0;
        let result = ordered_map(
            &items,
            2,
            8,
            |&i| {
                worked.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i, _| {
                consumed += 1;
                if i == 10 {
                    Err(format!("item {i}"))
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result, Err("item 10".to_string()));
        assert_eq!(consumed, 11);
        assert!(worked.load(Ordering::SeqCst) < 100);
    }

    #[test]
    fn an_empty_list_calls_nothing() {
        let result: Result<(), ()> =
            ordered_map(&[] as &[u8], 4, 4, |_| unreachable!(), |_, _: ()| Err(()));
        assert_eq!(result, Ok(()));
    }
}
