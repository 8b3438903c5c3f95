//! Serde shapes of GitLab's payloads: the Pipeline Hook and Job Hook webhook bodies and the REST
//! API's pipeline, job and bridge objects; and the change events (`change.rs`: Merge Request
//! Hook, Deployment Hook, a job's `environment`).
//!
//! Tolerant by design: every field GitLab has been seen to send as `null` or to omit is an
//! `Option` (or an empty list), unknown fields are ignored, ids are read from numbers or numeric
//! strings and durations from integers or floats. Timestamps stay strings here, since GitLab
//! writes them in two styles (`2023-01-10 13:50:02 UTC` and ISO 8601 with milliseconds); the
//! mapping parses them and names the field when one is malformed.

mod change;
mod common;
mod job;
mod pipeline;
mod rest;

pub use change::{
    Change, DeploymentHook, JobEnvironment, MergeRequestAttributes, MergeRequestChanges,
    MergeRequestCommit, MergeRequestHook,
};
pub use common::{
    IdOrText, MergeRequest, Project, Repository, RunnerInfo, SourcePipeline, SourceProject, User,
};
pub use job::{JobCommit, JobHook};
pub use pipeline::{PipelineAttributes, PipelineBuild, PipelineCommit, PipelineHook};
pub use rest::{DownstreamPipeline, RestJob, RestPipeline, RestPipelineRef};

use serde::{Deserialize, Deserializer, de};

/// Reads `null` as the type's default (an empty list), as GitLab sends both.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An id written as a number or as a numeric string.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawId {
    Number(u64),
    Text(String),
}

impl RawId {
    fn into_id<E: de::Error>(self) -> Result<u64, E> {
        match self {
            RawId::Number(n) => Ok(n),
            RawId::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| E::custom(format!("expected a numeric id, got {t:?}"))),
        }
    }
}

/// A required id: a number, or a string of digits.
pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    RawId::deserialize(d)?.into_id()
}

/// An optional id: a number, a string of digits, or `null`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Option::<RawId>::deserialize(d)?
        .map(RawId::into_id)
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "id")]
        a: u64,
        #[serde(default, deserialize_with = "opt_id")]
        b: Option<u64>,
    }

    #[test]
    fn ids_from_numbers_or_numeric_strings() {
        let t: T = serde_json::from_str(r#"{"a": 3580121225, "b": "42"}"#).unwrap();
        assert_eq!((t.a, t.b), (3_580_121_225, Some(42)));
        let t: T = serde_json::from_str(r#"{"a": "7", "b": null}"#).unwrap();
        assert_eq!((t.a, t.b), (7, None));
        let t: T = serde_json::from_str(r#"{"a": 1}"#).unwrap();
        assert_eq!(t.b, None);
        let e = serde_json::from_str::<T>(r#"{"a": "x1"}"#).err().unwrap();
        assert!(e.to_string().contains("expected a numeric id"), "{e}");
    }
}
