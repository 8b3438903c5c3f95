//! Config of the `cicd_hierarchy` processor: which attribute keys say "this span was made in
//! run R, job J (, step S)", for which platform, and whether to normalise the Jenkins plugin's
//! `ci.pipeline.*` attributes.
//!
//! ```yaml
//! processors:
//!   cicd_hierarchy:
//!     trace_id_recipe: check_run   # GitHub job/step span ids, as the github receiver's
//!     default_platform: github     # for `platform: auto` when `vcs.provider.name` is absent
//!     normalize_jenkins: true
//!     identities:                  # when given, replaces the three defaults below
//!       - platform: github
//!         run_id: github.run.id
//!         run_attempt: github.run.attempt
//!         job_id: github.job.id
//! ```

use crate::ids::IdRecipe;
use serde::Deserialize;

/// The `cicd_hierarchy` processor's config. `cicd_hierarchy:` with nothing under it means
/// [`HierarchyConfig::default`]: the three documented identities, `check_run`, GitHub as the
/// default platform, Jenkins normalisation on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HierarchyConfig {
    /// GitHub's job, queue and step span recipe; must match the github receiver's
    /// `trace_id_recipe`, or re-homed spans point at job spans that do not exist.
    #[serde(default)]
    pub trace_id_recipe: IdRecipe,
    /// The platform of an `auto` identity whose span and resource carry no `vcs.provider.name`.
    #[serde(default)]
    pub default_platform: Platform,
    /// Copy the Jenkins OpenTelemetry plugin's `ci.pipeline.*` attributes to their `cicd.*`
    /// names (the originals stay).
    #[serde(default = "yes")]
    pub normalize_jenkins: bool,
    /// The identities tried, in order, on every span; the first whose `run_id` key is present
    /// (and, with `require_job`, its `job_id` key) decides where the span goes.
    #[serde(default = "default_identities")]
    pub identities: Vec<Identity>,
}

impl Default for HierarchyConfig {
    fn default() -> Self {
        HierarchyConfig {
            trace_id_recipe: IdRecipe::default(),
            default_platform: Platform::default(),
            normalize_jenkins: true,
            identities: default_identities(),
        }
    }
}

/// A CI platform whose ids ciotel derives (see [`crate::ids`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// GitHub Actions: ids from run id, attempt and the job's check-run id.
    #[default]
    Github,
    /// GitLab CI: ids from the pipeline id and the job id.
    Gitlab,
}

/// Which platform an identity's ids belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformChoice {
    /// GitHub Actions.
    Github,
    /// GitLab CI.
    Gitlab,
    /// From the span's (else the resource's) `vcs.provider.name` (`github` | `gitlab`), else
    /// `default_platform`.
    Auto,
}

/// One set of attribute keys that identifies a run and a job. Keys are looked up on the span
/// first, then on its resource.
///
/// Exists so each platform's environment (exported through `OTEL_RESOURCE_ATTRIBUTES`) and the
/// semantic conventions can each name the same facts their own way.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawIdentity")]
pub struct Identity {
    /// Whose ids these are.
    pub platform: PlatformChoice,
    /// The run (GitHub) or pipeline (GitLab) id. Required.
    pub run_id: String,
    /// The run attempt, from 1. GitHub ids need it: a GitHub span without it is left alone.
    pub run_attempt: Option<String>,
    /// The job id (GitHub: the check-run id, `${{ job.check_run_id }}`; GitLab: `CI_JOB_ID`).
    /// Without a value the span goes under the run's root span.
    pub job_id: Option<String>,
    /// The job's name; only GitHub's `legacy` recipe needs it.
    pub job_name: Option<String>,
    /// A step's name: with a value the span goes under that step's span instead of the job's.
    pub step_name: Option<String>,
    /// The step's number; only GitHub's `legacy` recipe needs it.
    pub step_number: Option<String>,
    /// Only spans that also carry `job_id` match (so a span that merely mentions a run id is
    /// not moved).
    pub require_job: bool,
}

/// An identity as written, before it is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    platform: PlatformChoice,
    run_id: String,
    #[serde(default)]
    run_attempt: Option<String>,
    #[serde(default)]
    job_id: Option<String>,
    #[serde(default)]
    job_name: Option<String>,
    #[serde(default)]
    step_name: Option<String>,
    #[serde(default)]
    step_number: Option<String>,
    #[serde(default)]
    require_job: bool,
}

/// A `cicd_hierarchy` identity that cannot work as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// A key was given as an empty string.
    #[error("`{0}` is empty: name the attribute key to read")]
    EmptyKey(&'static str),
    /// A GitHub identity without `run_attempt` would never match.
    #[error(
        "a `platform: github` identity needs `run_attempt`: GitHub trace ids depend on the \
         attempt (e.g. `run_attempt: github.run.attempt`)"
    )]
    GithubWithoutAttempt,
    /// `require_job` without a `job_id` key would never match.
    #[error("`require_job: true` needs a `job_id` key")]
    RequireJobWithoutJob,
}

impl TryFrom<RawIdentity> for Identity {
    type Error = IdentityError;

    fn try_from(raw: RawIdentity) -> Result<Self, IdentityError> {
        let keys = [
            ("run_id", Some(&raw.run_id)),
            ("run_attempt", raw.run_attempt.as_ref()),
            ("job_id", raw.job_id.as_ref()),
            ("job_name", raw.job_name.as_ref()),
            ("step_name", raw.step_name.as_ref()),
            ("step_number", raw.step_number.as_ref()),
        ];
        for (name, key) in keys {
            if key.is_some_and(|k| k.trim().is_empty()) {
                return Err(IdentityError::EmptyKey(name));
            }
        }
        if raw.platform == PlatformChoice::Github && raw.run_attempt.is_none() {
            return Err(IdentityError::GithubWithoutAttempt);
        }
        if raw.require_job && raw.job_id.is_none() {
            return Err(IdentityError::RequireJobWithoutJob);
        }
        Ok(Identity {
            platform: raw.platform,
            run_id: raw.run_id,
            run_attempt: raw.run_attempt,
            job_id: raw.job_id,
            job_name: raw.job_name,
            step_name: raw.step_name,
            step_number: raw.step_number,
            require_job: raw.require_job,
        })
    }
}

fn yes() -> bool {
    true
}

/// The default identities, tried in this order:
///
/// 1. GitHub Actions environment, exported by the job through `OTEL_RESOURCE_ATTRIBUTES`:
///    `github.run.id` (`GITHUB_RUN_ID`), `github.run.attempt` (`GITHUB_RUN_ATTEMPT`),
///    `github.job.id` (`${{ job.check_run_id }}`), optionally `github.step.name`, and for the
///    `legacy` recipe `github.job.name` and `github.step.number`.
/// 2. GitLab CI environment: `gitlab.pipeline.id` (`CI_PIPELINE_ID`), `gitlab.job.id`
///    (`CI_JOB_ID`).
/// 3. The semantic conventions: `cicd.pipeline.run.id` + `cicd.pipeline.task.run.id` (both
///    required), `ciotel.run.attempt` (GitHub), `cicd.pipeline.task.name`, `ciotel.step.name`,
///    `ciotel.step.number`; the platform from `vcs.provider.name`.
pub fn default_identities() -> Vec<Identity> {
    let key = |k: &str| Some(k.to_owned());
    vec![
        Identity {
            platform: PlatformChoice::Github,
            run_id: "github.run.id".into(),
            run_attempt: key("github.run.attempt"),
            job_id: key("github.job.id"),
            job_name: key("github.job.name"),
            step_name: key("github.step.name"),
            step_number: key("github.step.number"),
            require_job: false,
        },
        Identity {
            platform: PlatformChoice::Gitlab,
            run_id: "gitlab.pipeline.id".into(),
            run_attempt: None,
            job_id: key("gitlab.job.id"),
            job_name: None,
            step_name: None,
            step_number: None,
            require_job: false,
        },
        Identity {
            platform: PlatformChoice::Auto,
            run_id: crate::semconv::CICD_PIPELINE_RUN_ID.into(),
            run_attempt: key(crate::semconv::CIOTEL_RUN_ATTEMPT),
            job_id: key(crate::semconv::CICD_PIPELINE_TASK_RUN_ID),
            job_name: key(crate::semconv::CICD_PIPELINE_TASK_NAME),
            step_name: key(crate::semconv::CIOTEL_STEP_NAME),
            step_number: key(crate::semconv::CIOTEL_STEP_NUMBER),
            require_job: true,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<HierarchyConfig, String> {
        yaml_serde::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_mapping_means_the_documented_defaults() {
        assert_eq!(parse("{}"), Ok(HierarchyConfig::default()));
        let d = HierarchyConfig::default();
        assert_eq!(d.trace_id_recipe, IdRecipe::CheckRun);
        assert!(d.normalize_jenkins);
        let run_keys: Vec<&str> = d.identities.iter().map(|i| i.run_id.as_str()).collect();
        assert_eq!(
            run_keys,
            [
                "github.run.id",
                "gitlab.pipeline.id",
                "cicd.pipeline.run.id"
            ]
        );
    }

    #[test]
    fn identities_replace_the_defaults() {
        let c = parse(
            "trace_id_recipe: legacy\nidentities:\n  - platform: gitlab\n    run_id: pipeline\n    job_id: job\n",
        )
        .unwrap();
        assert_eq!(c.trace_id_recipe, IdRecipe::Legacy);
        assert_eq!(c.identities.len(), 1);
        assert_eq!(c.identities[0].job_id.as_deref(), Some("job"));
        assert!(!c.identities[0].require_job);
    }

    #[test]
    fn unusable_identities_are_refused_with_a_reason() {
        let err = parse("identities:\n  - platform: github\n    run_id: r\n").unwrap_err();
        assert!(err.contains("needs `run_attempt`"), "{err}");
        let err = parse("identities:\n  - {platform: gitlab, run_id: ''}\n").unwrap_err();
        assert!(err.contains("`run_id` is empty"), "{err}");
        let err =
            parse("identities:\n  - {platform: auto, run_id: r, require_job: true}\n").unwrap_err();
        assert!(err.contains("needs a `job_id`"), "{err}");
        let err = parse("identities:\n  - {platform: circleci, run_id: r}\n").unwrap_err();
        assert!(err.contains("unknown variant `circleci`"), "{err}");
        let err = parse("identitys: []\n").unwrap_err();
        assert!(err.contains("unknown field `identitys`"), "{err}");
        let err = parse("trace_id_recipe: gitlab\n").unwrap_err();
        assert!(err.contains("gitlab"), "{err}");
    }
}
