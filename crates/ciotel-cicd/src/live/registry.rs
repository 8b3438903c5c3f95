//! [`LiveBoards`]: every receiver's board in one place, for the page and the hung check.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::board::{CHANGE_CAPACITY, LiveBoard, LiveChange, Snapshot};
use super::config::LiveConfig;

/// The boards of a daemon, one per `github` / `gitlab` receiver, by receiver id, with one
/// change channel for all of them.
///
/// Exists so one page (`cicd_view`) reaches every receiver's board without knowing the
/// receivers: the binary builds one registry, each platform receiver takes its board from it,
/// and the page reads [`LiveBoards::snapshot`] and [`LiveBoards::subscribe`]. One board per
/// receiver (not one shared board) because `live:` is configured per receiver. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveBoards {
    boards: Arc<Mutex<BTreeMap<String, LiveBoard>>>,
    changes: broadcast::Sender<LiveChange>,
}

impl Default for LiveBoards {
    fn default() -> Self {
        let (changes, _) = broadcast::channel(CHANGE_CAPACITY);
        LiveBoards {
            boards: Arc::default(),
            changes,
        }
    }
}

impl LiveBoards {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Receiver `name`'s board, made with `config` the first time it is asked for.
    pub fn board(&self, name: &str, config: &LiveConfig) -> LiveBoard {
        self.lock()
            .entry(name.to_string())
            .or_insert_with(|| LiveBoard::with_changes(name, config, self.changes.clone()))
            .clone()
    }

    /// Receiver `name`'s board, if it has one.
    pub fn get(&self, name: &str) -> Option<LiveBoard> {
        self.lock().get(name).cloned()
    }

    /// Every board, by receiver id.
    pub fn boards(&self) -> Vec<LiveBoard> {
        self.lock().values().cloned().collect()
    }

    /// Every board's entries together (of `repository` only, when given), longest-waiting
    /// first, with the evictions of all boards summed.
    pub fn snapshot(&self, repository: Option<&str>) -> Snapshot {
        let mut all = Snapshot::default();
        for board in self.boards() {
            let one = board.snapshot(repository);
            all.entries.extend(one.entries);
            all.evicted += one.evicted;
        }
        all.entries.sort_by(|a, b| {
            (a.since(), a.key.kind, &a.key.id).cmp(&(b.since(), b.key.kind, &b.key.id))
        });
        all
    }

    /// Change notices of every board from now on (each names its board).
    pub fn subscribe(&self) -> broadcast::Receiver<LiveChange> {
        self.changes.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, LiveBoard>> {
        self.boards.lock().unwrap_or_else(|p| p.into_inner())
    }
}
