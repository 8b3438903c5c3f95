//! Optional RFC 3339 fields → `Timestamp`, naming the field when one is malformed.

use ciotel_cicd::Timestamp;

use crate::GithubError;

/// `None` and `""` are absent; anything else must parse. `object` and `name` make up the
/// field's path in the error (`workflow_job.steps[2]`, `started_at`).
pub(super) fn parse(
    value: Option<&str>,
    object: &str,
    name: &str,
) -> Result<Option<Timestamp>, GithubError> {
    match value {
        None | Some("") => Ok(None),
        Some(text) => {
            Timestamp::parse_rfc3339(text)
                .map(Some)
                .map_err(|source| GithubError::Timestamp {
                    field: format!("{object}.{name}"),
                    source,
                })
        }
    }
}
