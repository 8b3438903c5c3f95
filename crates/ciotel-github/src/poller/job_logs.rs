//! Failed jobs' logs of a run attempt, read before its spans are emitted: each failed job's
//! log tail goes beside its job span in a `job_log` span, for the `cicd_ownership`
//! processor's verdict (`ciotel_cicd::ownership::job_log`).
//!
//! `GET /repos/{o}/{r}/actions/jobs/{id}/logs` answers `302` to a signed URL of the whole
//! job's log; that URL is fetched without the token, asking only for the last
//! `api.logs.tail_bytes` (`Range: bytes=-N`), read to at most `max_bytes`. The tail of the
//! job's log is the failing step's end, since a job stops at its failing step (only `Post`
//! and `Complete job` steps print after it). Bounded by `api.logs`: at most
//! `max_jobs_per_run` logs, one request at a time. A log that cannot be read (gone, a
//! 403/404/429, a server failing twice) gives a `job_log` span saying so, and the verdict
//! says it fell back.

use ciotel_cicd::ownership::job_log::{self, JobLog};
use ciotel_cicd::{CiEvent, CiResult};
use ciotel_core::poll::{self, JobLogsConfig, LogFetchError};
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use tokio_util::sync::CancellationToken;

use super::client::{Client, ClientError};
use super::error::PollError;

/// The log reader of one poller.
pub(super) struct JobLogs {
    http: reqwest::Client,
    config: JobLogsConfig,
}

impl JobLogs {
    /// A reader with `http` (a client that does not follow redirects), within `config`.
    pub(super) fn new(http: reqwest::Client, config: JobLogsConfig) -> Self {
        JobLogs { http, config }
    }

    /// Reads the logs of the failed jobs among `events` (of repository `repo`) and puts a
    /// `job_log` span beside each failed job span in `groups`. `Err` only on shutdown.
    pub(super) async fn attach(
        &self,
        client: &mut Client,
        base_url: &str,
        repo: &str,
        events: &[CiEvent],
        groups: &mut [ResourceSpans],
        shutdown: &CancellationToken,
    ) -> Result<(), PollError> {
        if !self.config.enabled {
            return Ok(());
        }
        let failed = events.iter().filter_map(|e| match e {
            CiEvent::Job(j)
                if matches!(
                    j.result,
                    Some(CiResult::Failure | CiResult::Error | CiResult::Timeout)
                ) =>
            {
                Some(j.id.as_str())
            }
            _ => None,
        });
        for (i, job) in failed.enumerate() {
            let log = if i >= self.config.max_jobs_per_run {
                JobLog::Unavailable("over api.logs.max_jobs_per_run".into())
            } else {
                match self.fetch(client, base_url, repo, job, shutdown).await {
                    Ok(tail) => JobLog::Read(tail),
                    Err(LogFetchError::Shutdown) => return Err(PollError::Shutdown),
                    Err(e) => {
                        tracing::debug!(repository = %repo, job, error = %e, "cannot read a GitHub job log");
                        JobLog::Unavailable(e.to_string())
                    }
                }
            };
            job_log::attach_to_job(groups, job, &log);
        }
        Ok(())
    }

    /// The tail of job `job`'s log.
    async fn fetch(
        &self,
        client: &mut Client,
        base_url: &str,
        repo: &str,
        job: &str,
        shutdown: &CancellationToken,
    ) -> Result<String, LogFetchError> {
        let auth = match client.auth_headers().await {
            Ok(h) => h,
            Err(ClientError::Shutdown) => return Err(LogFetchError::Shutdown),
            Err(e) => return Err(LogFetchError::Transport(e.to_string())),
        };
        let url = format!("{base_url}/repos/{repo}/actions/jobs/{job}/logs");
        let body = poll::get_log(
            &self.http,
            &url,
            base_url,
            &auth,
            self.config.max_bytes,
            Some(self.config.tail_bytes),
            shutdown,
        )
        .await?;
        Ok(poll::tail(&body.bytes, self.config.tail_bytes))
    }
}
