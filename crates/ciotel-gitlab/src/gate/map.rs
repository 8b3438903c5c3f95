//! GitLab's answers → the neutral path model. Pure functions, a table each:
//!
//! | GitLab | neutral |
//! |---|---|
//! | MR `state: merged` / `closed`, `locked` / `opened` with `draft: true` / `opened` | merged / closed / draft / open |
//! | the deployed revision of a merged MR | `merge_commit_sha`, else `squash_commit_sha`, else `sha` (a fast-forward merge) |
//! | pipeline `success` / `failed` / `canceled`, `canceling` / `skipped` / `running` / anything else (`created`, `pending`, `preparing`, `waiting_for_resource`, `scheduled`, `manual`) | passed / failed / cancelled / neutral / running / pending |
//! | approvals `approved`, `approvals_left`, `approved_by` | approval, as the project's rules count it |
//! | deployment `success` / `failed` / `canceled`, `skipped` / `running` / `blocked` / `created` | success / failure / cancelled / in progress / waiting / pending |
//! | environment `tier: production` | production |

use ciotel_cicd::Timestamp;
use ciotel_cicd::environments::EnvironmentsConfig;
use ciotel_cicd::gate::{Approval, Change, ChangeState, CheckStatus, Deployment, DeploymentState};

use super::payload::{Approvals, MergeRequest, RestDeployment};
use crate::map::time::parse_gitlab_time;

/// A timestamp, when it reads as one of GitLab's two styles.
pub(super) fn time(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(|t| parse_gitlab_time(t.trim()).ok())
}

/// The merge request as a change.
pub fn change(mr: &MergeRequest) -> Change {
    let state = match mr.state.as_deref().map(str::trim) {
        Some("merged") => ChangeState::Merged,
        Some("closed" | "locked") => ChangeState::Closed,
        _ if mr.draft == Some(true) => ChangeState::Draft,
        _ => ChangeState::Open,
    };
    let merged = state == ChangeState::Merged;
    let head = mr.sha.clone().unwrap_or_default();
    let merge_revision = merged.then(|| {
        mr.merge_commit_sha
            .clone()
            .or_else(|| mr.squash_commit_sha.clone())
            .unwrap_or_else(|| head.clone())
    });
    Change {
        number: mr.iid,
        title: mr.title.clone().unwrap_or_default(),
        url: mr.web_url.clone(),
        state,
        head_revision: head,
        head_ref: mr.source_branch.clone(),
        base_ref: mr.target_branch.clone(),
        author: mr.author.as_ref().and_then(|u| u.username.clone()),
        merge_revision,
        merged_at: time(mr.merged_at.as_deref()).filter(|_| merged),
        merged_by: mr
            .merge_user
            .as_ref()
            .or(mr.merged_by.as_ref())
            .and_then(|u| u.username.clone())
            .filter(|_| merged),
    }
}

/// The approvals as GitLab counts them.
pub fn approval(a: &Approvals) -> Approval {
    let approved_by: Vec<String> = a
        .approved_by
        .iter()
        .filter_map(|b| b.user.as_ref().and_then(|u| u.username.clone()))
        .collect();
    Approval {
        approved: a.approved == Some(true) && (a.approvals_left.unwrap_or(0) == 0),
        approved_by,
        left: a.approvals_left,
        changes_requested_by: Vec::new(),
    }
}

/// A pipeline's status as a check status.
pub fn check_status(status: Option<&str>) -> CheckStatus {
    match status.map(str::trim) {
        Some("success") => CheckStatus::Passed,
        Some("failed") => CheckStatus::Failed,
        Some("canceled" | "canceling") => CheckStatus::Cancelled,
        Some("skipped") => CheckStatus::Neutral,
        Some("running") => CheckStatus::Running,
        _ => CheckStatus::Pending,
    }
}

/// A deployment.
pub fn deployment(d: &RestDeployment) -> Deployment {
    let state = match d.status.as_deref().map(str::trim) {
        Some("success") => DeploymentState::Success,
        Some("failed") => DeploymentState::Failure,
        Some("canceled" | "skipped") => DeploymentState::Cancelled,
        Some("running") => DeploymentState::InProgress,
        Some("blocked") => DeploymentState::Waiting,
        _ => DeploymentState::Pending,
    };
    let env = d.environment.as_ref();
    Deployment {
        id: d.id.to_string(),
        environment: env.and_then(|e| e.name.clone()).unwrap_or_default(),
        revision: d.sha.clone().unwrap_or_default(),
        state,
        succeeded: state == DeploymentState::Success,
        production: EnvironmentsConfig::is_production_tier(env.and_then(|e| e.tier.as_deref())),
        created_at: time(d.created_at.as_deref()),
        updated_at: time(d.updated_at.as_deref()),
        url: d.deployable.as_ref().and_then(|j| j.web_url.clone()),
        description: None,
        verdict: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::payload::Environment;

    #[test]
    fn a_fast_forward_merge_deploys_the_head() {
        let mr = MergeRequest {
            iid: 5,
            state: Some("merged".into()),
            sha: Some("abc".into()),
            ..MergeRequest::default()
        };
        assert_eq!(change(&mr).merge_revision.as_deref(), Some("abc"));
        let squashed = MergeRequest {
            squash_commit_sha: Some("sq".into()),
            ..mr.clone()
        };
        assert_eq!(change(&squashed).merge_revision.as_deref(), Some("sq"));
        let open = MergeRequest {
            state: Some("opened".into()),
            draft: Some(true),
            ..mr
        };
        assert_eq!(
            (change(&open).state, change(&open).merge_revision),
            (ChangeState::Draft, None)
        );
    }

    #[test]
    fn statuses() {
        for (s, want) in [
            ("success", CheckStatus::Passed),
            ("failed", CheckStatus::Failed),
            ("canceled", CheckStatus::Cancelled),
            ("skipped", CheckStatus::Neutral),
            ("running", CheckStatus::Running),
            ("manual", CheckStatus::Pending),
            ("waiting_for_resource", CheckStatus::Pending),
        ] {
            assert_eq!(check_status(Some(s)), want, "{s}");
        }
        let d = RestDeployment {
            id: 1,
            status: Some("blocked".into()),
            environment: Some(Environment {
                name: Some("live".into()),
                tier: Some("production".into()),
            }),
            ..RestDeployment::default()
        };
        let mapped = deployment(&d);
        assert_eq!(
            (mapped.state, mapped.production),
            (DeploymentState::Waiting, true)
        );
    }

    #[test]
    fn approvals_left_keep_it_unapproved() {
        let a = Approvals {
            approved: Some(true),
            approvals_left: Some(1),
            approved_by: Vec::new(),
        };
        assert!(!approval(&a).approved);
    }
}
