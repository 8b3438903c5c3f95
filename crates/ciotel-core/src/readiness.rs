//! Whether the daemon accepts data now, and if not why — shared by the runtime (starting,
//! shutting down), the stages that refuse (the `memory_limiter`, later the queues) and the
//! `health_check` extension that answers readiness probes with it.
//!
//! Readiness is not liveness: a daemon that sheds load is alive and must not be restarted, so
//! only the readiness answer follows these reasons.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct State {
    started: AtomicBool,
    /// How many entries `refusing` has, so the fast path needs no lock.
    refusing_count: AtomicUsize,
    /// Who refuses data now → why, e.g. `memory_limiter` → "live heap 130 MiB above …".
    refusing: Mutex<BTreeMap<String, String>>,
}

/// The daemon's readiness: started (every pipeline runs) and nobody refusing data.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<State>);

impl Readiness {
    /// Marks every pipeline as running (or not: starting, shutting down).
    pub fn set(&self, started: bool) {
        self.0.started.store(started, Ordering::SeqCst);
    }

    /// True while every pipeline runs (liveness once started; says nothing about refusals).
    pub fn get(&self) -> bool {
        self.0.started.load(Ordering::SeqCst)
    }

    /// `source` refuses data for `reason` (replacing its earlier reason).
    pub fn refuse(&self, source: &str, reason: String) {
        let mut refusing = self.lock();
        refusing.insert(source.to_string(), reason);
        self.0
            .refusing_count
            .store(refusing.len(), Ordering::SeqCst);
    }

    /// `source` accepts data again.
    pub fn accept(&self, source: &str) {
        if self.0.refusing_count.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut refusing = self.lock();
        refusing.remove(source);
        self.0
            .refusing_count
            .store(refusing.len(), Ordering::SeqCst);
    }

    /// `Ok` when started and nobody refuses; otherwise every reason, as `source: reason`.
    pub fn ready(&self) -> Result<(), Vec<String>> {
        let mut reasons = Vec::new();
        if !self.get() {
            reasons.push("starting or shutting down".to_string());
        }
        if self.0.refusing_count.load(Ordering::SeqCst) > 0 {
            reasons.extend(self.lock().iter().map(|(s, r)| format!("{s}: {r}")));
        }
        if reasons.is_empty() {
            Ok(())
        } else {
            Err(reasons)
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.0.refusing.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_once_started_and_while_nobody_refuses() {
        let r = Readiness::default();
        assert_eq!(r.ready(), Err(vec!["starting or shutting down".into()]));
        r.set(true);
        assert_eq!(r.ready(), Ok(()));
        r.refuse("memory_limiter", "live heap 130 MiB".into());
        r.refuse("memory_limiter", "live heap 131 MiB".into());
        r.refuse("queue", "full".into());
        assert_eq!(
            r.ready(),
            Err(vec![
                "memory_limiter: live heap 131 MiB".into(),
                "queue: full".into()
            ])
        );
        assert!(r.get(), "refusing says nothing about liveness");
        r.accept("memory_limiter");
        r.accept("queue");
        assert_eq!(r.ready(), Ok(()));
    }
}
