//! Serde shapes of the REST answers the deploy gate reads: a pull request, its reviews, the
//! check runs of a commit, the pull requests of a commit, deployments and their statuses.
//! Tolerant as the run and job shapes are: what GitHub may send as `null` or leave out is an
//! `Option`, unknown fields are ignored.

use serde::Deserialize;

use crate::payload::User;

/// `GET /repos/{o}/{r}/pulls/{n}` (and the items of `GET …/commits/{sha}/pulls`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Pull {
    /// The PR number.
    pub number: u64,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// `open` or `closed`.
    #[serde(default)]
    pub state: Option<String>,
    /// Marked draft.
    #[serde(default)]
    pub draft: Option<bool>,
    /// Merged (absent from the list endpoints, which only have `merged_at`).
    #[serde(default)]
    pub merged: Option<bool>,
    /// When it was merged.
    #[serde(default)]
    pub merged_at: Option<String>,
    /// The merge (or squash / rebase) commit once merged.
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    /// Where a person sees it.
    #[serde(default)]
    pub html_url: Option<String>,
    /// Who opened it.
    #[serde(default)]
    pub user: Option<User>,
    /// Who merged it.
    #[serde(default)]
    pub merged_by: Option<User>,
    /// The branch and commit it comes from.
    #[serde(default)]
    pub head: Option<Branch>,
    /// The branch it goes into.
    #[serde(default)]
    pub base: Option<Branch>,
}

/// `head` / `base` of a pull request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Branch {
    /// The branch name.
    #[serde(rename = "ref", default)]
    pub ref_name: Option<String>,
    /// Its commit.
    #[serde(default)]
    pub sha: Option<String>,
}

/// An item of `GET …/pulls/{n}/reviews`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PullReview {
    /// The reviewer.
    #[serde(default)]
    pub user: Option<User>,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    #[serde(default)]
    pub state: Option<String>,
    /// When it was submitted (none while pending).
    #[serde(default)]
    pub submitted_at: Option<String>,
}

/// `GET …/commits/{ref}/check-runs`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CheckRunsPage {
    /// The check runs on this page.
    #[serde(default)]
    pub check_runs: Vec<CheckRun>,
}

/// One check run.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CheckRun {
    /// Its id.
    pub id: u64,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// `queued`, `in_progress`, `completed`, `waiting`, `requested`, `pending`.
    #[serde(default)]
    pub status: Option<String>,
    /// Set once completed.
    #[serde(default)]
    pub conclusion: Option<String>,
    /// Where a person sees it.
    #[serde(default)]
    pub html_url: Option<String>,
    /// The App that reported it.
    #[serde(default)]
    pub app: Option<App>,
}

/// The App of a check run.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct App {
    /// `github-actions` for the jobs of Actions runs.
    #[serde(default)]
    pub slug: Option<String>,
}

/// `GET …/commits/{ref}`: only the full revision is read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Commit {
    /// The full SHA.
    pub sha: String,
}

/// An item of `GET …/deployments`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestDeployment {
    /// Its id.
    pub id: u64,
    /// The deployed commit.
    #[serde(default)]
    pub sha: Option<String>,
    /// The environment.
    #[serde(default)]
    pub environment: Option<String>,
    /// Whether the environment is production (GitHub's default: true for `production`).
    #[serde(default)]
    pub production_environment: Option<bool>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last updated.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// An item of `GET …/deployments/{id}/statuses` (newest first).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeploymentStatus {
    /// `error`, `failure`, `inactive`, `in_progress`, `queued`, `pending`, `success`.
    #[serde(default)]
    pub state: Option<String>,
    /// What the deployer said.
    #[serde(default)]
    pub description: Option<String>,
    /// The deployment's log (for Actions, the deploying job).
    #[serde(default)]
    pub log_url: Option<String>,
    /// The older name of `log_url`.
    #[serde(default)]
    pub target_url: Option<String>,
    /// When it was set.
    #[serde(default)]
    pub created_at: Option<String>,
}
