//! A finished pipeline's job logs (`GET /projects/:id/jobs/:job_id/trace`), read before its
//! spans are emitted: each job's section markers become its runner phases (steps, see
//! `crate::log_sections`), and a failed job's tail goes beside its job span in a `job_log`
//! span, for the `cicd_ownership` processor's verdict (`ciotel_cicd::ownership::job_log`).
//!
//! Bounded by `api.logs` (`ciotel_core::poll::JobLogsConfig`): failed jobs first, then the
//! others, at most `max_jobs_per_run` logs, one request at a time, at most `max_bytes` each.
//! The token goes only to URLs under the API root (a redirect elsewhere is followed without
//! it). A failed job whose log could not be read, or was not asked for (over the cap), gets
//! a `job_log` span saying so, and its verdict says it fell back.

use std::collections::HashMap;

use ciotel_cicd::ownership::job_log::{self, JobLog};
use ciotel_cicd::{CiEvent, Step};
use ciotel_core::poll::{self, JobLogsConfig, LogFetchError};
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio_util::sync::CancellationToken;

use super::error::PollError;
use super::urls::Urls;
use crate::log_sections;
use crate::payload::RestJob;

/// What a pipeline's logs said, by job id.
#[derive(Debug, Default)]
pub(super) struct Read {
    /// Runner phases per job.
    phases: HashMap<String, Vec<Step>>,
    /// Failed jobs' logs.
    logs: HashMap<String, JobLog>,
}

/// The log reader of one poller.
pub(super) struct JobLogs {
    http: reqwest::Client,
    auth: HeaderMap,
    config: JobLogsConfig,
}

impl JobLogs {
    /// A reader sending `token` (a header) with `http` (a client that does not follow
    /// redirects), within `config`.
    pub(super) fn new(
        http: reqwest::Client,
        token: (HeaderName, HeaderValue),
        config: JobLogsConfig,
    ) -> Self {
        let mut auth = HeaderMap::new();
        let (name, mut value) = token;
        value.set_sensitive(true);
        auth.insert(name, value);
        JobLogs { http, auth, config }
    }

    /// Reads the logs of `jobs` of project `project`. `Err` only on shutdown.
    pub(super) async fn read(
        &self,
        urls: &Urls,
        project: u64,
        jobs: &[RestJob],
        shutdown: &CancellationToken,
    ) -> Result<Read, PollError> {
        let mut read = Read::default();
        if !self.config.enabled {
            return Ok(read);
        }
        let failed = |j: &RestJob| j.status.as_deref() == Some("failed");
        let ran = |j: &RestJob| {
            j.started_at.is_some()
                && matches!(j.status.as_deref(), Some("success" | "failed" | "canceled"))
        };
        let mut order: Vec<&RestJob> = jobs.iter().filter(|j| ran(j) || failed(j)).collect();
        order.sort_by_key(|j| !failed(j));
        for (i, job) in order.into_iter().enumerate() {
            let id = job.id.to_string();
            if i >= self.config.max_jobs_per_run {
                if failed(job) {
                    read.logs.insert(
                        id,
                        JobLog::Unavailable("over api.logs.max_jobs_per_run".into()),
                    );
                }
                continue;
            }
            match self.fetch(urls, project, job.id, shutdown).await {
                Ok((text, truncated)) => {
                    let sections = log_sections::sections(&text);
                    if !sections.is_empty() {
                        read.phases
                            .insert(id.clone(), log_sections::steps(&sections));
                    }
                    if failed(job) {
                        let log = if truncated {
                            JobLog::Unavailable(
                                LogFetchError::TooLarge(self.config.max_bytes).to_string(),
                            )
                        } else {
                            JobLog::Read(poll::tail(text.as_bytes(), self.config.tail_bytes))
                        };
                        read.logs.insert(id, log);
                    }
                }
                Err(LogFetchError::Shutdown) => return Err(PollError::Shutdown),
                Err(e) => {
                    tracing::debug!(project, job = job.id, error = %e, "cannot read a GitLab job log");
                    if failed(job) {
                        read.logs.insert(id, JobLog::Unavailable(e.to_string()));
                    }
                }
            }
        }
        Ok(read)
    }

    /// The log of job `job`, as text, and whether it was cut at `max_bytes`.
    async fn fetch(
        &self,
        urls: &Urls,
        project: u64,
        job: u64,
        shutdown: &CancellationToken,
    ) -> Result<(String, bool), LogFetchError> {
        let url = urls
            .job_trace(project, job)
            .map_err(|e| LogFetchError::Transport(e.to_string()))?;
        let body = poll::get_log(
            &self.http,
            &url,
            urls.root(),
            &self.auth,
            self.config.max_bytes,
            None,
            shutdown,
        )
        .await?;
        Ok((
            String::from_utf8_lossy(&body.bytes).into_owned(),
            body.truncated,
        ))
    }
}

impl Read {
    /// Gives each job event its phases.
    pub(super) fn apply_phases(&mut self, events: &mut [CiEvent]) {
        for event in events {
            if let CiEvent::Job(job) = event {
                if job.steps.is_empty() {
                    if let Some(steps) = self.phases.remove(&job.id) {
                        job.steps = steps;
                    }
                }
            }
        }
    }

    /// Puts each failed job's `job_log` span beside its job span in `groups`.
    pub(super) fn attach_logs(self, groups: &mut [ResourceSpans]) {
        for (id, log) in self.logs {
            job_log::attach_to_job(groups, &id, &log);
        }
    }
}
