//! The GitHub Actions pack on the step names of the real `workflow_job` fixtures in
//! `../shared/fixtures` (octokit's webhook examples, the Collector's testdata, GitHub's REST
//! example), mapped and translated as the `github` receiver does and tagged by the default
//! `cicd_ownership` processor: every step's `ciotel.owner` and `ciotel.owner.basis`, decided
//! by the shape of its name alone.

use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_cicd::{CiEvent, IdRecipe, translate_all};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use std::path::Path;

fn fixture(path: &str) -> Vec<u8> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(path);
    std::fs::read(&file)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared fixtures are needed)", file.display()))
}

fn webhook_job(path: &str) -> Vec<CiEvent> {
    match ciotel_github::map_webhook("workflow_job", &fixture(path)) {
        Ok(Some(e)) => vec![e],
        other => panic!("{path}: {other:?}"),
    }
}

fn attr(span: &Span, key: &str) -> String {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| match &v.value {
            Some(AnyValue::StringValue(s)) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// `(step name, owner, basis)` of every step span of `events`.
fn step_owners(events: &[CiEvent]) -> Vec<(String, String, String)> {
    let mut groups = translate_all(events, IdRecipe::CheckRun);
    OwnershipProcessor::new(OwnershipConfig::default()).process(&mut groups);
    groups
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
        .filter(|s| attr(s, "ciotel.span.type") == "step")
        .map(|s| {
            (
                s.name.clone(),
                attr(s, "ciotel.owner"),
                attr(s, "ciotel.owner.basis"),
            )
        })
        .collect()
}

fn check(events: &[CiEvent], expect: &[(&str, &str, &str)]) {
    let got = step_owners(events);
    let want: Vec<(String, String, String)> = expect
        .iter()
        .map(|(n, o, b)| {
            (
                (*n).to_owned(),
                (*o).to_owned(),
                format!("name:github_actions/{b}"),
            )
        })
        .collect();
    assert_eq!(got, want);
}

const P: &str = "platform";
const A: &str = "application";

#[test]
fn octokit_failed_job_default_step_names() {
    check(
        &webhook_job("github/webhooks/workflow_job.completed.failure.with-organization.json"),
        &[
            ("Set up job", P, "runner"),
            ("Run actions/checkout@v2", P, "checkout"),
            ("Run actions/setup-node@v2", P, "setup"),
            ("Get yarn cache directory path", A, "steps"),
            ("Run actions/cache@v2", P, "cache"),
            ("Run yarn install", A, "steps"),
            ("Run yarn run js-lint", A, "steps"),
            ("Run yarn run format-check", A, "steps"),
            ("Post Run actions/cache@v2", P, "pre-post"),
            ("Post Run actions/setup-node@v2", P, "pre-post"),
            ("Post Run actions/checkout@v2", P, "pre-post"),
            ("Complete job", P, "runner"),
        ],
    );
}

#[test]
fn octokit_successful_job_named_steps() {
    check(
        &webhook_job("github/webhooks/workflow_job.completed.success.with-organization.json"),
        &[
            ("Set up job", P, "runner"),
            ("Checkout Repo", P, "checkout"),
            ("Install Ruby", P, "setup"),
            ("Run Rubocop", A, "steps"),
            ("Run Brakeman", A, "steps"),
            ("Run Bundle Audit", A, "steps"),
            ("Post Checkout Repo", P, "pre-post"),
            ("Complete job", P, "runner"),
        ],
    );
}

#[test]
fn collector_jobs_set_up_go_and_its_post_twin() {
    let expect = |make: &'static str| {
        vec![
            ("Set up job", P, "runner"),
            ("Run actions/checkout@v4", P, "checkout"),
            ("Set up Go", P, "setup"),
            (make, A, "steps"),
            ("Upload coverage to Codecov", A, "steps"),
            ("Post Set up Go", P, "pre-post"),
            ("Post Run actions/checkout@v4", P, "pre-post"),
            ("Complete job", P, "runner"),
        ]
    };
    let mut got = step_owners(&webhook_job(
        "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json",
    ));
    // The translator orders steps as reported; "Complete job" ends before the last post step.
    got.sort_by_key(|(n, _, _)| n == "Complete job");
    let mut want = expect("Make test-all");
    want.sort_by_key(|(n, _, _)| *n == "Complete job");
    let want: Vec<_> = want
        .into_iter()
        .map(|(n, o, b)| {
            (
                n.to_owned(),
                o.to_owned(),
                format!("name:github_actions/{b}"),
            )
        })
        .collect();
    assert_eq!(got, want);
    check(
        &webhook_job("otel-contrib/githubreceiver/inprogress.5d2112b1.json"),
        &expect("Make test"),
    );
}

#[test]
fn rest_job_with_a_post_step_written_without_run() {
    let events = ciotel_github::map_rest_jobs(
        &fixture("github/rest/actions-list-jobs-for-workflow-run.json"),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check(
        &events,
        &[
            ("Set up job", P, "runner"),
            ("Run actions/checkout@v2", P, "checkout"),
            ("Set up Ruby", P, "setup"),
            ("Run actions/cache@v3", P, "cache"),
            ("Install Bundler", A, "steps"),
            ("Install Gems", A, "steps"),
            ("Run Tests", A, "steps"),
            ("Deploy to Heroku", A, "steps"),
            ("Post actions/cache@v3", P, "pre-post"),
            ("Complete job", P, "runner"),
        ],
    );
}
