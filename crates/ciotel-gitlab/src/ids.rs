//! GitLab's trace and span id recipes, for code and for jobs that compute their own trace
//! context.
//!
//! The trace derives from the pipeline id alone, so a running job knows its trace before the
//! pipeline finishes (the Collector's gitlabreceiver derives it from `finished_at`, which a job
//! cannot know). Each id is a slice of SHA-256 of a text:
//!
//! | id | SHA-256 of | hex chars |
//! |---|---|---|
//! | trace | `gitlab-{CI_PIPELINE_ID}-t` | 1–32 |
//! | pipeline span | `gitlab-{CI_PIPELINE_ID}-s` | 17–32 |
//! | stage span | `gitlab-{CI_PIPELINE_ID}-{stage}-g` | 17–32 |
//! | job span | `{CI_JOB_ID}-j` | 17–32 |
//! | queue span | `{CI_JOB_ID}-q` | 17–32 |
//!
//! Inside a job (bash):
//!
//! ```sh
//! trace=$(printf '%s' "gitlab-${CI_PIPELINE_ID}-t" | sha256sum | cut -c1-32)
//! job=$(printf '%s' "${CI_JOB_ID}-j" | sha256sum | cut -c17-32)
//! export TRACEPARENT="00-${trace}-${job}-01"
//! ```

use ciotel_cicd::IdRecipe;
use ciotel_cicd::ids::{JobKey, SpanId, TraceId};

/// The recipe every GitLab event is translated with.
pub const ID_RECIPE: IdRecipe = IdRecipe::Gitlab;

/// The trace id of pipeline `pipeline_id` (`CI_PIPELINE_ID`).
pub fn trace_id(pipeline_id: u64) -> TraceId {
    ID_RECIPE.trace_id(&pipeline_id.to_string(), 1)
}

/// The pipeline (root) span id.
pub fn pipeline_span_id(pipeline_id: u64) -> SpanId {
    ID_RECIPE.root_span_id(&pipeline_id.to_string(), 1)
}

/// The span id of stage `stage` of the pipeline.
pub fn stage_span_id(pipeline_id: u64, stage: &str) -> SpanId {
    ID_RECIPE.stage_span_id(&pipeline_id.to_string(), 1, stage)
}

/// The job span id of job `job_id` (`CI_JOB_ID`).
pub fn job_span_id(job_id: u64) -> SpanId {
    ID_RECIPE.job_span_id(&job_key(&job_id.to_string()))
}

/// The queue span id of job `job_id`.
pub fn queue_span_id(job_id: u64) -> SpanId {
    ID_RECIPE.queue_span_id(&job_key(&job_id.to_string()))
}

/// The W3C `traceparent` a tool inside job `job_id` of pipeline `pipeline_id` uses to put its
/// spans under the job's span.
pub fn traceparent(pipeline_id: u64, job_id: u64) -> String {
    ciotel_cicd::ids::traceparent(trace_id(pipeline_id), job_span_id(job_id))
}

fn job_key(job_id: &str) -> JobKey<'_> {
    JobKey {
        run_id: "",
        run_attempt: 1,
        job_id,
        job_name: "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test vectors, computed with `printf '%s' … | sha256sum` as the README shows.
    #[test]
    fn vectors() {
        assert_eq!(
            trace_id(743121198).to_string(),
            "1753c00632db6eadd4e4695f66cb6fe6"
        );
        assert_eq!(job_span_id(3580121225).to_string(), "23150fa78bc3357f");
        assert_eq!(
            traceparent(743121198, 3580121225),
            "00-1753c00632db6eadd4e4695f66cb6fe6-23150fa78bc3357f-01"
        );
    }
}
