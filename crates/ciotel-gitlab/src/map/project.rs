//! Where a pipeline lives → `Vcs` (and so `service.name`), and the browser URLs of pipelines and
//! jobs.
//!
//! The project path (`group/subgroup/project`) comes from `project.path_with_namespace`; a Job
//! Hook without `project` gives it through `repository.homepage` (the project's URL), whose path
//! is the same. Display names (`project_name: "John Smith / release-tools-fake"`) are never used:
//! they are not paths and may change.

use ciotel_cicd::{Vcs, semconv};

use crate::payload::{MergeRequest, Project, Repository};

/// A project's path and browser URL, whichever payload they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Place {
    /// `group/subgroup/project`.
    pub full_path: Option<String>,
    /// `https://host/group/subgroup/project`, without a trailing `/`.
    pub web_url: Option<String>,
}

impl Place {
    /// From a `project` object (Pipeline Hook, REST, newer Job Hooks).
    pub(crate) fn from_project(project: Option<&Project>) -> Place {
        Place::from_parts(project, None)
    }

    /// From a Job Hook's `project`, else its `repository`.
    pub(crate) fn from_parts(project: Option<&Project>, repository: Option<&Repository>) -> Place {
        let web_url = project
            .and_then(|p| non_empty(p.web_url.as_deref()))
            .or_else(|| repository.and_then(|r| non_empty(r.homepage.as_deref())))
            .map(str::to_owned)
            .or_else(|| {
                let git = project
                    .and_then(|p| p.git_http_url.as_deref())
                    .or(repository.and_then(|r| r.git_http_url.as_deref()))?;
                non_empty(git.strip_suffix(".git")).map(str::to_owned)
            })
            .map(|u| u.trim_end_matches('/').to_owned());
        let full_path = project
            .and_then(|p| non_empty(p.path_with_namespace.as_deref()))
            .map(str::to_owned)
            .or_else(|| web_url.as_deref().and_then(path_of_url));
        Place { full_path, web_url }
    }

    /// `{web_url}/-/pipelines/{id}`, GitLab's pipeline page.
    pub(crate) fn pipeline_url(&self, pipeline_id: u64) -> Option<String> {
        Some(format!(
            "{}/-/pipelines/{pipeline_id}",
            self.web_url.as_deref()?
        ))
    }

    /// `{web_url}/-/jobs/{id}`, GitLab's job page.
    pub(crate) fn job_url(&self, job_id: u64) -> Option<String> {
        Some(format!("{}/-/jobs/{job_id}", self.web_url.as_deref()?))
    }

    /// The VCS facts of a pipeline building `ref_name` at `sha`.
    pub(crate) fn vcs(&self, ref_name: Option<&str>, sha: Option<&str>) -> Vcs {
        let split = self.full_path.as_deref().and_then(|p| p.rsplit_once('/'));
        Vcs {
            provider: Some(semconv::provider::GITLAB.to_owned()),
            repository_url: self.web_url.clone(),
            repository_name: split.map(|(_, name)| name.to_owned()),
            repository_full_name: self.full_path.clone(),
            owner: split.map(|(owner, _)| owner.to_owned()),
            head_ref: non_empty(ref_name).map(str::to_owned),
            head_revision: non_empty(sha).map(str::to_owned),
            change_id: ref_name
                .and_then(merge_request_of_ref)
                .map(|n| n.to_string()),
            ..Vcs::default()
        }
    }
}

/// Adds a merge request's number and target branch (Pipeline Hooks carry `merge_request`).
pub(crate) fn with_merge_request(mut vcs: Vcs, mr: Option<&MergeRequest>) -> Vcs {
    if let Some(mr) = mr {
        if let Some(iid) = mr.iid {
            vcs.change_id = Some(iid.to_string());
        }
        if let Some(target) = non_empty(mr.target_branch.as_deref()) {
            vcs.base_ref = Some(target.to_owned());
        }
    }
    vcs
}

/// `refs/merge-requests/12/head` (and `/merge`, `/train`), the ref of a merge-request
/// pipeline in the REST API and in Job Hooks → 12.
fn merge_request_of_ref(ref_name: &str) -> Option<u64> {
    let rest = ref_name.strip_prefix("refs/merge-requests/")?;
    let (number, kind) = rest.split_once('/')?;
    matches!(kind, "head" | "merge" | "train")
        .then(|| number.parse().ok())
        .flatten()
}

/// `https://gitlab.com/group/sub/project` → `group/sub/project`.
fn path_of_url(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    path.contains('/').then(|| path.to_owned())
}

pub(crate) fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_hook_without_project_reads_the_path_from_the_homepage() {
        let repo = Repository {
            name: Some("release-tools-fake".into()),
            homepage: Some("https://gitlab.com/jsmithy2/release-tools-fake".into()),
            git_http_url: Some("https://gitlab.com/jsmithy2/release-tools-fake.git".into()),
        };
        let place = Place::from_parts(None, Some(&repo));
        assert_eq!(
            place.full_path.as_deref(),
            Some("jsmithy2/release-tools-fake")
        );
        let vcs = place.vcs(Some("main"), Some("95d4"));
        assert_eq!(vcs.owner.as_deref(), Some("jsmithy2"));
        assert_eq!(vcs.repository_name.as_deref(), Some("release-tools-fake"));
        assert_eq!(
            place.job_url(7).as_deref(),
            Some("https://gitlab.com/jsmithy2/release-tools-fake/-/jobs/7")
        );
        let only_git = Repository {
            git_http_url: repo.git_http_url.clone(),
            ..Repository::default()
        };
        assert_eq!(Place::from_parts(None, Some(&only_git)), place);
    }

    #[test]
    fn subgroups_are_part_of_the_owner() {
        let project = Project {
            path_with_namespace: Some("group/sub/project".into()),
            web_url: Some("https://gitlab.example/group/sub/project/".into()),
            ..Project::default()
        };
        let place = Place::from_project(Some(&project));
        assert_eq!(
            place.web_url.as_deref(),
            Some("https://gitlab.example/group/sub/project")
        );
        let vcs = place.vcs(None, None);
        assert_eq!(
            (vcs.owner.as_deref(), vcs.repository_name.as_deref()),
            (Some("group/sub"), Some("project"))
        );
        assert_eq!(Place::from_project(None), Place::default());
    }

    #[test]
    fn merge_request_refs_give_the_change_id() {
        let place = Place::default();
        for (r, want) in [
            ("refs/merge-requests/12/head", Some("12")),
            ("refs/merge-requests/3/merge", Some("3")),
            ("refs/merge-requests/x/head", None),
            ("refs/merge-requests/3/other", None),
            ("main", None),
        ] {
            assert_eq!(place.vcs(Some(r), None).change_id.as_deref(), want, "{r}");
        }
        let mr = MergeRequest {
            iid: Some(1),
            target_branch: Some("master".into()),
            ..MergeRequest::default()
        };
        let vcs = with_merge_request(place.vcs(Some("test"), None), Some(&mr));
        assert_eq!(
            (vcs.change_id.as_deref(), vcs.base_ref.as_deref()),
            (Some("1"), Some("master"))
        );
    }
}
