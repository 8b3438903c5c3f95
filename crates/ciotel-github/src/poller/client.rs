//! HTTP to GitHub's REST API: GitHub's headers and authentication on every request,
//! conditional GETs (`If-None-Match` → 304), and the `Link` to the next page. Retries, backoff
//! and rate-limit waits are the shared [`ApiClient`]'s, by GitHub's rules (`limits.rs`); a 401
//! with App credentials buys a new installation token and tries once more.

use std::time::SystemTime;

use ciotel_core::poll::{self, ApiClient, RequestError, Tuning};
use reqwest::header::{ACCEPT, AUTHORIZATION, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH};
use reqwest::{Method, StatusCode};
use tokio_util::sync::CancellationToken;

use super::auth::{AuthError, Credentials};
use super::limits::RULES;

/// The REST API version the poller is written against.
const API_VERSION: &str = "2022-11-28";

/// Builds the HTTP client: rustls, GitHub's `Accept` and API version headers, a User-Agent,
/// and the request deadline of `tuning`.
pub(crate) fn http_client(tuning: &Tuning) -> Result<reqwest::Client, reqwest::Error> {
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("application/vnd.github+json"),
    );
    headers.insert(
        "x-github-api-version",
        HeaderValue::from_static(API_VERSION),
    );
    poll::http_client(tuning, headers)
}

/// What a GET brought back.
pub(crate) enum Fetched {
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

/// GitHub's REST API as the poller uses it.
pub(crate) struct Client {
    api: ApiClient,
    base_url: String,
    credentials: Credentials,
    receiver: String,
}

impl Client {
    /// A client for receiver `receiver`, whose waits end when `shutdown` is cancelled.
    pub(crate) fn new(
        receiver: &str,
        http: reqwest::Client,
        base_url: &str,
        credentials: Credentials,
        tuning: Tuning,
        shutdown: CancellationToken,
    ) -> Self {
        Client {
            api: ApiClient::new(receiver, http, RULES, tuning, shutdown),
            base_url: base_url.to_string(),
            credentials,
            receiver: receiver.to_string(),
        }
    }

    /// `GET url`, conditional on `etag` when given. A 401 with App credentials buys a new
    /// installation token and tries once more.
    pub(crate) async fn get(
        &mut self,
        url: &str,
        etag: Option<&str>,
    ) -> Result<Fetched, ClientError> {
        let mut reauthenticated = false;
        loop {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, self.authorization().await?);
            // An ETag came from a header, so it fits in one; were it not to, the GET goes
            // unconditional.
            if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(t).ok()) {
                headers.insert(IF_NONE_MATCH, tag);
            }
            match self.api.send(Method::GET, url, &headers).await {
                Err(RequestError::Status { status: 401, .. })
                    if !reauthenticated && matches!(self.credentials, Credentials::App(_)) =>
                {
                    if let Credentials::App(app) = &mut self.credentials {
                        app.invalidate();
                    }
                    reauthenticated = true;
                }
                Err(e) => return Err(e.into()),
                Ok(answer) if answer.status == StatusCode::NOT_MODIFIED => {
                    return Ok(Fetched::NotModified);
                }
                Ok(answer) => {
                    return Ok(Fetched::Body {
                        next: answer.next_link(),
                        etag: answer.header(ETAG.as_str()).map(str::to_owned),
                        body: answer.body,
                    });
                }
            }
        }
    }

    /// The headers that authenticate a request to the API (`Authorization`), for requests
    /// this client does not send itself (job logs).
    pub(super) async fn auth_headers(&mut self) -> Result<HeaderMap, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, self.authorization().await?);
        Ok(headers)
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
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, bearer(&app.jwt(now)?)?);
        let url = app.token_url(&self.base_url);
        let answer = self.api.send(Method::POST, &url, &headers).await?;
        match &mut self.credentials {
            Credentials::App(app) => {
                let token = app.store(&answer.body, SystemTime::now())?;
                tracing::debug!(receiver = %self.receiver, "new GitHub App installation token");
                bearer(token)
            }
            Credentials::Token(token) => bearer(token.expose()),
        }
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
    /// No usable answer after the shared client's retries and waits (network, status, rate
    /// limit).
    #[error(transparent)]
    Request(RequestError),
    /// The token cannot be sent in an HTTP header.
    #[error("the token has characters an HTTP header cannot carry (a stray newline?)")]
    BadToken,
    /// The App's JWT or installation token failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl From<RequestError> for ClientError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::Shutdown => ClientError::Shutdown,
            e => ClientError::Request(e),
        }
    }
}
