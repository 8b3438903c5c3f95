//! [`LiveBoard`]: the runs and jobs one receiver knows to be queued or running now.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::broadcast;

use super::config::LiveConfig;
use super::durations::Durations;
use super::ended::EndedKeys;
use super::entry::{EntryKey, EntryKind, LiveEntry};
use super::observe::{Ended, Observation, merge, observe};
use crate::event::CiEvent;
use crate::time::Timestamp;

/// How many change notices a slow subscriber may fall behind before it misses some (it then
/// gets `Lagged` and should take a fresh [`LiveBoard::snapshot`]).
pub const CHANGE_CAPACITY: usize = 1024;

/// A change on a board: an entry appeared, changed, or left.
///
/// Exists so a page can update live without polling the board: on a notice it re-reads the
/// entry (or the snapshot). Notices carry the entry as it is now, `None` once it left.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveChange {
    /// The board's name (the receiver id, e.g. `github/ci`).
    pub board: Arc<str>,
    /// Which entry.
    pub key: EntryKey,
    /// The entry now; `None` when it completed or was evicted.
    pub entry: Option<LiveEntry>,
}

/// What the board holds at one moment.
///
/// Exists as the one thing a page renders: entries sorted by since when they have been in
/// their state (longest first), and how many entries the bound has pushed out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    /// Queued and running runs and jobs, longest-waiting first.
    pub entries: Vec<LiveEntry>,
    /// Entries evicted since start because the board was full.
    pub evicted: u64,
}

/// The runs and jobs one receiver's events (webhook and poller) say are queued or running.
///
/// Exists for "see it live": without it nothing is known of a job until it completes. It is
/// bounded (`live.max_entries`, least recently updated evicted and counted), and updated in any
/// order: the later state wins, a redelivered event changes nothing, and an entry that ended
/// is not brought back by a late `queued` (see `ended.rs` for how long that is remembered).
/// After a restart it is refilled by the receiver's poller, which lists what is queued and
/// running now. Cheap to clone (one shared state).
#[derive(Debug, Clone)]
pub struct LiveBoard {
    name: Arc<str>,
    config: Arc<LiveConfig>,
    state: Arc<Mutex<State>>,
    changes: broadcast::Sender<LiveChange>,
}

#[derive(Debug)]
pub(super) struct State {
    pub entries: HashMap<EntryKey, LiveEntry>,
    by_touch: BTreeMap<u64, EntryKey>,
    clock: u64,
    ended: EndedKeys,
    pub durations: Durations,
    evicted: u64,
}

impl LiveBoard {
    /// An empty board named `name` (the receiver id) with its own change channel.
    pub fn new(name: &str, config: &LiveConfig) -> Self {
        let (changes, _) = broadcast::channel(CHANGE_CAPACITY);
        Self::with_changes(name, config, changes)
    }

    /// An empty board whose notices go to `changes` (shared by the boards of a registry).
    pub(super) fn with_changes(
        name: &str,
        config: &LiveConfig,
        changes: broadcast::Sender<LiveChange>,
    ) -> Self {
        let max = config.max_entries.max(1);
        LiveBoard {
            name: name.into(),
            config: Arc::new(config.clone()),
            state: Arc::new(Mutex::new(State {
                entries: HashMap::new(),
                by_touch: BTreeMap::new(),
                clock: 0,
                ended: EndedKeys::new(max),
                durations: Durations::new(max),
                evicted: 0,
            })),
            changes,
        }
    }

    /// The board's name (the receiver id).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `live:` config it was built with.
    pub fn config(&self) -> &LiveConfig {
        &self.config
    }

    /// Folds `events` (one delivery's or one API object's) into the board, now.
    pub fn observe_all(&self, events: &[CiEvent]) {
        let now = Timestamp::now();
        for event in events {
            self.observe_at(event, now);
        }
    }

    /// Folds one event into the board; `now` stands in for times the event does not carry.
    pub fn observe_at(&self, event: &CiEvent, now: Timestamp) {
        let Some(observation) = observe(event, now) else {
            return;
        };
        let notices = {
            let mut state = self.lock();
            match observation {
                Observation::Live(entry) => state.live(entry, self.config.max_entries.max(1)),
                Observation::Ended(ended) => state.end(ended),
            }
        };
        for (key, entry) in notices {
            // No subscriber is not an error: the board is read by snapshot too.
            let _ = self.changes.send(LiveChange {
                board: self.name.clone(),
                key,
                entry,
            });
        }
    }

    /// The entries now, of `repository` only when given (`owner/name`).
    pub fn snapshot(&self, repository: Option<&str>) -> Snapshot {
        let state = self.lock();
        let mut entries: Vec<LiveEntry> = state
            .entries
            .values()
            .filter(|e| repository.is_none_or(|r| e.repository.as_deref() == Some(r)))
            .cloned()
            .collect();
        entries.sort_by(|a, b| {
            (a.since(), a.key.kind, &a.key.id).cmp(&(b.since(), b.key.kind, &b.key.id))
        });
        Snapshot {
            entries,
            evicted: state.evicted,
        }
    }

    /// Change notices from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveChange> {
        self.changes.subscribe()
    }

    /// The board's update clock now: pass it to [`LiveBoard::forget_unlisted`] after a listing
    /// started now is complete.
    pub fn mark(&self) -> u64 {
        self.lock().clock
    }

    /// The entry `event` speaks of, if any (stages speak of none).
    pub fn key_of(event: &CiEvent) -> Option<EntryKey> {
        observe(event, Timestamp::from_unix_nanos(0)).map(|o| match o {
            Observation::Live(entry) => entry.key,
            Observation::Ended(ended) => ended.key,
        })
    }

    /// After a complete API listing of `repository`'s live runs and jobs (begun at `mark`):
    /// its entries not `listed` and not updated since `mark` are no longer live, and leave.
    /// They are not remembered as ended — a listing may lag — so a later event or listing
    /// brings them back. The number removed.
    ///
    /// Exists because a lost `completed` (and its run's) would otherwise keep a job on the board,
    /// and reported hung, until it is evicted.
    pub fn forget_unlisted(
        &self,
        repository: &str,
        listed: &std::collections::HashSet<EntryKey>,
        mark: u64,
    ) -> usize {
        let gone = {
            let mut state = self.lock();
            let gone: Vec<EntryKey> = state
                .entries
                .values()
                .filter(|e| {
                    e.touched <= mark
                        && !listed.contains(&e.key)
                        && e.repository
                            .as_deref()
                            .is_some_and(|r| r.eq_ignore_ascii_case(repository))
                })
                .map(|e| e.key.clone())
                .collect();
            for key in &gone {
                state.remove(key);
            }
            gone
        };
        for key in &gone {
            let _ = self.changes.send(LiveChange {
                board: self.name.clone(),
                key: key.clone(),
                entry: None,
            });
        }
        gone.len()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent maps (every update is one insert or
        // remove), so the state is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type Notices = Vec<(EntryKey, Option<LiveEntry>)>;

impl State {
    fn live(&mut self, incoming: LiveEntry, max: usize) -> Notices {
        if self.ended.contains(&incoming.key) {
            return Vec::new();
        }
        let key = incoming.key.clone();
        let updated = match self.entries.get(&key) {
            Some(current) => {
                let merged = merge(current, &incoming);
                if merged == *current {
                    return Vec::new();
                }
                merged
            }
            None => incoming,
        };
        self.put(updated.clone());
        let mut notices = vec![(key, Some(updated))];
        while self.entries.len() > max {
            let Some((_, oldest)) = self.by_touch.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
            self.evicted += 1;
            notices.push((oldest, None));
        }
        notices
    }

    fn end(&mut self, ended: Ended) -> Notices {
        if let Some((name, took)) = &ended.ran {
            if !self.ended.contains(&ended.key) {
                self.durations.record(name, *took);
            }
        }
        self.ended.insert(ended.key.clone());
        let mut notices = Vec::new();
        if self.remove(&ended.key) {
            notices.push((ended.key.clone(), None));
        }
        // A run that ended takes its jobs with it: their own `completed` may be lost or late.
        if let Some((provider, run_id, attempt)) = ended.run {
            let jobs: Vec<EntryKey> = self
                .entries
                .values()
                .filter(|e| {
                    e.key.kind == EntryKind::Job
                        && e.key.provider == provider
                        && e.run_id == run_id
                        && e.attempt == attempt
                })
                .map(|e| e.key.clone())
                .collect();
            for key in jobs {
                self.remove(&key);
                self.ended.insert(key.clone());
                notices.push((key, None));
            }
        }
        notices
    }

    fn put(&mut self, mut entry: LiveEntry) {
        self.clock += 1;
        if let Some(old) = self.entries.get(&entry.key) {
            self.by_touch.remove(&old.touched);
        }
        entry.touched = self.clock;
        self.by_touch.insert(self.clock, entry.key.clone());
        self.entries.insert(entry.key.clone(), entry);
    }

    fn remove(&mut self, key: &EntryKey) -> bool {
        match self.entries.remove(key) {
            Some(old) => {
                self.by_touch.remove(&old.touched);
                true
            }
            None => false,
        }
    }
}
