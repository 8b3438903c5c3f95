//! Serde shapes of GitHub's `workflow_run` / `workflow_job` objects, shared by webhook
//! deliveries and REST API responses, and their envelopes; and of the change events
//! (`change.rs`: pull requests, reviews, check suites, merge groups; `deployment.rs`:
//! deployments, their statuses, reviews and protection rules).
//!
//! Tolerant by design: every field GitHub has been seen to send as `null` or to omit is an
//! `Option` (or an empty list), and unknown fields are ignored. Timestamps stay strings here;
//! the mapping parses them and names the field when one is malformed.

mod change;
mod common;
mod deployment;
mod job;
mod rest;
mod run;
mod webhook;

pub use change::{
    App, CheckSuite, CheckSuiteEvent, Commit, MergeGroup, MergeGroupEvent, PullRequestEvent,
    PullRequestObject, PullRequestReviewEvent, ReviewObject, Team,
};
pub use common::{Repository, User, Workflow};
pub use deployment::{
    DeploymentEvent, DeploymentObject, DeploymentProtectionRuleEvent, DeploymentReviewEvent,
    DeploymentReviewer, DeploymentStatusEvent, DeploymentStatusObject, ReviewerObject, WaitingJob,
};
pub use job::{JobStep, WorkflowJob};
pub use rest::{JobsPage, WorkflowRunsPage};
pub use run::{PullRequest, PullRequestBranch, PullRequestRepo, WorkflowRun};
pub use webhook::{WorkflowJobEvent, WorkflowRunEvent};

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default (an empty list), as GitHub sends both.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
