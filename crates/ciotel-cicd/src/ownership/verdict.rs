//! Failure verdicts: who made a failed job fail, and, summarised over its failed jobs, a
//! failed run. Pure functions of spans already tagged with `ciotel.owner`.
//!
//! A failed job, in this order (the first that applies decides; `ciotel.failure.rule` names it):
//!
//! | rule | when | `ciotel.failure.owner` | `ciotel.failure.span` |
//! |---|---|---|---|
//! | `failure_reason` | the platform gave a reason its pack's table knows (GitLab `failure_reason`) | the table's | first failing step; `queue` if the job never ran |
//! | `failing_step` | a step or phase failed | that span's `ciotel.owner` | the first failing one, by time |
//! | `timeout` | the job timed out while a step was running | that step's owner | that step |
//! | `no_runner` | no runner and no steps: it never got one (stuck in the queue, no matching runner) | platform | `queue`, if seen |
//! | `no_failing_step` | steps ran and none failed: the runner was lost, or the platform killed the job | platform | the step left unfinished, if any |
//! | `no_steps` | a runner but no steps known, and no reason | unknown | — |
//!
//! "Steps" are the job's descendants that the platform reported (origin platform), except the
//! queue span; a failing span counts only if none of its own descendants failed, so the
//! deepest failure is named (Jenkins nests steps in stages). `ciotel.failure.reason` is the
//! platform's reason when its table knows it; else the failing span's status message (unless
//! that is a bare `failure`/`error`/`timeout` and the platform gave a reason); else the job's.
//!
//! A failed run: over its failed jobs, except those allowed to fail (GitLab `allow_failure`):
//! `platform` or `application` when all failed jobs with a known owner agree,
//! `mixed` when they do not, `unknown` when no failed job is known. The span, job and reason
//! are those of its first failed job, by start time. A failed job's owner there is its log's
//! when a failure signature matched a line of it ([`super::log_verdict`]), else the one above.
//!
//! "Steps" exclude the spans read from the job's log (GitLab runner phases,
//! `ciotel.step.source = job_log`, and `job_log` spans): only a receiver with `api:` has
//! them, and the job span must say the same whichever path emitted it.

use opentelemetry_proto::tonic::common::v1::KeyValue;

use super::log_verdict::LogFinding;

use super::names::{self, rule};
use super::owner::FailureOwner;
use super::packs::Pack;
use super::span_view::{Origin, SpanView, failed, is_failure_result, kv_int, kv_str, span_attr};
use super::tree::Forest;
use crate::semconv;

/// The verdict on one failed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobVerdict {
    /// The job's name.
    pub job: String,
    /// Who made it fail.
    pub owner: FailureOwner,
    /// The first failing step or phase, when one is known.
    pub span: Option<String>,
    /// Why, in the platform's words.
    pub reason: String,
    /// Which rule decided (see [`rule`]).
    pub rule: String,
    /// When the job started, to find a run's first failed job.
    pub start: u64,
    /// What its log said, when a receiver with `api:` fetched it (never written on the job
    /// span, whose content is a function of the job's own event; only into its run's
    /// `verdict` span).
    pub log: Option<LogFinding>,
}

impl JobVerdict {
    /// Who made the job fail, all told: a matching log signature's owner, else the spans'.
    pub fn decided_owner(&self) -> FailureOwner {
        match &self.log {
            Some(LogFinding {
                owner: Some(owner), ..
            }) => (*owner).into(),
            _ => self.owner,
        }
    }

    /// The attributes that carry this verdict on the job span.
    pub fn attributes(&self) -> Vec<KeyValue> {
        let mut out = vec![
            kv_str(names::FAILURE_OWNER, self.owner.as_str()),
            kv_str(names::FAILURE_RULE, &self.rule),
            kv_str(names::FAILURE_REASON, &self.reason),
        ];
        if let Some(span) = &self.span {
            out.push(kv_str(names::FAILURE_SPAN, span));
        }
        out
    }

    /// The verdict a job span already carries (from an upstream ciotel, or an earlier pass).
    pub fn from_span(view: &SpanView<'_>) -> Option<JobVerdict> {
        let owner = view.attr(names::FAILURE_OWNER)?;
        Some(JobVerdict {
            job: view.span.name.clone(),
            owner: FailureOwner::parse(&owner),
            span: view.attr(names::FAILURE_SPAN),
            reason: view.attr(names::FAILURE_REASON).unwrap_or_default(),
            rule: view.attr(names::FAILURE_RULE).unwrap_or_default(),
            start: view.span.start_time_unix_nano,
            log: None,
        })
    }
}

/// The verdict on one failed run, summarised over its failed jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunVerdict {
    /// Who made it fail.
    pub owner: FailureOwner,
    /// Its first failed job (by start time), preferring jobs whose owner is known.
    pub first: Option<JobVerdict>,
    /// How many failed jobs were summarised.
    pub jobs: usize,
    /// `jobs`, `cache` or `no_jobs`.
    pub rule: &'static str,
    /// The first job's reason, else the run's own.
    pub reason: String,
}

impl RunVerdict {
    /// The attributes that carry this verdict on the run span.
    ///
    /// When the first failed job's log was read and a signature matched, the rule is
    /// `log:<signature>` and `ciotel.failure.evidence` is the line; when its log was asked
    /// for, `ciotel.failure.log` says what came of it.
    pub fn attributes(&self) -> Vec<KeyValue> {
        let log = self.first.as_ref().and_then(|f| f.log.as_ref());
        let rule = match log.and_then(|l| l.signature.as_deref()) {
            Some(signature) => format!("{}{signature}", names::LOG_RULE_PREFIX),
            None => self.rule.to_owned(),
        };
        let mut out = vec![
            kv_str(names::FAILURE_OWNER, self.owner.as_str()),
            kv_str(names::FAILURE_RULE, &rule),
            kv_str(names::FAILURE_REASON, &self.reason),
            kv_int(
                names::FAILURE_JOBS,
                i64::try_from(self.jobs).unwrap_or(i64::MAX),
            ),
        ];
        if let Some(first) = &self.first {
            out.push(kv_str(names::FAILURE_JOB, &first.job));
            if let Some(span) = &first.span {
                out.push(kv_str(names::FAILURE_SPAN, span));
            }
        }
        if let Some(log) = log {
            out.push(kv_str(names::FAILURE_LOG, log.status.as_str()));
            if let Some(evidence) = &log.evidence {
                out.push(kv_str(names::FAILURE_EVIDENCE, evidence));
            }
        }
        out
    }
}

/// What the job itself says about its failure: status message, else result, else `failure`.
pub fn own_reason(view: &SpanView<'_>) -> String {
    let message = view
        .span
        .status
        .as_ref()
        .map(|s| s.message.clone())
        .unwrap_or_default();
    if !message.is_empty() {
        return message;
    }
    [
        semconv::CICD_PIPELINE_TASK_RUN_RESULT,
        semconv::CICD_PIPELINE_RESULT,
    ]
    .iter()
    .find_map(|k| view.attr(k))
    .unwrap_or_else(|| semconv::result::FAILURE.to_owned())
}

/// Judges the failed job (or, for Jenkins, the failed run root) at `job`.
pub fn judge_job(forest: &Forest<'_>, job: usize, packs: &[&Pack]) -> JobVerdict {
    let view = forest.nodes[job].view;
    let verdict =
        |owner: FailureOwner, span: Option<String>, reason: String, rule: &str| JobVerdict {
            job: view.span.name.clone(),
            owner,
            span,
            reason,
            rule: rule.to_owned(),
            start: view.span.start_time_unix_nano,
            log: None,
        };
    let steps = steps(forest, job);
    let failing = first_failing_leaf(forest, &steps);
    let failing_name = failing.map(|n| forest.nodes[n].view.span.name.clone());
    let has_runner = [semconv::CICD_WORKER_ID, semconv::CICD_WORKER_NAME]
        .iter()
        .any(|k| view.attr(k).is_some_and(|v| !v.is_empty()));
    let never_ran = steps.is_empty() && !has_runner;
    let queue = forest.nodes[job]
        .children
        .iter()
        .find(|&&c| forest.nodes[c].view.is_queue())
        .map(|&c| forest.nodes[c].view.span.name.clone());

    // The platform's own reason, when its pack knows who it blames.
    let mut platform_reason = None;
    for table in packs.iter().filter_map(|p| p.failure_reasons) {
        if let Some(reason) = view.attr(table.attribute) {
            if let Some(owner) = (table.owner_of)(&reason) {
                let span = failing_name.or(queue.filter(|_| never_ran));
                return verdict(owner.into(), span, reason, rule::FAILURE_REASON);
            }
            platform_reason = Some(reason);
        }
    }
    let reason_or = |fallback: String| platform_reason.clone().unwrap_or(fallback);

    if let Some(f) = failing {
        let fv = forest.nodes[f].view;
        let message = fv
            .span
            .status
            .as_ref()
            .map(|s| s.message.clone())
            .filter(|m| !m.is_empty())
            .or_else(|| fv.attr(semconv::CIOTEL_STEP_RESULT));
        // The step's own words, unless they are a bare result word and the platform said more.
        let reason = match (message, &platform_reason) {
            (Some(m), Some(p)) if is_failure_result(&m) => p.clone(),
            (Some(m), _) => m,
            (None, Some(p)) => p.clone(),
            (None, None) => own_reason(&view),
        };
        return verdict(fv.owner().into(), failing_name, reason, rule::FAILING_STEP);
    }

    let interrupted = first_unfinished(forest, &steps);
    let timed_out = view
        .attr(semconv::CICD_PIPELINE_TASK_RUN_RESULT)
        .is_some_and(|r| r == semconv::result::TIMEOUT);
    if let (true, Some(i)) = (timed_out, interrupted) {
        let iv = forest.nodes[i].view;
        return verdict(
            iv.owner().into(),
            Some(iv.span.name.clone()),
            reason_or(own_reason(&view)),
            rule::TIMEOUT,
        );
    }

    if never_ran {
        return verdict(
            FailureOwner::Platform,
            queue,
            reason_or(own_reason(&view)),
            rule::NO_RUNNER,
        );
    }
    if !steps.is_empty() {
        let span = interrupted.map(|i| forest.nodes[i].view.span.name.clone());
        return verdict(
            FailureOwner::Platform,
            span,
            reason_or(own_reason(&view)),
            rule::NO_FAILING_STEP,
        );
    }
    verdict(
        FailureOwner::Unknown,
        None,
        reason_or(own_reason(&view)),
        rule::NO_STEPS,
    )
}

/// Summarises failed jobs into a run verdict. `rule` says where the jobs came from (`jobs`
/// or `cache`); with no jobs it becomes `no_jobs` and the run's own reason is used.
pub fn summarise(mut jobs: Vec<JobVerdict>, rule: &'static str, run_reason: String) -> RunVerdict {
    jobs.sort_by(|a, b| (a.start, &a.job).cmp(&(b.start, &b.job)));
    let known = |o: FailureOwner| matches!(o, FailureOwner::Platform | FailureOwner::Application);
    let mut owner = FailureOwner::Unknown;
    for j in &jobs {
        owner = match (owner, j.decided_owner()) {
            (o, FailureOwner::Unknown) => o,
            (FailureOwner::Unknown, o) => o,
            (a, b) if a == b => a,
            _ => FailureOwner::Mixed,
        };
    }
    let first = jobs
        .iter()
        .find(|j| known(j.decided_owner()))
        .or(jobs.first())
        .cloned();
    if jobs.is_empty() {
        return RunVerdict {
            owner: FailureOwner::Unknown,
            first: None,
            jobs: 0,
            rule: rule::NO_JOBS,
            reason: run_reason,
        };
    }
    RunVerdict {
        owner,
        reason: first
            .as_ref()
            .map(|f| f.reason.clone())
            .unwrap_or(run_reason),
        first,
        jobs: jobs.len(),
        rule,
    }
}

/// The `ciotel.step.source` of steps read from a job's log (GitLab runner phases).
pub const JOB_LOG_SOURCE: &str = "job_log";

/// The job's steps: descendants the platform reported, except the queue span and what was
/// read from its log.
fn steps(forest: &Forest<'_>, job: usize) -> Vec<usize> {
    forest
        .descendants(job)
        .into_iter()
        .filter(|&n| {
            let v = &forest.nodes[n].view;
            v.origin() == Origin::Platform
                && !v.is_queue()
                && v.span_type().as_deref() != Some(semconv::span_type::JOB_LOG)
                && v.attr(semconv::CIOTEL_STEP_SOURCE).as_deref() != Some(JOB_LOG_SOURCE)
        })
        .collect()
}

/// Time order of steps: start, then step number, then position.
fn time_key(forest: &Forest<'_>, n: usize, position: usize) -> (u64, i64, usize) {
    let s = forest.nodes[n].view.span;
    let number = span_attr(s, semconv::CIOTEL_STEP_NUMBER)
        .and_then(|v| v.parse().ok())
        .unwrap_or(i64::MAX);
    (s.start_time_unix_nano, number, position)
}

/// The first failed step, by time, among those none of whose own steps failed.
fn first_failing_leaf(forest: &Forest<'_>, steps: &[usize]) -> Option<usize> {
    let mut failed_step = vec![false; forest.nodes.len()];
    for &n in steps {
        failed_step[n] = failed(forest.nodes[n].view.span);
    }
    steps
        .iter()
        .enumerate()
        .filter(|&(_, &n)| failed_step[n])
        .filter(|&(_, &n)| !forest.descendants(n).iter().any(|&d| failed_step[d]))
        .min_by_key(|&(i, &n)| time_key(forest, n, i))
        .map(|(_, &n)| n)
}

/// The first step, by time, that did not finish: no result, or cancelled.
fn first_unfinished(forest: &Forest<'_>, steps: &[usize]) -> Option<usize> {
    steps
        .iter()
        .enumerate()
        .filter(|&(_, &n)| {
            let v = &forest.nodes[n].view;
            v.span_type().as_deref() == Some(semconv::span_type::STEP)
                && v.attr(semconv::CIOTEL_STEP_RESULT)
                    .is_none_or(|r| r == semconv::result::CANCELLATION)
        })
        .min_by_key(|&(i, &n)| time_key(forest, n, i))
        .map(|(_, &n)| n)
}
