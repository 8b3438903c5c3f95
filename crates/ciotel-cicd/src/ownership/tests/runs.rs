//! Run verdicts: GitHub's `workflow_run` arrives alone, after its jobs. With the cache, the
//! run is judged from the job verdicts this instance saw; without it, `unknown`; with the
//! jobs in the same batch (the API poller), from those.

use super::support::*;
use crate::event::{CiEvent, CiResult};

fn failed_job(id: &str, name: &str, failing_step: &str) -> CiEvent {
    let s = steps(
        &["Set up job", "Run make test", "Complete job"],
        &[(failing_step, Some(CiResult::Failure))],
    );
    CiEvent::Job(job("github", id, name, CiResult::Failure, s, true))
}

#[test]
fn a_github_run_after_its_jobs_is_judged_from_the_cache() {
    let p = processor("");
    let mut jobs = spans(&[failed_job("1", "test", "Run make test")]);
    p.process(&mut jobs);
    let mut run_batch = spans(&[CiEvent::Run(run("github", CiResult::Failure))]);
    p.process(&mut run_batch);
    assert_eq!(
        failure(&run_batch, "RUN CI"),
        verdict("application", "Run make test", "failure", "cache")
    );
}

#[test]
fn without_the_cache_a_lone_github_run_is_unknown() {
    let p = processor("verdict_cache: {max_runs: 0}");
    let mut jobs = spans(&[failed_job("1", "test", "Run make test")]);
    p.process(&mut jobs);
    let mut run_batch = spans(&[CiEvent::Run(run("github", CiResult::Failure))]);
    p.process(&mut run_batch);
    assert_eq!(
        failure(&run_batch, "RUN CI"),
        verdict("unknown", "", "failure", "no_jobs")
    );
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
fn an_unknown_run_verdict_is_judged_again_when_the_jobs_are_there() {
    let lone = processor("verdict_cache: {max_runs: 0}");
    let mut run_batch = spans(&[CiEvent::Run(run("github", CiResult::Failure))]);
    lone.process(&mut run_batch);
    assert_eq!(failure(&run_batch, "RUN CI")[0], "unknown");
    // Later, with its jobs (a file given to `ciotel explain`):
    let mut jobs = spans(&[failed_job("1", "build", "Set up job")]);
    jobs.extend(run_batch);
    processor("").process(&mut jobs);
    assert_eq!(
        failure(&jobs, "RUN CI"),
        verdict("platform", "Set up job", "failure", "jobs")
    );
}

#[test]
fn a_successful_run_gets_no_verdict() {
    let mut batch = spans(&[CiEvent::Run(run("github", CiResult::Success))]);
    processor("").process(&mut batch);
    assert_eq!(failure(&batch, "RUN CI"), verdict("", "", "", ""));
}
