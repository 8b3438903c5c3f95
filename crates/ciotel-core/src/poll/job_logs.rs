//! Fetching CI job logs, bounded: the `logs:` section of a receiver's `api:`, and a GET that
//! reads at most `max_bytes` of a log and keeps its last `tail_bytes`, whole lines only, each
//! line's secrets masked ([`crate::redact::secrets`]).
//!
//! Used by the GitHub and GitLab pollers for failed jobs' logs (verdicts from the logs) and,
//! on GitLab, every job's section markers (runner phases). Log requests go one at a time,
//! between the poller's own requests, at most `max_jobs_per_run` per run; one that fails is
//! tried once more after a short wait, then given up (the verdict falls back to the spans'
//! and says so). A 429 is not waited out: logs are a refinement, the run is not held for one.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

/// `api.logs`: whether and how much of job logs the poller reads.
///
/// ```yaml
/// api:
///   logs:
///     enabled: true            # default true
///     max_bytes: 4194304       # at most this much of one log is read (default 4 MiB)
///     tail_bytes: 65536        # the end kept for failure signatures (default 64 KiB)
///     max_jobs_per_run: 20     # logs fetched per run at most (default 20)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobLogsConfig {
    /// Read job logs at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Bytes of one log read at most; a longer log is cut there.
    #[serde(default = "max_bytes")]
    pub max_bytes: usize,
    /// Bytes at the end of a log handed to the failure signatures.
    #[serde(default = "tail_bytes")]
    pub tail_bytes: usize,
    /// Logs fetched for one run at most (failed jobs first).
    #[serde(default = "max_jobs_per_run")]
    pub max_jobs_per_run: usize,
}

fn yes() -> bool {
    true
}
fn max_bytes() -> usize {
    4 * 1024 * 1024
}
fn tail_bytes() -> usize {
    64 * 1024
}
fn max_jobs_per_run() -> usize {
    20
}

impl Default for JobLogsConfig {
    fn default() -> Self {
        JobLogsConfig {
            enabled: yes(),
            max_bytes: max_bytes(),
            tail_bytes: tail_bytes(),
            max_jobs_per_run: max_jobs_per_run(),
        }
    }
}

/// A log as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogBody {
    /// The bytes read (at most `max_bytes`).
    pub bytes: Vec<u8>,
    /// Whether the log went on past `max_bytes`.
    pub truncated: bool,
    /// The answer's status (a redirect is not followed).
    pub status: StatusCode,
    /// The answer's headers (`Location` of a redirect).
    pub headers: HeaderMap,
}

/// Why a log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LogFetchError {
    /// The server answered with a status other than 2xx or a redirect.
    #[error("HTTP {0}")]
    Status(u16),
    /// The request failed (connection, timeout).
    #[error("request failed: {0}")]
    Transport(String),
    /// Shutdown came first.
    #[error("shutting down")]
    Shutdown,
    /// The log is longer than `max_bytes` and its end could not be asked for alone.
    #[error("the log is longer than max_bytes ({0})")]
    TooLarge(usize),
}

/// `GET url` with `headers`, reading at most `max_bytes` of the body; a redirect is returned,
/// not followed (give `http` a client that does not follow them). Tried twice on a transport
/// error or a 5xx.
pub async fn get_bounded(
    http: &reqwest::Client,
    url: &str,
    headers: &HeaderMap,
    max_bytes: usize,
    shutdown: &CancellationToken,
) -> Result<LogBody, LogFetchError> {
    let mut last = LogFetchError::Transport("not tried".into());
    for attempt in 0..2 {
        if attempt > 0 {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
                () = shutdown.cancelled() => return Err(LogFetchError::Shutdown),
            }
        }
        let once = read(http, url, headers, max_bytes);
        let result = tokio::select! {
            r = once => r,
            () = shutdown.cancelled() => return Err(LogFetchError::Shutdown),
        };
        match result {
            Ok(body) if body.status.is_server_error() => {
                last = LogFetchError::Status(body.status.as_u16());
            }
            Ok(body) if body.status.is_success() || body.status.is_redirection() => {
                return Ok(body);
            }
            Ok(body) => return Err(LogFetchError::Status(body.status.as_u16())),
            Err(e) => last = LogFetchError::Transport(e.without_url().to_string()),
        }
    }
    Err(last)
}

async fn read(
    http: &reqwest::Client,
    url: &str,
    headers: &HeaderMap,
    max_bytes: usize,
) -> Result<LogBody, reqwest::Error> {
    let mut response = http.get(url).headers(headers.clone()).send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut bytes = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = response.chunk().await? {
        let room = max_bytes.saturating_sub(bytes.len());
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            truncated = true;
            break;
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(LogBody {
        bytes,
        truncated,
        status,
        headers,
    })
}

/// An HTTP client for logs: the poller's User-Agent and deadline, and redirects returned,
/// not followed, so [`get_log`] decides where credentials go.
pub fn log_http_client(tuning: &super::Tuning) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("ciotel/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(tuning.request_timeout)
        .connect_timeout(tuning.request_timeout.min(Duration::from_secs(10)))
        .build()
}

/// A job log at `url` (under `base`, sent with `auth`), following one redirect: to a URL
/// under `base` with `auth`, anywhere else (GitHub's signed blob URLs) without it. With
/// `tail`, the redirected request asks for only the last `tail` bytes (`Range: bytes=-N`).
/// A log longer than `max_bytes` is an error when only its end matters (`tail` given) and
/// the server sent it whole.
pub async fn get_log(
    http: &reqwest::Client,
    url: &str,
    base: &str,
    auth: &HeaderMap,
    max_bytes: usize,
    tail: Option<usize>,
    shutdown: &CancellationToken,
) -> Result<LogBody, LogFetchError> {
    super::under_base(url, base).map_err(|e| LogFetchError::Transport(e.to_string()))?;
    let first = get_bounded(http, url, auth, max_bytes, shutdown).await?;
    if !first.status.is_redirection() {
        return Ok(first);
    }
    let location = first
        .headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(LogFetchError::Status(first.status.as_u16()))?;
    let target = reqwest::Url::parse(url)
        .and_then(|u| u.join(location))
        .map_err(|e| LogFetchError::Transport(format!("redirect to an invalid URL: {e}")))?;
    let mut headers = if super::under_base(target.as_str(), base).is_ok() {
        auth.clone()
    } else {
        HeaderMap::new()
    };
    if let Some(Ok(v)) =
        tail.map(|n| reqwest::header::HeaderValue::from_str(&format!("bytes=-{n}")))
    {
        headers.insert(reqwest::header::RANGE, v);
    }
    let body = get_bounded(http, target.as_str(), &headers, max_bytes, shutdown).await?;
    if body.status.is_redirection() {
        return Err(LogFetchError::Status(body.status.as_u16()));
    }
    if tail.is_some() && body.truncated && body.status != StatusCode::PARTIAL_CONTENT {
        return Err(LogFetchError::TooLarge(max_bytes));
    }
    Ok(body)
}

/// The last `tail_bytes` of `log` as text, from the first whole line, each line's secrets
/// masked.
pub fn tail(log: &[u8], tail_bytes: usize) -> String {
    let from = log.len().saturating_sub(tail_bytes);
    let mut part = &log[from..];
    if from > 0 {
        match part.iter().position(|&b| b == b'\n') {
            Some(nl) => part = &part[nl + 1..],
            None => part = &[],
        }
    }
    let text = String::from_utf8_lossy(part);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&crate::redact::secrets(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_starts_at_a_whole_line_and_is_masked() {
        let log = b"first line\nsecond line with token=abc123\nthird\n";
        assert_eq!(
            tail(log, 1000),
            "first line\nsecond line with token=***\nthird\n"
        );
        assert_eq!(tail(log, 10), "third\n");
        assert_eq!(tail(b"no newline at all", 5), "");
    }

    #[test]
    fn defaults() {
        let c: JobLogsConfig = serde_json::from_str("{}").expect("defaults");
        assert_eq!(c, JobLogsConfig::default());
        assert!(serde_json::from_str::<JobLogsConfig>(r#"{"max_byte": 1}"#).is_err());
    }
}
