//! The loop: every `interval`, for each project, list the pipelines updated since its cursor
//! (oldest update first), emit each finished pipeline not emitted yet with this `updated_at`,
//! and move the cursor past every pipeline handled (see `cursor.rs`). One request at a time,
//! one project after another.
//!
//! The listing is `GET /projects/:id/pipelines?updated_after=…&order_by=updated_at&sort=asc`.
//! Offset pages of that listing shift while it is read: a pipeline updated meanwhile leaves its
//! place for the end, and the one after it would slip onto a page already read, skipped. So
//! after a page the listing is asked again from the newest `updated_at` handled, from its first
//! page; GitLab's next page (`Link` or `X-Next-Page`) is followed only when a whole page shares
//! one `updated_at` (asking again would not move), and its absence ends the pass.
//!
//! What was emitted is remembered as it happens and the cursor moves pipeline by pipeline, so
//! a pass cut short (a failed request, a pipeline that refuses, shutdown) resumes where it
//! stopped: no pipeline is skipped, and none is emitted twice needlessly.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use ciotel_cicd::Timestamp;
use ciotel_cicd::signals::CicdSignals;
use ciotel_core::Batch;
use ciotel_core::pipeline::ReceiverOutput;
use ciotel_core::poll::{self, Tuning};
use reqwest::header::{HeaderName, HeaderValue};
use tokio_util::sync::CancellationToken;

use super::client::{self, Client};
use super::cursor::{self, State};
use super::error::{PollError, PollerError};
use super::job_logs::JobLogs;
use super::live;
use super::pipeline;
use super::projects::Projects;
use super::upstream::{self, Upstreams};
use super::urls::Urls;
use crate::map::time::parse_gitlab_time;
use crate::map_rest_pipeline;
use crate::payload::{Project, RestPipeline};
use crate::receiver::ApiConfig;

/// A REST API poller, set up and ready to run.
///
/// Exists so everything that can make a poller fail for good (the token, `state_dir`, the
/// cursor file) is checked when it is built, at the daemon's start; [`Poller::run`] then only
/// logs and retries.
pub struct Poller {
    id: String,
    urls: Urls,
    interval: Duration,
    lookback: Duration,
    output: ReceiverOutput,
    tuning: Tuning,
    http: reqwest::Client,
    token: (HeaderName, HeaderValue),
    projects: Projects,
    upstreams: Upstreams,
    logs: JobLogs,
    state: State,
    saved: State,
    state_path: PathBuf,
    signals: CicdSignals,
}

impl Poller {
    /// Sets up receiver `id`'s poller: checks the token fits a header, creates `state_dir`,
    /// reads the cursor file. Spans will go to `output`.
    pub fn new(
        id: &str,
        config: &ApiConfig,
        output: ReceiverOutput,
        tuning: Tuning,
    ) -> Result<Self, PollerError> {
        let token = config
            .auth
            .header(&config.token)
            .map_err(|source| PollerError::Token {
                id: id.to_string(),
                source,
            })?;
        let poll::Start {
            state_path,
            state,
            http,
        } = poll::start(&config.state_dir, id, cursor::load, || {
            client::http_client(&tuning)
        })
        .map_err(|source| PollerError::Start {
            id: id.to_string(),
            source,
        })?;
        let log_http = poll::log_http_client(&tuning).map_err(|source| PollerError::Start {
            id: id.to_string(),
            source: poll::StartError::Http { source },
        })?;
        let logs = JobLogs::new(log_http, token.clone(), config.logs);
        Ok(Poller {
            id: id.to_string(),
            urls: Urls::new(&config.base_url),
            logs,
            interval: config.interval,
            lookback: config.lookback,
            output,
            tuning,
            http,
            token,
            projects: Projects::new(&config.projects, &config.groups),
            upstreams: Upstreams::new(upstream::CAPACITY),
            saved: state.clone(),
            state,
            state_path,
            signals: CicdSignals::none(),
        })
    }

    /// Also feeds the events it maps to `signals` (the receiver's metrics, shared with its
    /// webhook so a pipeline both see counts once).
    #[must_use]
    pub fn with_signals(mut self, signals: CicdSignals) -> Self {
        self.signals = signals;
        self
    }

    /// Polls every `interval` until `shutdown` is cancelled, then saves the cursor and returns.
    /// Failures are logged and retried at the next interval.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let mut client = Client::new(
            &self.id,
            self.http.clone(),
            self.urls.root(),
            self.token.clone(),
            self.tuning.clone(),
            shutdown.clone(),
        );
        tracing::info!(
            receiver = %self.id, api = %self.urls.root(), interval = ?self.interval,
            state = %self.state_path.display(), "polling GitLab's REST API"
        );
        loop {
            let started = tokio::time::Instant::now();
            match self.poll_once(&mut client, &shutdown).await {
                Ok(()) => {}
                Err(PollError::Shutdown) => break,
                Err(e) => tracing::warn!(receiver = %self.id, error = %e, "GitLab poll failed"),
            }
            tokio::select! {
                () = tokio::time::sleep_until(started + self.interval) => {}
                () = shutdown.cancelled() => break,
            }
        }
        self.save().await;
        tracing::info!(receiver = %self.id, "GitLab poller stopped");
    }

    /// One poll of every project.
    async fn poll_once(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
    ) -> Result<(), PollError> {
        let projects = self.projects.current(client, &self.urls, &self.id).await?;
        for (id, project) in projects {
            if let Some(board) = self.signals.board() {
                match live::refill(client, &self.urls, &self.id, id, &project, board).await {
                    Ok(_) => {}
                    Err(PollError::Shutdown) => return Err(PollError::Shutdown),
                    Err(e) => tracing::warn!(
                        receiver = %self.id, project = id, error = %e,
                        "cannot list a project's running pipelines for the live board"
                    ),
                }
            }
            match self.poll_project(client, shutdown, id, &project).await {
                Ok(0) => {}
                Ok(emitted) => tracing::debug!(
                    receiver = %self.id, project = id, pipelines = emitted,
                    "emitted pipelines"
                ),
                Err(PollError::Shutdown) => return Err(PollError::Shutdown),
                Err(e) => tracing::warn!(
                    receiver = %self.id, project = id, error = %e,
                    "GitLab poll of a project failed; its cursor stays, retrying next poll"
                ),
            }
            self.save().await;
        }
        Ok(())
    }

    /// One pass over a project's listing; the number of pipelines emitted.
    async fn poll_project(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        id: u64,
        project: &Project,
    ) -> Result<usize, PollError> {
        let mut since = self.cursor(id, project).updated_after;
        let mut url = self.urls.pipelines(id, since)?;
        let mut fetched = HashSet::new();
        let mut emitted = 0;
        loop {
            let page = client.get_page::<RestPipeline>(&url).await?;
            fetched.insert(url);
            let mut newest: Option<Timestamp> = None;
            for listed in &page.items {
                let Some(updated_at) = updated_at(listed) else {
                    tracing::warn!(
                        receiver = %self.id, project = id, pipeline = listed.id,
                        "GitLab listed a pipeline without a readable updated_at; skipped"
                    );
                    continue;
                };
                if self
                    .handle(client, shutdown, id, project, listed, updated_at)
                    .await?
                {
                    emitted += 1;
                }
                self.cursor(id, project).passed(updated_at);
                newest = newest.max(Some(updated_at));
            }
            self.save().await;
            let Some(next) = page.next else { break };
            url = match newest {
                Some(newest) if newest > since => {
                    since = newest;
                    self.urls.pipelines(id, newest)?
                }
                _ if fetched.contains(&next) => break,
                _ => next,
            };
        }
        Ok(emitted)
    }

    /// Emits a listed pipeline when it is finished and new or updated; whether it did.
    async fn handle(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        project_id: u64,
        project: &Project,
        listed: &RestPipeline,
        updated_at: Timestamp,
    ) -> Result<bool, PollError> {
        if !pipeline::is_finished(listed.status.as_deref())
            || self
                .cursor(project_id, project)
                .is_emitted(listed.id, updated_at)
        {
            return Ok(false);
        }
        let Some(full) = pipeline::fetch(client, &self.urls, project_id, listed.id).await? else {
            return Ok(false);
        };
        self.upstreams
            .note(project, full.pipeline.id, &full.bridges);
        let upstream = self.upstreams.of(full.pipeline.id).cloned();
        let mut logs = self
            .logs
            .read(&self.urls, project_id, &full.jobs, shutdown)
            .await?;
        match map_rest_pipeline(
            project,
            &full.pipeline,
            &full.jobs,
            &full.bridges,
            upstream.as_ref(),
        ) {
            Ok(mut events) => {
                logs.apply_phases(&mut events);
                self.signals.observe(&events);
                let mut groups = crate::translate(&events);
                logs.attach_logs(&mut groups);
                let batch = Batch::Traces(groups);
                if batch.item_count() > 0 {
                    poll::hand_over(&self.id, &self.output, batch, &self.tuning, shutdown).await?;
                }
            }
            // Retrying cannot help: the same answer would fail the same way. Remembered as
            // emitted, so it is tried again only once GitLab updates the pipeline.
            Err(e) => tracing::warn!(
                receiver = %self.id, project = project_id, pipeline = listed.id, error = %e,
                "skipping a pipeline GitLab described in an unexpected way"
            ),
        }
        self.cursor(project_id, project)
            .record(listed.id, updated_at);
        Ok(true)
    }

    /// The cursor of a project.
    fn cursor(&mut self, id: u64, project: &Project) -> &mut cursor::ProjectCursor {
        let path = project.path_with_namespace.as_deref().unwrap_or_default();
        self.state.project(id, path, cursor::now(), self.lookback)
    }

    /// Writes the cursor file if the state changed since the last write. A failed write is
    /// logged; the state in memory stays right and the next write catches up.
    async fn save(&mut self) {
        if self.state == self.saved {
            return;
        }
        match poll::save_json(&self.state_path, &self.state).await {
            Ok(()) => self.saved.clone_from(&self.state),
            Err(e) => tracing::error!(
                receiver = %self.id, path = %self.state_path.display(), error = %e,
                "cannot write the poller's cursor file; a restart may emit pipelines again"
            ),
        }
    }
}

/// A listed pipeline's `updated_at`.
fn updated_at(pipeline: &RestPipeline) -> Option<Timestamp> {
    parse_gitlab_time(pipeline.updated_at.as_deref()?.trim()).ok()
}
