//! Run verdicts, in the `verdict` span under the run's root: GitHub's `workflow_run` arrives
//! alone, before or after its jobs. With the cache, the verdict span is written by whichever
//! of them comes last; without it, only a batch holding both (the API poller) writes one. The
//! root span itself never carries a verdict.

use super::support::*;
use crate::event::{CiEvent, CiResult};
use crate::ownership::names;
use crate::ownership::span_view::span_attr;

fn failed_job(id: &str, name: &str, failing_step: &str) -> CiEvent {
    let s = steps(
        &["Set up job", "Run make test", "Complete job"],
        &[(failing_step, Some(CiResult::Failure))],
    );
    CiEvent::Job(job("github", id, name, CiResult::Failure, s, true))
}

fn run_batch() -> Vec<opentelemetry_proto::tonic::trace::v1::ResourceSpans> {
    spans(&[CiEvent::Run(run("github", CiResult::Failure))])
}

#[test]
fn a_github_run_after_its_jobs_gets_its_verdict_span_from_the_cache() {
    let p = processor("");
    let mut jobs = spans(&[failed_job("1", "test", "Run make test")]);
    p.process(&mut jobs);
    let mut run = run_batch();
    p.process(&mut run);
    assert_eq!(
        failure(&run, "RUN CI"),
        verdict("application", "Run make test", "failure", "jobs")
    );
    let root = named(&run, "RUN CI");
    assert_eq!(
        span_attr(root, names::FAILURE_OWNER),
        None,
        "not on the root"
    );
}

#[test]
fn a_failed_job_after_its_run_writes_the_verdict_span() {
    let p = processor("");
    let mut run = run_batch();
    p.process(&mut run);
    assert!(
        verdict_spans(&run, "RUN CI").is_empty(),
        "nothing known yet"
    );
    let mut jobs = spans(&[failed_job("1", "test", "Run make test")]);
    p.process(&mut jobs);
    let v = all(&jobs)
        .into_iter()
        .find(|s| s.name == "verdict")
        .cloned()
        .expect("a verdict span in the job's batch");
    assert_eq!(v.parent_span_id, named(&run, "RUN CI").span_id);
    assert_eq!(
        span_attr(&v, names::FAILURE_OWNER).as_deref(),
        Some("application")
    );
}

#[test]
fn without_the_cache_a_lone_github_run_gets_no_verdict_span() {
    let p = processor("verdict_cache: {max_runs: 0}");
    let mut jobs = spans(&[failed_job("1", "test", "Run make test")]);
    p.process(&mut jobs);
    let mut run = run_batch();
    p.process(&mut run);
    assert!(verdict_spans(&run, "RUN CI").is_empty());
    assert_eq!(failure(&run, "RUN CI"), verdict("", "", "", ""));
}

#[test]
fn with_its_jobs_in_the_batch_the_run_needs_no_cache() {
    let p = processor("verdict_cache: {max_runs: 0}");
    let mut batch = spans(&[
        CiEvent::Run(run("github", CiResult::Failure)),
        failed_job("1", "build", "Set up job"),
        failed_job("2", "test", "Run make test"),
    ]);
    p.process(&mut batch);
    let f = failure(&batch, "RUN CI");
    assert_eq!((f[0].as_str(), f[3].as_str()), ("mixed", "jobs"));
}

#[test]
fn a_verdict_over_more_jobs_is_another_span_and_the_same_one_is_written_once() {
    let p = processor("");
    let mut one = spans(&[
        CiEvent::Run(run("github", CiResult::Failure)),
        failed_job("1", "build", "Set up job"),
    ]);
    p.process(&mut one);
    let first = verdict_spans(&one, "RUN CI")[0].clone();
    let mut two = spans(&[failed_job("2", "test", "Run make test")]);
    p.process(&mut two);
    let second = all(&two)
        .into_iter()
        .find(|s| s.name == "verdict")
        .cloned()
        .expect("a verdict over both jobs");
    assert_ne!(first.span_id, second.span_id);
    assert_eq!(
        span_attr(&second, names::FAILURE_OWNER).as_deref(),
        Some("mixed")
    );
    // The same batch again, already holding its verdict span, at an instance that knows
    // nothing more: no second copy.
    processor("verdict_cache: {max_runs: 0}").process(&mut one);
    assert_eq!(verdict_spans(&one, "RUN CI").len(), 1);
}

#[test]
fn a_successful_run_gets_no_verdict() {
    let mut batch = spans(&[
        CiEvent::Run(run("github", CiResult::Success)),
        failed_job("1", "test", "Run make test"),
    ]);
    processor("").process(&mut batch);
    assert_eq!(failure(&batch, "RUN CI"), verdict("", "", "", ""));
}
