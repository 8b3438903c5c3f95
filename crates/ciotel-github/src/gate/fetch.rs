//! The requests behind one answer, in order, one at a time with the poller's client (its
//! credentials, GitHub App tokens, retries and rate-limit waits):
//!
//! 1. `GET /repos/{o}/{r}/pulls/{n}`; or for a revision `GET …/commits/{ref}` (the full SHA)
//!    and `GET …/commits/{sha}/pulls` (the pull request that merged it, or whose head it is);
//! 2. `GET …/pulls/{n}/reviews`;
//! 3. `GET …/actions/runs?head_sha={head}` — the newest run per workflow and event — and, for
//!    a failed one, its attempt's jobs (`…/runs/{id}/attempts/{n}/jobs`), judged;
//! 4. `GET …/commits/{head}/check-runs?filter=latest`, less the Actions jobs already counted;
//! 5. `GET …/deployments?sha={revision}` and, for each in the promotion order,
//!    `GET …/deployments/{id}/statuses`; a failed one whose log is an Actions run has that
//!    run judged.
//!
//! Every listing follows its `Link: rel="next"` pages, each checked to stay under `base_url`.

use ciotel_cicd::environments::EnvironmentsConfig;
use ciotel_cicd::gate::{ChangePath, Check, CheckKind, CheckStatus, Subject, judge_run, unjudged};
use ciotel_cicd::ownership::OwnershipProcessor;
use ciotel_cicd::{IdRecipe, Timestamp};
use ciotel_core::poll::{RequestError, Tuning, under_base};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::error::GateError;
use super::map;
use super::payload::{CheckRunsPage, Commit, DeploymentStatus, Pull, PullReview, RestDeployment};
use crate::payload::{WorkflowRun, WorkflowRunsPage};
use crate::poller::ClientError;
use crate::poller::attempt;
use crate::poller::auth::Credentials;
use crate::poller::client::{self, Client, Fetched};
use crate::receiver::ApiConfig;
use crate::workflow::WorkflowFiles;

/// Listing pages followed at most, so a server that never ends its `Link`s cannot hold the
/// gate forever.
const MAX_PAGES: usize = 50;

/// GitHub's REST API as the gate asks it.
///
/// Exists so `can-i-deploy` uses the `github` receiver's `api:` settings and the poller's
/// client unchanged: the same base URL checks, authentication and rate-limit rules.
pub struct GateClient {
    client: Client,
    base_url: String,
    /// Workflow files read for the runs judged, so steps are known by what they run, as the
    /// poller knows them.
    workflow_files: WorkflowFiles,
}

/// How the gate judges: the receiver's id recipe and the ownership rules.
pub struct Judging<'a> {
    /// Span id recipe of the receiver (`trace_id_recipe`).
    pub recipe: IdRecipe,
    /// The `cicd_ownership` rules to judge failed runs with.
    pub ownership: &'a OwnershipProcessor,
    /// The promotion order: which environments' deployments to read.
    pub environments: &'a EnvironmentsConfig,
    /// A run to leave out (the run the gate itself runs in).
    pub skip_run: Option<u64>,
}

impl GateClient {
    /// A client with `config`'s credentials; its waits end when `shutdown` is cancelled.
    pub fn new(
        config: &ApiConfig,
        tuning: Tuning,
        shutdown: CancellationToken,
    ) -> Result<Self, GateError> {
        let credentials = Credentials::from_config(config)?;
        let http = client::http_client(&tuning).map_err(|e| GateError::Http(e.to_string()))?;
        let base_url = config.base_url.trim_end_matches('/').to_string();
        Ok(GateClient {
            client: Client::new(
                "can-i-deploy",
                http,
                &base_url,
                credentials,
                tuning,
                shutdown,
            ),
            base_url,
            workflow_files: WorkflowFiles::default(),
        })
    }

    /// The path so far of `subject` in `repo` (`owner/name`).
    pub async fn change_path(
        &mut self,
        repo: &str,
        subject: &Subject,
        judging: &Judging<'_>,
    ) -> Result<ChangePath, GateError> {
        let (pull, asked) = match subject {
            Subject::Change(n) => {
                let url = self.url(repo, &format!("pulls/{n}"));
                (Some(self.get::<Pull>(&url).await?), None)
            }
            Subject::Revision(rev) => {
                let sha = self.full_sha(repo, rev).await?;
                (self.pull_of(repo, &sha).await?, Some(sha))
            }
        };
        let change = pull.as_ref().map(map::change);
        let checked_revision = match (&change, &asked) {
            (Some(c), _) => c.head_revision.clone(),
            (None, Some(sha)) => sha.clone(),
            (None, None) => String::new(),
        };
        // What is deployed: the revision asked about, else the merge commit once merged.
        let revision = asked.unwrap_or_else(|| {
            change
                .as_ref()
                .and_then(|c| c.merge_revision.clone())
                .unwrap_or_else(|| checked_revision.clone())
        });
        let reviews = match &change {
            Some(c) => {
                let url = self.url(repo, &format!("pulls/{}/reviews?per_page=100", c.number));
                let all: Vec<PullReview> =
                    self.all_pages(&url, |page: Vec<PullReview>| page).await?;
                all.iter().filter_map(map::review).collect()
            }
            None => Vec::new(),
        };
        let mut checks = self.runs(repo, &checked_revision, judging).await?;
        checks.extend(self.other_checks(repo, &checked_revision).await?);
        let deployments = self.deployments(repo, &revision, judging).await?;
        Ok(ChangePath {
            platform: "GitHub".into(),
            repository: repo.to_owned(),
            change,
            revision,
            checked_revision,
            checks,
            reviews,
            approval: None,
            deployments,
        })
    }

    /// The full SHA of `rev` (a SHA, short or whole, or a branch or tag).
    async fn full_sha(&mut self, repo: &str, rev: &str) -> Result<String, GateError> {
        let url = self.url(repo, &format!("commits/{rev}"));
        match self.get::<Commit>(&url).await {
            Ok(c) => Ok(c.sha),
            Err(GateError::Client(ClientError::Request(RequestError::Status {
                status: 404 | 422,
                ..
            }))) => Err(GateError::NoRevision {
                repo: repo.to_owned(),
                revision: rev.to_owned(),
            }),
            Err(e) => Err(e),
        }
    }

    /// The pull request that merged `sha`, else one whose head it is; `None` for a commit
    /// pushed without one.
    async fn pull_of(&mut self, repo: &str, sha: &str) -> Result<Option<Pull>, GateError> {
        let url = self.url(repo, &format!("commits/{sha}/pulls?per_page=100"));
        let pulls: Vec<Pull> = self.all_pages(&url, |page: Vec<Pull>| page).await?;
        let merged_it = pulls
            .iter()
            .find(|p| map::is_merged(p) && p.merge_commit_sha.as_deref() == Some(sha));
        let headed = pulls
            .iter()
            .find(|p| p.head.as_ref().and_then(|h| h.sha.as_deref()) == Some(sha));
        match merged_it.or(headed) {
            Some(p) => {
                let url = self.url(repo, &format!("pulls/{}", p.number));
                Ok(Some(self.get::<Pull>(&url).await?))
            }
            None => Ok(None),
        }
    }

    /// The Actions runs on `sha`: the newest per workflow and event, failed ones judged.
    async fn runs(
        &mut self,
        repo: &str,
        sha: &str,
        judging: &Judging<'_>,
    ) -> Result<Vec<Check>, GateError> {
        let url = self.url(repo, &format!("actions/runs?head_sha={sha}&per_page=100"));
        let mut runs: Vec<WorkflowRun> = self
            .all_pages(&url, |page: WorkflowRunsPage| page.workflow_runs)
            .await?;
        runs.retain(|r| Some(r.id) != judging.skip_run);
        // Newest first, then keep the first of each workflow and event.
        runs.sort_by_key(|r| std::cmp::Reverse((r.created_at.clone(), r.id)));
        let mut seen = Vec::new();
        runs.retain(|r| {
            let key = (r.workflow_id, r.name.clone(), r.event.clone());
            let fresh = !seen.contains(&key);
            seen.push(key);
            fresh
        });
        runs.reverse();
        let mut checks = Vec::new();
        for run in &runs {
            let status = map::check_status(run.status.as_deref(), run.conclusion.as_deref());
            let verdict = match status {
                CheckStatus::Failed => Some(self.judge(repo, run, judging).await?),
                _ => None,
            };
            checks.push(Check {
                name: run
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("run {}", run.id)),
                kind: CheckKind::Run,
                id: run.id.to_string(),
                attempt: run.run_attempt,
                status,
                result: run.conclusion.clone(),
                url: run.html_url.clone(),
                verdict,
            });
        }
        Ok(checks)
    }

    /// Who made `run` fail, from its attempt's jobs.
    async fn judge(
        &mut self,
        repo: &str,
        run: &WorkflowRun,
        judging: &Judging<'_>,
    ) -> Result<ciotel_cicd::gate::RunJudgement, GateError> {
        let events = attempt::events(
            &mut self.client,
            &self.base_url,
            repo,
            run,
            &mut self.workflow_files,
        )
        .await?;
        Ok(judge_run(&events, judging.recipe, judging.ownership)
            .unwrap_or_else(|| unjudged("no failed job found in its jobs")))
    }

    /// Who made the run that deployed fail. The deployment's own state is the answer's; its
    /// run only says whose side failed, so a run that cannot be read (deleted, another
    /// repository's, not visible to the token) leaves the side unknown instead of the answer.
    async fn judge_deploying_run(
        &mut self,
        repo: &str,
        run_id: u64,
        judging: &Judging<'_>,
    ) -> Result<ciotel_cicd::gate::RunJudgement, GateError> {
        let url = self.url(repo, &format!("actions/runs/{run_id}"));
        let judged = match self.get::<WorkflowRun>(&url).await {
            Ok(run) => self.judge(repo, &run, judging).await,
            Err(e) => Err(e),
        };
        match judged {
            Ok(verdict) => Ok(verdict),
            Err(GateError::Cancelled) => Err(GateError::Cancelled),
            Err(e) => {
                tracing::warn!(run = run_id, error = %e, "cannot judge the run that deployed");
                Ok(unjudged(&format!(
                    "deployment failed; its run {run_id} could not be read"
                )))
            }
        }
    }

    /// Check runs on `sha` that are not Actions jobs (other Apps' checks).
    async fn other_checks(&mut self, repo: &str, sha: &str) -> Result<Vec<Check>, GateError> {
        let url = self.url(
            repo,
            &format!("commits/{sha}/check-runs?filter=latest&per_page=100"),
        );
        let runs = self
            .all_pages(&url, |page: CheckRunsPage| page.check_runs)
            .await?;
        Ok(runs
            .into_iter()
            .filter(|c| c.app.as_ref().and_then(|a| a.slug.as_deref()) != Some(ACTIONS_APP))
            .map(|c| Check {
                name: c.name.clone().unwrap_or_else(|| format!("check {}", c.id)),
                kind: CheckKind::External,
                id: c.id.to_string(),
                attempt: None,
                status: map::check_status(c.status.as_deref(), c.conclusion.as_deref()),
                result: c.conclusion.clone(),
                url: c.html_url.clone(),
                verdict: None,
            })
            .collect())
    }

    /// The deployments of `sha` to the promotion order's environments, with their states;
    /// a failed one deployed by an Actions run has that run judged.
    async fn deployments(
        &mut self,
        repo: &str,
        sha: &str,
        judging: &Judging<'_>,
    ) -> Result<Vec<ciotel_cicd::gate::Deployment>, GateError> {
        let url = self.url(repo, &format!("deployments?sha={sha}&per_page=100"));
        let listed: Vec<RestDeployment> = self
            .all_pages(&url, |page: Vec<RestDeployment>| page)
            .await?;
        let mut out = Vec::new();
        for d in &listed {
            let env = d.environment.as_deref().unwrap_or_default();
            if judging.environments.position(env).is_none() {
                continue;
            }
            let url = self.url(repo, &format!("deployments/{}/statuses?per_page=100", d.id));
            let statuses: Vec<DeploymentStatus> = self.get(&url).await?;
            let mut deployment = map::deployment(d, &statuses);
            if deployment.state == ciotel_cicd::gate::DeploymentState::Failure {
                let run_id = deployment.url.as_deref().and_then(map::run_of_log_url);
                if let Some(id) = run_id {
                    deployment.verdict = Some(self.judge_deploying_run(repo, id, judging).await?);
                }
            }
            out.push(deployment);
        }
        out.sort_by_key(|d| {
            (
                d.created_at.unwrap_or(Timestamp::from_unix_nanos(0)),
                d.id.clone(),
            )
        });
        Ok(out)
    }

    /// `{base_url}/repos/{repo}/{path}`.
    fn url(&self, repo: &str, path: &str) -> String {
        format!("{}/repos/{repo}/{path}", self.base_url)
    }

    /// `GET url` as JSON.
    async fn get<T: DeserializeOwned>(&mut self, url: &str) -> Result<T, GateError> {
        Ok(self.get_page(url).await?.0)
    }

    /// `GET url` as JSON, with its next page.
    async fn get_page<T: DeserializeOwned>(
        &mut self,
        url: &str,
    ) -> Result<(T, Option<String>), GateError> {
        under_base(url, &self.base_url)?;
        match self.client.get(url, None).await? {
            Fetched::Body { body, next, .. } => {
                let value =
                    serde_json::from_slice(&body).map_err(|source| GateError::Malformed {
                        url: url.to_owned(),
                        source,
                    })?;
                Ok((value, next))
            }
            Fetched::NotModified => Err(GateError::Http(format!(
                "{url}: 304 Not Modified to a request that was not conditional"
            ))),
        }
    }

    /// Every page of a listing from `first`, each page's items taken by `items`.
    async fn all_pages<P: DeserializeOwned, T>(
        &mut self,
        first: &str,
        items: impl Fn(P) -> Vec<T>,
    ) -> Result<Vec<T>, GateError> {
        let mut all = Vec::new();
        let mut next = Some(first.to_owned());
        let mut pages = 0;
        while let Some(url) = next.take() {
            let (page, n) = self.get_page::<P>(&url).await?;
            all.extend(items(page));
            pages += 1;
            next = n.filter(|_| pages < MAX_PAGES);
        }
        Ok(all)
    }
}

/// The App whose check runs are Actions jobs, counted with their runs.
const ACTIONS_APP: &str = "github-actions";
