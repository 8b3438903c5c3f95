//! Runs for a change: a `workflow_run` with `pull_requests` (or on a merge-queue branch), a
//! `check_suite` of another CI app; and `merge_group` → merge-queue events.
//!
//! GitHub Actions' own check suites (app `github-actions`) are not mapped: their runs come as
//! `workflow_run`, with the ids that link to the run trace.

use ciotel_cicd::change::{
    ChangeBatch, ChangeEvent, ChangeNumber, ChangeRun, MergeQueueAction, MergeQueueEvent,
};
use ciotel_cicd::{Phase, PipelineRun, RunRef};

use super::{change_ref, non_empty, own_changes};
use crate::GithubError;
use crate::map::time::parse;
use crate::map::{repo, vocabulary};
use crate::payload::{CheckSuiteEvent, MergeGroupEvent, Repository};

/// The run's span in the trace of each change it built: the pull requests it lists, or the
/// pull request whose merge-queue branch it built.
pub(crate) fn runs_for_changes(
    run: &PipelineRun,
    pull_requests: &[crate::payload::PullRequest],
    repository: Option<&Repository>,
) -> Vec<ChangeEvent> {
    let mut changes = own_changes(pull_requests, repository);
    if changes.is_empty()
        && let Some(n) = run
            .run
            .vcs
            .head_ref
            .as_deref()
            .and_then(queue_branch_number)
    {
        changes.extend(change_ref(repository, n));
    }
    changes
        .into_iter()
        .map(|change| {
            ChangeEvent::Run(ChangeRun {
                change,
                run: run.clone(),
                has_run_trace: true,
            })
        })
        .collect()
}

/// A completed check suite of a CI app other than GitHub Actions → a run for each of its pull
/// requests (with no run trace to link to).
pub(crate) fn check_suite(e: &CheckSuiteEvent) -> Result<ChangeBatch, GithubError> {
    let s = &e.check_suite;
    let app = s.app.as_ref();
    if app.and_then(|a| a.slug.as_deref()) == Some("github-actions")
        || s.status.as_deref() != Some("completed")
    {
        return Ok(ChangeBatch::default());
    }
    let conclusion = non_empty(s.conclusion.as_deref());
    let mut vcs = repo::vcs(e.repository.as_ref(), None);
    vcs.head_ref = s.head_branch.clone();
    vcs.head_revision = s.head_sha.clone();
    let run = PipelineRun {
        run: RunRef {
            run_id: format!("check-suite-{}", s.id),
            attempt: 1,
            pipeline_name: app.and_then(|a| a.name.clone().or(a.slug.clone())),
            vcs,
        },
        url: None,
        phase: Phase::Completed,
        result: vocabulary::result(conclusion),
        result_detail: conclusion.map(str::to_owned),
        created_at: parse(s.created_at.as_deref(), "check_suite", "created_at")?,
        started_at: None,
        completed_at: parse(s.updated_at.as_deref(), "check_suite", "updated_at")?,
        trigger_event: Some("check_suite".to_owned()),
        actor: None,
        previous_attempt: None,
        attributes: Vec::new(),
    };
    let events = own_changes(&s.pull_requests, e.repository.as_ref())
        .into_iter()
        .map(|change| {
            ChangeEvent::Run(ChangeRun {
                change,
                run: run.clone(),
                has_run_trace: false,
            })
        })
        .collect();
    Ok(ChangeBatch {
        events,
        merges: Vec::new(),
    })
}

/// `checks_requested` → entered; `destroyed` → merged, or dequeued with GitHub's reason.
pub(crate) fn merge_group(e: &MergeGroupEvent) -> Result<ChangeBatch, GithubError> {
    let g = &e.merge_group;
    let queue_ref = g
        .head_ref
        .as_deref()
        .map(|r| r.trim_start_matches("refs/heads/"));
    let Some(number) = queue_ref.and_then(queue_branch_number) else {
        return Ok(ChangeBatch::default());
    };
    let Some(change) = change_ref(e.repository.as_ref(), number) else {
        return Ok(ChangeBatch::default());
    };
    debug_assert!(matches!(change.number, ChangeNumber::Number(_)));
    let action = match (e.action.as_deref(), e.reason.as_deref()) {
        (Some("checks_requested"), _) => MergeQueueAction::Entered,
        (Some("destroyed"), Some("merged")) => MergeQueueAction::Merged,
        (Some("destroyed"), reason) => {
            MergeQueueAction::Dequeued(reason.unwrap_or("dequeued").to_owned())
        }
        _ => return Ok(ChangeBatch::default()),
    };
    let at = parse(
        g.head_commit.as_ref().and_then(|c| c.timestamp.as_deref()),
        "merge_group",
        "head_commit.timestamp",
    )?;
    let event = MergeQueueEvent {
        change,
        action,
        queue_head: g.head_sha.clone(),
        queue_ref: queue_ref.map(str::to_owned),
        base_ref: g
            .base_ref
            .as_deref()
            .map(|r| r.trim_start_matches("refs/heads/").to_owned()),
        at,
    };
    Ok(ChangeBatch {
        events: vec![ChangeEvent::MergeQueue(event)],
        merges: Vec::new(),
    })
}

/// `gh-readonly-queue/main/pr-104-929f…` → 104.
fn queue_branch_number(branch: &str) -> Option<u64> {
    let rest = branch.strip_prefix("gh-readonly-queue/")?;
    let last = rest.rsplit('/').next()?;
    let digits = last.strip_prefix("pr-")?.split('-').next()?;
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::queue_branch_number;

    #[test]
    fn queue_branches_name_their_pull_request() {
        assert_eq!(
            queue_branch_number(
                "gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64"
            ),
            Some(104)
        );
        assert_eq!(
            queue_branch_number("gh-readonly-queue/release/v2/pr-7-abc"),
            Some(7)
        );
        assert_eq!(queue_branch_number("main"), None);
        assert_eq!(queue_branch_number("gh-readonly-queue/main/pr-x-abc"), None);
    }
}
