//! What the live board holds about one run attempt or job that is queued or running now.

use serde::Serialize;

use crate::time::Timestamp;

/// Whether an entry is a pipeline run attempt or a job of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A pipeline run attempt (GitHub workflow run, GitLab pipeline).
    Run,
    /// A job (semconv: task run).
    Job,
}

/// Where a queued or running entry is: the two phases the board keeps (completed ones leave it).
///
/// Exists apart from [`crate::Phase`] because the board never holds a completed entry, and the
/// names are the ones `cicd.pipeline.run.state` uses (`pending`, `executing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveState {
    /// Queued or waiting (for a runner, an approval, a concurrency slot).
    Pending,
    /// Started and not finished.
    Executing,
}

impl LiveState {
    /// The `cicd.pipeline.run.state` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            LiveState::Pending => "pending",
            LiveState::Executing => "executing",
        }
    }
}

/// Identifies one entry on the board: the platform, whether run or job, and the platform's id
/// (a run's `run_id` and attempt, a job's id).
///
/// Exists so a redelivered event, or the same job seen by the webhook and the poller, lands on
/// the same entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EntryKey {
    /// `vcs.provider.name` (`github`, `gitlab`), or empty when the event named none.
    pub provider: String,
    /// Run or job.
    pub kind: EntryKind,
    /// `run_id#attempt` for a run, the job id for a job.
    pub id: String,
}

/// One queued or running run attempt or job, as the page shows it and the hung check reads it.
///
/// Exists as the one public shape of the board's contents: every field comes from the
/// platform's events (or API), none is guessed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveEntry {
    /// Which entry.
    pub key: EntryKey,
    /// Queued or running.
    pub state: LiveState,
    /// `owner/name` (GitLab `group/…/name`), when the event named it.
    pub repository: Option<String>,
    /// The pipeline's name (GitHub: the workflow's).
    pub pipeline_name: Option<String>,
    /// The run id (both kinds).
    pub run_id: String,
    /// The run attempt (both kinds).
    pub attempt: u32,
    /// The job's name (jobs only).
    pub job_name: Option<String>,
    /// The job's stage (GitLab jobs only).
    pub stage: Option<String>,
    /// Where a person opens it.
    pub url: Option<String>,
    /// The branch or tag built.
    pub head_ref: Option<String>,
    /// When it was created (entered the queue), as the platform says; else when the board
    /// first heard of it.
    pub queued_since: Timestamp,
    /// When it started running, as the platform says; else when the board first heard it run.
    pub running_since: Option<Timestamp>,
    /// The runner's name (jobs that were picked up).
    pub runner_name: Option<String>,
    /// The runner's labels / tags (what it waits for while queued).
    pub runner_labels: Vec<String>,
    /// When the board last changed this entry: the basis for eviction.
    #[serde(skip)]
    pub(super) touched: u64,
}

impl LiveEntry {
    /// Since when it has been in its current state (queued or running).
    pub fn since(&self) -> Timestamp {
        match self.state {
            LiveState::Pending => self.queued_since,
            LiveState::Executing => self.running_since.unwrap_or(self.queued_since),
        }
    }

    /// How long it has been in its current state at `now` (zero if `now` is earlier).
    pub fn age(&self, now: Timestamp) -> std::time::Duration {
        std::time::Duration::from_nanos(
            now.as_unix_nanos()
                .saturating_sub(self.since().as_unix_nanos()),
        )
    }
}
