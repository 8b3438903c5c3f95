//! Verdicts from failed jobs' logs: a `job_log` span beside the job decides the run's
//! `verdict` span (owner, `log:<signature>` rule, evidence), never the job span; an
//! unreadable log falls back and says so; each outcome has its own verdict id; the verdict
//! span's own owner is the side it blames; `job_log` spans are dropped.

use super::support::*;
use crate::event::{CiEvent, CiResult};
use crate::ownership::job_log::{self, JobLog};
use crate::ownership::names;
use crate::ownership::span_view::span_attr;
use crate::semconv;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;

/// A failed run whose job "test" failed in "Run make test", with `log` beside the job.
fn batch(log: Option<JobLog>) -> Vec<ResourceSpans> {
    let s = steps(
        &["Set up job", "Run make test", "Complete job"],
        &[("Run make test", Some(CiResult::Failure))],
    );
    let job = job("github", "7", "test", CiResult::Failure, s, true);
    let mut groups = spans(&[
        CiEvent::Run(run("github", CiResult::Failure)),
        CiEvent::Job(job),
    ]);
    if let Some(log) = log {
        let j = named(&groups, "test").clone();
        let span = job_log::span(&j.trace_id, &j.span_id, j.end_time_unix_nano, &log);
        assert!(job_log::attach(&mut groups, span));
    }
    groups
}

fn verdict_of(groups: &[ResourceSpans]) -> opentelemetry_proto::tonic::trace::v1::Span {
    let v = verdict_spans(groups, "RUN CI");
    assert_eq!(v.len(), 1);
    v[0].clone()
}

#[test]
fn a_disk_full_line_makes_the_verdict_the_platforms_with_evidence() {
    let p = processor("");
    let tail = "Run make test\ncc -c big.c\nfatal error: error writing to /tmp/ccX.s: No space left on device\n##[error]Process completed with exit code 1.\n";
    let mut groups = batch(Some(JobLog::Read(tail.into())));
    p.process(&mut groups);
    let v = verdict_of(&groups);
    let a = |k| span_attr(&v, k).unwrap_or_default();
    assert_eq!(a(names::FAILURE_OWNER), "platform");
    assert_eq!(a(names::FAILURE_RULE), "log:disk-full");
    assert_eq!(
        a(names::FAILURE_EVIDENCE),
        "fatal error: error writing to /tmp/ccX.s: No space left on device"
    );
    assert_eq!(a(names::FAILURE_LOG), "matched");
    assert_eq!(a(names::OWNER), "platform", "routed to Ops");
    assert_eq!(a(names::OWNER_RULE), "verdict");
    // The job span says what its own event says: the failing step's owner.
    let job = named(&groups, "test");
    assert_eq!(
        span_attr(job, names::FAILURE_OWNER).as_deref(),
        Some("application")
    );
    assert_eq!(span_attr(job, names::FAILURE_EVIDENCE), None);
    assert!(
        all(&groups)
            .iter()
            .all(|s| span_attr(s, semconv::CIOTEL_SPAN_TYPE).as_deref()
                != Some(semconv::span_type::JOB_LOG)),
        "job_log spans are dropped"
    );
}

#[test]
fn an_unreadable_log_falls_back_and_says_so_and_each_outcome_has_its_own_id() {
    let p = processor("");
    let mut none = batch(None);
    p.process(&mut none);
    let mut failed = batch(Some(JobLog::Unavailable("502".into())));
    p.process(&mut failed);
    let mut read = batch(Some(JobLog::Read("nothing to see\n".into())));
    p.process(&mut read);
    let (none, failed, read) = (verdict_of(&none), verdict_of(&failed), verdict_of(&read));
    for v in [&none, &failed, &read] {
        assert_eq!(
            span_attr(v, names::FAILURE_OWNER).as_deref(),
            Some("application")
        );
        assert_eq!(span_attr(v, names::FAILURE_RULE).as_deref(), Some("jobs"));
    }
    assert_eq!(span_attr(&none, names::FAILURE_LOG), None);
    assert_eq!(
        span_attr(&failed, names::FAILURE_LOG).as_deref(),
        Some("unavailable")
    );
    assert_eq!(
        span_attr(&read, names::FAILURE_LOG).as_deref(),
        Some("no_match")
    );
    let ids = [&none.span_id, &failed.span_id, &read.span_id];
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}"
    );
}

#[test]
fn the_users_signatures_come_first_and_a_later_sighting_without_the_log_says_the_same() {
    let p = processor(
        "failure_signatures:\n  - {name: make-test, owner: platform, regex: '^make: \\*\\*\\* \\[test\\]'}\n",
    );
    let mut groups = batch(Some(JobLog::Read("make: *** [test] Error 2\n".into())));
    p.process(&mut groups);
    let first = verdict_of(&groups);
    assert_eq!(
        span_attr(&first, names::FAILURE_RULE).as_deref(),
        Some("log:make-test")
    );
    // The same job again (a webhook delivery) without its log: the remembered log verdict
    // writes the same span, content and id.
    let again_job = batch(None)
        .into_iter()
        .filter(|rs| {
            rs.scope_spans
                .iter()
                .flat_map(|s| &s.spans)
                .any(|s| s.name == "test")
        })
        .collect::<Vec<_>>();
    let mut again = again_job;
    for rs in &mut again {
        for ss in &mut rs.scope_spans {
            ss.spans.retain(|s| s.name != "RUN CI");
        }
    }
    p.process(&mut again);
    let second: Vec<_> = all(&again)
        .into_iter()
        .filter(|s| s.name == "verdict")
        .cloned()
        .collect();
    assert_eq!(second, vec![first]);
}

#[test]
fn only_steps_read_from_the_log_are_left_out_of_job_verdicts() {
    use crate::event::Attribute;
    let judged = |source: &str| {
        let mut s = steps(
            &["Set up job", "Run make test", "Complete job"],
            &[("Run make test", Some(CiResult::Failure))],
        );
        for step in &mut s {
            step.attributes
                .push(Attribute::new(semconv::CIOTEL_STEP_SOURCE, source));
        }
        let mut groups = spans(&[CiEvent::Job(job(
            "github",
            "8",
            "test",
            CiResult::Failure,
            s,
            true,
        ))]);
        processor("").process(&mut groups);
        span_attr(named(&groups, "test"), names::FAILURE_RULE).unwrap_or_default()
    };
    // GitHub steps whose `uses`/`run` came from the workflow file are steps like any other.
    assert_eq!(judged("workflow"), "failing_step");
    // Spans read from the job's log (GitLab runner phases) are not.
    assert_eq!(judged("job_log"), "no_steps");
}
