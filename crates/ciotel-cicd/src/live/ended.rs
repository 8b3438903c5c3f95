//! The keys of entries that ended, remembered (boundedly) so a late or redelivered `queued` or
//! `in_progress` event does not bring them back.

use std::collections::{HashSet, VecDeque};

use super::entry::EntryKey;

/// A bounded set of ended keys, oldest forgotten first.
///
/// Exists because webhooks arrive in any order: GitHub may deliver `queued` after `completed`.
/// A key forgotten (more than `capacity` endings later) can come back by a late event; it then
/// stays until its run ends or it is evicted, which the page and the hung check tolerate.
#[derive(Debug, Default)]
pub(super) struct EndedKeys {
    capacity: usize,
    order: VecDeque<EntryKey>,
    keys: HashSet<EntryKey>,
}

impl EndedKeys {
    /// Remembers up to `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        EndedKeys {
            capacity: capacity.max(1),
            order: VecDeque::new(),
            keys: HashSet::new(),
        }
    }

    /// Whether `key` ended (and is still remembered).
    pub fn contains(&self, key: &EntryKey) -> bool {
        self.keys.contains(key)
    }

    /// Remembers that `key` ended; `false` if it was remembered already.
    pub fn insert(&mut self, key: EntryKey) -> bool {
        if !self.keys.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::entry::EntryKind;

    fn key(id: &str) -> EntryKey {
        EntryKey {
            provider: "github".into(),
            kind: EntryKind::Job,
            id: id.into(),
        }
    }

    #[test]
    fn forgets_the_oldest_past_capacity() {
        let mut ended = EndedKeys::new(2);
        assert!(ended.insert(key("1")));
        assert!(!ended.insert(key("1")));
        ended.insert(key("2"));
        ended.insert(key("3"));
        assert!(!ended.contains(&key("1")));
        assert!(ended.contains(&key("2")) && ended.contains(&key("3")));
    }
}
