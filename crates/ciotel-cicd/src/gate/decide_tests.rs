//! The decision's rules, one path edited at a time from one that may go.

use super::*;
use crate::Timestamp;
use crate::gate::path::{Approval, Change, Deployment, Review, ReviewState, RunJudgement};

const MERGE: &str = "e5bd3914e2e596debea16f433f57875b5b90bcd6";
const HEAD: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

fn at(secs: u64) -> Option<Timestamp> {
    Some(Timestamp::from_unix_nanos(secs * 1_000_000_000))
}

fn run(name: &str, status: CheckStatus) -> Check {
    Check {
        name: name.into(),
        kind: CheckKind::Run,
        id: "42".into(),
        attempt: Some(1),
        status,
        result: None,
        url: None,
        verdict: None,
    }
}

fn deployment(id: &str, env: &str, state: DeploymentState, secs: u64) -> Deployment {
    Deployment {
        id: id.into(),
        environment: env.into(),
        revision: MERGE.into(),
        state,
        succeeded: state == DeploymentState::Success,
        production: env == "production",
        created_at: at(secs),
        updated_at: at(secs),
        url: None,
        description: None,
        verdict: None,
    }
}

/// Merged, approved, green, deployed to integration and staging.
fn ready() -> ChangePath {
    ChangePath {
        platform: "GitHub".into(),
        repository: "acme/shop".into(),
        change: Some(Change {
            number: 123,
            title: "Add cart".into(),
            url: None,
            state: ChangeState::Merged,
            head_revision: HEAD.into(),
            head_ref: Some("cart".into()),
            base_ref: Some("main".into()),
            author: Some("ann".into()),
            merge_revision: Some(MERGE.into()),
            merged_at: at(100),
            merged_by: Some("bob".into()),
        }),
        revision: MERGE.into(),
        checked_revision: HEAD.into(),
        checks: vec![run("CI", CheckStatus::Passed)],
        reviews: vec![Review {
            reviewer: "bob".into(),
            state: ReviewState::Approved,
            at: at(90),
        }],
        approval: None,
        deployments: vec![
            deployment("1", "integration", DeploymentState::Success, 200),
            deployment("2", "staging", DeploymentState::Success, 300),
        ],
    }
}

fn lines(path: &ChangePath, target: &str) -> Vec<String> {
    let d = decide(path, &EnvironmentsConfig::default(), target);
    assert_eq!(d.deployable, d.blockers.is_empty());
    d.blockers.iter().map(Blocker::line).collect()
}

#[test]
fn a_ready_change_may_go_anywhere_on_its_path() {
    for env in ["integration", "staging", "production", "PRODUCTION"] {
        let d = decide(&ready(), &EnvironmentsConfig::default(), env);
        assert!(d.deployable, "{env}: {:?}", d.blockers);
    }
    let d = decide(&ready(), &EnvironmentsConfig::default(), "Production");
    assert_eq!(d.target, "production");
    assert_eq!(d.revision, MERGE);
}

#[test]
fn the_environments_before_the_target_must_have_succeeded() {
    let mut p = ready();
    p.deployments.retain(|d| d.environment == "integration");
    assert_eq!(
        lines(&p, "production"),
        ["blocked — waiting: e5bd391 is not deployed to staging yet"]
    );
    assert!(lines(&p, "staging").is_empty());

    p.deployments
        .push(deployment("3", "staging", DeploymentState::InProgress, 310));
    assert_eq!(
        lines(&p, "production"),
        ["blocked — waiting: deployment 3 of e5bd391 to staging is in progress"]
    );

    p.deployments[1] = deployment("3", "staging", DeploymentState::Failure, 310);
    assert_eq!(
        lines(&p, "production"),
        ["blocked — unknown: deployment 3 of e5bd391 to staging failed"]
    );
    p.deployments[1].verdict = Some(RunJudgement {
        owner: FailureOwner::Platform,
        what: "job \"deploy\" never got a runner".into(),
    });
    assert_eq!(
        lines(&p, "production"),
        [
            "blocked — platform: job \"deploy\" never got a runner — deployment 3 of e5bd391 to staging"
        ]
    );

    // A later success (or one since replaced: `inactive` after success) clears it.
    let mut ok = deployment("4", "staging", DeploymentState::Inactive, 320);
    ok.succeeded = true;
    p.deployments.push(ok);
    assert!(lines(&p, "production").is_empty());
}

#[test]
fn a_failed_run_says_whose_side_failed() {
    let mut p = ready();
    p.checks.push(Check {
        verdict: Some(RunJudgement {
            owner: FailureOwner::Platform,
            what: "job \"deploy\" failed in \"Set up job\" (runner lost)".into(),
        }),
        attempt: Some(2),
        ..run("Deploy", CheckStatus::Failed)
    });
    p.checks.push(Check {
        verdict: Some(RunJudgement {
            owner: FailureOwner::Application,
            what: "job \"test\" failed in \"Run pytest\"".into(),
        }),
        ..run("Tests", CheckStatus::Failed)
    });
    p.checks.push(run("Lint", CheckStatus::Failed));
    assert_eq!(
        lines(&p, "production"),
        [
            "blocked — platform: job \"deploy\" failed in \"Set up job\" (runner lost) — run \"Deploy\" 42, attempt 2",
            "blocked — your change: job \"test\" failed in \"Run pytest\" — run \"Tests\" 42, attempt 1",
            "blocked — unknown: run \"Lint\" 42, attempt 1 failed (failure)",
        ]
    );
}

#[test]
fn checks_still_going_or_absent_wait() {
    let mut p = ready();
    p.checks = vec![
        run("CI", CheckStatus::Running),
        run("Docs", CheckStatus::Pending),
        run("Neutral", CheckStatus::Neutral),
        Check {
            kind: CheckKind::External,
            ..run("codecov", CheckStatus::Cancelled)
        },
    ];
    assert_eq!(
        lines(&p, "integration"),
        [
            "blocked — waiting: run \"CI\" 42, attempt 1 is still running",
            "blocked — waiting: run \"Docs\" 42, attempt 1 has not finished (queued)",
            "blocked — unknown: check \"codecov\" was cancelled",
        ]
    );
    p.checks.clear();
    assert_eq!(
        lines(&p, "integration"),
        ["blocked — waiting: no checks ran on 6dcb09b"]
    );
}

#[test]
fn the_change_must_be_merged_and_approved() {
    let mut p = ready();
    if let Some(c) = p.change.as_mut() {
        c.state = ChangeState::Open;
    }
    p.reviews.push(Review {
        reviewer: "cy".into(),
        state: ReviewState::ChangesRequested,
        at: at(95),
    });
    assert_eq!(
        lines(&p, "integration"),
        [
            "blocked — your change: #123 is not merged yet",
            "blocked — your change: #123 is not approved: changes requested by cy",
        ]
    );
    p.reviews.clear();
    p.approval = Some(Approval {
        approved: false,
        approved_by: vec![],
        left: Some(2),
        changes_requested_by: vec![],
    });
    assert_eq!(
        lines(&p, "integration")[1],
        "blocked — your change: #123 is not approved: 2 more approval(s) needed"
    );
    p.approval = None;
    assert_eq!(
        lines(&p, "integration")[1],
        "blocked — your change: #123 is not approved: no approving review"
    );
    if let Some(c) = p.change.as_mut() {
        c.state = ChangeState::Closed;
    }
    assert_eq!(
        lines(&p, "integration")[0],
        "blocked — your change: #123 was closed without being merged"
    );

    let mut bare = ready();
    bare.change = None;
    assert_eq!(
        lines(&bare, "integration"),
        [
            "blocked — your change: no pull / merge request carried e5bd391: nothing reviewed or merged it"
        ]
    );
}

#[test]
fn a_target_outside_the_promotion_order_is_refused() {
    let policy = EnvironmentsConfig::default();
    assert!(target_in_order(&policy, "Staging").is_ok());
    let e = target_in_order(&policy, "prodution")
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some(
            "environment `prodution` is not in the promotion order (integration, staging, \
             production); name one of those, or add it to the receiver's \
             `environments.promotion`"
        )
    );
}
