//! One board's periodic check: which hung jobs are due a log record.
//!
//! A hung job's record comes at the first check that finds it hung, then every
//! `live.hung.log_interval` while it stays hung the same way; a job hung in the queue that is
//! then hung running is a new hang, logged at once. Once it is not hung (it started in time,
//! finished, or left the board), nothing more is said of it. (The board's metrics are a
//! [`super::LiveMetrics`] source, collected with the receiver's other metrics.)

use std::collections::{BTreeSet, HashMap};

use opentelemetry_proto::tonic::logs::v1::ResourceLogs;

use super::board::LiveBoard;
use super::entry::{EntryKey, LiveState};
use super::hung::HungJob;
use super::logs::hung_logs;
use crate::ids::IdRecipe;
use crate::time::Timestamp;

/// One hang: which job, in which state, by which rule.
type Hang = (EntryKey, LiveState, &'static str);

fn hang(h: &HungJob) -> Hang {
    (h.entry.key.clone(), h.entry.state, h.rule.key())
}

/// What one check yields.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CheckOutput {
    /// The log records due (hung jobs not logged within `log_interval`).
    pub logs: Vec<ResourceLogs>,
    /// How many jobs are hung now.
    pub hung: usize,
}

/// A board's check state: when each hung job was last logged.
///
/// Exists apart from the board so the page and many readers share the board while one task
/// owns the schedule; the check is a function of the board, this state and `now`, testable
/// without timers.
#[derive(Debug)]
pub struct LiveCheck {
    board: LiveBoard,
    recipe: IdRecipe,
    logged: HashMap<Hang, Timestamp>,
}

impl LiveCheck {
    /// Checks `board`; log records carry span ids by `recipe`.
    pub fn new(board: LiveBoard, recipe: IdRecipe) -> Self {
        LiveCheck {
            board,
            recipe,
            logged: HashMap::new(),
        }
    }

    /// The board checked.
    pub fn board(&self) -> &LiveBoard {
        &self.board
    }

    /// One check at `now`.
    pub fn check(&mut self, now: Timestamp) -> CheckOutput {
        let hung = self.board.hung(now);
        let repeat = self.board.config().hung.log_interval;
        let still: BTreeSet<Hang> = hung.iter().map(hang).collect();
        self.logged.retain(|k, _| still.contains(k));
        let due: Vec<_> = hung
            .iter()
            .filter(|h| {
                self.logged.get(&hang(h)).is_none_or(|last| {
                    now.as_unix_nanos().saturating_sub(last.as_unix_nanos())
                        >= u64::try_from(repeat.as_nanos()).unwrap_or(u64::MAX)
                })
            })
            .collect();
        for h in &due {
            self.logged.insert(hang(h), now);
        }
        CheckOutput {
            logs: hung_logs(&due, now, self.recipe),
            hung: hung.len(),
        }
    }
}
