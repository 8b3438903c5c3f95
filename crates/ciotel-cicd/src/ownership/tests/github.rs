//! The GitHub Actions pack: owners of queue, runner, checkout, cache, setup, cleanup and user
//! steps; verdicts where the platform failed (runner lost, set-up, checkout or cache failed,
//! stuck in the queue) and where the change failed; user rules over the pack.

use super::support::*;
use crate::event::{CiEvent, CiResult};

const STEPS: &[&str] = &[
    "Set up job",
    "Run actions/checkout@v4",
    "Run actions/setup-node@v4",
    "Run actions/cache@v4",
    "Run npm ci",
    "Run npm test",
    "Post Run actions/cache@v4",
    "Post Run actions/checkout@v4",
    "Complete job",
];

fn judged(
    events: &[CiEvent],
    yaml: &str,
) -> Vec<opentelemetry_proto::tonic::trace::v1::ResourceSpans> {
    let mut groups = spans(events);
    processor(yaml).process(&mut groups);
    groups
}

fn test_job(failing: &[(&str, Option<CiResult>)]) -> CiEvent {
    CiEvent::Job(job(
        "github",
        "11",
        "test",
        CiResult::Failure,
        steps(STEPS, failing),
        true,
    ))
}

#[test]
fn every_span_gets_an_owner_and_the_rule_that_decided() {
    let g = judged(&[test_job(&[])], "");
    let expect = [
        ("test", "application", "default"),
        ("queue", "platform", "github_actions/queue"),
        ("Set up job", "platform", "github_actions/runner"),
        (
            "Run actions/checkout@v4",
            "platform",
            "github_actions/checkout",
        ),
        (
            "Run actions/setup-node@v4",
            "platform",
            "github_actions/setup",
        ),
        ("Run actions/cache@v4", "platform", "github_actions/cache"),
        ("Run npm ci", "application", "github_actions/steps"),
        ("Run npm test", "application", "github_actions/steps"),
        (
            "Post Run actions/cache@v4",
            "platform",
            "github_actions/pre-post",
        ),
        ("Complete job", "platform", "github_actions/runner"),
    ];
    for (name, owner_, rule) in expect {
        assert_eq!(
            owner(&g, name),
            (owner_.to_owned(), rule.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn the_change_failed_a_test_step() {
    let g = judged(
        &[test_job(&[("Run npm test", Some(CiResult::Failure))])],
        "",
    );
    assert_eq!(
        failure(&g, "test"),
        verdict("application", "Run npm test", "failure", "failing_step")
    );
}

#[test]
fn the_platform_failed_in_set_up_checkout_or_cache() {
    for step_name in [
        "Set up job",
        "Run actions/checkout@v4",
        "Run actions/cache@v4",
    ] {
        let g = judged(&[test_job(&[(step_name, Some(CiResult::Failure))])], "");
        assert_eq!(
            failure(&g, "test"),
            verdict("platform", step_name, "failure", "failing_step"),
            "{step_name}"
        );
    }
}

#[test]
fn the_first_failing_step_by_time_decides() {
    let g = judged(
        &[test_job(&[
            ("Run npm test", Some(CiResult::Failure)),
            ("Post Run actions/cache@v4", Some(CiResult::Failure)),
        ])],
        "",
    );
    assert_eq!(failure(&g, "test")[1], "Run npm test");
}

#[test]
fn a_lost_runner_is_the_platform() {
    // The runner vanished during `Run npm test`: the step never finished, nothing failed.
    let g = judged(&[test_job(&[("Run npm test", None)])], "");
    assert_eq!(
        failure(&g, "test"),
        verdict("platform", "Run npm test", "failure", "no_failing_step")
    );
}

#[test]
fn a_job_that_never_got_a_runner_is_the_platform() {
    let stuck = job(
        "github",
        "12",
        "build",
        CiResult::Failure,
        Vec::new(),
        false,
    );
    let g = judged(&[CiEvent::Job(stuck)], "");
    assert_eq!(
        failure(&g, "build"),
        verdict("platform", "queue", "failure", "no_runner")
    );
}

#[test]
fn a_timeout_blames_the_step_that_was_running() {
    let mut j = job(
        "github",
        "13",
        "test",
        CiResult::Timeout,
        steps(STEPS, &[("Run npm test", None)]),
        true,
    );
    j.result_detail = Some("timed_out".into());
    let g = judged(&[CiEvent::Job(j)], "");
    assert_eq!(
        failure(&g, "test"),
        verdict("application", "Run npm test", "timed_out", "timeout")
    );
}

#[test]
fn successful_jobs_get_no_verdict() {
    let ok = job(
        "github",
        "14",
        "lint",
        CiResult::Success,
        steps(STEPS, &[]),
        true,
    );
    let g = judged(&[CiEvent::Job(ok)], "");
    assert_eq!(failure(&g, "lint"), verdict("", "", "", ""));
}

#[test]
fn user_rules_override_the_pack() {
    let yaml = r#"
rules:
  - name: our-checkout-is-ours
    match: {name: "regex:^Run actions/checkout", attributes: {ciotel.span.type: step}}
    owner: application
    team: app-team
  - name: gpu-runners-are-ops
    match: {attributes: {cicd.worker.name: "regex:^runner-"}}
    owner: platform
    team: ci-infra
"#;
    let g = judged(
        &[test_job(&[(
            "Run actions/checkout@v4",
            Some(CiResult::Failure),
        )])],
        yaml,
    );
    assert_eq!(
        owner(&g, "Run actions/checkout@v4"),
        ("application".to_owned(), "our-checkout-is-ours".to_owned())
    );
    assert_eq!(
        owner(&g, "test"),
        ("platform".to_owned(), "gpu-runners-are-ops".to_owned())
    );
    let team = crate::ownership::span_view::span_attr(
        named(&g, "test"),
        crate::ownership::names::OWNER_TEAM,
    );
    assert_eq!(team.as_deref(), Some("ci-infra"));
    assert_eq!(
        failure(&g, "test"),
        verdict(
            "application",
            "Run actions/checkout@v4",
            "failure",
            "failing_step"
        ),
        "the verdict follows the owners the user's rules gave"
    );
}

#[test]
fn without_the_pack_steps_get_the_default() {
    let g = judged(&[test_job(&[])], "packs: [gitlab]\ndefault_owner: platform");
    assert_eq!(
        owner(&g, "Run npm test"),
        ("platform".to_owned(), "default".to_owned())
    );
}

#[test]
fn spans_that_have_an_owner_keep_it_and_processing_twice_changes_nothing() {
    let mut g = spans(&[test_job(&[("Run npm test", Some(CiResult::Failure))])]);
    let p = processor("");
    p.process(&mut g);
    let once = g.clone();
    p.process(&mut g);
    assert_eq!(g, once);
}

#[test]
fn spans_from_inside_the_job_are_not_the_packs() {
    // A tool inside the job sent a span named like a runner step, over OTLP (another scope).
    let mut g = spans(&[test_job(&[])]);
    let mut inside = g[0].clone();
    inside.scope_spans[0].scope = Some(
        opentelemetry_proto::tonic::common::v1::InstrumentationScope {
            name: "my-test-runner".into(),
            ..Default::default()
        },
    );
    inside.scope_spans[0]
        .spans
        .retain(|s| s.name == "Set up job");
    inside.scope_spans[0].spans[0].span_id = vec![7; 8];
    g.push(inside);
    processor("").process(&mut g);
    let owners: Vec<_> = all(&g)
        .into_iter()
        .filter(|s| s.name == "Set up job")
        .map(|s| {
            crate::ownership::span_view::span_attr(s, crate::ownership::names::OWNER_RULE)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(owners, ["github_actions/runner", "default"]);
}

/// `(ciotel.owner, ciotel.owner.basis)` of every step of a job with these step names.
fn owners_by_name(names: &[&str], yaml: &str) -> Vec<(String, String, String)> {
    let job = CiEvent::Job(job(
        "github",
        "12",
        "build",
        CiResult::Success,
        steps(names, &[]),
        true,
    ));
    let g = judged(&[job], yaml);
    names
        .iter()
        .map(|n| {
            let s = named(&g, n);
            let attr = |k| crate::ownership::span_view::span_attr(s, k).unwrap_or_default();
            (
                (*n).to_owned(),
                attr(crate::ownership::names::OWNER),
                attr(crate::ownership::names::OWNER_BASIS),
            )
        })
        .collect()
}

#[test]
fn steps_are_known_by_the_shape_of_their_names() {
    let expect = [
        ("Set up job", "platform", "name:github_actions/runner"),
        ("Checkout", "platform", "name:github_actions/checkout"),
        (
            "Checkout repository",
            "platform",
            "name:github_actions/checkout",
        ),
        (
            "Run actions/checkout@v4",
            "platform",
            "name:github_actions/checkout",
        ),
        ("Set up Python", "platform", "name:github_actions/setup"),
        (
            "Set up Python ${{ matrix.python }}",
            "platform",
            "name:github_actions/setup",
        ),
        ("Install Rust", "platform", "name:github_actions/setup"),
        (
            "Install Rust toolchain",
            "platform",
            "name:github_actions/setup",
        ),
        ("Setup Node", "platform", "name:github_actions/setup"),
        ("Set up JDK 17", "platform", "name:github_actions/setup"),
        (
            "Run actions/setup-go@v5",
            "platform",
            "name:github_actions/setup",
        ),
        ("Cache cargo", "platform", "name:github_actions/cache"),
        ("Restore cache", "platform", "name:github_actions/cache"),
        (
            "Run actions/cache/restore@v4",
            "platform",
            "name:github_actions/cache",
        ),
        (
            "Upload artifacts",
            "platform",
            "name:github_actions/artifacts",
        ),
        (
            "Upload artifact",
            "platform",
            "name:github_actions/artifacts",
        ),
        (
            "Run actions/download-artifact@v4",
            "platform",
            "name:github_actions/artifacts",
        ),
        (
            "Run docker/login-action@v3",
            "platform",
            "name:github_actions/docker",
        ),
        (
            "Run docker/setup-buildx-action@v3",
            "platform",
            "name:github_actions/docker",
        ),
        (
            "Pre Run docker/login-action@v3",
            "platform",
            "name:github_actions/pre-post",
        ),
        (
            "Post Install Rust",
            "platform",
            "name:github_actions/pre-post",
        ),
        (
            "Post Run actions/checkout@v4",
            "platform",
            "name:github_actions/pre-post",
        ),
        (
            "Post actions/cache@v3",
            "platform",
            "name:github_actions/pre-post",
        ),
        (
            "Install dependencies",
            "application",
            "name:github_actions/steps",
        ),
        (
            "Install Python dependencies",
            "application",
            "name:github_actions/steps",
        ),
        (
            "Set up database",
            "application",
            "name:github_actions/steps",
        ),
        ("Run cargo test", "application", "name:github_actions/steps"),
        ("Build", "application", "name:github_actions/steps"),
        ("Post Build", "application", "name:github_actions/steps"),
        ("Pre Deploy", "application", "name:github_actions/steps"),
        ("Complete job", "platform", "name:github_actions/runner"),
    ];
    let names: Vec<&str> = expect.iter().map(|(n, _, _)| *n).collect();
    let got = owners_by_name(&names, "");
    for ((name, owner_, basis), (_, got_owner, got_basis)) in expect.iter().zip(&got) {
        assert_eq!(
            (got_owner.as_str(), got_basis.as_str()),
            (*owner_, *basis),
            "{name}"
        );
    }
}

#[test]
fn the_basis_says_rule_pack_or_default() {
    let got = owners_by_name(
        &["Deploy", "Run make"],
        r#"
rules:
  - name: deploys-are-ops
    match: {name: Deploy}
    owner: platform
"#,
    );
    assert_eq!(got[0].2, "rule:deploys-are-ops");
    assert_eq!(got[1].2, "name:github_actions/steps");
    let g = judged(&[test_job(&[])], "");
    let basis = crate::ownership::span_view::span_attr(
        named(&g, "test"),
        crate::ownership::names::OWNER_BASIS,
    );
    assert_eq!(basis.as_deref(), Some("default"), "the job span: no rule");
}
