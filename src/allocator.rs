//! The process's memory allocator: the system's (glibc's) until a
//! long-running command switches to mimalloc.
//!
//! Indexing allocates on every thread and frees what other threads
//! allocated (a worker builds a document, tantivy's thread drops it), which
//! glibc's per-thread arenas handle poorly: with mimalloc, indexing the
//! 1 GB benchmark corpus takes about a tenth less CPU. A one-off search is
//! the other way round: it allocates little, on one thread (two for a
//! phrase), and is over in 3 ms, where mimalloc's first arena and pages
//! cost 0.1–0.2 ms more than glibc's already-mapped heap. So `index`,
//! `watch` and `serve` call [`use_mimalloc`] before their work starts, and
//! every other command keeps the system allocator.
//!
//! The switch is one-way, and memory allocated before it stays the
//! system's: a block goes back to the allocator that gave it, which
//! mimalloc tells apart by address (its page map).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// Whether new blocks come from mimalloc. Relaxed is enough: a block freed
/// on another thread reached it through some synchronisation after its
/// allocation, so that thread sees the switch too.
static MIMALLOC: AtomicBool = AtomicBool::new(false);

/// From now on, new memory comes from mimalloc.
pub fn use_mimalloc() {
    MIMALLOC.store(true, Ordering::Relaxed);
}

/// The global allocator: see the module's documentation.
pub struct Switching;

/// Whether `ptr` came from mimalloc; before the switch nothing did.
fn from_mimalloc(ptr: *mut u8) -> bool {
    // SAFETY: mimalloc only reads its page map for this address.
    MIMALLOC.load(Ordering::Relaxed)
        && unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr.cast_const().cast()) }
}

// SAFETY: each block is freed and resized by the allocator that gave it:
// new blocks come from one allocator or the other, and `from_mimalloc` tells
// which one a block came from.
unsafe impl GlobalAlloc for Switching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Ordering::Relaxed) {
            unsafe { MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Ordering::Relaxed) {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if from_mimalloc(ptr) {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if from_mimalloc(ptr) {
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_from_before_the_switch_are_freed_and_grown_by_the_system() {
        let mut before: Vec<u64> = (0..1_000).collect();
        let boxed_before = Box::new([7u8; 100]);
        use_mimalloc();
        let after: Vec<u64> = (0..1_000).collect();
        assert!(from_mimalloc(after.as_ptr().cast_mut().cast()));
        assert!(!from_mimalloc(before.as_ptr().cast_mut().cast()));
        // Growing a system block after the switch keeps it the system's.
        before.extend(0..100_000);
        assert!(!from_mimalloc(before.as_ptr().cast_mut().cast()));
        assert_eq!(before.len(), 101_000);
        assert_eq!(after.iter().sum::<u64>(), 499_500);
        // Blocks of both kinds freed on another thread.
        let handle = std::thread::spawn(move || {
            drop(boxed_before);
            drop(after);
            drop(before);
        });
        assert!(handle.join().is_ok());
    }
}
