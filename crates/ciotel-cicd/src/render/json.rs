//! Verdicts as JSON, for `ciotel explain --format json`: one object per run, in the order the
//! text output shows them.
//!
//! ```json
//! [{"trace_id": "…", "run_id": "2202229078", "attempt": "1", "pipeline": "CodeQL",
//!   "service": "octo-org/octo-repo", "name": "RUN CodeQL", "result": "failure",
//!   "outcome": "failed", "line": "FAILED — your change: job \"linters\" failed in …",
//!   "verdict": {"owner": "application", "rule": "jobs", "jobs": 1, "job": "linters",
//!               "span": "Run yarn run format-check", "reason": "failure"},
//!   "failed_jobs": [{"job": "linters", "owner": "application", "rule": "failing_step",
//!                    "span": "Run yarn run format-check", "reason": "failure"}]}]
//! ```

use serde::Serialize;

use super::run::{Outcome, RunView};
use super::verdict_line::verdict_text;
use crate::ownership::tree::Forest;
use crate::ownership::verdict::JobVerdict;

#[derive(Serialize)]
struct RunJson<'a> {
    trace_id: String,
    run_id: Option<&'a str>,
    attempt: Option<&'a str>,
    pipeline: Option<&'a str>,
    service: Option<&'a str>,
    name: &'a str,
    result: Option<&'a str>,
    outcome: &'a str,
    line: String,
    verdict: Option<VerdictJson<'a>>,
    failed_jobs: Vec<JobJson<'a>>,
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    owner: &'a str,
    rule: &'a str,
    jobs: usize,
    job: Option<&'a str>,
    span: Option<&'a str>,
    reason: &'a str,
    /// What came of the first job's log (`matched`, `no_match`, `unavailable`), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<&'a str>,
    /// The failure signature that decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<&'a str>,
    /// The log line it matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
}

#[derive(Serialize)]
struct JobJson<'a> {
    job: &'a str,
    owner: &'a str,
    rule: &'a str,
    span: Option<&'a str>,
    reason: &'a str,
}

impl<'a> From<&'a JobVerdict> for JobJson<'a> {
    fn from(j: &'a JobVerdict) -> Self {
        JobJson {
            job: &j.job,
            owner: j.owner.as_str(),
            rule: &j.rule,
            span: j.span.as_deref(),
            reason: &j.reason,
        }
    }
}

fn outcome_word(o: &Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::Cancelled => "cancelled",
        Outcome::Skipped => "skipped",
        Outcome::Failing => "failing",
        Outcome::NoResult => "no_result",
        Outcome::Other(_) => "other",
    }
}

fn first_log(
    v: &crate::ownership::RunVerdict,
) -> Option<&crate::ownership::log_verdict::LogFinding> {
    v.first.as_ref().and_then(|f| f.log.as_ref())
}

/// The verdicts of `runs` as a pretty-printed JSON array, ending in a newline.
pub fn verdicts_json(forest: &Forest<'_>, runs: &[&RunView]) -> String {
    let items: Vec<RunJson<'_>> = runs
        .iter()
        .map(|r| RunJson {
            trace_id: hex::encode(&forest.traces[r.trace].trace_id),
            run_id: r.run_id.as_deref(),
            attempt: r.attempt.as_deref(),
            pipeline: r.pipeline.as_deref(),
            service: r.service.as_deref(),
            name: &r.title,
            result: r.result.as_deref(),
            outcome: outcome_word(&r.outcome),
            line: verdict_text(r).headline(),
            verdict: r.verdict.as_ref().map(|v| VerdictJson {
                owner: v.owner.as_str(),
                rule: v.rule,
                jobs: v.jobs,
                job: v.first.as_ref().map(|f| f.job.as_str()),
                span: v.first.as_ref().and_then(|f| f.span.as_deref()),
                reason: &v.reason,
                log: first_log(v).map(|l| l.status.as_str()),
                signature: first_log(v).and_then(|l| l.signature.as_deref()),
                evidence: first_log(v).and_then(|l| l.evidence.as_deref()),
            }),
            failed_jobs: r.failed_jobs.iter().map(JobJson::from).collect(),
        })
        .collect();
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}
