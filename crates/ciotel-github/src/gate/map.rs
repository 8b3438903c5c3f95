//! GitHub's answers → the neutral path model. Pure functions, a table each:
//!
//! | GitHub | neutral |
//! |---|---|
//! | pull `merged: true` (or, on list items, `merged_at` set) | merged |
//! | pull `state: closed`, not merged | closed |
//! | pull `draft: true` | draft |
//! | run / check `status` `queued`, `waiting`, `requested`, `pending`; conclusion `action_required` | pending |
//! | `in_progress` | running |
//! | conclusion `success` | passed |
//! | conclusion `neutral`, `skipped` | neutral |
//! | conclusion `failure`, `timed_out`, `startup_failure` (or any other) | failed |
//! | conclusion `cancelled`, `stale` | cancelled |
//! | review `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` (a `PENDING` one is not submitted: left out) | approved, changes requested, commented, dismissed |
//! | deployment's newest status `success` / `failure`, `error` / `inactive` / `in_progress` / `queued`, `pending` / `waiting`; none yet | success / failure / inactive / in progress / pending / waiting; pending |

use ciotel_cicd::Timestamp;
use ciotel_cicd::gate::{
    Change, ChangeState, CheckStatus, Deployment, DeploymentState, Review, ReviewState,
};

use super::payload::{DeploymentStatus, Pull, PullReview, RestDeployment};

/// A timestamp, when it reads as one; GitHub's are RFC 3339.
pub(super) fn time(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(|t| Timestamp::parse_rfc3339(t).ok())
}

/// Whether GitHub says the pull request is merged.
pub(super) fn is_merged(pull: &Pull) -> bool {
    pull.merged.unwrap_or(pull.merged_at.is_some())
}

/// The pull request as a change.
pub fn change(pull: &Pull) -> Change {
    let merged = is_merged(pull);
    let state = if merged {
        ChangeState::Merged
    } else if pull.state.as_deref() == Some("closed") {
        ChangeState::Closed
    } else if pull.draft == Some(true) {
        ChangeState::Draft
    } else {
        ChangeState::Open
    };
    let head = pull.head.as_ref();
    Change {
        number: pull.number,
        title: pull.title.clone().unwrap_or_default(),
        url: pull.html_url.clone(),
        state,
        head_revision: head.and_then(|h| h.sha.clone()).unwrap_or_default(),
        head_ref: head.and_then(|h| h.ref_name.clone()),
        base_ref: pull.base.as_ref().and_then(|b| b.ref_name.clone()),
        author: pull.user.as_ref().and_then(|u| u.login.clone()),
        merge_revision: pull.merge_commit_sha.clone().filter(|_| merged),
        merged_at: time(pull.merged_at.as_deref()).filter(|_| merged),
        merged_by: pull
            .merged_by
            .as_ref()
            .and_then(|u| u.login.clone())
            .filter(|_| merged),
    }
}

/// A submitted review; `None` for a pending (unsubmitted) one or an unknown state.
pub fn review(r: &PullReview) -> Option<Review> {
    let state = match r.state.as_deref()? {
        "APPROVED" => ReviewState::Approved,
        "CHANGES_REQUESTED" => ReviewState::ChangesRequested,
        "COMMENTED" => ReviewState::Commented,
        "DISMISSED" => ReviewState::Dismissed,
        _ => return None,
    };
    Some(Review {
        reviewer: r
            .user
            .as_ref()
            .and_then(|u| u.login.clone())
            .unwrap_or_else(|| "(unknown)".into()),
        state,
        at: time(r.submitted_at.as_deref()),
    })
}

/// A run's or check run's `status` and `conclusion` as a check status.
pub fn check_status(status: Option<&str>, conclusion: Option<&str>) -> CheckStatus {
    match (status, conclusion) {
        (_, Some("success")) => CheckStatus::Passed,
        (_, Some("neutral" | "skipped")) => CheckStatus::Neutral,
        (_, Some("cancelled" | "stale")) => CheckStatus::Cancelled,
        (_, Some("action_required")) => CheckStatus::Pending,
        (_, Some(_)) => CheckStatus::Failed,
        (Some("in_progress"), None) => CheckStatus::Running,
        (Some("completed"), None) => CheckStatus::Failed,
        _ => CheckStatus::Pending,
    }
}

/// A deployment with its statuses (newest first, as GitHub lists them).
pub fn deployment(d: &RestDeployment, statuses: &[DeploymentStatus]) -> Deployment {
    let newest = statuses.first();
    let state = match newest.and_then(|s| s.state.as_deref()) {
        Some("success") => DeploymentState::Success,
        Some("failure" | "error") => DeploymentState::Failure,
        Some("inactive") => DeploymentState::Inactive,
        Some("in_progress") => DeploymentState::InProgress,
        Some("waiting") => DeploymentState::Waiting,
        _ => DeploymentState::Pending,
    };
    Deployment {
        id: d.id.to_string(),
        environment: d.environment.clone().unwrap_or_default(),
        revision: d.sha.clone().unwrap_or_default(),
        state,
        succeeded: statuses
            .iter()
            .any(|s| s.state.as_deref() == Some("success")),
        production: d.production_environment == Some(true),
        created_at: time(d.created_at.as_deref()),
        updated_at: newest
            .and_then(|s| time(s.created_at.as_deref()))
            .or_else(|| time(d.updated_at.as_deref())),
        url: newest.and_then(|s| s.log_url.clone().or_else(|| s.target_url.clone())),
        description: newest.and_then(|s| s.description.clone()),
        verdict: None,
    }
}

/// The Actions run behind a deployment status's log URL
/// (`https://github.com/{o}/{r}/actions/runs/{id}[/job/{job}]`), when it names one.
pub fn run_of_log_url(url: &str) -> Option<u64> {
    let rest = &url[url.find("/actions/runs/")? + "/actions/runs/".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_conclusions() {
        let cases = [
            (Some("queued"), None, CheckStatus::Pending),
            (Some("waiting"), None, CheckStatus::Pending),
            (Some("in_progress"), None, CheckStatus::Running),
            (Some("completed"), Some("success"), CheckStatus::Passed),
            (Some("completed"), Some("skipped"), CheckStatus::Neutral),
            (Some("completed"), Some("neutral"), CheckStatus::Neutral),
            (Some("completed"), Some("failure"), CheckStatus::Failed),
            (Some("completed"), Some("timed_out"), CheckStatus::Failed),
            (
                Some("completed"),
                Some("startup_failure"),
                CheckStatus::Failed,
            ),
            (Some("completed"), Some("cancelled"), CheckStatus::Cancelled),
            (Some("completed"), Some("stale"), CheckStatus::Cancelled),
            (
                Some("completed"),
                Some("action_required"),
                CheckStatus::Pending,
            ),
            (Some("completed"), None, CheckStatus::Failed),
        ];
        for (status, conclusion, want) in cases {
            assert_eq!(
                check_status(status, conclusion),
                want,
                "{status:?} {conclusion:?}"
            );
        }
    }

    #[test]
    fn a_deployments_newest_status_is_its_state_and_any_success_counts() {
        let d = RestDeployment {
            id: 7,
            environment: Some("staging".into()),
            ..RestDeployment::default()
        };
        let status = |s: &str| DeploymentStatus {
            state: Some(s.into()),
            ..DeploymentStatus::default()
        };
        let replaced = deployment(&d, &[status("inactive"), status("success")]);
        assert_eq!(
            (replaced.state, replaced.succeeded),
            (DeploymentState::Inactive, true)
        );
        let failed = deployment(&d, &[status("error"), status("in_progress")]);
        assert_eq!(
            (failed.state, failed.succeeded),
            (DeploymentState::Failure, false)
        );
        assert_eq!(deployment(&d, &[]).state, DeploymentState::Pending);
    }

    #[test]
    fn log_urls_name_their_run() {
        assert_eq!(
            run_of_log_url("https://github.com/acme/shop/actions/runs/1234/job/99"),
            Some(1234)
        );
        assert_eq!(
            run_of_log_url("https://example.com/deployment/42/output"),
            None
        );
    }
}
