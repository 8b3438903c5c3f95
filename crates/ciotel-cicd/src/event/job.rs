//! A job with its runner and steps: the job span, its queue span and one span per step.

use serde::{Deserialize, Serialize};

use super::{Attribute, CiResult, Phase, RunRef};
use crate::time::Timestamp;

/// A job (semconv: task run) of a run attempt.
///
/// Exists to become the job span, the queue span (created → started) and the step spans.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Job {
    /// Which run attempt, with its pipeline and VCS context.
    pub run: RunRef,
    /// The platform's job id (GitHub: the check-run id, `${{ job.check_run_id }}`).
    pub id: String,
    /// The job's name.
    pub name: String,
    /// The stage the job belongs to (GitLab); its span is then parented to the stage span.
    pub stage: Option<String>,
    /// Where a person opens the job.
    pub url: Option<String>,
    /// Pending (queued, waiting), running or completed.
    pub phase: Phase,
    /// How it ended.
    pub result: Option<CiResult>,
    /// The platform's own word for the result.
    pub result_detail: Option<String>,
    /// When the job was created (entered the queue).
    pub created_at: Option<Timestamp>,
    /// When a runner picked it up.
    pub started_at: Option<Timestamp>,
    /// When it completed.
    pub completed_at: Option<Timestamp>,
    /// The runner that ran it, if one was assigned.
    pub runner: Option<Runner>,
    /// Its steps in the platform's order; queued steps have no times.
    pub steps: Vec<Step>,
    /// Platform-specific extras.
    pub attributes: Vec<Attribute>,
}

/// The runner (worker, agent) a job ran on.
///
/// Exists so `cicd.worker.*` and the runner's labels and group are filled the same way for
/// every platform; "is it the platform?" questions start here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Runner {
    /// The runner's id.
    pub id: Option<String>,
    /// The runner's name.
    pub name: Option<String>,
    /// Labels / tags that selected the runner.
    pub labels: Vec<String>,
    /// The runner group's id.
    pub group_id: Option<String>,
    /// The runner group's name.
    pub group_name: Option<String>,
}

/// One step of a job.
///
/// Exists to become one span under the job span.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Step {
    /// The step's name; with the job id it identifies the step (check-run id recipe).
    pub name: String,
    /// The step's number within the job; numbers may have gaps.
    pub number: Option<u32>,
    /// Pending (queued), running or completed.
    pub phase: Phase,
    /// How it ended.
    pub result: Option<CiResult>,
    /// The platform's own word for the result.
    pub result_detail: Option<String>,
    /// When it started; `None` for a step that never ran (no span is emitted).
    pub started_at: Option<Timestamp>,
    /// When it completed.
    pub completed_at: Option<Timestamp>,
    /// Platform-specific extras.
    pub attributes: Vec<Attribute>,
}
