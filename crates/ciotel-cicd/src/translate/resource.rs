//! The resource of a run's spans: which repository and pipeline they belong to.
//!
//! `service.name` is the repository's full name (`owner/repo`): backends group by service, a
//! person thinks "my repository's pipeline", and the full name does not clash across orgs.

use opentelemetry_proto::tonic::resource::v1::Resource;

use super::otlp::Attrs;
use crate::event::{RunRef, Vcs};
use crate::ids::IdRecipe;
use crate::semconv;

/// `service.name` when the platform gave no repository.
pub(super) const UNKNOWN_SERVICE: &str = "unknown_service:ciotel";

pub(super) fn for_run(run: &RunRef) -> Resource {
    for_repository(&run.vcs, run.pipeline_name.as_deref())
}

/// The resource of a repository's spans (a change trace's have no pipeline).
pub(super) fn for_repository(vcs: &Vcs, pipeline_name: Option<&str>) -> Resource {
    let service = vcs
        .repository_full_name
        .as_deref()
        .unwrap_or(UNKNOWN_SERVICE);
    Resource {
        attributes: Attrs::default()
            .str(semconv::SERVICE_NAME, Some(service))
            .str(semconv::VCS_PROVIDER_NAME, vcs.provider.as_deref())
            .str(
                semconv::VCS_REPOSITORY_URL_FULL,
                vcs.repository_url.as_deref(),
            )
            .str(semconv::VCS_REPOSITORY_NAME, vcs.repository_name.as_deref())
            .str(semconv::VCS_OWNER_NAME, vcs.owner.as_deref())
            .str(semconv::CICD_PIPELINE_NAME, pipeline_name)
            .build(),
        ..Default::default()
    }
}

/// The span attributes every run and job span carries: which run attempt, which ref. The
/// attempt is left out where the recipe has none (GitLab pipelines).
pub(super) fn run_span_attrs(attrs: Attrs, run: &RunRef, recipe: IdRecipe) -> Attrs {
    let attempt = recipe.uses_attempts().then_some(i64::from(run.attempt));
    attrs
        .str(semconv::CICD_PIPELINE_RUN_ID, Some(&run.run_id))
        .int(semconv::CIOTEL_RUN_ATTEMPT, attempt)
        .str(semconv::VCS_REF_HEAD_NAME, run.vcs.head_ref.as_deref())
        .str(
            semconv::VCS_REF_HEAD_REVISION,
            run.vcs.head_revision.as_deref(),
        )
}
