//! Why a GitHub payload could not be mapped.

use ciotel_cicd::TimestampError;

/// What went wrong mapping a GitHub payload; the webhook answers 400 with this message.
///
/// Exists so the receiver can tell malformed input (the sender's problem) from everything
/// else, and say which field was wrong.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// The body is not JSON of the expected shape (or a required field such as `id` is missing).
    #[error("malformed GitHub {what} payload: {source}")]
    Json {
        /// What was being read: `workflow_run` event, `workflow_job` event, runs page, jobs page.
        what: &'static str,
        /// serde_json's description, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A timestamp field is not RFC 3339.
    #[error("GitHub payload field `{field}`: {source}")]
    Timestamp {
        /// Path of the field, e.g. `workflow_job.steps[2].started_at`.
        field: String,
        /// The parse error, with the text that was given.
        #[source]
        source: TimestampError,
    },
}
