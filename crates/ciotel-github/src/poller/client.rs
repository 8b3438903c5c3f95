//! HTTP to GitHub's REST API, one request at a time: GitHub's headers and authentication on
//! every request, conditional GETs (`If-None-Match` → 304), the `Link` to the next page, and
//! the decisions of `limits.rs` carried out (wait out rate limits, back off on 5xx), every
//! wait cut short by shutdown. Requests are never sent in parallel, as GitHub asks of clients.

use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, LINK};
use reqwest::{Method, StatusCode};
use tokio_util::sync::CancellationToken;

use super::auth::{AuthError, Credentials};
use super::limits::{self, Verdict};
use super::link;
use super::tuning::Tuning;

/// `User-Agent` of every request; GitHub refuses requests without one.
const USER_AGENT: &str = concat!("ciotel/", env!("CARGO_PKG_VERSION"));
/// The REST API version the poller is written against.
const API_VERSION: &str = "2022-11-28";
/// Rate-limit waits of one request before it is given up for this poll.
const MAX_WAITS: u32 = 10;
/// How much of an error body goes into a message.
const MESSAGE_CHARS: usize = 300;

/// Builds the HTTP client: rustls, GitHub's `Accept` and API version headers, a User-Agent,
/// and the request deadline of `tuning`.
pub(super) fn http_client(tuning: &Tuning) -> Result<reqwest::Client, reqwest::Error> {
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("application/vnd.github+json"),
    );
    headers.insert(
        "x-github-api-version",
        HeaderValue::from_static(API_VERSION),
    );
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .default_headers(headers)
        .timeout(tuning.request_timeout)
        .connect_timeout(tuning.request_timeout.min(Duration::from_secs(10)))
        .build()
}

/// What a GET brought back.
pub(super) enum Fetched {
    /// 304: the same as the answer whose ETag was sent.
    NotModified,
    /// A fresh answer.
    Body {
        /// The JSON body.
        body: Vec<u8>,
        /// `rel="next"` of the `Link` header.
        next: Option<String>,
        /// `ETag`, for the next conditional request to this URL.
        etag: Option<String>,
    },
}

/// A finished exchange, after every retry.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// GitHub's REST API as the poller uses it.
pub(super) struct Client {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
    tuning: Tuning,
    shutdown: CancellationToken,
    /// The primary rate limit is spent until then: the next request waits.
    blocked_until: Option<SystemTime>,
    receiver: String,
}

impl Client {
    /// A client for receiver `receiver`, whose waits end when `shutdown` is cancelled.
    pub(super) fn new(
        receiver: &str,
        http: reqwest::Client,
        base_url: &str,
        credentials: Credentials,
        tuning: Tuning,
        shutdown: CancellationToken,
    ) -> Self {
        Client {
            http,
            base_url: base_url.to_string(),
            credentials,
            tuning,
            shutdown,
            blocked_until: None,
            receiver: receiver.to_string(),
        }
    }

    /// `GET url`, conditional on `etag` when given. A 401 with App credentials buys a new
    /// installation token and tries once more.
    pub(super) async fn get(
        &mut self,
        url: &str,
        etag: Option<&str>,
    ) -> Result<Fetched, ClientError> {
        let mut reauthenticated = false;
        loop {
            let authorization = self.authorization().await?;
            match self.execute(Method::GET, url, authorization, etag).await {
                Err(ClientError::Status { status: 401, .. })
                    if !reauthenticated && matches!(self.credentials, Credentials::App(_)) =>
                {
                    if let Credentials::App(app) = &mut self.credentials {
                        app.invalidate();
                    }
                    reauthenticated = true;
                }
                Err(e) => return Err(e),
                Ok(answer) if answer.status == StatusCode::NOT_MODIFIED => {
                    return Ok(Fetched::NotModified);
                }
                Ok(answer) => {
                    let header = |name| {
                        answer
                            .headers
                            .get(name)
                            .and_then(|v: &HeaderValue| v.to_str().ok())
                    };
                    return Ok(Fetched::Body {
                        next: header(LINK).and_then(link::next_page),
                        etag: header(ETAG).map(str::to_owned),
                        body: answer.body,
                    });
                }
            }
        }
    }

    /// Waits `wait` unless shutdown comes first.
    pub(super) async fn sleep(&self, wait: Duration) -> Result<(), ClientError> {
        sleep_or_shutdown(wait, &self.shutdown).await
    }

    /// `Authorization` for API requests: the token, or a valid installation token (bought
    /// with a fresh JWT when there is none or it is about to expire).
    async fn authorization(&mut self) -> Result<HeaderValue, ClientError> {
        let now = SystemTime::now();
        let app = match &self.credentials {
            Credentials::Token(token) => return bearer(token.expose()),
            Credentials::App(app) => app,
        };
        if let Some(token) = app.current(now) {
            return bearer(token);
        }
        let jwt = bearer(&app.jwt(now)?)?;
        let url = app.token_url(&self.base_url);
        let answer = self.execute(Method::POST, &url, jwt, None).await?;
        match &mut self.credentials {
            Credentials::App(app) => {
                let token = app.store(&answer.body, SystemTime::now())?;
                tracing::debug!(receiver = %self.receiver, "new GitHub App installation token");
                bearer(token)
            }
            Credentials::Token(token) => bearer(token.expose()),
        }
    }

    /// Sends a request until it gets an answer to use, waiting as `limits::classify` says.
    async fn execute(
        &mut self,
        method: Method,
        url: &str,
        authorization: HeaderValue,
        etag: Option<&str>,
    ) -> Result<Answer, ClientError> {
        let (mut failures, mut waits, mut secondary) = (0u32, 0u32, 0u32);
        loop {
            self.wait_for_window().await?;
            let mut request = self
                .http
                .request(method.clone(), url)
                .header(AUTHORIZATION, authorization.clone());
            if let Some(tag) = etag {
                request = request.header(IF_NONE_MATCH, tag);
            }
            let exchange = async {
                let response = request.send().await?;
                let (status, headers) = (response.status(), response.headers().clone());
                let body = response.bytes().await?.to_vec();
                Ok::<_, reqwest::Error>(Answer {
                    status,
                    headers,
                    body,
                })
            };
            let answer = tokio::select! {
                answer = exchange => answer,
                () = self.shutdown.cancelled() => return Err(ClientError::Shutdown),
            };
            let answer = match answer {
                Ok(answer) => answer,
                Err(source) => {
                    failures += 1;
                    if failures >= self.tuning.max_attempts {
                        return Err(ClientError::Transport {
                            url: url.to_string(),
                            source,
                        });
                    }
                    let wait = self.tuning.backoff(failures);
                    tracing::debug!(
                        receiver = %self.receiver, %url, error = %source, ?wait,
                        "GitHub request failed, retrying"
                    );
                    self.sleep(wait).await?;
                    continue;
                }
            };
            let now = SystemTime::now();
            if let Some(wait) = limits::exhausted(&answer.headers, now) {
                self.blocked_until = Some(now + wait.min(self.tuning.max_rate_limit_wait));
            }
            let text = if answer.status.is_success() {
                String::new()
            } else {
                String::from_utf8_lossy(&answer.body).into_owned()
            };
            let wait = match limits::classify(answer.status, &answer.headers, &text, now) {
                Verdict::Done => return Ok(answer),
                Verdict::Unauthorized | Verdict::Fail => {
                    return Err(ClientError::status(url, answer.status, &text));
                }
                Verdict::Wait(wait) => {
                    self.blocked_until = None;
                    waits += 1;
                    wait
                }
                Verdict::SecondaryLimit => {
                    waits += 1;
                    secondary += 1;
                    self.tuning
                        .secondary_limit_wait
                        .saturating_mul(1 << (secondary - 1).min(6))
                }
                Verdict::Backoff(at_least) => {
                    failures += 1;
                    if failures >= self.tuning.max_attempts {
                        return Err(ClientError::status(url, answer.status, &text));
                    }
                    self.tuning
                        .backoff(failures)
                        .max(at_least.unwrap_or_default())
                }
            };
            if waits > MAX_WAITS {
                return Err(ClientError::RateLimited {
                    url: url.to_string(),
                    waits: MAX_WAITS,
                });
            }
            let wait = wait.min(self.tuning.max_rate_limit_wait);
            tracing::info!(
                receiver = %self.receiver, %url, status = answer.status.as_u16(), ?wait,
                "GitHub asks to wait; retrying the same request after"
            );
            self.sleep(wait).await?;
        }
    }

    /// Sleeps until the primary rate-limit window resets, if it is spent.
    async fn wait_for_window(&mut self) -> Result<(), ClientError> {
        let Some(until) = self.blocked_until.take() else {
            return Ok(());
        };
        if let Ok(wait) = until.duration_since(SystemTime::now()) {
            tracing::info!(
                receiver = %self.receiver, ?wait,
                "GitHub API rate limit spent; waiting for the window to reset"
            );
            self.sleep(wait).await?;
        }
        Ok(())
    }
}

/// Waits `wait` unless `shutdown` is cancelled first.
pub(super) async fn sleep_or_shutdown(
    wait: Duration,
    shutdown: &CancellationToken,
) -> Result<(), ClientError> {
    tokio::select! {
        () = tokio::time::sleep(wait) => Ok(()),
        () = shutdown.cancelled() => Err(ClientError::Shutdown),
    }
}

/// `Bearer {token}`, marked sensitive so it is never printed.
fn bearer(token: &str) -> Result<HeaderValue, ClientError> {
    let mut value =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| ClientError::BadToken)?;
    value.set_sensitive(true);
    Ok(value)
}

/// Why a request to GitHub gave no usable answer.
///
/// Exists so the poll loop can tell shutdown (stop quietly) from a failure of this poll (log
/// it, keep the cursor, try again at the next interval).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Shutdown came while waiting or in flight.
    #[error("shutting down")]
    Shutdown,
    /// No answer after every try (connection refused, timeout, TLS …).
    #[error("{url}: no answer after retries: {source}")]
    Transport {
        /// The request.
        url: String,
        /// The last failure.
        #[source]
        source: reqwest::Error,
    },
    /// An answer retrying will not change (or a 5xx that persisted through every try).
    #[error("{url} answered {status}: {message}{hint}")]
    Status {
        /// The request.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of GitHub's message.
        message: String,
        /// What to check, when the status says.
        hint: &'static str,
    },
    /// Still rate limited after many waits.
    #[error("{url}: still rate limited after {waits} waits; giving up until the next poll")]
    RateLimited {
        /// The request.
        url: String,
        /// Waits made.
        waits: u32,
    },
    /// The token cannot be sent in an HTTP header.
    #[error("the token has characters an HTTP header cannot carry (a stray newline?)")]
    BadToken,
    /// The App's JWT or installation token failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl ClientError {
    fn status(url: &str, status: StatusCode, body: &str) -> Self {
        let hint = match status.as_u16() {
            401 => " (check the token or the App's credentials)",
            403 => " (check the credentials' permissions: Actions read access is needed)",
            404 => " (check the repository or owner name, and that the credentials can see it)",
            _ => "",
        };
        ClientError::Status {
            url: url.to_string(),
            status: status.as_u16(),
            message: body.chars().take(MESSAGE_CHARS).collect(),
            hint,
        }
    }
}
