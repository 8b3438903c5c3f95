//! The answer as a person reads it — the path so far (change, checks, review, merge, each
//! environment in promotion order), then `YES`/`NO` and one `blocked — …` line per reason —
//! or as JSON for a pipeline to read (`--output json`).
//!
//! ```text
//! acme/shop#123 "Add cart" → production (revision e5bd391)
//! CHANGE   #123 Add cart — merged, by ann, head cart 6dcb09b into main
//! CHECKS   on 6dcb09b
//!   ✓ run "CI" 42, attempt 2                passed
//!   ✗ run "Deploy" 43, attempt 1            failed — platform: job "deploy" failed in "Set up job"
//! REVIEW   ✓ approved by bob
//!   bob          approved             2026-12-04T10:00:00Z
//! MERGE    ✓ merged 2026-12-04T10:05:00Z by bob as e5bd391
//! DEPLOY   integration → staging → production
//!   ✓ integration   success      deployment 11  2026-12-04T10:10:00Z
//!   · staging       not deployed
//!   · production    not deployed (the target)
//! NO — e5bd391 may not go to production
//! blocked — waiting: e5bd391 is not deployed to staging yet
//! ```

use serde::Serialize;

use super::decide::{Decision, check_label};
use super::path::{
    Approval, ChangePath, ChangeState, CheckStatus, DeploymentState, ReviewState, short,
};
use crate::environments::EnvironmentsConfig;
use crate::render::verdict_line::owner_phrase;

/// The text answer, each line ending in `\n`.
pub fn text(path: &ChangePath, policy: &EnvironmentsConfig, decision: &Decision) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(s.trim_end());
        out.push('\n');
    };
    let revision = short(&decision.revision);
    match &path.change {
        Some(c) => line(format!(
            "{}#{} \"{}\" → {} (revision {revision})",
            path.repository, c.number, c.title, decision.target
        )),
        None => line(format!(
            "{}@{revision} → {}",
            path.repository, decision.target
        )),
    }
    if let Some(c) = &path.change {
        let by = c
            .author
            .as_deref()
            .map(|a| format!(", by {a}"))
            .unwrap_or_default();
        let refs = match (&c.head_ref, &c.base_ref) {
            (Some(h), Some(b)) => format!(", head {h} {} into {b}", short(&c.head_revision)),
            _ => format!(", head {}", short(&c.head_revision)),
        };
        line(format!(
            "CHANGE   #{} {} — {}{by}{refs}",
            c.number,
            c.title,
            c.state.as_str()
        ));
    }
    line(format!("CHECKS   on {}", short(&path.checked_revision)));
    if path.checks.is_empty() {
        line("  · none".to_owned());
    }
    for check in &path.checks {
        let mark = match check.status {
            CheckStatus::Passed | CheckStatus::Neutral => '✓',
            CheckStatus::Failed | CheckStatus::Cancelled => '✗',
            CheckStatus::Pending | CheckStatus::Running => '·',
        };
        let status = match check.status {
            CheckStatus::Passed => "passed".to_owned(),
            CheckStatus::Neutral => check.result.clone().unwrap_or_else(|| "neutral".into()),
            CheckStatus::Failed => match &check.verdict {
                Some(v) => format!("failed — {}: {}", owner_phrase(v.owner), v.what),
                None => format!("failed ({})", check.result.as_deref().unwrap_or("failure")),
            },
            CheckStatus::Cancelled => "cancelled".to_owned(),
            CheckStatus::Pending => "queued".to_owned(),
            CheckStatus::Running => "running".to_owned(),
        };
        line(format!("  {mark} {:<38} {status}", check_label(check)));
    }
    if path.change.is_some() {
        let approval = path
            .approval
            .clone()
            .unwrap_or_else(|| Approval::from_reviews(&path.reviews));
        line(format!("REVIEW   {}", approval_summary(&approval)));
        for r in &path.reviews {
            let state = match r.state {
                ReviewState::Approved => "approved",
                ReviewState::ChangesRequested => "changes requested",
                ReviewState::Commented => "commented",
                ReviewState::Dismissed => "dismissed",
            };
            let at = r.at.map(|t| t.to_rfc3339()).unwrap_or_default();
            line(format!("  {:<12} {state:<20} {at}", r.reviewer));
        }
    }
    line(format!("MERGE    {}", merge_summary(path)));
    line(format!("DEPLOY   {}", policy.promotion.join(" → ")));
    for env in &policy.promotion {
        let here: Vec<_> = path
            .deployments
            .iter()
            .filter(|d| d.environment.eq_ignore_ascii_case(env))
            .collect();
        let target = if env.eq_ignore_ascii_case(&decision.target) {
            " (the target)"
        } else {
            ""
        };
        if here.is_empty() {
            line(format!("  · {env:<13} not deployed{target}"));
        }
        for d in here {
            let mark = match d.state {
                DeploymentState::Success => '✓',
                DeploymentState::Inactive if d.succeeded => '✓',
                DeploymentState::Failure | DeploymentState::Cancelled => '✗',
                _ => '·',
            };
            let at = d
                .updated_at
                .or(d.created_at)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            let why = match &d.verdict {
                Some(v) => format!(" — {}: {}", owner_phrase(v.owner), v.what),
                None => String::new(),
            };
            line(format!(
                "  {mark} {env:<13} {:<12} deployment {:<8} {at}{target}{why}",
                d.state.as_str(),
                d.id
            ));
        }
    }
    if decision.deployable {
        line(format!("YES — {revision} may go to {}", decision.target));
    } else {
        line(format!("NO — {revision} may not go to {}", decision.target));
    }
    for b in &decision.blockers {
        line(b.line());
    }
    out
}

fn approval_summary(a: &Approval) -> String {
    if a.approved {
        return format!("✓ approved by {}", a.approved_by.join(", "));
    }
    if !a.changes_requested_by.is_empty() {
        return format!(
            "✗ changes requested by {}",
            a.changes_requested_by.join(", ")
        );
    }
    match a.left {
        Some(n) if n > 0 => format!("· {n} more approval(s) needed"),
        _ => "· no approving review".to_owned(),
    }
}

fn merge_summary(path: &ChangePath) -> String {
    let Some(c) = &path.change else {
        return format!("· no pull / merge request for {}", short(&path.revision));
    };
    match c.state {
        ChangeState::Merged => {
            let at = c
                .merged_at
                .map(|t| format!(" {}", t.to_rfc3339()))
                .unwrap_or_default();
            let by = c
                .merged_by
                .as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
            format!("✓ merged{at}{by} as {}", short(&path.revision))
        }
        ChangeState::Closed => "✗ closed without merging".to_owned(),
        ChangeState::Open | ChangeState::Draft => format!("· not merged ({})", c.state.as_str()),
    }
}

/// The answer as one JSON object: `deployable`, `target`, `revision`, `blockers` (each with
/// `side`, `text` and `line`) and the whole `path`.
pub fn json(path: &ChangePath, decision: &Decision) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        side: &'a str,
        text: &'a str,
        line: String,
    }
    #[derive(Serialize)]
    struct Answer<'a> {
        deployable: bool,
        target: &'a str,
        revision: &'a str,
        blockers: Vec<Line<'a>>,
        path: &'a ChangePath,
    }
    let answer = Answer {
        deployable: decision.deployable,
        target: &decision.target,
        revision: &decision.revision,
        blockers: decision
            .blockers
            .iter()
            .map(|b| Line {
                side: b.side.phrase(),
                text: &b.text,
                line: b.line(),
            })
            .collect(),
        path,
    };
    let mut text = serde_json::to_string_pretty(&answer).unwrap_or_else(|e| {
        // Serializing plain strings, numbers and booleans cannot fail; say so if it did.
        format!("{{\"error\": \"cannot write the answer as JSON: {e}\"}}")
    });
    text.push('\n');
    text
}
