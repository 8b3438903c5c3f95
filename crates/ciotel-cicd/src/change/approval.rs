//! A deployment's wait for a person's (or a rule's) approval.

use serde::{Deserialize, Serialize};

use super::{ChangeRef, RunLink};
use crate::event::Vcs;
use crate::time::Timestamp;

/// A deployment waited for approval (GitHub `deployment_review` requested / approved /
/// rejected and `deployment_protection_rule` requested; GitLab Deployment Hook `blocked`).
///
/// Exists to become the `approval` span: a child of the deployment's span when the event names
/// the deployment, else of the change root. Requested → an instant at `requested_at`; decided
/// → requested → decided (GitHub's `since` to the run's `updated_at`). The two have different
/// ids (`{wait id}-requested` and `{wait id}`), so neither is ever re-emitted changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApprovalWait {
    /// `vcs.provider.name`.
    pub provider: String,
    /// The platform's numeric repository (project) id.
    pub repository_id: String,
    /// The repository's facts, for the resource.
    pub repository: Vcs,
    /// What identifies this wait: the deployment id, else the waiting job's id.
    pub wait_id: String,
    /// The deployment waiting, when the event names it (its span becomes the parent).
    pub deployment_id: Option<String>,
    /// The environment.
    pub environment: String,
    /// The commit waiting to be deployed (to find its changes, as for a deployment).
    pub revision: Option<String>,
    /// Who may approve (logins, team slugs), as the event lists them.
    pub reviewers: Vec<String>,
    /// When the wait began.
    pub requested_at: Option<Timestamp>,
    /// When it was decided.
    pub decided_at: Option<Timestamp>,
    /// The decision, `None` while waiting.
    pub decision: Option<ApprovalDecision>,
    /// Who decided.
    pub approver: Option<String>,
    /// The waiting run and job, linked from the span.
    pub run: Option<RunLink>,
    /// The changes whose deployment waits (filled as for a deployment).
    pub changes: Vec<ChangeRef>,
}

/// How an approval wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDecision {
    /// Approved: the deployment may go on.
    Approved,
    /// Rejected: it will not.
    Rejected,
}

impl ApprovalDecision {
    /// The `ciotel.approval.decision` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApprovalDecision::Approved => "approved",
            ApprovalDecision::Rejected => "rejected",
        }
    }
}
