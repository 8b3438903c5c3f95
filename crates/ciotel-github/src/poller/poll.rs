//! The loop: every `interval`, for each repository, list the runs created since its cursor
//! (newest first, every page), emit each finished run attempt not emitted yet — with any
//! earlier attempt of it not emitted yet, fetched by attempt number — then move the cursor
//! (see `cursor.rs`). One request at a time, one repository after another.
//!
//! The listing is `GET /repos/{o}/{r}/actions/runs?per_page=100&created=>={since}`, every
//! status, not `status=completed`: GitHub filters only by creation time, and a run created
//! before a quicker one may finish after it; seeing unfinished runs is what lets the cursor
//! stop short of them (instead of re-listing a whole `lookback` every poll to catch them).
//!
//! GitHub lists at most 1000 runs for a filtered query; `window.rs` says how a longer listing
//! is continued.
//!
//! The cursor moves only after a complete pass, and what was emitted is remembered as it
//! happens, so a pass cut short (a failed request, a pipeline that refuses, shutdown) resumes
//! where it stopped: no run is skipped, and none is emitted twice needlessly.
//!
//! Between polls, runs handed over by the receiver's webhook (`handoff.rs`) are fetched by
//! attempt number and emitted with their jobs, and remembered like listed ones, so the next
//! listing does not emit them again.

use std::path::PathBuf;
use std::time::Duration;

use ciotel_cicd::signals::CicdSignals;
use ciotel_cicd::{IdRecipe, Timestamp, translate_all};
use ciotel_core::Batch;
use ciotel_core::pipeline::ReceiverOutput;
use ciotel_core::poll::{self, RequestError, Tuning, under_base};
use reqwest::Url;
use tokio_util::sync::CancellationToken;

use super::attempt;
use super::auth::Credentials;
use super::client::{self, Client, ClientError, Fetched};
use super::cursor::{self, Emitted, Pass, State};
use super::error::{PollError, PollerError};
use super::handoff::{RunRequest, RunRequests};
use super::job_logs::JobLogs;
use super::live;
use super::pages::PageCache;
use super::repos::Repositories;
use super::window::{PageNote, Window, created_at};
use crate::payload::{WorkflowRun, WorkflowRunsPage};
use crate::receiver::ApiConfig;
use crate::workflow::WorkflowFiles;

/// A REST API poller, set up and ready to run.
///
/// Exists so everything that can make a poller fail for good (credentials, `state_dir`, the
/// cursor file) is checked when it is built, at the daemon's start; [`Poller::run`] then only
/// logs and retries.
pub struct Poller {
    id: String,
    base_url: String,
    interval: Duration,
    lookback: Duration,
    recipe: IdRecipe,
    output: ReceiverOutput,
    tuning: Tuning,
    http: reqwest::Client,
    credentials: Option<Credentials>,
    repositories: Repositories,
    state: State,
    saved: State,
    state_path: PathBuf,
    pages: PageCache<PageNote>,
    requests: Option<RunRequests>,
    signals: CicdSignals,
    workflow_files: WorkflowFiles,
    logs: JobLogs,
}

impl Poller {
    /// Sets up receiver `id`'s poller: reads the App key if any, creates `state_dir`, reads
    /// the cursor file. Spans will go to `output`, with ids by `recipe`.
    pub fn new(
        id: &str,
        config: &ApiConfig,
        recipe: IdRecipe,
        output: ReceiverOutput,
        tuning: Tuning,
    ) -> Result<Self, PollerError> {
        let credentials =
            Credentials::from_config(config).map_err(|source| PollerError::Credentials {
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
        Ok(Poller {
            logs: JobLogs::new(log_http, config.logs),
            id: id.to_string(),
            base_url: config.base_url.trim_end_matches('/').to_string(),
            interval: config.interval,
            lookback: config.lookback,
            recipe,
            output,
            tuning,
            http,
            credentials: Some(credentials),
            repositories: Repositories::new(&config.repositories, config.owner.as_deref()),
            saved: state.clone(),
            state,
            state_path,
            pages: PageCache::default(),
            requests: None,
            signals: CicdSignals::none(),
            workflow_files: WorkflowFiles::default(),
        })
    }

    /// Also serves the runs a webhook hands over through `requests`, between polls.
    #[must_use]
    pub fn with_requests(mut self, requests: RunRequests) -> Self {
        self.requests = Some(requests);
        self
    }

    /// Also feeds the events it maps to `signals` (the receiver's metrics, shared with its
    /// webhook so a run both see counts once).
    #[must_use]
    pub fn with_signals(mut self, signals: CicdSignals) -> Self {
        self.signals = signals;
        self
    }

    /// Polls every `interval` until `shutdown` is cancelled, then saves the cursor and returns.
    /// Failures are logged and retried at the next interval.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let Some(credentials) = self.credentials.take() else {
            return;
        };
        let mut client = Client::new(
            &self.id,
            self.http.clone(),
            &self.base_url,
            credentials,
            self.tuning.clone(),
            shutdown.clone(),
        );
        tracing::info!(
            receiver = %self.id, base_url = %self.base_url, interval = ?self.interval,
            state = %self.state_path.display(), "polling GitHub's REST API"
        );
        let mut requests = self.requests.take();
        'polls: loop {
            let started = tokio::time::Instant::now();
            match self.poll_once(&mut client, &shutdown).await {
                Ok(()) => {}
                Err(PollError::Shutdown) => break,
                Err(e) => tracing::warn!(receiver = %self.id, error = %e, "GitHub poll failed"),
            }
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(started + self.interval) => break,
                    () = shutdown.cancelled() => break 'polls,
                    request = next_request(&mut requests) => match request {
                        Some(request) => {
                            if self.handed(&mut client, &shutdown, request).await.is_err() {
                                break 'polls;
                            }
                        }
                        None => requests = None,
                    },
                }
            }
        }
        self.save().await;
        tracing::info!(receiver = %self.id, "GitHub poller stopped");
    }

    /// One poll of every repository.
    async fn poll_once(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
    ) -> Result<(), PollError> {
        let repos = self.repositories.current(client, &self.base_url).await?;
        for repo in repos {
            if let Some(board) = self.signals.board() {
                match live::refill(client, &self.base_url, &repo, board).await {
                    Ok(_) => {}
                    Err(PollError::Shutdown) => return Err(PollError::Shutdown),
                    Err(e) => tracing::warn!(
                        receiver = %self.id, repository = %repo, error = %e,
                        "cannot list a repository's running runs for the live board"
                    ),
                }
            }
            match self.poll_repo(client, shutdown, &repo).await {
                Ok(0) => {}
                Ok(emitted) => tracing::debug!(
                    receiver = %self.id, repository = %repo, runs = emitted,
                    "emitted run attempts"
                ),
                Err(PollError::Shutdown) => return Err(PollError::Shutdown),
                Err(e) => tracing::warn!(
                    receiver = %self.id, repository = %repo, error = %e,
                    "GitHub poll of a repository failed; its cursor stays, retrying next poll"
                ),
            }
            self.save().await;
        }
        self.pages.sweep();
        Ok(())
    }

    /// One complete pass over a repository's listing; the number of attempts emitted.
    async fn poll_repo(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        repo: &str,
    ) -> Result<usize, PollError> {
        let since = self.state.repo(repo, cursor::now(), self.lookback).since;
        let mut pass = Pass::default();
        let mut emitted = 0;
        let mut upper: Option<Timestamp> = None;
        loop {
            let mut window = Window::default();
            let mut next = Some(self.runs_url(repo, since, upper)?);
            while let Some(url) = next.take() {
                let (note, n) = self.runs_page(client, shutdown, repo, &url, since).await?;
                emitted += note.emitted;
                window.note(&note);
                next = n;
            }
            pass.merge(window.pass);
            // GitHub stops at 1000 runs: list the older rest of the window, if any.
            match window.older_rest(upper) {
                Some(oldest) => upper = Some(oldest),
                None => break,
            }
        }
        let cursor = self.state.repo(repo, cursor::now(), self.lookback);
        cursor.advance(pass, cursor::now(), self.lookback);
        Ok(emitted)
    }

    /// One page of a listing: its runs handled (or, on a 304, what it said last time) and the
    /// next page.
    async fn runs_page(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        repo: &str,
        url: &str,
        since: Timestamp,
    ) -> Result<(PageNote, Option<String>), PollError> {
        under_base(url, &self.base_url)?;
        let cached = self.pages.get(url).cloned();
        let etag = cached.as_ref().map(|c| c.etag.as_str());
        let (body, next, etag) = match (client.get(url, etag).await?, cached) {
            (Fetched::NotModified, Some(cached)) => {
                return Ok((cached.summary.replayed(), cached.next));
            }
            (Fetched::NotModified, None) => {
                return Err(PollError::NotModified {
                    url: url.to_string(),
                });
            }
            (Fetched::Body { body, next, etag }, _) => (body, next, etag),
        };
        let page: WorkflowRunsPage =
            serde_json::from_slice(&body).map_err(|source| PollError::Malformed {
                url: url.to_string(),
                source,
            })?;
        let mut note = PageNote::of(&page, since);
        for run in &page.workflow_runs {
            let created = created_at(run).unwrap_or(since);
            note.emitted += self
                .handle_run(client, shutdown, repo, run, created)
                .await?;
        }
        self.save().await;
        self.pages.put(url, etag, next.clone(), note);
        Ok((note, next))
    }

    /// Emits what a listed run needs: earlier attempts never emitted (fetched by number),
    /// and the listed attempt itself when it is finished and new or updated.
    async fn handle_run(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        repo: &str,
        run: &WorkflowRun,
        created: Timestamp,
    ) -> Result<usize, PollError> {
        let attempt = run.run_attempt.unwrap_or(1);
        let cursor = self.state.repo(repo, cursor::now(), self.lookback);
        let missing: Vec<u32> = (1..attempt)
            .rev()
            .take_while(|k| !cursor.has_attempt(run.id, *k))
            .collect();
        let emit_latest = run.status.as_deref() == Some("completed")
            && !cursor.is_emitted(run.id, attempt, run.updated_at.as_deref().unwrap_or(""));
        let mut emitted = 0;
        for k in missing.into_iter().rev() {
            let url = attempt::attempt_url(&self.base_url, repo, run.id, k);
            let body = match client.get(&url, None).await {
                Ok(Fetched::Body { body, .. }) => body,
                Ok(Fetched::NotModified) => return Err(PollError::NotModified { url }),
                Err(ClientError::Request(RequestError::Status { status: 404, .. })) => {
                    // Gone (deleted, or too old for GitHub to keep): nothing to emit, ever.
                    tracing::warn!(
                        receiver = %self.id, repository = %repo, run = run.id, attempt = k,
                        "an earlier attempt of a run is gone from GitHub; skipped"
                    );
                    self.remember(repo, run.id, k, String::new(), created);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let earlier: WorkflowRun =
                serde_json::from_slice(&body).map_err(|source| PollError::Malformed {
                    url: url.clone(),
                    source,
                })?;
            // An earlier attempt is finished by definition; GitHub numbers it as asked.
            let earlier = WorkflowRun {
                run_attempt: Some(k),
                ..earlier
            };
            self.emit(client, shutdown, repo, &earlier, created).await?;
            emitted += 1;
        }
        if emit_latest {
            self.emit(client, shutdown, repo, run, created).await?;
            emitted += 1;
        }
        Ok(emitted)
    }

    /// A run handed over by the webhook: its attempt fetched and emitted with its jobs unless
    /// emitted already, else (it cannot be fetched) the webhook's spans of the run alone.
    /// `Err` only on shutdown.
    async fn handed(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        request: RunRequest,
    ) -> Result<(), poll::Cancelled> {
        match self.emit_handed(client, shutdown, &request).await {
            Ok(()) => {}
            Err(PollError::Shutdown) => return Err(poll::Cancelled),
            Err(e) => {
                tracing::warn!(
                    receiver = %self.id, repository = %request.repo, run = request.run_id,
                    error = %e,
                    "cannot fetch the jobs of a run the webhook handed over; emitting the run alone"
                );
                if request.fallback.item_count() > 0 {
                    poll::hand_over(
                        &self.id,
                        &self.output,
                        request.fallback,
                        &self.tuning,
                        shutdown,
                    )
                    .await?;
                }
            }
        }
        self.save().await;
        Ok(())
    }

    async fn emit_handed(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        request: &RunRequest,
    ) -> Result<(), PollError> {
        let repo = request.repo.as_str();
        let url = match request.attempt {
            Some(n) => attempt::attempt_url(&self.base_url, repo, request.run_id, n),
            None => format!(
                "{}/repos/{repo}/actions/runs/{}",
                self.base_url, request.run_id
            ),
        };
        under_base(&url, &self.base_url)?;
        let body = match client.get(&url, None).await? {
            Fetched::Body { body, .. } => body,
            Fetched::NotModified => return Err(PollError::NotModified { url }),
        };
        let run: WorkflowRun =
            serde_json::from_slice(&body).map_err(|source| PollError::Malformed {
                url: url.clone(),
                source,
            })?;
        let run = WorkflowRun {
            run_attempt: request.attempt.or(run.run_attempt),
            ..run
        };
        let attempt = run.run_attempt.unwrap_or(1);
        let updated_at = run.updated_at.clone().unwrap_or_default();
        // Only repositories this poller lists have a cursor; another's run is emitted, not kept.
        let polled = self.state.repositories.contains_key(repo);
        if polled
            && self
                .state
                .repo(repo, cursor::now(), self.lookback)
                .is_emitted(run.id, attempt, &updated_at)
        {
            tracing::debug!(
                receiver = %self.id, repository = %repo, run = run.id, attempt,
                "a run the webhook handed over was emitted already"
            );
            return Ok(());
        }
        self.deliver(client, shutdown, repo, &run).await?;
        if polled {
            let created = created_at(&run).unwrap_or_else(cursor::now);
            self.remember(repo, run.id, attempt, updated_at, created);
        }
        Ok(())
    }

    /// Fetches, translates and hands over one attempt, then remembers it.
    async fn emit(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        repo: &str,
        run: &WorkflowRun,
        created: Timestamp,
    ) -> Result<(), PollError> {
        self.deliver(client, shutdown, repo, run).await?;
        let updated_at = run.updated_at.clone().unwrap_or_default();
        self.remember(
            repo,
            run.id,
            run.run_attempt.unwrap_or(1),
            updated_at,
            created,
        );
        Ok(())
    }

    /// Fetches an attempt's jobs and hands the run and its jobs over, in one batch.
    async fn deliver(
        &mut self,
        client: &mut Client,
        shutdown: &CancellationToken,
        repo: &str,
        run: &WorkflowRun,
    ) -> Result<(), PollError> {
        let events =
            attempt::events(client, &self.base_url, repo, run, &mut self.workflow_files).await?;
        self.signals.observe(&events);
        let mut groups = translate_all(&events, self.recipe);
        self.logs
            .attach(client, &self.base_url, repo, &events, &mut groups, shutdown)
            .await?;
        let batch = Batch::Traces(groups);
        if batch.item_count() > 0 {
            poll::hand_over(&self.id, &self.output, batch, &self.tuning, shutdown).await?;
        }
        Ok(())
    }

    /// Records an attempt as emitted.
    fn remember(
        &mut self,
        repo: &str,
        run_id: u64,
        attempt: u32,
        updated_at: String,
        created_at: Timestamp,
    ) {
        self.state
            .repo(repo, cursor::now(), self.lookback)
            .record(Emitted {
                run_id,
                attempt,
                updated_at,
                created_at,
            });
    }

    /// `GET /repos/{repo}/actions/runs?per_page=100&created=>={since}` (or
    /// `created={since}..{upper}` for the older rest of a window past GitHub's cap).
    fn runs_url(
        &self,
        repo: &str,
        since: Timestamp,
        upper: Option<Timestamp>,
    ) -> Result<String, PollError> {
        let base = format!("{}/repos/{repo}/actions/runs", self.base_url);
        let mut url = Url::parse(&base).map_err(|_| PollError::Url {
            url: base.clone(),
            base_url: self.base_url.clone(),
        })?;
        let created = match upper {
            None => format!(">={since}"),
            Some(upper) => format!("{since}..{upper}"),
        };
        url.query_pairs_mut()
            .append_pair("per_page", "100")
            .append_pair("created", &created);
        Ok(url.into())
    }

    /// Writes the cursor file if the state changed since the last write. A failed write is
    /// logged; the state in memory stays right and the next write catches up.
    async fn save(&mut self) {
        if self.state == self.saved {
            return;
        }
        match cursor::save(&self.state_path, &self.state).await {
            Ok(()) => self.saved.clone_from(&self.state),
            Err(e) => tracing::error!(
                receiver = %self.id, path = %self.state_path.display(), error = %e,
                "cannot write the poller's cursor file; a restart may emit runs again"
            ),
        }
    }
}

/// The next handed-over run, or never when there is no hand-off.
async fn next_request(requests: &mut Option<RunRequests>) -> Option<RunRequest> {
    match requests {
        Some(requests) => requests.next().await,
        None => std::future::pending().await,
    }
}
