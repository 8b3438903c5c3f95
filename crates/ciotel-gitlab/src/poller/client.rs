//! HTTP to GitLab's REST API (`{base_url}/api/v4`): the token header on every request, JSON
//! bodies, and the pages of a listing — `Link: <…>; rel="next"` when GitLab sends it (offset
//! and keyset pagination both do), else `X-Next-Page` (empty on the last page). Every URL,
//! a next page included, must stay under the API root: the token is never sent elsewhere.
//!
//! Retries, backoff and rate-limit waits are the shared `ciotel_core::poll::ApiClient`'s, by
//! GitLab's rules, a table to hold against GitLab's "Rate limits" and "REST API" pages:
//!
//! | answer | decision |
//! |---|---|
//! | 2xx | done |
//! | 429 with `Retry-After` | wait that long |
//! | 429 with `RateLimit-Remaining: 0` | wait until `RateLimit-Reset` (Unix seconds) |
//! | 429 without either | wait a minute, doubling |
//! | 401, 403, 404, other 4xx | fail: a token, permission or path problem retrying will not fix |
//! | 5xx | back off exponentially (at least `Retry-After` when given) and retry, a few times |
//!
//! `RateLimit-Remaining: 0` on any answer, a 200 included, holds the next request until
//! `RateLimit-Reset`.

use std::collections::HashSet;

use ciotel_core::poll::{self, ApiClient, ApiRules, Tuning, under_base};
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::error::PollError;

/// GitLab's offset-pagination header with the next page's number.
const NEXT_PAGE: &str = "x-next-page";

/// GitLab's rate-limit headers and hints.
pub(super) const RULES: ApiRules = ApiRules {
    platform: "GitLab",
    remaining_header: "ratelimit-remaining",
    reset_header: "ratelimit-reset",
    // GitLab says "rate limited" with a 429, never with a bare 403.
    limit_message: |_| false,
    hint,
};

/// What to check when GitLab refuses.
fn hint(status: u16) -> &'static str {
    match status {
        401 => " (check the token: set, not expired or revoked, and sent the way `auth` says)",
        403 => " (check the token's scope, read_api, and its role on the project)",
        404 => " (check the project or group path, and that the token can see it)",
        _ => "",
    }
}

/// Builds the HTTP client: rustls, `Accept: application/json`, a User-Agent, and the request
/// deadline of `tuning`.
pub(crate) fn http_client(tuning: &Tuning) -> Result<reqwest::Client, reqwest::Error> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    poll::http_client(tuning, headers)
}

/// One page of a listing.
pub(crate) struct Page<T> {
    /// What the page lists.
    pub(crate) items: Vec<T>,
    /// The next page, `None` on the last.
    pub(crate) next: Option<String>,
}

/// GitLab's REST API as the poller uses it.
pub(crate) struct Client {
    api: ApiClient,
    headers: HeaderMap,
    root: String,
}

impl Client {
    /// A client for receiver `receiver` under `root` (`{base_url}/api/v4`), sending `token`
    /// (a header name and value) on every request; its waits end when `shutdown` is cancelled.
    pub(crate) fn new(
        receiver: &str,
        http: reqwest::Client,
        root: &str,
        token: (HeaderName, HeaderValue),
        tuning: Tuning,
        shutdown: CancellationToken,
    ) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(token.0, token.1);
        Client {
            api: ApiClient::new(receiver, http, RULES, tuning, shutdown),
            headers,
            root: root.to_string(),
        }
    }

    /// `GET url` as JSON, with the next page if the answer names one.
    async fn get<T: DeserializeOwned>(
        &mut self,
        url: &str,
    ) -> Result<(T, Option<String>), PollError> {
        under_base(url, &self.root)?;
        let answer = self.api.send(Method::GET, url, &self.headers).await?;
        let next = answer
            .next_link()
            .or_else(|| poll::next_page_number(url, &answer.headers, NEXT_PAGE));
        let value =
            serde_json::from_slice(&answer.body).map_err(|source| PollError::Malformed {
                url: url.to_string(),
                source,
            })?;
        Ok((value, next))
    }

    /// `GET url`: one object.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &mut self,
        url: &str,
    ) -> Result<T, PollError> {
        Ok(self.get(url).await?.0)
    }

    /// `GET url`: one page of a listing.
    pub(crate) async fn get_page<T: DeserializeOwned>(
        &mut self,
        url: &str,
    ) -> Result<Page<T>, PollError> {
        let (items, next) = self.get(url).await?;
        Ok(Page { items, next })
    }

    /// Every page of a listing from `first`, in order. A next page already fetched ends the
    /// listing (a server repeating itself would otherwise loop forever).
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &mut self,
        first: &str,
    ) -> Result<Vec<T>, PollError> {
        let mut all = Vec::new();
        let mut fetched = HashSet::new();
        let mut next = Some(first.to_string());
        while let Some(url) = next.take() {
            let page = self.get_page(&url).await?;
            all.extend(page.items);
            fetched.insert(url);
            next = page.next.filter(|n| !fetched.contains(n));
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciotel_core::poll::{Verdict, classify};
    use reqwest::StatusCode;
    use std::time::{Duration, UNIX_EPOCH};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("test header"));
        }
        h
    }

    #[test]
    fn the_table() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let s = |code| StatusCode::from_u16(code).expect("status");
        let none = HeaderMap::new();
        let cases: &[(u16, HeaderMap, Verdict)] = &[
            (200, none.clone(), Verdict::Done),
            (
                429,
                headers(&[("retry-after", "1")]),
                Verdict::Wait(Duration::from_secs(1)),
            ),
            (
                429,
                headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "1000020")]),
                Verdict::Wait(Duration::from_secs(21)),
            ),
            (429, none.clone(), Verdict::SecondaryLimit),
            (401, none.clone(), Verdict::Unauthorized),
            (403, none.clone(), Verdict::Fail),
            (404, none.clone(), Verdict::Fail),
            (502, none.clone(), Verdict::Backoff(None)),
        ];
        for (code, h, want) in cases {
            let body = "{\"message\":\"403 Forbidden\"}";
            assert_eq!(classify(&RULES, s(*code), h, body, now), *want, "{code}");
        }
        assert!(hint(403).contains("read_api"));
    }
}
