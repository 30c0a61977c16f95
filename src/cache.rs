//! A cache of search answers for the server, as search engines keep one
//! for repeated queries (Solr's query result cache, Elasticsearch's request
//! cache): an intranet search box sends the same few queries all day, and
//! each answer costs milliseconds of analysis, ranking and snippets while a
//! cached one costs microseconds.
//!
//! An entry belongs to one state of the index, a searcher generation: the
//! first search after a commit is loaded empties the cache, so an answer
//! never outlives the index it came from.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};

use lru::LruCache;

use crate::search::SearchRequest;

/// The most recently used answers `V`, by request, for one index
/// generation.
pub struct ResultCache<V> {
    inner: Mutex<Entries<V>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Entries<V> {
    generation: u64,
    results: LruCache<SearchRequest, Arc<V>>,
}

impl<V> ResultCache<V> {
    /// A cache of at most `capacity` answers.
    pub fn new(capacity: NonZeroUsize) -> ResultCache<V> {
        ResultCache {
            inner: Mutex::new(Entries {
                generation: 0,
                results: LruCache::new(capacity),
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The answer to `request` on index generation `generation`, if kept.
    pub fn get(&self, generation: u64, request: &SearchRequest) -> Option<Arc<V>> {
        // A panic elsewhere while holding the lock leaves consistent data:
        // every update is a single call into the LRU.
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let found = if entries.generation == generation {
            entries.results.get(request).cloned()
        } else {
            None
        };
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Relaxed);
        found
    }

    /// Keeps the answer to `request`; a newer generation drops the others.
    pub fn put(&self, generation: u64, request: SearchRequest, results: Arc<V>) {
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if generation != entries.generation {
            if generation < entries.generation {
                // Computed on a searcher older than the cache's entries.
                return;
            }
            entries.results.clear();
            entries.generation = generation;
        }
        entries.results.put(request, results);
    }

    /// Lookups that found an answer, and lookups that did not.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Relaxed), self.misses.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(query: &str) -> Arc<String> {
        Arc::new(query.to_string())
    }

    fn cache(capacity: usize) -> ResultCache<String> {
        ResultCache::new(NonZeroUsize::new(capacity).unwrap())
    }

    #[test]
    fn an_answer_is_kept_for_the_same_request_and_generation() {
        let cache = cache(4);
        let request = SearchRequest::new("cadre juridique");
        assert!(cache.get(1, &request).is_none());
        cache.put(1, request.clone(), results("cadre juridique"));
        assert_eq!(cache.get(1, &request).unwrap().as_str(), "cadre juridique");
        let mut second_page = request.clone();
        second_page.offset = 10;
        assert!(cache.get(1, &second_page).is_none());
        let mut filtered = request.clone();
        filtered.filters.city.push("Sfax".into());
        assert!(cache.get(1, &filtered).is_none());
        assert_eq!(cache.counts(), (1, 3));
    }

    #[test]
    fn a_new_generation_empties_the_cache() {
        let cache = cache(4);
        let request = SearchRequest::new("migrants");
        cache.put(1, request.clone(), results("old"));
        assert!(cache.get(2, &request).is_none());
        cache.put(2, request.clone(), results("new"));
        assert_eq!(cache.get(2, &request).unwrap().as_str(), "new");
        // A late answer from the old searcher does not come back.
        cache.put(1, request.clone(), results("old"));
        assert_eq!(cache.get(2, &request).unwrap().as_str(), "new");
        assert!(cache.get(1, &request).is_none());
    }

    #[test]
    fn the_least_recently_used_answer_goes_first() {
        let cache = cache(2);
        let [a, b, c] = ["a", "b", "c"].map(SearchRequest::new);
        cache.put(1, a.clone(), results("a"));
        cache.put(1, b.clone(), results("b"));
        assert!(cache.get(1, &a).is_some());
        cache.put(1, c.clone(), results("c"));
        assert!(cache.get(1, &a).is_some());
        assert!(cache.get(1, &b).is_none());
        assert!(cache.get(1, &c).is_some());
    }
}
