//! Reading a span's CI identity from its attributes and its resource's, and turning it into
//! the place the span belongs: the pipeline's trace id and the span (root, job or step) that
//! a tool's root span hangs under. The ids come from [`crate::ids`], so they are the ones the
//! receivers emit and `ciotel traceparent` prints.

use super::config::{Identity, Platform, PlatformChoice};
use crate::ids::{IdRecipe, JobKey, SpanId, StepKey, TraceId};
use crate::semconv::{VCS_PROVIDER_NAME, provider};
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};

/// Where a span with CI identity belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The pipeline run's trace.
    pub trace: TraceId,
    /// The span a tool's root span becomes a child of: the step's, the job's, or the run's
    /// root span.
    pub parent: SpanId,
}

/// The key prefix of the Jenkins OpenTelemetry plugin's attributes. Spans carrying one are a
/// Jenkins build's own trace: they are normalised, never moved.
pub const JENKINS_PREFIX: &str = "ci.pipeline.";

/// The attributes to look in: the span's (or log record's) own, then its resource's.
#[derive(Clone, Copy)]
pub struct Attributes<'a> {
    /// The item's own attributes; they win.
    pub item: &'a [KeyValue],
    /// The resource's attributes.
    pub resource: &'a [KeyValue],
}

impl<'a> Attributes<'a> {
    /// The value of `key` as text: a non-empty string (trimmed) or an integer.
    fn get(&self, key: &str) -> Option<String> {
        [self.item, self.resource]
            .into_iter()
            .find_map(|attrs| attrs.iter().find(|kv| kv.key == key))
            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                any_value::Value::StringValue(s) => {
                    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
                }
                any_value::Value::IntValue(i) => Some(i.to_string()),
                _ => None,
            })
    }

    /// True when the item or its resource carries a Jenkins plugin attribute.
    pub fn is_jenkins(&self) -> bool {
        [self.item, self.resource]
            .into_iter()
            .flatten()
            .any(|kv| kv.key.starts_with(JENKINS_PREFIX))
    }
}

/// Everything a lookup needs besides the attributes.
#[derive(Debug, Clone, Copy)]
pub struct Recipes {
    /// GitHub's job/step recipe (`check_run` or `legacy`).
    pub github: IdRecipe,
    /// The platform of an `auto` identity without `vcs.provider.name`.
    pub default_platform: Platform,
}

/// The place of an item with these attributes: the first identity that matches, or `None` when
/// none does (no CI identity, a Jenkins build's span, or ids that cannot be used).
pub fn locate(identities: &[Identity], attrs: Attributes<'_>, recipes: Recipes) -> Option<Target> {
    if attrs.is_jenkins() {
        return None;
    }
    identities
        .iter()
        .find_map(|identity| locate_one(identity, attrs, recipes))
}

fn locate_one(identity: &Identity, attrs: Attributes<'_>, recipes: Recipes) -> Option<Target> {
    let run_id = attrs.get(&identity.run_id)?;
    let lookup = |key: &Option<String>| key.as_deref().and_then(|k| attrs.get(k));
    let job_id = lookup(&identity.job_id);
    if identity.require_job && job_id.is_none() {
        return None;
    }
    let platform = match identity.platform {
        PlatformChoice::Github => Platform::Github,
        PlatformChoice::Gitlab => Platform::Gitlab,
        PlatformChoice::Auto => match attrs.get(VCS_PROVIDER_NAME).as_deref() {
            Some(provider::GITHUB) => Platform::Github,
            Some(provider::GITLAB) => Platform::Gitlab,
            _ => recipes.default_platform,
        },
    };
    let (recipe, attempt) = match platform {
        // A GitHub trace is per attempt: without the attempt there is no knowing which.
        Platform::Github => {
            let attempt = lookup(&identity.run_attempt)?.parse::<u32>().ok()?;
            (recipes.github, Some(attempt).filter(|a| *a >= 1)?)
        }
        Platform::Gitlab => (IdRecipe::Gitlab, 1),
    };
    let trace = recipe.trace_id(&run_id, attempt);
    let Some(job_id) = job_id else {
        return Some(Target {
            trace,
            parent: recipe.root_span_id(&run_id, attempt),
        });
    };
    let job_name = lookup(&identity.job_name);
    if recipe == IdRecipe::Legacy && job_name.is_none() {
        // The legacy job span id is made from the job's name.
        return None;
    }
    let job = JobKey {
        run_id: &run_id,
        run_attempt: attempt,
        job_id: &job_id,
        job_name: job_name.as_deref().unwrap_or(""),
    };
    let parent = match lookup(&identity.step_name) {
        Some(step) => {
            let number = lookup(&identity.step_number).and_then(|n| n.parse().ok());
            if recipe == IdRecipe::Legacy && number.is_none() {
                return None;
            }
            recipe.step_span_id(
                &job,
                &StepKey {
                    name: &step,
                    occurrence: 0,
                    number,
                },
            )
        }
        None => recipe.job_span_id(&job),
    };
    Some(Target { trace, parent })
}
