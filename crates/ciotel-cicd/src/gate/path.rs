//! A change's path so far, as a platform's API tells it: the change (pull / merge request),
//! its checks with their verdicts, its reviews, its merge and its deployments. Platform crates
//! fill it in from their REST answers; [`super::decide`] judges it, [`super::report`] prints it.

use serde::Serialize;

use crate::Timestamp;
use crate::ownership::FailureOwner;

/// What `can-i-deploy` is asked about.
///
/// Exists so every platform's query takes the same question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A pull / merge request by number (GitLab: iid).
    Change(u64),
    /// A revision (a SHA, or a ref the platform resolves), with the request that carried it,
    /// if any.
    Revision(String),
}

/// Everything `can-i-deploy` knows about one revision on its way to production.
///
/// Exists so the decision and its words are one platform-neutral function of data, tested
/// without any HTTP, whichever platform the data came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePath {
    /// `GitHub`, `GitLab`.
    pub platform: String,
    /// `owner/repo`, `group/project`.
    pub repository: String,
    /// The pull / merge request, when the revision came through one.
    pub change: Option<Change>,
    /// The revision that is deployed: the merge commit once merged, else the head (or the
    /// revision asked about).
    pub revision: String,
    /// The revision the checks ran on (the change's head).
    pub checked_revision: String,
    /// Pipeline runs and other checks on `checked_revision`.
    pub checks: Vec<Check>,
    /// Reviews, in the order they were given.
    pub reviews: Vec<Review>,
    /// What the platform says of approval, when it says (GitLab's approvals); else derived
    /// from `reviews`.
    pub approval: Option<Approval>,
    /// Deployments of `revision`, any environment, oldest first.
    pub deployments: Vec<Deployment>,
}

/// A pull request or merge request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Its number (GitHub) or iid (GitLab).
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Where a person sees it.
    pub url: Option<String>,
    /// Open, draft, closed or merged.
    pub state: ChangeState,
    /// The head revision (what the checks ran on).
    pub head_revision: String,
    /// Branch the change comes from.
    pub head_ref: Option<String>,
    /// Branch it goes into.
    pub base_ref: Option<String>,
    /// Who opened it.
    pub author: Option<String>,
    /// The merge (or squash) commit, once merged.
    pub merge_revision: Option<String>,
    /// When it was merged.
    pub merged_at: Option<Timestamp>,
    /// Who merged it.
    pub merged_by: Option<String>,
}

/// Where a change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    /// Open for review.
    Open,
    /// Open, but marked draft.
    Draft,
    /// Closed without merging.
    Closed,
    /// Merged.
    Merged,
}

impl ChangeState {
    /// `open`, `draft`, `closed`, `merged`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChangeState::Open => "open",
            ChangeState::Draft => "draft",
            ChangeState::Closed => "closed",
            ChangeState::Merged => "merged",
        }
    }
}

/// One check on the checked revision: a pipeline run (with its jobs judged when it failed),
/// or a check another tool reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Workflow / pipeline / check name.
    pub name: String,
    /// A CI pipeline run, or another tool's check.
    pub kind: CheckKind,
    /// Its run id (pipeline id) or check id.
    pub id: String,
    /// The run attempt, when the platform counts them.
    pub attempt: Option<u32>,
    /// Where it ended (or stands).
    pub status: CheckStatus,
    /// The platform's own word for the result (`failure`, `timed_out`, `failed` …).
    pub result: Option<String>,
    /// Where a person sees it.
    pub url: Option<String>,
    /// Who made it fail, for a failed run whose jobs were judged.
    pub verdict: Option<RunJudgement>,
}

/// What kind of check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A CI pipeline run (GitHub Actions workflow run, GitLab pipeline).
    Run,
    /// A check reported by another tool (a GitHub check run of another App).
    External,
}

/// How a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Not started, queued, waiting.
    Pending,
    /// Running.
    Running,
    /// Succeeded.
    Passed,
    /// Ended neutral or skipped: neither blocks nor proves anything.
    Neutral,
    /// Failed, errored or timed out.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl CheckStatus {
    /// Whether it has ended.
    pub const fn finished(self) -> bool {
        !matches!(self, CheckStatus::Pending | CheckStatus::Running)
    }
}

/// The verdict on a failed run, read from its judged jobs by the `cicd_ownership` logic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunJudgement {
    /// Who made it fail.
    #[serde(serialize_with = "owner_str")]
    pub owner: FailureOwner,
    /// `job "deploy" failed in "Set up job" (runner lost)`: what failed, in words.
    pub what: String,
}

fn owner_str<S: serde::Serializer>(owner: &FailureOwner, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(owner.as_str())
}

/// One review of the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Who reviewed.
    pub reviewer: String,
    /// What they said.
    pub state: ReviewState,
    /// When.
    pub at: Option<Timestamp>,
}

/// What a review said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Approved.
    Approved,
    /// Asked for changes.
    ChangesRequested,
    /// Commented only.
    Commented,
    /// An earlier review that was dismissed.
    Dismissed,
}

/// Whether the change is approved, as the platform counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// Approved by the platform's rules.
    pub approved: bool,
    /// Who approved.
    pub approved_by: Vec<String>,
    /// Approvals still needed, when the platform says.
    pub left: Option<u32>,
    /// Who asked for changes (and has not approved since).
    pub changes_requested_by: Vec<String>,
}

impl Approval {
    /// GitHub's rule of thumb without branch protection's count: each reviewer's latest
    /// approving or change-requesting review counts (comments do not; a dismissed review
    /// undoes theirs); approved when someone approved and nobody's latest asks for changes.
    pub fn from_reviews(reviews: &[Review]) -> Approval {
        let mut latest: Vec<(&str, ReviewState)> = Vec::new();
        for review in reviews {
            let decisive = match review.state {
                ReviewState::Commented => continue,
                state => state,
            };
            match latest.iter_mut().find(|(who, _)| *who == review.reviewer) {
                Some(entry) => entry.1 = decisive,
                None => latest.push((&review.reviewer, decisive)),
            }
        }
        let with = |wanted: ReviewState| {
            latest
                .iter()
                .filter(|(_, s)| *s == wanted)
                .map(|(who, _)| (*who).to_owned())
                .collect::<Vec<_>>()
        };
        let approved_by = with(ReviewState::Approved);
        let changes_requested_by = with(ReviewState::ChangesRequested);
        Approval {
            approved: !approved_by.is_empty() && changes_requested_by.is_empty(),
            approved_by,
            left: None,
            changes_requested_by,
        }
    }
}

/// One deployment of the revision to one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// The platform's deployment id.
    pub id: String,
    /// The environment's name.
    pub environment: String,
    /// The deployed revision.
    pub revision: String,
    /// Its latest state.
    pub state: DeploymentState,
    /// Whether it ever succeeded (a later `inactive` means a newer deployment replaced it).
    pub succeeded: bool,
    /// Whether the platform marks the environment as production.
    pub production: bool,
    /// When it was created.
    pub created_at: Option<Timestamp>,
    /// When its state last changed.
    pub updated_at: Option<Timestamp>,
    /// Where a person sees it (its log, its job).
    pub url: Option<String>,
    /// The platform's description of its latest state.
    pub description: Option<String>,
    /// Who made it fail, when it failed and the run that deployed it was judged.
    pub verdict: Option<RunJudgement>,
}

/// A deployment's latest state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentState {
    /// Created, queued or pending.
    Pending,
    /// Waiting for an approval (a protection rule, a manual job).
    Waiting,
    /// Deploying.
    InProgress,
    /// Deployed.
    Success,
    /// Failed or errored.
    Failure,
    /// Cancelled or skipped.
    Cancelled,
    /// Replaced by a newer deployment.
    Inactive,
}

impl DeploymentState {
    /// `pending`, `waiting`, `in_progress`, `success`, `failure`, `cancelled`, `inactive`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeploymentState::Pending => "pending",
            DeploymentState::Waiting => "waiting",
            DeploymentState::InProgress => "in_progress",
            DeploymentState::Success => "success",
            DeploymentState::Failure => "failure",
            DeploymentState::Cancelled => "cancelled",
            DeploymentState::Inactive => "inactive",
        }
    }
}

/// Short form of a revision for people: its first 7 characters.
pub fn short(revision: &str) -> &str {
    revision.get(..7).unwrap_or(revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(who: &str, state: ReviewState) -> Review {
        Review {
            reviewer: who.into(),
            state,
            at: None,
        }
    }

    #[test]
    fn each_reviewers_latest_decisive_review_counts() {
        use ReviewState::*;
        let a = Approval::from_reviews(&[review("ann", Approved)]);
        assert!(a.approved && a.approved_by == ["ann"]);
        let a = Approval::from_reviews(&[review("ann", Approved), review("bob", ChangesRequested)]);
        assert!(!a.approved && a.changes_requested_by == ["bob"]);
        let a = Approval::from_reviews(&[
            review("bob", ChangesRequested),
            review("bob", Commented),
            review("bob", Approved),
        ]);
        assert!(a.approved, "bob approved after asking for changes");
        let a = Approval::from_reviews(&[review("ann", Approved), review("ann", Dismissed)]);
        assert!(!a.approved && a.approved_by.is_empty(), "dismissed");
        assert!(!Approval::from_reviews(&[review("cy", Commented)]).approved);
        assert!(!Approval::from_reviews(&[]).approved);
    }

    #[test]
    fn short_revisions() {
        assert_eq!(short("e5bd3914e2e596debea16f433f57875b5b90bcd6"), "e5bd391");
        assert_eq!(short("abc"), "abc");
    }
}
