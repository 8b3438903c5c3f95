//! The change itself: what a pull / merge request event says about its state.

use serde::{Deserialize, Serialize};

use super::ChangeRef;
use crate::event::Attribute;
use crate::time::Timestamp;

/// One pull / merge request event (GitHub `pull_request`, GitLab Merge Request Hook), with the
/// change's facts as the event carries them.
///
/// Exists to become the change's root span (once closed or merged) and the instant spans of
/// its life (opened, pushed to, ready, review requested, reopened, merged).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChangeUpdate {
    /// Which change.
    pub change: ChangeRef,
    /// What happened.
    pub action: ChangeAction,
    /// When it happened, by the platform's clock (GitHub/GitLab `updated_at`; the merge and
    /// close times for those actions). Part of some span ids, so never the receive time.
    pub at: Option<Timestamp>,
    /// The change's title (`vcs.change.title`).
    pub title: Option<String>,
    /// `open`, `closed`, `merged` as the platform says it after this event (`vcs.change.state`).
    pub state: Option<String>,
    /// Whether it is a draft (GitHub `draft`, GitLab `draft` / `work_in_progress`).
    pub draft: Option<bool>,
    /// Who opened it (login / username).
    pub author: Option<String>,
    /// The source branch and its head commit (`vcs.ref.head.*`).
    pub head: RefRevision,
    /// The target branch and its commit (`vcs.ref.base.*`).
    pub base: RefRevision,
    /// When the change was opened.
    pub opened_at: Option<Timestamp>,
    /// When it was closed (merged or not).
    pub closed_at: Option<Timestamp>,
    /// When it was merged.
    pub merged_at: Option<Timestamp>,
    /// The commit the merge made on the target branch (GitHub `merge_commit_sha` of a merged
    /// PR, GitLab `merge_commit_sha`): what a deployment of the change deploys.
    pub merge_revision: Option<String>,
    /// Who merged it.
    pub merged_by: Option<String>,
    /// The head before a push (GitHub `before` of `synchronize`, GitLab `oldrev`).
    pub previous_head: Option<String>,
    /// Where a person opens the change.
    pub url: Option<String>,
    /// Platform-specific extras (`github.*`, `gitlab.*`).
    pub attributes: Vec<Attribute>,
}

/// A branch and a commit on it.
///
/// Exists because head and base are each the pair `vcs.ref.{head,base}.{name,revision}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RefRevision {
    /// The branch name.
    pub name: Option<String>,
    /// The commit id.
    pub revision: Option<String>,
}

/// What a change event reports.
///
/// | action | GitHub `pull_request` action | GitLab Merge Request Hook action | spans |
/// |---|---|---|---|
/// | opened | `opened` | `open` | `opened` (instant at `opened_at`) |
/// | pushed | `synchronize` | `update` with `oldrev` | `push {sha7}` (instant) |
/// | ready | `ready_for_review` | `update` draft → not draft | `ready for review` (instant) |
/// | review requested | `review_requested` | — | `review requested` (instant) |
/// | closed | `closed`, not merged | `close` | root `CHANGE …` (opened → closed) |
/// | merged | `closed`, merged | `merge` | root (opened → merged), `MERGE` (instant) |
/// | reopened | `reopened` | `reopen` | `reopened` (instant) |
/// | edited | `edited`, `labeled`, `assigned`, … | `update` otherwise | nothing |
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum ChangeAction {
    /// The change was opened.
    #[default]
    Opened,
    /// New commits: the head moved (from [`ChangeUpdate::previous_head`]).
    Pushed,
    /// It left draft and is ready for review.
    ReadyForReview,
    /// A review was requested from `reviewer` (login, or team slug).
    ReviewRequested {
        /// Who is asked.
        reviewer: String,
    },
    /// Closed without merging.
    Closed,
    /// Merged into its base.
    Merged,
    /// Reopened after being closed.
    Reopened,
    /// Anything else (title, labels, assignees): no span of its own.
    Edited,
}
