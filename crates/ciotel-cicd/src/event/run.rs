//! A pipeline run attempt as a platform reported it: the trace's root span.

use serde::{Deserialize, Serialize};

use super::{Attribute, CiResult, Phase, RunRef};
use crate::time::Timestamp;

/// A pipeline run attempt (GitHub `workflow_run`, GitLab pipeline).
///
/// Exists to become the trace's root span once the run completed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PipelineRun {
    /// Which run attempt, with its pipeline and VCS context.
    pub run: RunRef,
    /// Where a person opens the run.
    pub url: Option<String>,
    /// Pending, running or completed.
    pub phase: Phase,
    /// How it ended, when completed and the platform's answer maps to a semconv result.
    pub result: Option<CiResult>,
    /// The platform's own word for the result (GitHub conclusion such as `startup_failure`),
    /// used as span status message and `error.type`.
    pub result_detail: Option<String>,
    /// When the run was created (before any queueing).
    pub created_at: Option<Timestamp>,
    /// When this attempt started.
    pub started_at: Option<Timestamp>,
    /// When this attempt completed (GitHub: `updated_at` of a completed run).
    pub completed_at: Option<Timestamp>,
    /// What triggered the run (`push`, `pull_request`, `schedule`, …).
    pub trigger_event: Option<String>,
    /// Who started this attempt (login).
    pub actor: Option<String>,
    /// Set for attempt > 1: the root span links to the previous attempt's root span.
    pub previous_attempt: Option<PreviousAttempt>,
    /// Platform-specific extras (`github.*`).
    pub attributes: Vec<Attribute>,
}

/// The run's previous attempt, which a re-run's root span links to.
///
/// Exists so a re-run's trace points at the trace of the attempt it retried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousAttempt {
    /// The previous attempt's number (this attempt − 1).
    pub attempt: u32,
    /// The platform's URL of the previous attempt, when it gave one.
    pub url: Option<String>,
}

/// A run that a job of another run started (GitLab child and multi-project pipelines, started
/// by a trigger job): translated like a [`PipelineRun`], and its root span also links to the
/// triggering job's span in the upstream run's trace.
///
/// Exists as its own event, rather than a field of `PipelineRun`, so runs without an upstream
/// (every GitHub run) keep their exact shape. Each run keeps its own trace; the link is what
/// lets a person walk from a child pipeline to the job that started it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DownstreamRun {
    /// The run itself.
    pub run: PipelineRun,
    /// The run and job that started it.
    pub upstream: Upstream,
}

/// The run, and the job in it, that started a downstream run.
///
/// Exists to compute the link target with the same recipe as the upstream run's own spans:
/// its trace id from `run_id` (and `attempt`), the span from `job_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Upstream {
    /// The upstream run's id (GitLab: the parent pipeline's id).
    pub run_id: String,
    /// The upstream run's attempt (1 where the platform has none, as GitLab).
    pub attempt: u32,
    /// The triggering job's id (GitLab: the trigger/bridge job); without it, the link points
    /// to the upstream run's root span.
    pub job_id: Option<String>,
}
