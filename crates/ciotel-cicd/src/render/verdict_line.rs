//! The verdict under a run's waterfall, in words a person acts on:
//!
//! ```text
//! FAILED — platform: job "build" failed in "Set up job" (runner_system_failure)
//! FAILED — your change: job "test" failed in "Run make test"
//! FAILED — mixed: 1 job failed on the platform, 1 job by your change
//!   platform     job "build" never got a runner
//!   your change  job "test" failed in "Run make test"
//! ```
//!
//! The reason is left out when it adds nothing (`failure` for a known owner). With two or
//! more failed jobs, one line per job follows. When the first failed job's log decided, the
//! deciding line follows (`  evidence (log:disk-full): …`); when it could not be read, a line
//! says the verdict fell back to the spans'.

use super::run::{Outcome, RunView};
use crate::ownership::names::rule;
use crate::ownership::owner::FailureOwner;
use crate::ownership::verdict::JobVerdict;
use crate::semconv;

/// How a verdict headline starts, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Failed or failing.
    Bad,
    /// Passed.
    Good,
    /// Cancelled, skipped, no result.
    Neutral,
}

/// The verdict: a headline (its first word is the outcome) and detail lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictText {
    /// `FAILED`, `PASSED`, …
    pub word: &'static str,
    /// What follows the word (empty, or ` — …`).
    pub rest: String,
    /// One line per failed job, when there are several.
    pub details: Vec<String>,
    /// For colour.
    pub tone: Tone,
}

impl VerdictText {
    /// The headline as plain text.
    pub fn headline(&self) -> String {
        format!("{}{}", self.word, self.rest)
    }
}

/// The words for a run's verdict.
pub fn verdict_text(run: &RunView) -> VerdictText {
    let (word, tone) = match &run.outcome {
        Outcome::Passed => ("PASSED", Tone::Good),
        Outcome::Failed => ("FAILED", Tone::Bad),
        Outcome::Failing => ("FAILING", Tone::Bad),
        Outcome::Cancelled => ("CANCELLED", Tone::Neutral),
        Outcome::Skipped => ("SKIPPED", Tone::Neutral),
        Outcome::NoResult => ("NO RESULT", Tone::Neutral),
        Outcome::Other(_) => ("ENDED", Tone::Neutral),
    };
    let rest = match (&run.outcome, &run.verdict) {
        (Outcome::Failed | Outcome::Failing, Some(v)) => {
            let body = match (&v.owner, &v.first) {
                (FailureOwner::Mixed, _) => mixed_summary(&run.failed_jobs),
                (_, Some(first)) => job_clause(first, run, v.owner),
                (_, None) => format!("no failed job seen ({})", v.reason),
            };
            format!(" — {}: {body}", owner_phrase(v.owner))
        }
        (Outcome::NoResult, _) if run.root.is_none() => {
            " — the run's own span is not in the input".to_owned()
        }
        (Outcome::NoResult, _) => " — the run has not reported a result".to_owned(),
        (Outcome::Other(result), _) => format!(" — {result}"),
        _ => String::new(),
    };
    let details = if run.failed_jobs.len() >= 2 && matches!(tone, Tone::Bad) {
        run.failed_jobs
            .iter()
            .map(|j| {
                format!(
                    "  {:<12} {}",
                    owner_phrase(j.owner),
                    job_clause(j, run, j.owner)
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut details = details;
    if let (Outcome::Failed | Outcome::Failing, Some(v)) = (&run.outcome, &run.verdict) {
        details.extend(log_line(v));
    }
    VerdictText {
        word,
        rest,
        details,
        tone,
    }
}

/// What the first failed job's log said, when it was asked for:
/// `  evidence (log:disk-full): fatal: No space left on device`, or that it fell back.
fn log_line(v: &crate::ownership::RunVerdict) -> Option<String> {
    use crate::ownership::log_verdict::LogStatus;
    let log = v.first.as_ref()?.log.as_ref()?;
    match (log.status, &log.signature, &log.evidence) {
        (LogStatus::Matched, Some(sig), Some(line)) => {
            Some(format!("  evidence (log:{sig}): {line}"))
        }
        (LogStatus::Unavailable, _, _) => {
            Some("  log: could not be read; the verdict is the spans'".to_owned())
        }
        _ => None,
    }
}

/// `platform`, `your change`, `mixed` or `unknown`.
pub fn owner_phrase(owner: FailureOwner) -> &'static str {
    match owner {
        FailureOwner::Platform => "platform",
        FailureOwner::Application => "your change",
        FailureOwner::Mixed => "mixed",
        FailureOwner::Unknown => "unknown",
    }
}

fn mixed_summary(jobs: &[JobVerdict]) -> String {
    let count = |o: FailureOwner| jobs.iter().filter(|j| j.owner == o).count();
    let n = |k: usize| {
        if k == 1 {
            "1 job".to_owned()
        } else {
            format!("{k} jobs")
        }
    };
    format!(
        "{} failed on the platform, {} by your change",
        n(count(FailureOwner::Platform)),
        n(count(FailureOwner::Application))
    )
}

/// `job "test" failed in "Run make test"`, with the reason when it says something.
fn job_clause(job: &JobVerdict, run: &RunView, owner: FailureOwner) -> String {
    // A run judged as its own job (Jenkins) is named without the word "job".
    let subject = if run.failed_jobs.is_empty() && run.title == job.job {
        format!("\"{}\"", job.job)
    } else {
        format!("job \"{}\"", job.job)
    };
    let span = job.span.as_deref();
    let mut text = match (job.rule.as_str(), span) {
        (rule::NO_RUNNER, _) => format!("{subject} never got a runner"),
        (rule::TIMEOUT, Some(s)) => format!("{subject} timed out in \"{s}\""),
        (rule::NO_FAILING_STEP, Some(s)) => {
            format!("{subject} stopped in \"{s}\" with no failing step")
        }
        (rule::NO_FAILING_STEP, None) => format!("{subject} failed with no failing step"),
        (_, Some(s)) => format!("{subject} failed in \"{s}\""),
        (_, None) => format!("{subject} failed"),
    };
    let known = matches!(owner, FailureOwner::Platform | FailureOwner::Application);
    let says_nothing = job.reason.is_empty()
        || (known && job.reason == semconv::result::FAILURE)
        || (job.rule == rule::TIMEOUT && job.reason == semconv::result::TIMEOUT);
    if !says_nothing {
        text.push_str(&format!(" ({})", job.reason));
    }
    text
}
