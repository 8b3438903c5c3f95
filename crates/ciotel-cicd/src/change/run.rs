//! A pipeline run for a change: a span in the change trace that links to the run's own trace.

use serde::{Deserialize, Serialize};

use super::ChangeRef;
use crate::event::PipelineRun;

/// A run that built the change (GitHub `workflow_run` / `workflow_job`'s run with
/// `pull_requests`, a `check_suite` of another CI app; GitLab pipeline with `merge_request`).
///
/// Exists to become the `RUN …` span under the change root, with the run's result, linked to
/// the root span of the run's trace (computed by the run recipe the translator is given). The
/// run trace stays as it is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChangeRun {
    /// Which change.
    pub change: ChangeRef,
    /// The run, as mapped for its own trace (same ids, times and result).
    pub run: PipelineRun,
    /// Whether ciotel makes a trace for this run, so the span links to its root: true for
    /// pipeline runs, false for a check suite of another CI app (no run trace exists).
    pub has_run_trace: bool,
}
