//! Why a GitLab payload could not be mapped.

use ciotel_cicd::TimestampError;

/// What went wrong mapping a GitLab payload; the webhook answers 400 with this message.
///
/// Exists so the receiver can tell malformed input (the sender's problem) from everything
/// else, and say which field was wrong.
#[derive(Debug, thiserror::Error)]
pub enum GitlabError {
    /// The body is not JSON of the expected shape (or a required id is missing).
    #[error("malformed GitLab {what}: {source}")]
    Json {
        /// What was being read: `Pipeline Hook`, `Job Hook`, REST pipeline, jobs page, ….
        what: &'static str,
        /// serde_json's description, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A timestamp field is in neither of GitLab's styles.
    #[error("GitLab payload field `{field}`: {source}")]
    Timestamp {
        /// Path of the field, e.g. `builds[2].started_at`.
        field: String,
        /// The parse error, with the text that was given.
        #[source]
        source: TimestampError,
    },
    /// A Job Hook names no pipeline: neither `pipeline_id` nor a numeric `commit.id`.
    #[error(
        "GitLab Job Hook for job {job_id} has no `pipeline_id` (nor a numeric `commit.id`): \
         its trace cannot be known"
    )]
    NoPipelineId {
        /// The job's `build_id`.
        job_id: u64,
    },
}
