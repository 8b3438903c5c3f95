//! May this revision go to that environment? The rules, in the order the reasons are listed:
//!
//! | step | passes when | a blocker's side |
//! |---|---|---|
//! | change | a pull / merge request carried the revision and is merged | your change (not merged, closed, no request at all) |
//! | checks | every check on the change's head finished green (`neutral` and `skipped` count as green); at least one ran | the failed run's verdict (platform, your change, mixed, unknown); waiting while one runs or none started |
//! | review | approved: the platform's approval rule (GitLab), else someone approved and nobody's latest review asks for changes (GitHub) | your change |
//! | environments | each environment before the target in `environments.promotion` has a successful deployment of the revision | the failed deployment's verdict when known, else unknown; waiting while one runs or none was made |
//!
//! A target outside the promotion order is the caller's mistake to refuse (a typo must not
//! open the gate): [`target_in_order`].

use serde::Serialize;

use super::path::{ChangePath, ChangeState, Check, CheckKind, CheckStatus, DeploymentState, short};
use crate::environments::EnvironmentsConfig;
use crate::ownership::FailureOwner;
use crate::render::verdict_line::owner_phrase;

/// Whose side a blocking reason is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The CI platform failed (Ops).
    Platform,
    /// The change itself, or its people: a failing test, a missing review, not merged (Dev).
    Application,
    /// Failures on both sides.
    Mixed,
    /// Something failed and nothing says whose it is.
    Unknown,
    /// Nothing failed: something has not happened yet (running, queued, not deployed).
    Waiting,
}

impl Side {
    /// `platform`, `your change`, `mixed`, `unknown`, `waiting`.
    pub fn phrase(self) -> &'static str {
        match self {
            Side::Platform => owner_phrase(FailureOwner::Platform),
            Side::Application => owner_phrase(FailureOwner::Application),
            Side::Mixed => owner_phrase(FailureOwner::Mixed),
            Side::Unknown => owner_phrase(FailureOwner::Unknown),
            Side::Waiting => "waiting",
        }
    }

    fn of(owner: FailureOwner) -> Side {
        match owner {
            FailureOwner::Platform => Side::Platform,
            FailureOwner::Application => Side::Application,
            FailureOwner::Mixed => Side::Mixed,
            FailureOwner::Unknown => Side::Unknown,
        }
    }
}

/// One reason the revision may not go yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    /// Whose side it is on.
    pub side: Side,
    /// What blocks, in words: `job "deploy" failed in "Set up job" (runner lost) — run "CI"
    /// 42, attempt 1`.
    pub text: String,
}

impl Blocker {
    /// `blocked — platform: job "deploy" failed in …`.
    pub fn line(&self) -> String {
        format!("blocked — {}: {}", self.side.phrase(), self.text)
    }
}

/// The answer: may `revision` go to `target`, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The environment asked about.
    pub target: String,
    /// The revision that would be deployed.
    pub revision: String,
    /// Whether it may go.
    pub deployable: bool,
    /// Every reason it may not, in the order of the table above.
    pub blockers: Vec<Blocker>,
}

/// The refusal of a target outside the promotion order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "environment `{target}` is not in the promotion order ({order}); name one of those, or add \
     it to the receiver's `environments.promotion`"
)]
pub struct NotInOrder {
    /// The target asked for.
    pub target: String,
    /// The promotion order, joined with `, `.
    pub order: String,
}

/// Refuses a target the promotion order does not name.
pub fn target_in_order(policy: &EnvironmentsConfig, target: &str) -> Result<(), NotInOrder> {
    match policy.position(target) {
        Some(_) => Ok(()),
        None => Err(NotInOrder {
            target: target.to_owned(),
            order: policy.promotion.join(", "),
        }),
    }
}

/// Judges `path` for `target` under `policy` (see the module's table).
pub fn decide(path: &ChangePath, policy: &EnvironmentsConfig, target: &str) -> Decision {
    let mut blockers = Vec::new();
    change_blockers(path, &mut blockers);
    check_blockers(path, &mut blockers);
    review_blockers(path, &mut blockers);
    environment_blockers(path, policy, target, &mut blockers);
    Decision {
        target: policy.canonical(target).to_owned(),
        revision: path.revision.clone(),
        deployable: blockers.is_empty(),
        blockers,
    }
}

fn change_blockers(path: &ChangePath, out: &mut Vec<Blocker>) {
    let text = match &path.change {
        None => format!(
            "no pull / merge request carried {}: nothing reviewed or merged it",
            short(&path.revision)
        ),
        Some(c) => match c.state {
            ChangeState::Merged => return,
            ChangeState::Closed => format!("#{} was closed without being merged", c.number),
            ChangeState::Open => format!("#{} is not merged yet", c.number),
            ChangeState::Draft => format!("#{} is a draft, not merged", c.number),
        },
    };
    out.push(Blocker {
        side: Side::Application,
        text,
    });
}

fn check_blockers(path: &ChangePath, out: &mut Vec<Blocker>) {
    if path.checks.is_empty() {
        out.push(Blocker {
            side: Side::Waiting,
            text: format!("no checks ran on {}", short(&path.checked_revision)),
        });
        return;
    }
    for check in &path.checks {
        if let Some(b) = check_blocker(check) {
            out.push(b);
        }
    }
}

/// `run "CI" 42, attempt 2` or `check "lint"`.
pub fn check_label(check: &Check) -> String {
    match (check.kind, check.attempt) {
        (CheckKind::Run, Some(n)) => format!("run \"{}\" {}, attempt {n}", check.name, check.id),
        (CheckKind::Run, None) => format!("run \"{}\" {}", check.name, check.id),
        (CheckKind::External, _) => format!("check \"{}\"", check.name),
    }
}

fn check_blocker(check: &Check) -> Option<Blocker> {
    let label = check_label(check);
    let (side, text) = match check.status {
        CheckStatus::Passed | CheckStatus::Neutral => return None,
        CheckStatus::Pending => (Side::Waiting, format!("{label} has not finished (queued)")),
        CheckStatus::Running => (Side::Waiting, format!("{label} is still running")),
        CheckStatus::Cancelled => (Side::Unknown, format!("{label} was cancelled")),
        CheckStatus::Failed => match &check.verdict {
            Some(v) => (Side::of(v.owner), format!("{} — {label}", v.what)),
            None => {
                let result = check.result.as_deref().unwrap_or("failure");
                (Side::Unknown, format!("{label} failed ({result})"))
            }
        },
    };
    Some(Blocker { side, text })
}

fn review_blockers(path: &ChangePath, out: &mut Vec<Blocker>) {
    let Some(change) = &path.change else {
        return;
    };
    let approval = path
        .approval
        .clone()
        .unwrap_or_else(|| super::path::Approval::from_reviews(&path.reviews));
    if approval.approved {
        return;
    }
    let why = if !approval.changes_requested_by.is_empty() {
        format!(
            "changes requested by {}",
            approval.changes_requested_by.join(", ")
        )
    } else if let Some(left) = approval.left.filter(|&n| n > 0) {
        format!("{left} more approval(s) needed")
    } else {
        "no approving review".to_owned()
    };
    out.push(Blocker {
        side: Side::Application,
        text: format!("#{} is not approved: {why}", change.number),
    });
}

fn environment_blockers(
    path: &ChangePath,
    policy: &EnvironmentsConfig,
    target: &str,
    out: &mut Vec<Blocker>,
) {
    let revision = short(&path.revision);
    for env in policy.required_before(target) {
        let here: Vec<_> = path
            .deployments
            .iter()
            .filter(|d| d.environment.eq_ignore_ascii_case(env))
            .collect();
        if here.iter().any(|d| d.succeeded) {
            continue;
        }
        let latest = here.iter().max_by_key(|d| (d.created_at, d.id.clone()));
        let (side, text) = match latest {
            None => (
                Side::Waiting,
                format!("{revision} is not deployed to {env} yet"),
            ),
            Some(d) => match d.state {
                DeploymentState::Failure => match &d.verdict {
                    Some(v) => (
                        Side::of(v.owner),
                        format!("{} — deployment {} of {revision} to {env}", v.what, d.id),
                    ),
                    None => (
                        Side::Unknown,
                        format!("deployment {} of {revision} to {env} failed", d.id),
                    ),
                },
                DeploymentState::Cancelled | DeploymentState::Inactive => (
                    Side::Unknown,
                    format!(
                        "deployment {} of {revision} to {env} ended {} without succeeding",
                        d.id,
                        d.state.as_str()
                    ),
                ),
                state => (
                    Side::Waiting,
                    format!(
                        "deployment {} of {revision} to {env} is {}",
                        d.id,
                        state.as_str().replace('_', " ")
                    ),
                ),
            },
        };
        out.push(Blocker { side, text });
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
