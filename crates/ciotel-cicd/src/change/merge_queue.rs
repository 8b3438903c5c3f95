//! The merge queue: a change waits for its checks on the queue's merge commit.

use serde::{Deserialize, Serialize};

use super::ChangeRef;
use crate::time::Timestamp;

/// A change entered or left the merge queue (GitHub `merge_group` `checks_requested` /
/// `destroyed`).
///
/// Exists to become an instant span under the change root. GitHub's `merge_group` payload has
/// no time of its own; the queue commit's time (`head_commit.timestamp`, when GitHub made the
/// group's merge commit) is used, and nothing when it is absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MergeQueueEvent {
    /// Which change (GitHub: from the queue branch `gh-readonly-queue/{base}/pr-{N}-{sha}`).
    pub change: ChangeRef,
    /// Entered or left, and why.
    pub action: MergeQueueAction,
    /// The queue's merge commit (the group's `head_sha`), which the queue's checks build.
    pub queue_head: String,
    /// The queue branch (`gh-readonly-queue/main/pr-104-…`).
    pub queue_ref: Option<String>,
    /// The target branch.
    pub base_ref: Option<String>,
    /// When (see the type's doc).
    pub at: Option<Timestamp>,
}

/// What happened in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeQueueAction {
    /// The change entered the queue; its checks were requested.
    #[default]
    Entered,
    /// The group was merged.
    Merged,
    /// The change left without merging (`dequeued`, `invalidated`: the platform's word).
    Dequeued(String),
}
