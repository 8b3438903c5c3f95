//! Where a run, stage, job or step is in its life ([`Phase`]) and how it ended ([`CiResult`]).

use serde::{Deserialize, Serialize};

use crate::semconv::result;

/// Lifecycle phase of a run, stage, job or step.
///
/// Exists because what ciotel emits depends on it: nothing while pending, the queue span once a
/// job runs, everything once it completed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Requested, queued or waiting (for a runner, an approval, a concurrency slot).
    #[default]
    Pending,
    /// Started and not finished.
    Running,
    /// Finished, whatever the result.
    Completed,
}

/// The result of a run, stage, job or step: the semconv `cicd.pipeline.result` values.
///
/// Exists so every platform's vocabulary (GitHub conclusions, GitLab statuses) is reduced to
/// one set that span status and ownership rules can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiResult {
    /// Finished successfully.
    Success,
    /// Failed because of the pipeline's content (test failure, compile error).
    Failure,
    /// Failed because of the CI/CD system (worker lost, platform error).
    Error,
    /// Interrupted by a timeout.
    Timeout,
    /// Cancelled.
    Cancellation,
    /// Skipped; a precondition was not met.
    Skip,
}

impl CiResult {
    /// The semconv attribute value (`success`, `failure`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            CiResult::Success => result::SUCCESS,
            CiResult::Failure => result::FAILURE,
            CiResult::Error => result::ERROR,
            CiResult::Timeout => result::TIMEOUT,
            CiResult::Cancellation => result::CANCELLATION,
            CiResult::Skip => result::SKIP,
        }
    }
}
