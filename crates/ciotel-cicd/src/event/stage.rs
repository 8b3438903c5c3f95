//! A stage of a pipeline run (GitLab): a span between the run and its jobs.

use serde::{Deserialize, Serialize};

use super::{Attribute, CiResult, Phase, RunRef};
use crate::time::Timestamp;

/// A stage of a run. GitHub has no stages; GitLab reports them with the pipeline.
///
/// Exists so the GitLab receiver can add run → stage → job without a second translator:
/// a [`super::Job`] whose `stage` is set is parented to the stage span.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Stage {
    /// Which run attempt, with its pipeline and VCS context.
    pub run: RunRef,
    /// The stage's name; with the run it identifies the stage (its span id derives from it).
    pub name: String,
    /// Pending, running or completed.
    pub phase: Phase,
    /// How it ended.
    pub result: Option<CiResult>,
    /// The platform's own word for the result.
    pub result_detail: Option<String>,
    /// When its first job started.
    pub started_at: Option<Timestamp>,
    /// When its last job completed.
    pub completed_at: Option<Timestamp>,
    /// Platform-specific extras.
    pub attributes: Vec<Attribute>,
}
