//! The requests behind one answer, in order, one at a time with the poller's client (its
//! token header, retries and rate-limit waits), under `{base_url}/api/v4`:
//!
//! 1. `GET /projects/:id` (the project's numeric id and path, for the mapping);
//! 2. `GET /projects/:id/merge_requests/:iid`; or for a revision
//!    `GET …/repository/commits/:ref` (the full SHA) and `…/commits/:sha/merge_requests` (the
//!    merge request that merged it, or whose head it is);
//! 3. `GET …/merge_requests/:iid/approvals`;
//! 4. `GET …/pipelines?sha={head}` — the newest pipeline per ref and source — and, for a failed
//!    one, the pipeline with its jobs and bridges, judged (the poller's fetch and mapping);
//! 5. for each environment of the promotion order, `GET …/deployments?environment={env}`
//!    (newest first, a few pages), those of the revision kept; a failed one has its
//!    deploying job's pipeline judged.
//!
//! Every listing follows its next pages, each checked to stay under the API root.

use ciotel_cicd::environments::EnvironmentsConfig;
use ciotel_cicd::gate::{
    ChangePath, Check, CheckKind, CheckStatus, Deployment, DeploymentState, RunJudgement, Subject,
    judge_run, unjudged,
};
use ciotel_cicd::ownership::OwnershipProcessor;
use ciotel_core::poll::{RequestError, Tuning};
use tokio_util::sync::CancellationToken;

use super::error::GateError;
use super::map;
use super::payload::{Approvals, Commit, MergeRequest, PipelineRef, RestDeployment};
use crate::payload::Project;
use crate::poller::PollError;
use crate::poller::client::{self, Client};
use crate::poller::pipeline;
use crate::poller::urls::{PER_PAGE, Urls};
use crate::receiver::ApiConfig;
use crate::{ID_RECIPE, map_rest_pipeline};

/// Pages of an environment's deployments read at most (newest first).
const DEPLOYMENT_PAGES: usize = 5;

/// GitLab's REST API as the gate asks it.
///
/// Exists so `can-i-deploy` uses the `gitlab` receiver's `api:` settings and the poller's
/// client unchanged: the same token header, URL checks and rate-limit rules.
pub struct GateClient {
    client: Client,
    urls: Urls,
}

/// How the gate judges: the ownership rules, the promotion order, a pipeline to leave out.
pub struct Judging<'a> {
    /// The `cicd_ownership` rules to judge failed pipelines with.
    pub ownership: &'a OwnershipProcessor,
    /// The promotion order: which environments' deployments to read.
    pub environments: &'a EnvironmentsConfig,
    /// A pipeline to leave out (the one the gate itself runs in).
    pub skip_pipeline: Option<u64>,
}

impl GateClient {
    /// A client with `config`'s token; its waits end when `shutdown` is cancelled.
    pub fn new(
        config: &ApiConfig,
        tuning: Tuning,
        shutdown: CancellationToken,
    ) -> Result<Self, GateError> {
        let token = config.auth.header(&config.token)?;
        let http = client::http_client(&tuning).map_err(|e| GateError::Http(e.to_string()))?;
        let urls = Urls::new(&config.base_url);
        Ok(GateClient {
            client: Client::new("can-i-deploy", http, urls.root(), token, tuning, shutdown),
            urls,
        })
    }

    /// The path so far of `subject` in `project` (`group/project` or a numeric id).
    pub async fn change_path(
        &mut self,
        project: &str,
        subject: &Subject,
        judging: &Judging<'_>,
    ) -> Result<ChangePath, GateError> {
        let found: Project = self.client.get_json(&self.urls.project(project)?).await?;
        let id = found.id.ok_or_else(|| GateError::NoProjectId {
            project: project.to_owned(),
        })?;
        let name = found
            .path_with_namespace
            .clone()
            .unwrap_or_else(|| project.to_owned());
        let (mr, asked) = match subject {
            Subject::Change(iid) => {
                let url = self.path(id, &["merge_requests", &iid.to_string()], &[])?;
                (
                    Some(self.client.get_json::<MergeRequest>(&url).await?),
                    None,
                )
            }
            Subject::Revision(rev) => {
                let sha = self.full_sha(id, &name, rev).await?;
                (self.mr_of(id, &sha).await?, Some(sha))
            }
        };
        let change = mr.as_ref().map(map::change);
        let checked_revision = match (&change, &asked) {
            (Some(c), _) => c.head_revision.clone(),
            (None, Some(sha)) => sha.clone(),
            (None, None) => String::new(),
        };
        let revision = asked.unwrap_or_else(|| {
            change
                .as_ref()
                .and_then(|c| c.merge_revision.clone())
                .unwrap_or_else(|| checked_revision.clone())
        });
        let approval = match &change {
            Some(c) => {
                let url = self.path(
                    id,
                    &["merge_requests", &c.number.to_string(), "approvals"],
                    &[],
                )?;
                let a: Approvals = self.client.get_json(&url).await?;
                Some(map::approval(&a))
            }
            None => None,
        };
        let checks = self
            .pipelines(id, &found, &checked_revision, judging)
            .await?;
        let deployments = self.deployments(id, &found, &revision, judging).await?;
        Ok(ChangePath {
            platform: "GitLab".into(),
            repository: name,
            change,
            revision,
            checked_revision,
            checks,
            reviews: Vec::new(),
            approval,
            deployments,
        })
    }

    /// The full SHA of `rev` (a SHA, short or whole, or a branch or tag).
    async fn full_sha(&mut self, id: u64, name: &str, rev: &str) -> Result<String, GateError> {
        let url = self.path(id, &["repository", "commits", rev], &[])?;
        match self.client.get_json::<Commit>(&url).await {
            Ok(c) => Ok(c.id),
            Err(PollError::Request(RequestError::Status { status: 404, .. })) => {
                Err(GateError::NoRevision {
                    project: name.to_owned(),
                    revision: rev.to_owned(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The merge request that merged `sha`, else one whose head it is.
    async fn mr_of(&mut self, id: u64, sha: &str) -> Result<Option<MergeRequest>, GateError> {
        let url = self.path(id, &["repository", "commits", sha, "merge_requests"], &[])?;
        let mrs: Vec<MergeRequest> = self.client.get_all(&url).await?;
        let merged_it = mrs.iter().find(|m| {
            map::change(m).state == ciotel_cicd::gate::ChangeState::Merged
                && map::change(m).merge_revision.as_deref() == Some(sha)
        });
        let headed = mrs.iter().find(|m| m.sha.as_deref() == Some(sha));
        match merged_it.or(headed) {
            Some(m) => {
                let url = self.path(id, &["merge_requests", &m.iid.to_string()], &[])?;
                Ok(Some(self.client.get_json(&url).await?))
            }
            None => Ok(None),
        }
    }

    /// The pipelines on `sha`: the newest per ref and source, failed ones judged.
    async fn pipelines(
        &mut self,
        id: u64,
        project: &Project,
        sha: &str,
        judging: &Judging<'_>,
    ) -> Result<Vec<Check>, GateError> {
        let per_page = PER_PAGE.to_string();
        let url = self.path(
            id,
            &["pipelines"],
            &[
                ("sha", sha),
                ("order_by", "id"),
                ("sort", "desc"),
                ("per_page", &per_page),
            ],
        )?;
        let mut listed: Vec<PipelineRef> = self.client.get_all(&url).await?;
        listed.retain(|p| Some(p.id) != judging.skip_pipeline);
        listed.sort_by_key(|p| std::cmp::Reverse(p.id));
        let mut seen = Vec::new();
        listed.retain(|p| {
            let key = (p.ref_name.clone(), p.source.clone());
            let fresh = !seen.contains(&key);
            seen.push(key);
            fresh
        });
        listed.reverse();
        let mut checks = Vec::new();
        for p in &listed {
            let status = map::check_status(p.status.as_deref());
            let verdict = match status {
                CheckStatus::Failed => Some(self.judge(id, project, p.id, judging).await?),
                _ => None,
            };
            checks.push(Check {
                name: format!(
                    "pipeline{}",
                    p.ref_name
                        .as_deref()
                        .map(|r| format!(" on {r}"))
                        .unwrap_or_default()
                ),
                kind: CheckKind::Run,
                id: p.id.to_string(),
                attempt: None,
                status,
                result: p.status.clone(),
                url: p.web_url.clone(),
                verdict,
            });
        }
        Ok(checks)
    }

    /// Who made pipeline `pipeline_id` fail, from its jobs.
    async fn judge(
        &mut self,
        id: u64,
        project: &Project,
        pipeline_id: u64,
        judging: &Judging<'_>,
    ) -> Result<RunJudgement, GateError> {
        let Some(full) = pipeline::fetch(&mut self.client, &self.urls, id, pipeline_id).await?
        else {
            return Ok(unjudged("the pipeline is running again (retried)"));
        };
        let events =
            match map_rest_pipeline(project, &full.pipeline, &full.jobs, &full.bridges, None) {
                Ok(events) => events,
                Err(e) => return Ok(unjudged(&format!("its jobs could not be read: {e}"))),
            };
        Ok(judge_run(&events, ID_RECIPE, judging.ownership)
            .unwrap_or_else(|| unjudged("no failed job found in its jobs")))
    }

    /// The deployments of `sha` to the promotion order's environments; a failed one has its
    /// deploying job's pipeline judged.
    async fn deployments(
        &mut self,
        id: u64,
        project: &Project,
        sha: &str,
        judging: &Judging<'_>,
    ) -> Result<Vec<Deployment>, GateError> {
        let mut out = Vec::new();
        let per_page = PER_PAGE.to_string();
        for env in &judging.environments.promotion {
            let mut next = Some(self.path(
                id,
                &["deployments"],
                &[
                    ("environment", env.as_str()),
                    ("order_by", "id"),
                    ("sort", "desc"),
                    ("per_page", &per_page),
                ],
            )?);
            let mut pages = 0;
            while let Some(url) = next.take() {
                let page = self.client.get_page::<RestDeployment>(&url).await?;
                for d in page.items.iter().filter(|d| d.sha.as_deref() == Some(sha)) {
                    let mut deployment = map::deployment(d);
                    let pipeline = d.deployable.as_ref().and_then(|j| j.pipeline.as_ref());
                    if let (DeploymentState::Failure, Some(p)) = (deployment.state, pipeline) {
                        // Its pipeline only says whose side failed: one that cannot be read
                        // leaves the side unknown, not the answer.
                        deployment.verdict = Some(
                            match self.judge(id, project, p.id, judging).await {
                                Ok(verdict) => verdict,
                                Err(GateError::Cancelled) => return Err(GateError::Cancelled),
                                Err(e) => {
                                    tracing::warn!(pipeline = p.id, error = %e, "cannot judge the pipeline that deployed");
                                    unjudged(&format!(
                                        "deployment failed; its pipeline {} could not be read",
                                        p.id
                                    ))
                                }
                            },
                        );
                    }
                    out.push(deployment);
                }
                pages += 1;
                next = page.next.filter(|_| pages < DEPLOYMENT_PAGES);
            }
        }
        out.sort_by_key(|d| (d.created_at, d.id.clone()));
        Ok(out)
    }

    /// `/projects/:id/{segments…}?{query}` under the API root.
    fn path(
        &self,
        id: u64,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<String, GateError> {
        let id = id.to_string();
        let mut all = vec!["projects", id.as_str()];
        all.extend_from_slice(segments);
        Ok(self.urls.build(&all, query)?)
    }
}
