//! `CiEvent`: what a CI platform said about one pipeline run, stage or job, in
//! platform-neutral terms. Platform receivers build these; `translate` turns them into spans.
//!
//! A run attempt's trace is assembled from independent events (one per webhook delivery or
//! API object), so every event carries the [`RunRef`] it belongs to: enough to compute the
//! trace id, the parent span ids and the resource, with no state shared between events.

mod attr;
mod job;
mod outcome;
mod run;
mod stage;

use serde::{Deserialize, Serialize};

pub use attr::{AttrValue, Attribute};
pub use job::{Job, Runner, Step};
pub use outcome::{CiResult, Phase};
pub use run::{DownstreamRun, PipelineRun, PreviousAttempt, Upstream};
pub use stage::Stage;

/// One thing a CI platform reported, ready for translation into spans.
///
/// Exists so each platform is only a mapping into this type, and one translator serves all.
/// GitLab sends pipeline → stages → jobs; GitHub sends runs and jobs (no stages).
/// A new variant is how the model grows: platforms build the structs with every field named,
/// so a field added to an existing struct would break them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum CiEvent {
    /// A pipeline run attempt (GitHub `workflow_run`, GitLab pipeline).
    Run(PipelineRun),
    /// A stage of a run (GitLab); GitHub has none.
    Stage(Stage),
    /// A job with its steps (GitHub `workflow_job`, GitLab job/build).
    Job(Job),
    /// A run started by another run's job (GitLab child and multi-project pipelines): the
    /// run's root span, linked to the triggering job's span.
    DownstreamRun(DownstreamRun),
}

impl CiEvent {
    /// The run attempt this event belongs to: trace id, resource and parents come from it.
    pub fn run_ref(&self) -> &RunRef {
        match self {
            CiEvent::Run(r) => &r.run,
            CiEvent::Stage(s) => &s.run,
            CiEvent::Job(j) => &j.run,
            CiEvent::DownstreamRun(d) => &d.run.run,
        }
    }
}

/// Identifies one run attempt and carries the pipeline and VCS context shared by all of its
/// events.
///
/// Exists because a job event must name its run (for the trace id and parent) and its
/// repository (for the resource) without the daemon remembering the run event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunRef {
    /// The platform's run id (GitHub `run_id`, GitLab pipeline id), as a string per semconv.
    pub run_id: String,
    /// Which attempt of the run, from 1. Part of the trace id: each attempt is its own trace.
    pub attempt: u32,
    /// The pipeline's human-readable name (GitHub: the workflow's name).
    pub pipeline_name: Option<String>,
    /// Where the code came from.
    pub vcs: Vcs,
}

/// Version-control facts about a run: the repository (resource attributes) and the ref and
/// change being built (span attributes).
///
/// Exists so `vcs.*` attributes are filled the same way for every platform.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vcs {
    /// `vcs.provider.name`: `github`, `gitlab`, …
    pub provider: Option<String>,
    /// The repository's browser URL (`vcs.repository.url.full`).
    pub repository_url: Option<String>,
    /// The repository's name without owner (`vcs.repository.name`).
    pub repository_name: Option<String>,
    /// `owner/name` (GitLab: `group/subgroup/name`); ciotel's `service.name`.
    pub repository_full_name: Option<String>,
    /// The owning organisation, user or group (`vcs.owner.name`).
    pub owner: Option<String>,
    /// The branch or tag built (`vcs.ref.head.name`).
    pub head_ref: Option<String>,
    /// The commit built (`vcs.ref.head.revision`).
    pub head_revision: Option<String>,
    /// A change's target branch (`vcs.ref.base.name`).
    pub base_ref: Option<String>,
    /// A change's target commit (`vcs.ref.base.revision`).
    pub base_revision: Option<String>,
    /// The pull/merge request number for change runs (`vcs.change.id`).
    pub change_id: Option<String>,
}
