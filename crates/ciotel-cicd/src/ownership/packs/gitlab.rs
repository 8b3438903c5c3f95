//! GitLab CI: runner phases, user scripts, and GitLab's `failure_reason` as a table.
//!
//! Rules apply to spans of the `gitlab` receiver (`vcs.provider.name = gitlab`, origin
//! platform). A runner phase is a step span (`ciotel.span.type = step`) named after the
//! runner's build stage, as GitLab Runner names the sections of a job log; the receiver
//! emits them when it knows them (the job webhook does not carry them).
//!
//! | rule | spans | owner |
//! |---|---|---|
//! | `gitlab/queue` | `queue` spans (pending until a runner picked the job) | platform |
//! | `gitlab/runner-phases` | steps `resolve_secrets`, `prepare_executor`, `prepare_script`, `get_sources`, `clear_worktree`, `restore_cache`, `download_artifacts`, `archive_cache`, `archive_cache_on_failure`, `upload_artifacts_on_success`, `upload_artifacts_on_failure`, `cleanup_file_variables` | platform |
//! | `gitlab/scripts` | steps `step_script`, `step_*` (`run:` steps, `release`), `build_script` (older runners), `after_script` | application |
//!
//! `failure_reason` (job attribute `gitlab.job.failure_reason`) → who failed, checked before
//! any step, since GitLab knows better than the spans do:
//!
//! | failure_reason | owner | why |
//! |---|---|---|
//! | `script_failure` | application | the job's script exited non-zero |
//! | `job_execution_timeout`, `job_execution_server_timeout`, `server_timeout_running` | application | the job ran past its own `timeout` |
//! | `missing_dependency_failure` | application | artifacts of a `needs`/`dependencies` job are missing or expired |
//! | `trace_size_exceeded` | application | the job wrote more log than allowed |
//! | `pipeline_loop_detected`, `environment_creation_failure`, `invalid_bridge_trigger`, `downstream_pipeline_creation_failed`, `downstream_bridge_project_not_found`, `upstream_bridge_project_not_found`, `bridge_pipeline_is_child_pipeline`, `reached_max_descendant_pipelines_depth`, `reached_max_pipeline_hierarchy_size`, `downstream_project_trigger_resolved_to_empty` | application | the pipeline's own configuration |
//! | `runner_system_failure`, `runner_unsupported`, `runner_configuration_error`, `runner_external_dependency_failure`, `runner_interrupted` | platform | the runner failed |
//! | `stuck_or_timeout_failure`, `stuck_pending_with_matching_runners`, `stuck_pending_no_matching_runners`, `no_matching_runner`, `no_updates_running`, `no_updates_canceling`, `server_timeout_canceling` | platform | stuck in the queue or the runner went silent |
//! | `api_failure`, `scheduler_failure`, `data_integrity_failure`, `job_router_failure`, `unmet_prerequisites`, `stale_schedule`, `archived_failure` | platform | GitLab itself |
//! | `ci_quota_exceeded`, `builds_disabled`, `user_blocked`, `project_deleted`, `ip_restriction_failure`, `reached_downstream_pipeline_trigger_rate_limit`, `insufficient_bridge_permissions`, `insufficient_upstream_permissions`, `protected_environment_failure`, `secrets_provider_not_found`, `job_token_expired`, `id_token_burned_project_path`, `duo_workflow_not_allowed` | platform | quotas, permissions and instance settings |
//! | `forward_deployment_failure`, `failed_outdated_deployment_job`, `deployment_rejected` | platform | deployment policy stopped the job |
//! | `unknown_failure`, anything else | — | no answer: the steps decide, else `unknown` |
//!
//! Reasons from GitLab's `Enums::Ci::CommitStatus.failure_reasons`.

use super::{FailureReasons, Pack, PackName, exact_names, pattern};
use crate::ownership::matcher::SpanMatch;
use crate::ownership::owner::Owner;
use crate::ownership::pattern::Pattern;
use crate::ownership::rule::Rule;
use crate::ownership::span_view::Origin;
use crate::semconv;

/// The job span attribute carrying GitLab's `failure_reason` (`build_failure_reason` in job
/// webhooks, `failure_reason` in pipeline webhooks and the API).
pub const FAILURE_REASON_ATTRIBUTE: &str = "gitlab.job.failure_reason";

/// The job span attribute saying the job may fail without failing its pipeline
/// (`allow_failure: true`); such a job gets its verdict but does not count in the run's.
pub const ALLOW_FAILURE_ATTRIBUTE: &str = "gitlab.job.allow_failure";

/// Who a GitLab `failure_reason` blames; `None` when it does not say.
pub fn failure_reason_owner(reason: &str) -> Option<Owner> {
    use Owner::{Application, Platform};
    Some(match reason {
        "script_failure" => Application,
        "job_execution_timeout" | "job_execution_server_timeout" | "server_timeout_running" => {
            Application
        }
        "missing_dependency_failure" => Application,
        "trace_size_exceeded" => Application,
        "pipeline_loop_detected"
        | "environment_creation_failure"
        | "invalid_bridge_trigger"
        | "downstream_pipeline_creation_failed"
        | "downstream_bridge_project_not_found"
        | "upstream_bridge_project_not_found"
        | "bridge_pipeline_is_child_pipeline"
        | "reached_max_descendant_pipelines_depth"
        | "reached_max_pipeline_hierarchy_size"
        | "downstream_project_trigger_resolved_to_empty" => Application,
        "runner_system_failure"
        | "runner_unsupported"
        | "runner_configuration_error"
        | "runner_external_dependency_failure"
        | "runner_interrupted" => Platform,
        "stuck_or_timeout_failure"
        | "stuck_pending_with_matching_runners"
        | "stuck_pending_no_matching_runners"
        | "no_matching_runner"
        | "no_updates_running"
        | "no_updates_canceling"
        | "server_timeout_canceling" => Platform,
        "api_failure"
        | "scheduler_failure"
        | "data_integrity_failure"
        | "job_router_failure"
        | "unmet_prerequisites"
        | "stale_schedule"
        | "archived_failure" => Platform,
        "ci_quota_exceeded"
        | "builds_disabled"
        | "user_blocked"
        | "project_deleted"
        | "ip_restriction_failure"
        | "reached_downstream_pipeline_trigger_rate_limit"
        | "insufficient_bridge_permissions"
        | "insufficient_upstream_permissions"
        | "protected_environment_failure"
        | "secrets_provider_not_found"
        | "job_token_expired"
        | "id_token_burned_project_path"
        | "duo_workflow_not_allowed" => Platform,
        "forward_deployment_failure" | "failed_outdated_deployment_job" | "deployment_rejected" => {
            Platform
        }
        _ => return None,
    })
}

fn gitlab() -> SpanMatch {
    SpanMatch::default()
        .resource_attribute(
            semconv::VCS_PROVIDER_NAME,
            Pattern::exact(semconv::provider::GITLAB),
        )
        .origin(Origin::Platform)
}

fn step() -> SpanMatch {
    gitlab().attribute(
        semconv::CIOTEL_SPAN_TYPE,
        Pattern::exact(semconv::span_type::STEP),
    )
}

pub(super) fn pack() -> Pack {
    let rules = vec![
        Rule::new(
            "gitlab/queue",
            gitlab().attribute(
                semconv::CIOTEL_SPAN_TYPE,
                Pattern::exact(semconv::span_type::QUEUE),
            ),
            Owner::Platform,
        ),
        Rule::new(
            "gitlab/runner-phases",
            step().names(exact_names(&[
                "resolve_secrets",
                "prepare_executor",
                "prepare_script",
                "get_sources",
                "clear_worktree",
                "restore_cache",
                "download_artifacts",
                "archive_cache",
                "archive_cache_on_failure",
                "upload_artifacts_on_success",
                "upload_artifacts_on_failure",
                "cleanup_file_variables",
            ])),
            Owner::Platform,
        ),
        Rule::new(
            "gitlab/scripts",
            step().names(
                exact_names(&["after_script", "build_script"])
                    .into_iter()
                    .chain([pattern("glob:step_*")]),
            ),
            Owner::Application,
        ),
    ];
    Pack {
        name: PackName::Gitlab,
        rules,
        failure_reasons: Some(FailureReasons {
            attribute: FAILURE_REASON_ATTRIBUTE,
            owner_of: failure_reason_owner,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issues_examples() {
        assert_eq!(
            failure_reason_owner("script_failure"),
            Some(Owner::Application)
        );
        for r in [
            "runner_system_failure",
            "stuck_or_timeout_failure",
            "api_failure",
            "scheduler_failure",
            "runner_unsupported",
            "data_integrity_failure",
            "archived_failure",
        ] {
            assert_eq!(failure_reason_owner(r), Some(Owner::Platform), "{r}");
        }
        assert_eq!(failure_reason_owner("unknown_failure"), None);
        assert_eq!(failure_reason_owner("something_new"), None);
    }
}
