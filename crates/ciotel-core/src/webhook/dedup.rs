//! `X-GitHub-Delivery` de-duplication: the ids of recently accepted deliveries, bounded in count
//! and in age. An optimisation only: a redelivery outside the window is processed again and
//! yields identical spans (deterministic ids), which backends de-duplicate. For the same
//! reason the receiver checks, then remembers only once the pipeline took the spans: two copies
//! arriving at the same moment may both be emitted, which is harmless, while a refused delivery
//! is never mistaken for an accepted one.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many delivery ids are remembered, at most.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// How long a delivery id is remembered: long enough to absorb GitHub's at-least-once
/// duplicates and repeated "Redeliver" clicks, short enough that a deliberate redelivery later
/// (say, after a backend lost data) goes through.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);

/// Longer ids are not remembered: GitHub's are 36-character GUIDs, and an unbounded key would
/// unbound the memory this log takes.
pub const MAX_ID_LEN: usize = 128;

/// The ids of deliveries accepted recently, oldest first.
///
/// Exists so a delivery GitHub sends twice is answered 200 without emitting its spans again.
/// Only accepted deliveries are remembered: one the pipeline refused must go through when
/// GitHub redelivers it.
#[derive(Debug)]
pub struct DeliveryLog {
    inner: Mutex<Inner>,
    capacity: usize,
    ttl: Duration,
}

#[derive(Debug, Default)]
struct Inner {
    seen: HashMap<Arc<str>, Instant>,
    order: VecDeque<(Arc<str>, Instant)>,
}

impl Default for DeliveryLog {
    fn default() -> Self {
        DeliveryLog::new(DEFAULT_CAPACITY, DEFAULT_TTL)
    }
}

impl DeliveryLog {
    /// A log of at most `capacity` ids, each forgotten `ttl` after it was remembered.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        DeliveryLog {
            inner: Mutex::new(Inner::default()),
            capacity,
            ttl,
        }
    }

    /// Whether delivery `id` was accepted within the window.
    pub fn contains(&self, id: &str, now: Instant) -> bool {
        let mut inner = self.lock();
        inner.prune(now, self.ttl);
        inner.seen.contains_key(id)
    }

    /// Records that delivery `id` was accepted, evicting the oldest id when full.
    pub fn remember(&self, id: &str, now: Instant) {
        if id.len() > MAX_ID_LEN || self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.prune(now, self.ttl);
        if inner.seen.contains_key(id) {
            return;
        }
        while inner.order.len() >= self.capacity {
            inner.pop_oldest();
        }
        let id: Arc<str> = Arc::from(id);
        inner.seen.insert(id.clone(), now);
        inner.order.push_back((id, now));
    }

    /// Number of ids remembered (expired ones included until the next call prunes them).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// True when no id is remembered.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The data stays consistent even if a holder panicked: every update is a push or pop.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    /// Drops ids older than `ttl`; they are at the front, since ids are pushed in time order.
    fn prune(&mut self, now: Instant, ttl: Duration) {
        while let Some((_, at)) = self.order.front() {
            if now.saturating_duration_since(*at) < ttl {
                break;
            }
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((id, _)) = self.order.pop_front() {
            self.seen.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_within_the_window() {
        let log = DeliveryLog::new(10, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(!log.contains("a", t0));
        log.remember("a", t0);
        assert!(log.contains("a", t0 + Duration::from_secs(59)));
        assert!(!log.contains("a", t0 + Duration::from_secs(60)));
        assert!(log.is_empty());
    }

    #[test]
    fn evicts_the_oldest_when_full() {
        let log = DeliveryLog::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for id in ["a", "b", "c", "d"] {
            log.remember(id, t0);
        }
        assert_eq!(log.len(), 3);
        assert!(!log.contains("a", t0));
        assert!(["b", "c", "d"].iter().all(|id| log.contains(id, t0)));
    }

    #[test]
    fn remembering_twice_keeps_one_entry_and_the_first_time() {
        let log = DeliveryLog::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        log.remember("a", t0);
        log.remember("a", t0 + Duration::from_secs(30));
        assert_eq!(log.len(), 1);
        assert!(!log.contains("a", t0 + Duration::from_secs(61)));
    }

    #[test]
    fn overlong_ids_and_zero_capacity_remember_nothing() {
        let t0 = Instant::now();
        let log = DeliveryLog::new(3, Duration::from_secs(60));
        let long = "x".repeat(MAX_ID_LEN + 1);
        log.remember(&long, t0);
        assert!(!log.contains(&long, t0));
        let off = DeliveryLog::new(0, Duration::from_secs(60));
        off.remember("a", t0);
        assert!(!off.contains("a", t0));
    }
}
