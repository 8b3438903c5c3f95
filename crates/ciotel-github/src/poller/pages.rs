//! ETags of the pages fetched, for conditional requests: a 304 costs no rate limit and means
//! the page is exactly as it was, so what was learnt from it is reused instead of re-read.
//!
//! A page's entry is stored only once everything on it was handled (every finished run on a
//! runs page emitted), so a 304 never hides work left undone. Entries for URLs not requested
//! during a poll are dropped at its end, which bounds the cache by one poll's pages.

use std::collections::{HashMap, HashSet};

/// A page as last fetched: its ETag, its next page and what was learnt from it.
#[derive(Debug, Clone)]
pub(super) struct Cached<T> {
    /// The `ETag` to send as `If-None-Match`.
    pub(super) etag: String,
    /// `rel="next"` of its `Link` header.
    pub(super) next: Option<String>,
    /// What the page said, in the form its user needs again on a 304.
    pub(super) summary: T,
}

/// Pages by URL.
#[derive(Debug)]
pub(super) struct PageCache<T> {
    entries: HashMap<String, Cached<T>>,
    used: HashSet<String>,
}

impl<T> Default for PageCache<T> {
    fn default() -> Self {
        PageCache {
            entries: HashMap::new(),
            used: HashSet::new(),
        }
    }
}

impl<T> PageCache<T> {
    /// The entry for `url`, kept through this poll.
    pub(super) fn get(&mut self, url: &str) -> Option<&Cached<T>> {
        let entry = self.entries.get(url)?;
        self.used.insert(url.to_string());
        Some(entry)
    }

    /// Stores `url`'s entry once the page was handled; without an ETag there is nothing to
    /// store and any old entry goes.
    pub(super) fn put(
        &mut self,
        url: &str,
        etag: Option<String>,
        next: Option<String>,
        summary: T,
    ) {
        match etag {
            Some(etag) => {
                self.entries.insert(
                    url.to_string(),
                    Cached {
                        etag,
                        next,
                        summary,
                    },
                );
                self.used.insert(url.to_string());
            }
            None => {
                self.entries.remove(url);
            }
        }
    }

    /// Ends a poll: forgets the pages it did not request.
    pub(super) fn sweep(&mut self) {
        let used = std::mem::take(&mut self.used);
        self.entries.retain(|url, _| used.contains(url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_not_requested_in_a_poll_are_forgotten() {
        let mut cache = PageCache::default();
        cache.put("a", Some("\"1\"".into()), Some("b".into()), 1);
        cache.put("b", Some("\"2\"".into()), None, 2);
        cache.put("c", None, None, 3);
        cache.sweep();
        assert_eq!(cache.get("a").map(|c| c.etag.as_str()), Some("\"1\""));
        assert!(cache.get("c").is_none());
        cache.sweep();
        assert!(cache.get("a").is_some());
        assert!(cache.get("b").is_none());
    }
}
