//! Change events: `pull_request`, `pull_request_review`, `check_suite` and `merge_group`
//! bodies (X-GitHub-Event of the same name).

use serde::Deserialize;

use super::{PullRequest, PullRequestBranch, Repository, User, null_as_default};

/// The body of a `pull_request` delivery.
///
/// Exists to become the change's lifecycle events.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PullRequestEvent {
    /// opened | synchronize | ready_for_review | review_requested | closed | reopened | …
    pub action: Option<String>,
    /// The pull request's number.
    pub number: Option<u64>,
    /// The pull request.
    pub pull_request: PullRequestObject,
    /// For `review_requested`: the user asked.
    pub requested_reviewer: Option<User>,
    /// For `review_requested`: the team asked.
    pub requested_team: Option<Team>,
    /// For `synchronize`: the head before the push.
    pub before: Option<String>,
    /// For `synchronize`: the head after the push.
    pub after: Option<String>,
    /// The repository (the base's).
    pub repository: Option<Repository>,
}

/// A pull request as webhook deliveries carry it.
///
/// Exists for the change's title, state, refs and times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PullRequestObject {
    /// Its number.
    pub number: Option<u64>,
    /// open | closed.
    pub state: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// Who opened it.
    pub user: Option<User>,
    /// Browser URL.
    pub html_url: Option<String>,
    /// Draft or not.
    pub draft: Option<bool>,
    /// When it was opened.
    pub created_at: Option<String>,
    /// Last update: the time of the event for most actions.
    pub updated_at: Option<String>,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// When it was merged.
    pub merged_at: Option<String>,
    /// Whether it was merged (only in full payloads; `merged_at` says the same).
    pub merged: Option<bool>,
    /// The merge commit once merged (before: a test merge commit, not used).
    pub merge_commit_sha: Option<String>,
    /// Who merged it.
    pub merged_by: Option<User>,
    /// The source branch.
    pub head: Option<PullRequestBranch>,
    /// The target branch.
    pub base: Option<PullRequestBranch>,
}

/// A team reference (`requested_team`, deployment reviewers).
///
/// Exists for the name of a team asked to review or approve.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Team {
    /// The team's slug.
    pub slug: Option<String>,
    /// The team's name.
    pub name: Option<String>,
}

/// The body of a `pull_request_review` delivery.
///
/// Exists to become a review span.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PullRequestReviewEvent {
    /// submitted | edited | dismissed.
    pub action: Option<String>,
    /// The review.
    pub review: ReviewObject,
    /// The pull request reviewed.
    pub pull_request: PullRequestObject,
    /// The repository.
    pub repository: Option<Repository>,
}

/// A pull request review.
///
/// Exists for the review's id, author, state and time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReviewObject {
    /// The review id.
    pub id: u64,
    /// The reviewer.
    pub user: Option<User>,
    /// approved | changes_requested | commented | dismissed (any case).
    pub state: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<String>,
    /// The commit reviewed.
    pub commit_id: Option<String>,
    /// Browser URL.
    pub html_url: Option<String>,
}

/// The body of a `check_suite` delivery.
///
/// Exists to map check suites of CI apps other than GitHub Actions (whose runs come as
/// `workflow_run`) to runs for their pull requests.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckSuiteEvent {
    /// completed | requested | rerequested.
    pub action: Option<String>,
    /// The suite.
    pub check_suite: CheckSuite,
    /// The repository.
    pub repository: Option<Repository>,
}

/// A check suite.
///
/// Exists for its app, result, times and pull requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CheckSuite {
    /// The suite id.
    pub id: u64,
    /// Branch checked.
    pub head_branch: Option<String>,
    /// Commit checked.
    pub head_sha: Option<String>,
    /// queued | in_progress | completed.
    pub status: Option<String>,
    /// As for runs.
    pub conclusion: Option<String>,
    /// Open pull requests of the head.
    #[serde(default, deserialize_with = "null_as_default")]
    pub pull_requests: Vec<PullRequest>,
    /// The app that runs the checks.
    pub app: Option<App>,
    /// When the suite was created.
    pub created_at: Option<String>,
    /// Last update; its end once completed.
    pub updated_at: Option<String>,
}

/// A GitHub App reference.
///
/// Exists to tell GitHub Actions' own suites apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct App {
    /// The app's slug (`github-actions`).
    pub slug: Option<String>,
    /// Its name.
    pub name: Option<String>,
}

/// The body of a `merge_group` delivery.
///
/// Exists to become merge-queue spans.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MergeGroupEvent {
    /// checks_requested | destroyed.
    pub action: Option<String>,
    /// For `destroyed`: merged | invalidated | dequeued.
    pub reason: Option<String>,
    /// The group.
    pub merge_group: MergeGroup,
    /// The repository.
    pub repository: Option<Repository>,
}

/// A merge queue group.
///
/// Exists for the queue branch (which names the pull request) and its commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MergeGroup {
    /// The group's merge commit.
    pub head_sha: String,
    /// `refs/heads/gh-readonly-queue/{base}/pr-{number}-{sha}`.
    pub head_ref: Option<String>,
    /// The target branch (`refs/heads/main`).
    pub base_ref: Option<String>,
    /// The group's merge commit, with its time.
    pub head_commit: Option<Commit>,
}

/// A commit as embedded in payloads.
///
/// Exists for its time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Commit {
    /// The commit id.
    pub id: Option<String>,
    /// The commit message.
    pub message: Option<String>,
    /// When it was committed.
    pub timestamp: Option<String>,
}
