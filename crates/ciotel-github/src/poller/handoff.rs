//! The seam between the webhook and the poller of one receiver that has both: a completed
//! `workflow_run` delivery carries no jobs, so the webhook hands the run (repository, id,
//! attempt) to the poller, which fetches the attempt and its jobs and emits them in one batch,
//! as for a run it lists — so the run's failure verdict is judged from its jobs at once.
//!
//! The channel is bounded ([`CAPACITY`]): when it is full the webhook answers 503 and GitHub
//! redelivers later. A request the poller cannot serve (a repository its credentials cannot
//! read, GitHub down) falls back to the webhook's own spans, the run alone.

use ciotel_core::Batch;
use tokio::sync::mpsc;

/// How many hand-offs may wait for the poller.
pub const CAPACITY: usize = 256;

/// A run handed from the webhook to the poller.
#[derive(Debug)]
pub struct RunRequest {
    /// `owner/name`.
    pub repo: String,
    /// The run id.
    pub run_id: u64,
    /// The attempt; `None` on GitHub Enterprise Server versions that give none.
    pub attempt: Option<u32>,
    /// The webhook's spans for the run alone, emitted if the poller cannot fetch it.
    pub fallback: Batch,
}

/// Why a hand-off was not queued.
#[derive(Debug)]
pub enum HandoffError {
    /// The channel is full: try again later.
    Full(RunRequest),
    /// The poller is gone.
    Closed(RunRequest),
}

/// The webhook's end: queues runs for the poller without waiting.
#[derive(Debug, Clone)]
pub struct RunHandoff {
    tx: mpsc::Sender<RunRequest>,
}

/// The poller's end.
#[derive(Debug)]
pub struct RunRequests {
    rx: mpsc::Receiver<RunRequest>,
}

/// A hand-off channel holding up to `capacity` runs ([`CAPACITY`] in the daemon).
pub fn run_handoff(capacity: usize) -> (RunHandoff, RunRequests) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (RunHandoff { tx }, RunRequests { rx })
}

impl RunHandoff {
    /// Queues `request`, or says why it cannot be.
    pub fn offer(&self, request: RunRequest) -> Result<(), HandoffError> {
        self.tx.try_send(request).map_err(|e| match e {
            mpsc::error::TrySendError::Full(r) => HandoffError::Full(r),
            mpsc::error::TrySendError::Closed(r) => HandoffError::Closed(r),
        })
    }
}

impl RunRequests {
    /// The next request; `None` once every webhook end is gone.
    pub(super) async fn next(&mut self) -> Option<RunRequest> {
        self.rx.recv().await
    }
}
