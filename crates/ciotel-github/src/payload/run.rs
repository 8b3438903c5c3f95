//! A workflow run: the `workflow_run` of a webhook, an item of `GET …/actions/runs`.

use serde::Deserialize;

use super::{Repository, User, null_as_default};

/// A workflow run attempt as GitHub describes it.
///
/// Exists as the one shape both the webhook receiver and the REST poller read runs into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WorkflowRun {
    /// Run id (the same for every attempt).
    pub id: u64,
    /// The workflow's name; sometimes empty in webhook deliveries.
    pub name: Option<String>,
    /// Attempt number from 1; absent on old GitHub Enterprise Server versions.
    pub run_attempt: Option<u32>,
    /// The run's number within its workflow.
    pub run_number: Option<u64>,
    /// The triggering event (`push`, `pull_request`, …).
    pub event: Option<String>,
    /// requested | queued | in_progress | waiting | pending | completed.
    pub status: Option<String>,
    /// success | failure | neutral | cancelled | skipped | timed_out | action_required |
    /// stale | startup_failure, or null while not completed.
    pub conclusion: Option<String>,
    /// Workflow id.
    pub workflow_id: Option<u64>,
    /// Workflow file path, possibly with `@ref`.
    pub path: Option<String>,
    /// The title GitHub shows for the run (commit message or PR title).
    pub display_title: Option<String>,
    /// Branch (or tag) built.
    pub head_branch: Option<String>,
    /// Commit built.
    pub head_sha: Option<String>,
    /// Browser URL.
    pub html_url: Option<String>,
    /// API URL.
    pub url: Option<String>,
    /// When the run was created.
    pub created_at: Option<String>,
    /// Last update; the end of a completed run.
    pub updated_at: Option<String>,
    /// When this attempt started.
    pub run_started_at: Option<String>,
    /// API URL of the previous attempt, for attempt > 1.
    pub previous_attempt_url: Option<String>,
    /// Who triggered the first attempt.
    pub actor: Option<User>,
    /// Who triggered this attempt.
    pub triggering_actor: Option<User>,
    /// Open pull requests whose head matches the run (may include other repositories').
    #[serde(default, deserialize_with = "null_as_default")]
    pub pull_requests: Vec<PullRequest>,
    /// The repository the run belongs to.
    pub repository: Option<Repository>,
}

/// A pull request reference in a run's `pull_requests`.
///
/// Exists for `vcs.change.id` and the base ref of pull-request runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PullRequest {
    /// The pull request's number.
    pub number: Option<u64>,
    /// Its head branch.
    pub head: Option<PullRequestBranch>,
    /// Its base (target) branch.
    pub base: Option<PullRequestBranch>,
}

/// One side of a pull request.
///
/// Exists for the base ref and revision, and to check which repository the PR targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PullRequestBranch {
    /// Branch name.
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// Commit.
    pub sha: Option<String>,
    /// The repository of this side.
    pub repo: Option<PullRequestRepo>,
}

/// The repository of a pull request side.
///
/// Exists to compare with the run's repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PullRequestRepo {
    /// Numeric id.
    pub id: Option<u64>,
    /// API URL.
    pub url: Option<String>,
}
