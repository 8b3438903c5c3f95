//! The REST API URLs the poller requests, under `{base_url}/api/v4`. A project or group path
//! (`group/subgroup/project`) goes in as one URL-encoded segment (`group%2Fsubgroup%2Fproject`),
//! as GitLab asks; known projects are then addressed by their numeric id.

use ciotel_cicd::Timestamp;
use ciotel_core::poll::NotUnderBase;
use reqwest::Url;

/// Results per page of every listing: GitLab's maximum.
pub(crate) const PER_PAGE: usize = 100;

/// URL builder for one GitLab instance.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    root: String,
}

impl Urls {
    /// The API of the instance at `base_url` (without `/api/v4`).
    pub(crate) fn new(base_url: &str) -> Self {
        Urls {
            root: format!("{}/api/v4", base_url.trim_end_matches('/')),
        }
    }

    /// `{base_url}/api/v4`: every URL requested must be under it.
    pub(crate) fn root(&self) -> &str {
        &self.root
    }

    /// `GET /projects/:id`, by numeric id or path.
    pub(crate) fn project(&self, id_or_path: &str) -> Result<String, NotUnderBase> {
        self.build(&["projects", id_or_path], &[])
    }

    /// `GET /groups/:id/projects`: the group's own projects and its subgroups', without
    /// archived ones or projects merely shared with the group.
    pub(super) fn group_projects(&self, group: &str) -> Result<String, NotUnderBase> {
        self.build(
            &["groups", group, "projects"],
            &[
                ("include_subgroups", "true"),
                ("archived", "false"),
                ("with_shared", "false"),
                ("order_by", "id"),
                ("sort", "asc"),
                ("per_page", &PER_PAGE.to_string()),
            ],
        )
    }

    /// `GET /projects/:id/pipelines`: every pipeline updated at or after `updated_after`,
    /// oldest update first.
    pub(super) fn pipelines(
        &self,
        project: u64,
        updated_after: Timestamp,
    ) -> Result<String, NotUnderBase> {
        self.build(
            &["projects", &project.to_string(), "pipelines"],
            &[
                ("updated_after", &updated_after.to_rfc3339()),
                ("order_by", "updated_at"),
                ("sort", "asc"),
                ("per_page", &PER_PAGE.to_string()),
            ],
        )
    }

    /// `GET /projects/:id/pipelines?status=…`: the pipelines in one status now (`running`,
    /// `pending`), for the live board.
    pub(super) fn pipelines_in(&self, project: u64, status: &str) -> Result<String, NotUnderBase> {
        self.build(
            &["projects", &project.to_string(), "pipelines"],
            &[("status", status), ("per_page", &PER_PAGE.to_string())],
        )
    }

    /// `GET /projects/:id/pipelines/:pipeline_id`.
    pub(crate) fn pipeline(&self, project: u64, pipeline: u64) -> Result<String, NotUnderBase> {
        self.build(
            &[
                "projects",
                &project.to_string(),
                "pipelines",
                &pipeline.to_string(),
            ],
            &[],
        )
    }

    /// `GET /projects/:id/pipelines/:pipeline_id/jobs`, retried attempts included.
    pub(super) fn jobs(&self, project: u64, pipeline: u64) -> Result<String, NotUnderBase> {
        self.build(
            &[
                "projects",
                &project.to_string(),
                "pipelines",
                &pipeline.to_string(),
                "jobs",
            ],
            &[
                ("include_retried", "true"),
                ("per_page", &PER_PAGE.to_string()),
            ],
        )
    }

    /// `GET /projects/:id/pipelines/:pipeline_id/bridges`: the trigger jobs.
    pub(super) fn bridges(&self, project: u64, pipeline: u64) -> Result<String, NotUnderBase> {
        self.build(
            &[
                "projects",
                &project.to_string(),
                "pipelines",
                &pipeline.to_string(),
                "bridges",
            ],
            &[("per_page", &PER_PAGE.to_string())],
        )
    }

    /// `GET /projects/:id/jobs/:job_id/trace`: the job's log, as plain text.
    pub(super) fn job_trace(&self, project: u64, job: u64) -> Result<String, NotUnderBase> {
        self.build(
            &[
                "projects",
                &project.to_string(),
                "jobs",
                &job.to_string(),
                "trace",
            ],
            &[],
        )
    }

    /// `{root}/{segments…}?{query}`, each segment percent-encoded (`/` included).
    pub(crate) fn build(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<String, NotUnderBase> {
        let refuse = || NotUnderBase {
            url: format!("{}/{}", self.root, segments.join("/")),
            base_url: self.root.clone(),
        };
        let mut url = Url::parse(&self.root).map_err(|_| refuse())?;
        url.path_segments_mut()
            .map_err(|()| refuse())?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_one_encoded_segment_and_queries_are_gitlabs() {
        let urls = Urls::new("https://gitlab.example/prefix/");
        assert_eq!(urls.root(), "https://gitlab.example/prefix/api/v4");
        assert_eq!(
            urls.project("group/sub group/project").as_deref(),
            Ok("https://gitlab.example/prefix/api/v4/projects/group%2Fsub%20group%2Fproject")
        );
        assert_eq!(
            urls.project("42").as_deref(),
            Ok("https://gitlab.example/prefix/api/v4/projects/42")
        );
        let since = Timestamp::parse_rfc3339("2022-01-01T12:55:01.5Z").expect("time");
        assert_eq!(
            urls.pipelines(123, since).as_deref(),
            Ok(
                "https://gitlab.example/prefix/api/v4/projects/123/pipelines?\
                updated_after=2022-01-01T12%3A55%3A01.5Z&order_by=updated_at&sort=asc&per_page=100"
            )
        );
        assert_eq!(
            urls.pipelines_in(123, "running").as_deref(),
            Ok(
                "https://gitlab.example/prefix/api/v4/projects/123/pipelines?status=running&per_page=100"
            )
        );
        assert_eq!(
            urls.jobs(123, 1).as_deref(),
            Ok(
                "https://gitlab.example/prefix/api/v4/projects/123/pipelines/1/jobs?\
                include_retried=true&per_page=100"
            )
        );
        assert_eq!(
            urls.bridges(123, 1).as_deref(),
            Ok(
                "https://gitlab.example/prefix/api/v4/projects/123/pipelines/1/bridges?per_page=100"
            )
        );
        assert!(
            urls.group_projects("platform/tools").is_ok_and(
                |u| u.contains("/groups/platform%2Ftools/projects?include_subgroups=true")
            )
        );
    }
}
