//! HTTP to a platform's REST API, one request at a time: the decisions of `limits.rs` carried
//! out — wait out rate limits (and hold the next request while a window is spent), back off on
//! 5xx and network errors — every wait cut short by shutdown. Requests are never sent in
//! parallel, as GitHub asks of clients and GitLab's limits reward.
//!
//! What goes on a request (authentication, conditional headers) and what an answer means
//! beyond its status (ETags, pages, JSON) is the platform poller's business.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, LINK};
use reqwest::{Method, StatusCode};
use tokio_util::sync::CancellationToken;

use super::limits::{self, ApiRules, Verdict};
use super::paging;
use super::tuning::Tuning;

/// `User-Agent` of every request; GitHub refuses requests without one.
const USER_AGENT: &str = concat!("ciotel/", env!("CARGO_PKG_VERSION"));
/// Rate-limit waits of one request before it is given up for this poll.
const MAX_WAITS: u32 = 10;
/// How much of an error body goes into a message.
const MESSAGE_CHARS: usize = 300;

/// Builds an HTTP client: rustls, `default_headers` (a platform's `Accept`, API version …) and
/// ciotel's User-Agent on every request, and the request deadline of `tuning`.
pub fn http_client(
    tuning: &Tuning,
    default_headers: HeaderMap,
) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .default_headers(default_headers)
        .timeout(tuning.request_timeout)
        .connect_timeout(tuning.request_timeout.min(Duration::from_secs(10)))
        .build()
}

/// A finished exchange, after every retry: a 2xx or a 304.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, read whole.
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value, when present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `rel="next"` of the `Link` header: the next page, if any.
    pub fn next_link(&self) -> Option<String> {
        self.header(LINK.as_str()).and_then(paging::next_link)
    }
}

/// Shutdown came while waiting.
///
/// Exists so every wait of a poller can end early with one value its caller tells apart from
/// a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("shutting down")]
pub struct Cancelled;

/// Why a request gave no usable answer.
///
/// Exists so a poller can tell shutdown (stop quietly) from a failure of this poll (log it,
/// keep the cursor, try again at the next interval), and see the status of a failure (a 404
/// may mean "gone", a 401 "authenticate again").
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
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
        /// The start of the body, the platform's message.
        message: String,
        /// What to check, when the status says ([`ApiRules::hint`]).
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
}

impl From<Cancelled> for RequestError {
    fn from(_: Cancelled) -> Self {
        RequestError::Shutdown
    }
}

impl RequestError {
    fn status(rules: &ApiRules, url: &str, status: StatusCode, body: &str) -> Self {
        RequestError::Status {
            url: url.to_string(),
            status: status.as_u16(),
            message: body.chars().take(MESSAGE_CHARS).collect(),
            hint: (rules.hint)(status.as_u16()),
        }
    }
}

/// A platform's REST API as a poller uses it: [`ApiClient::send`] until there is an answer.
///
/// Exists so GitHub's and GitLab's pollers retry, back off and wait out rate limits the same
/// way, by one table (`limits.rs`) and one [`Tuning`].
pub struct ApiClient {
    http: reqwest::Client,
    rules: ApiRules,
    tuning: Tuning,
    shutdown: CancellationToken,
    /// The rate-limit window is spent until then: the next request waits.
    blocked_until: Option<SystemTime>,
    receiver: String,
}

impl ApiClient {
    /// A client for receiver `receiver` of the platform `rules` describe, whose waits end when
    /// `shutdown` is cancelled.
    pub fn new(
        receiver: &str,
        http: reqwest::Client,
        rules: ApiRules,
        tuning: Tuning,
        shutdown: CancellationToken,
    ) -> Self {
        ApiClient {
            http,
            rules,
            tuning,
            shutdown,
            blocked_until: None,
            receiver: receiver.to_string(),
        }
    }

    /// The waits in use.
    pub fn tuning(&self) -> &Tuning {
        &self.tuning
    }

    /// Waits `wait` unless shutdown comes first.
    pub async fn sleep(&self, wait: Duration) -> Result<(), Cancelled> {
        sleep_or_shutdown(wait, &self.shutdown).await
    }

    /// Sends `method url` with `headers` until it gets a 2xx or 304, waiting as
    /// [`classify`](super::classify) says; any other answer is a [`RequestError::Status`].
    pub async fn send(
        &mut self,
        method: Method,
        url: &str,
        headers: &HeaderMap,
    ) -> Result<Answer, RequestError> {
        let (mut failures, mut waits, mut secondary) = (0u32, 0u32, 0u32);
        let platform = self.rules.platform;
        // What errors and logs show: never the userinfo of a `base_url` with credentials.
        let shown = crate::redact::userinfo(url).into_owned();
        loop {
            self.wait_for_window().await?;
            let request = self
                .http
                .request(method.clone(), url)
                .headers(headers.clone());
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
                () = self.shutdown.cancelled() => return Err(RequestError::Shutdown),
            };
            let answer = match answer {
                Ok(answer) => answer,
                Err(source) => {
                    failures += 1;
                    if failures >= self.tuning.max_attempts {
                        return Err(RequestError::Transport {
                            url: shown,
                            source: source.without_url(),
                        });
                    }
                    let wait = self.tuning.backoff(failures);
                    tracing::debug!(
                        receiver = %self.receiver, url = %shown, error = %source.without_url(), ?wait,
                        "{platform} request failed, retrying"
                    );
                    self.sleep(wait).await?;
                    continue;
                }
            };
            let now = SystemTime::now();
            if let Some(wait) = limits::exhausted(&self.rules, &answer.headers, now) {
                self.blocked_until = Some(now + wait.min(self.tuning.max_rate_limit_wait));
            }
            let text = if answer.status.is_success() {
                String::new()
            } else {
                String::from_utf8_lossy(&answer.body).into_owned()
            };
            let wait =
                match limits::classify(&self.rules, answer.status, &answer.headers, &text, now) {
                    Verdict::Done => return Ok(answer),
                    Verdict::Unauthorized | Verdict::Fail => {
                        return Err(RequestError::status(
                            &self.rules,
                            &shown,
                            answer.status,
                            &text,
                        ));
                    }
                    Verdict::Wait(wait) => {
                        self.blocked_until = None;
                        waits += 1;
                        wait
                    }
                    Verdict::SecondaryLimit => {
                        waits += 1;
                        secondary += 1;
                        self.tuning.secondary_limit(secondary)
                    }
                    Verdict::Backoff(at_least) => {
                        failures += 1;
                        if failures >= self.tuning.max_attempts {
                            return Err(RequestError::status(
                                &self.rules,
                                &shown,
                                answer.status,
                                &text,
                            ));
                        }
                        self.tuning
                            .backoff(failures)
                            .max(at_least.unwrap_or_default())
                    }
                };
            if waits > MAX_WAITS {
                return Err(RequestError::RateLimited {
                    url: shown,
                    waits: MAX_WAITS,
                });
            }
            let wait = wait.min(self.tuning.max_rate_limit_wait);
            tracing::info!(
                receiver = %self.receiver, url = %shown, status = answer.status.as_u16(), ?wait,
                "{platform} asks to wait; retrying the same request after"
            );
            self.sleep(wait).await?;
        }
    }

    /// Sleeps until the rate-limit window resets, if it is spent.
    async fn wait_for_window(&mut self) -> Result<(), Cancelled> {
        let Some(until) = self.blocked_until.take() else {
            return Ok(());
        };
        if let Ok(wait) = until.duration_since(SystemTime::now()) {
            tracing::info!(
                receiver = %self.receiver, ?wait,
                "{} API rate limit spent; waiting for the window to reset", self.rules.platform
            );
            self.sleep(wait).await?;
        }
        Ok(())
    }
}

/// Waits `wait` unless `shutdown` is cancelled first.
pub async fn sleep_or_shutdown(
    wait: Duration,
    shutdown: &CancellationToken,
) -> Result<(), Cancelled> {
    tokio::select! {
        () = tokio::time::sleep(wait) => Ok(()),
        () = shutdown.cancelled() => Err(Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::HeaderValue;
    use axum::response::IntoResponse;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    const RULES: ApiRules = ApiRules {
        platform: "Test",
        remaining_header: "ratelimit-remaining",
        reset_header: "ratelimit-reset",
        limit_message: |_| false,
        hint: |status| {
            if status == 404 {
                " (check the path)"
            } else {
                ""
            }
        },
    };

    fn fast() -> Tuning {
        Tuning {
            backoff_initial: Duration::from_millis(20),
            backoff_max: Duration::from_millis(50),
            max_attempts: 3,
            secondary_limit_wait: Duration::from_millis(50),
            max_rate_limit_wait: Duration::from_secs(3),
            refused_backoff_initial: Duration::from_millis(10),
            refused_backoff_max: Duration::from_millis(20),
            request_timeout: Duration::from_secs(5),
        }
    }

    /// The status and headers of the n-th answer (from 0).
    type Script = fn(u32) -> (u16, Vec<(&'static str, String)>);
    /// When each request came, and its headers.
    type Seen = Arc<Mutex<Vec<(Instant, HeaderMap)>>>;

    /// A server answering the n-th request (from 0) with `script(n)`, recording when.
    async fn serve(script: Script) -> (String, Seen) {
        let count = Arc::new(AtomicU32::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let router = Router::new().fallback(move |headers: HeaderMap| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            log.lock().expect("lock").push((Instant::now(), headers));
            async move {
                let (status, pairs) = script(n);
                let mut out = HeaderMap::new();
                for (k, v) in pairs {
                    out.insert(k, HeaderValue::from_str(&v).expect("header"));
                }
                let status = axum::http::StatusCode::from_u16(status).expect("status");
                (status, out, format!("answer {n}")).into_response()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/x", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        (url, seen)
    }

    fn client() -> ApiClient {
        let http = http_client(&fast(), HeaderMap::new()).expect("client");
        ApiClient::new("test", http, RULES, fast(), CancellationToken::new())
    }

    fn headers(token: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("private-token", HeaderValue::from_static(token));
        h
    }

    #[tokio::test]
    async fn server_errors_are_retried_and_headers_sent_each_time() {
        let (url, seen) = serve(|n| (if n < 2 { 502 } else { 200 }, vec![])).await;
        let answer = client()
            .send(Method::GET, &url, &headers("t"))
            .await
            .expect("third try succeeds");
        assert_eq!(answer.body, b"answer 2");
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|(_, h)| h.get("private-token").is_some()));
        assert!(seen.iter().all(|(_, h)| {
            h.get("user-agent")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("ciotel/"))
        }));
    }

    #[tokio::test]
    async fn persistent_server_errors_and_client_errors_fail_with_the_status() {
        let (url, seen) = serve(|_| (503, vec![])).await;
        match client().send(Method::GET, &url, &HeaderMap::new()).await {
            Err(RequestError::Status { status: 503, .. }) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(seen.lock().expect("lock").len(), 3, "max_attempts");
        let (url, seen) = serve(|_| (404, vec![])).await;
        let e = client()
            .send(Method::GET, &url, &HeaderMap::new())
            .await
            .expect_err("404");
        assert!(
            e.to_string()
                .ends_with("answered 404: answer 0 (check the path)"),
            "{e}"
        );
        assert_eq!(seen.lock().expect("lock").len(), 1, "never retried");
    }

    #[tokio::test]
    async fn retry_after_and_a_spent_window_are_waited_out() {
        let (url, seen) = serve(|n| match n {
            0 => (429, vec![("retry-after", "1".to_string())]),
            1 => {
                let now = SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                (
                    200,
                    vec![
                        ("ratelimit-remaining", "0".to_string()),
                        ("ratelimit-reset", now.to_string()),
                    ],
                )
            }
            _ => (200, vec![]),
        })
        .await;
        let mut client = client();
        client
            .send(Method::GET, &url, &HeaderMap::new())
            .await
            .expect("after the 429");
        client
            .send(Method::GET, &url, &HeaderMap::new())
            .await
            .expect("after the window");
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 3);
        assert!(seen[1].0 - seen[0].0 >= Duration::from_millis(950));
        // Reset is this second: the next request waits for it, plus the rounding second.
        assert!(seen[2].0 - seen[1].0 >= Duration::from_millis(950));
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_transport_error_after_retries() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/x", listener.local_addr().expect("address"));
        drop(listener);
        match client().send(Method::GET, &url, &HeaderMap::new()).await {
            Err(RequestError::Transport { .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn shutdown_ends_a_wait() {
        let (url, _) = serve(|_| (429, vec![("retry-after", "30".to_string())])).await;
        let shutdown = CancellationToken::new();
        let http = http_client(&fast(), HeaderMap::new()).expect("client");
        let mut client = ApiClient::new("test", http, RULES, fast(), shutdown.clone());
        let stop = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            shutdown.cancel();
        });
        let started = Instant::now();
        assert!(matches!(
            client.send(Method::GET, &url, &HeaderMap::new()).await,
            Err(RequestError::Shutdown)
        ));
        assert!(started.elapsed() < Duration::from_secs(2));
        stop.await.expect("task");
    }
}
