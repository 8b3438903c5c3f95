//! Deterministic trace and span ids, derived from the platform's own identifiers.
//!
//! The same run seen twice (webhook redelivery, webhook and API poller, two gateways) yields
//! the same ids, so backends de-duplicate; and a tool inside a job can compute its pipeline's
//! trace context with no call to the daemon. The recipes reproduce the OpenTelemetry
//! Collector's githubreceiver (`trace_event_handling.go`), so traces from both join.
//!
//! | id | input to SHA-256 | bytes |
//! |---|---|---|
//! | trace | `{run_id}{run_attempt}t` | 0..16 |
//! | root (run) span | `{run_id}{run_attempt}s` | 8..16 |
//! | stage span (ciotel's own) | `{run_id}{run_attempt}-{stage name}-g` | 8..16 |
//! | job span, `check_run` | `{job_id}-j` | 8..16 |
//! | queue span, `check_run` | `{job_id}-q` | 8..16 |
//! | step span, `check_run` | `{job_id}-{step name}-s` | 8..16 |
//! | job span, `legacy` | `{run_id}{run_attempt}{job name}` | 8..16 |
//! | queue span, `legacy` | `{run_id}{run_attempt}{job name}queue-{job name}1` | 8..16 |
//! | step span, `legacy` | `{run_id}{run_attempt}{job name}{step name}{step number}` | 8..16 |
//!
//! The `gitlab` recipe (GitLab CI, where a pipeline has no attempts: a retried job is a new job
//! in the same pipeline) derives the run-level ids from the pipeline id alone, so a job can
//! compute its trace from `CI_PIPELINE_ID` while the pipeline runs. The `gitlab-` prefix keeps a
//! GitLab pipeline's trace apart from a GitHub run with the same number:
//!
//! | id (`gitlab`) | input to SHA-256 | bytes |
//! |---|---|---|
//! | trace | `gitlab-{pipeline_id}-t` | 0..16 |
//! | root (pipeline) span | `gitlab-{pipeline_id}-s` | 8..16 |
//! | stage span | `gitlab-{pipeline_id}-{stage name}-g` | 8..16 |
//! | job, queue, step spans | as `check_run`, with the GitLab job id (`CI_JOB_ID`) | 8..16 |
//!
//! The `verdict` span (ciotel's own: who made a failed run fail, a child of the run's root span,
//! written by the `cicd_ownership` processor) is derived from the root span id and the ids of
//! the failed job spans it summarises, so a verdict over other jobs is another span, never a
//! changed one:
//!
//! | id | input to SHA-256 | bytes |
//! |---|---|---|
//! | verdict span | `{root span id hex}-{job span ids hex, sorted, comma-separated}-v` | 8..16 |
//!
//! When several steps of one job share a name, the n-th repeat (n ≥ 1) uses
//! `{step name}-{n}` as its name in the `check_run` recipe, as the Collector's span names do;
//! the first keeps the plain name, so unique names (the only case the Collector's ids are
//! collision-free) give identical ids.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A 16-byte trace id.
///
/// Exists so trace and span ids cannot be swapped by mistake, and print as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TraceId(pub [u8; 16]);

/// An 8-byte span id.
///
/// Exists so trace and span ids cannot be swapped by mistake, and print as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SpanId(pub [u8; 8]);

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// How trace and span ids are derived from a platform's ids. `check_run` and `legacy` (GitHub)
/// share the trace, root and stage recipes and differ for jobs, queues and steps; `gitlab`
/// derives trace, root and stage ids from the pipeline id alone.
///
/// Exists as a public, serde-named enum so the receiver config (`trace_id_recipe`) and the
/// `ciotel traceparent` command name the same recipes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdRecipe {
    /// From the job's id (GitHub: `${{ job.check_run_id }}`); the Collector's current default.
    #[default]
    CheckRun,
    /// From run id, attempt and job name; the Collector's older recipe. Two jobs with the same
    /// name in one run collide.
    Legacy,
    /// GitLab CI: trace, root and stage ids from the pipeline id alone (a pipeline has no
    /// attempts); job, queue and step ids from the job id, as `check_run`. Not accepted in a
    /// GitHub receiver's config (its trace ids would not match what GitHub jobs compute).
    #[serde(skip_deserializing)]
    Gitlab,
}

/// What identifies a job for span ids.
///
/// Exists because the two recipes need different parts of it.
#[derive(Clone, Copy, Debug)]
pub struct JobKey<'a> {
    /// The run id.
    pub run_id: &'a str,
    /// The run attempt.
    pub run_attempt: u32,
    /// The platform's job id.
    pub job_id: &'a str,
    /// The job's name.
    pub job_name: &'a str,
}

/// What identifies a step within its job for span ids.
///
/// Exists because repeated step names need the occurrence to stay distinct.
#[derive(Clone, Copy, Debug)]
pub struct StepKey<'a> {
    /// The step's name as reported.
    pub name: &'a str,
    /// 0 for the first step with this name in the job, 1 for the next, … (see [`occurrences`]).
    pub occurrence: u32,
    /// The step's number; the legacy recipe uses it (absent counts as 0, as in the Collector).
    pub number: Option<u32>,
}

/// The trace id of one run attempt: first 16 bytes of SHA-256(`{run_id}{run_attempt}t`).
pub fn trace_id(run_id: &str, run_attempt: u32) -> TraceId {
    let h = sha256(&format!("{run_id}{run_attempt}t"));
    let mut id = [0u8; 16];
    id.copy_from_slice(&h[..16]);
    TraceId(id)
}

/// The root (run) span id: bytes 8..16 of SHA-256(`{run_id}{run_attempt}s`).
pub fn root_span_id(run_id: &str, run_attempt: u32) -> SpanId {
    span_id(&format!("{run_id}{run_attempt}s"))
}

/// A stage span id (ciotel's own, no Collector precedent): bytes 8..16 of
/// SHA-256(`{run_id}{run_attempt}-{stage name}-g`).
pub fn stage_span_id(run_id: &str, run_attempt: u32, stage_name: &str) -> SpanId {
    span_id(&format!("{run_id}{run_attempt}-{stage_name}-g"))
}

impl IdRecipe {
    /// Whether the run attempt is part of the ids (and so worth reporting): false for `gitlab`.
    pub fn uses_attempts(self) -> bool {
        !matches!(self, IdRecipe::Gitlab)
    }

    /// The trace id of one run attempt (`gitlab`: of one pipeline; `attempt` is ignored).
    pub fn trace_id(self, run_id: &str, run_attempt: u32) -> TraceId {
        match self {
            IdRecipe::Gitlab => {
                let h = sha256(&format!("gitlab-{run_id}-t"));
                let mut id = [0u8; 16];
                id.copy_from_slice(&h[..16]);
                TraceId(id)
            }
            IdRecipe::CheckRun | IdRecipe::Legacy => trace_id(run_id, run_attempt),
        }
    }

    /// The root (run, pipeline) span id.
    pub fn root_span_id(self, run_id: &str, run_attempt: u32) -> SpanId {
        match self {
            IdRecipe::Gitlab => span_id(&format!("gitlab-{run_id}-s")),
            IdRecipe::CheckRun | IdRecipe::Legacy => root_span_id(run_id, run_attempt),
        }
    }

    /// A stage span id.
    pub fn stage_span_id(self, run_id: &str, run_attempt: u32, stage_name: &str) -> SpanId {
        match self {
            IdRecipe::Gitlab => span_id(&format!("gitlab-{run_id}-{stage_name}-g")),
            IdRecipe::CheckRun | IdRecipe::Legacy => stage_span_id(run_id, run_attempt, stage_name),
        }
    }

    /// The job span id.
    pub fn job_span_id(self, job: &JobKey<'_>) -> SpanId {
        match self {
            IdRecipe::CheckRun | IdRecipe::Gitlab => span_id(&format!("{}-j", job.job_id)),
            IdRecipe::Legacy => span_id(&format!(
                "{}{}{}",
                job.run_id, job.run_attempt, job.job_name
            )),
        }
    }

    /// The queue span id (the job's wait for a runner).
    pub fn queue_span_id(self, job: &JobKey<'_>) -> SpanId {
        match self {
            IdRecipe::CheckRun | IdRecipe::Gitlab => span_id(&format!("{}-q", job.job_id)),
            IdRecipe::Legacy => {
                let queue_name = format!("queue-{}", job.job_name);
                legacy_step(job, &queue_name, 1)
            }
        }
    }

    /// A step span id.
    pub fn step_span_id(self, job: &JobKey<'_>, step: &StepKey<'_>) -> SpanId {
        match self {
            IdRecipe::CheckRun | IdRecipe::Gitlab if step.occurrence == 0 => {
                span_id(&format!("{}-{}-s", job.job_id, step.name))
            }
            IdRecipe::CheckRun | IdRecipe::Gitlab => span_id(&format!(
                "{}-{}-{}-s",
                job.job_id, step.name, step.occurrence
            )),
            IdRecipe::Legacy => legacy_step(job, step.name, step.number.unwrap_or(0)),
        }
    }
}

/// The `verdict` span id of a run whose root span is `root`, summarising the failed job spans
/// `failed_jobs` (in any order; duplicates count once).
///
/// Exists so the same verdict gets the same id on every instance, and a verdict over a
/// different set of jobs can never overwrite it.
pub fn verdict_span_id(root: &[u8], failed_jobs: &[&[u8]]) -> SpanId {
    let mut jobs: Vec<String> = failed_jobs.iter().map(hex::encode).collect();
    jobs.sort();
    jobs.dedup();
    span_id(&format!("{}-{}-v", hex::encode(root), jobs.join(",")))
}

/// The `verdict` span id of a verdict that also asked for failed jobs' logs: `logs` marks
/// what came of each (`{job span id hex}={status}`, any order); with none it is
/// [`verdict_span_id`]. Input: `{root}-{jobs}-{marks, sorted, comma-separated}-lv`.
///
/// Exists because a log read on one instance and unreadable on another gives two verdicts;
/// each must have its own id, never one id with two contents.
pub fn verdict_span_id_with_logs(root: &[u8], failed_jobs: &[&[u8]], logs: &[String]) -> SpanId {
    if logs.is_empty() {
        return verdict_span_id(root, failed_jobs);
    }
    let mut jobs: Vec<String> = failed_jobs.iter().map(hex::encode).collect();
    jobs.sort();
    jobs.dedup();
    let mut marks = logs.to_vec();
    marks.sort();
    marks.dedup();
    span_id(&format!(
        "{}-{}-{}-lv",
        hex::encode(root),
        jobs.join(","),
        marks.join(",")
    ))
}

/// For each name in order, how many earlier names were equal to it (0 for the first).
///
/// Exists so a translator and a `traceparent` tool number repeated step names alike.
pub fn occurrences<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    names
        .into_iter()
        .map(|n| {
            let c = seen.entry(n).or_insert(0);
            let occurrence = *c;
            *c += 1;
            occurrence
        })
        .collect()
}

/// A W3C `traceparent` header value (sampled) for a span, for tools inside a job.
pub fn traceparent(trace: TraceId, span: SpanId) -> String {
    format!("00-{trace}-{span}-01")
}

fn legacy_step(job: &JobKey<'_>, step_name: &str, number: u32) -> SpanId {
    span_id(&format!(
        "{}{}{}{}{}",
        job.run_id, job.run_attempt, job.job_name, step_name, number
    ))
}

fn span_id(input: &str) -> SpanId {
    let h = sha256(input);
    let mut id = [0u8; 8];
    id.copy_from_slice(&h[8..16]);
    SpanId(id)
}

fn sha256(input: &str) -> [u8; 32] {
    Sha256::digest(input.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: JobKey<'static> = JobKey {
        run_id: "14460881260",
        run_attempt: 13,
        job_id: "40685651258",
        job_name: "test (1.23)",
    };

    #[test]
    fn vectors_from_the_issue() {
        assert_eq!(
            trace_id("14460881260", 13).to_string(),
            "731ec8a47fd7450f753a812a4a8aa5a0"
        );
        assert_eq!(
            root_span_id("14460881260", 13).to_string(),
            "aba151af7cfbcf0f"
        );
        assert_eq!(
            IdRecipe::Legacy.job_span_id(&JOB).to_string(),
            "e68a36b3514c8634"
        );
        let skipped = JobKey {
            run_id: "14796710445",
            run_attempt: 13,
            job_id: "41546348818",
            job_name: "build",
        };
        assert_eq!(
            IdRecipe::CheckRun.job_span_id(&skipped).to_string(),
            "fb6779d8c7b7c66c"
        );
        assert_eq!(
            IdRecipe::CheckRun.queue_span_id(&skipped).to_string(),
            "5ce15e491b4b01da"
        );
        assert_eq!(
            trace_id("14460881260", 12).to_string(),
            "3ab150c94bf95169f4958bc860bddc3b"
        );
    }

    #[test]
    fn legacy_queue_and_steps_match_the_collector_golden() {
        assert_eq!(
            IdRecipe::Legacy.queue_span_id(&JOB).to_string(),
            "d328504edfc4f5dc"
        );
        let step = StepKey {
            name: "Set up job",
            occurrence: 0,
            number: Some(1),
        };
        assert_eq!(
            IdRecipe::Legacy.step_span_id(&JOB, &step).to_string(),
            "103b52e85d34ae1c"
        );
        let step = StepKey {
            name: "Complete job",
            occurrence: 0,
            number: Some(11),
        };
        assert_eq!(
            IdRecipe::Legacy.step_span_id(&JOB, &step).to_string(),
            "bb94c07ba3717632"
        );
    }

    #[test]
    fn repeated_step_names_get_distinct_ids() {
        assert_eq!(occurrences(["a", "b", "a", "a"]), vec![0, 0, 1, 2]);
        let first = StepKey {
            name: "Run",
            occurrence: 0,
            number: Some(1),
        };
        let again = StepKey {
            name: "Run",
            occurrence: 1,
            number: Some(2),
        };
        let r = IdRecipe::CheckRun;
        assert_ne!(r.step_span_id(&JOB, &first), r.step_span_id(&JOB, &again));
        assert_eq!(r.step_span_id(&JOB, &first), span_id("40685651258-Run-s"));
        assert_eq!(r.step_span_id(&JOB, &again), span_id("40685651258-Run-1-s"));
    }

    #[test]
    fn recipe_names_in_config() {
        let r: Result<IdRecipe, _> = serde_json::from_str("\"legacy\"");
        assert_eq!(r.ok(), Some(IdRecipe::Legacy));
        assert_eq!(
            serde_json::to_string(&IdRecipe::CheckRun).ok().as_deref(),
            Some("\"check_run\"")
        );
        assert_eq!(IdRecipe::default(), IdRecipe::CheckRun);
    }

    #[test]
    fn the_gitlab_recipe_uses_the_pipeline_id_alone() {
        let r = IdRecipe::Gitlab;
        assert!(!r.uses_attempts() && IdRecipe::CheckRun.uses_attempts());
        assert_eq!(r.trace_id("743121198", 1), r.trace_id("743121198", 7));
        assert_eq!(
            r.trace_id("743121198", 1).to_string(),
            hex::encode(&sha256("gitlab-743121198-t")[..16])
        );
        assert_ne!(r.trace_id("743121198", 1), trace_id("743121198", 1));
        assert_eq!(r.root_span_id("31", 1), span_id("gitlab-31-s"));
        assert_eq!(
            r.stage_span_id("31", 1, "test"),
            span_id("gitlab-31-test-g")
        );
        let job = JobKey {
            run_id: "743121198",
            run_attempt: 1,
            job_id: "3580121225",
            job_name: "auto_deploy:start",
        };
        assert_eq!(r.job_span_id(&job), IdRecipe::CheckRun.job_span_id(&job));
        assert_eq!(r.job_span_id(&job), span_id("3580121225-j"));
        assert_eq!(r.queue_span_id(&job), span_id("3580121225-q"));
        // GitHub's recipes are unchanged by the new methods.
        for g in [IdRecipe::CheckRun, IdRecipe::Legacy] {
            assert_eq!(g.trace_id("14460881260", 13), trace_id("14460881260", 13));
            assert_eq!(g.root_span_id("1", 2), root_span_id("1", 2));
            assert_eq!(g.stage_span_id("1", 2, "s"), stage_span_id("1", 2, "s"));
        }
        let named: Result<IdRecipe, _> = serde_json::from_str("\"gitlab\"");
        assert!(named.is_err(), "not a recipe a GitHub config may name");
    }

    #[test]
    fn traceparent_is_w3c() {
        let tp = traceparent(trace_id("14460881260", 13), root_span_id("14460881260", 13));
        assert_eq!(
            tp,
            "00-731ec8a47fd7450f753a812a4a8aa5a0-aba151af7cfbcf0f-01"
        );
    }
}
