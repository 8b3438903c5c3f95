//! Which runs and jobs were counted already: a bounded set of keys, oldest forgotten first.
//!
//! A run attempt (or a job of one) reaches a receiver several times: GitHub redelivers a
//! webhook, the poller lists a run the webhook brought, a Pipeline Hook repeats the jobs a Job
//! Hook brought. Each metric counts it once: the first time its key is seen. The set is an
//! optimisation with a documented limit, like the delivery log: a run seen again after
//! `capacity` newer keys, or by another gateway instance, is counted again.

use std::collections::{HashSet, VecDeque};

/// What was counted of a run or job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counted {
    /// A completed run attempt: its durations and error.
    Run,
    /// A job's time in the queue, once it started.
    Queue,
    /// A completed job: its system error, if any.
    Job,
    /// A deployment's final state (DORA).
    Deployment,
    /// A change's lead time to one environment (DORA).
    LeadTime,
    /// A deployment's rework of one kind (DORA).
    Rework,
}

/// A counted run attempt or job: what, provider, repository, run id, attempt, job id (for
/// DORA: what, provider, repository id, deployment id or change number, 0, environment).
pub type Key = (Counted, String, String, String, u32, String);

/// Keys seen, bounded in number.
#[derive(Debug)]
pub struct Seen {
    capacity: usize,
    keys: HashSet<Key>,
    order: VecDeque<Key>,
}

impl Seen {
    /// A set of at most `capacity` keys (0 remembers nothing: everything counts).
    pub fn new(capacity: usize) -> Self {
        Seen {
            capacity,
            keys: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// True the first time `key` is offered (within the window), false after.
    pub fn first(&mut self, key: Key) -> bool {
        if self.capacity == 0 {
            return true;
        }
        if self.keys.contains(&key) {
            return false;
        }
        while self.order.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
        self.keys.insert(key.clone());
        self.order.push_back(key);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(run: &str) -> Key {
        (
            Counted::Run,
            "github".into(),
            "o/r".into(),
            run.into(),
            1,
            String::new(),
        )
    }

    #[test]
    fn counts_once_within_the_bound() {
        let mut seen = Seen::new(2);
        assert!(seen.first(key("1")));
        assert!(!seen.first(key("1")));
        assert!(seen.first(key("2")));
        assert!(seen.first(key("3")));
        assert!(seen.first(key("1")), "forgotten: the oldest goes first");
        assert!(!seen.first(key("3")));
    }
}
