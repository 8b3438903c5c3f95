//! GitHub change events → `ChangeEvent`s (the change model of `ciotel_cicd::change`).
//!
//! Files: `pull_request.rs` (`pull_request`, `pull_request_review`), `checks.rs` (runs and
//! check suites for a pull request, `merge_group`), `deployment.rs` (`deployment_status`,
//! `deployment_review`, `deployment_protection_rule`, `workflow_job`'s `deployment`).
//!
//! A change is keyed by the repository's numeric id (`repository.id`), which a rename keeps;
//! an event without one yields no change events.

mod checks;
mod deployment;
mod pull_request;

pub(crate) use checks::{check_suite, merge_group, runs_for_changes};
pub(crate) use deployment::{deployment_review, deployment_status, protection_rule, waiting_job};
pub(crate) use pull_request::{pull_request, review};

use ciotel_cicd::change::{ChangeNumber, ChangeRef};
use ciotel_cicd::semconv;

use super::repo;
use crate::payload::{PullRequest, Repository};

/// The change `number` of `repository`; `None` without a repository id.
fn change_ref(repository: Option<&Repository>, number: u64) -> Option<ChangeRef> {
    let repository = repository?;
    Some(ChangeRef {
        provider: semconv::provider::GITHUB.to_owned(),
        repository_id: repository.id?.to_string(),
        number: ChangeNumber::Number(number),
        repository: repo::from_repository(repository),
    })
}

/// The pull requests in `prs` that target `repository` itself (GitHub also lists other
/// repositories' pull requests whose head matches). A pull request whose base names no
/// repository is taken as the repository's own, as GitHub leaves it out in some deliveries.
fn own_changes(prs: &[PullRequest], repository: Option<&Repository>) -> Vec<ChangeRef> {
    let Some(repo_id) = repository.and_then(|r| r.id) else {
        return Vec::new();
    };
    prs.iter()
        .filter(|pr| {
            match pr
                .base
                .as_ref()
                .and_then(|b| b.repo.as_ref())
                .and_then(|r| r.id)
            {
                Some(id) => id == repo_id,
                None => true,
            }
        })
        .filter_map(|pr| change_ref(repository, pr.number?))
        .collect()
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}
