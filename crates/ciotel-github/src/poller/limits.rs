//! GitHub's REST answers as decisions, a table to hold against GitHub's "Rate limits for the
//! REST API" and "Best practices for using the REST API" pages:
//!
//! | answer | decision |
//! |---|---|
//! | 2xx, 304 | done (a 304 costs no rate limit) |
//! | 401 | re-authenticate once (an App's installation token may have been revoked), else fail |
//! | 403 / 429 with `Retry-After` | wait that long (secondary rate limit) |
//! | 403 / 429 with `X-RateLimit-Remaining: 0` | wait until `X-RateLimit-Reset` (primary limit) |
//! | 429, or 403 saying "secondary rate limit", without either header | wait a minute, doubling |
//! | other 403, other 4xx | fail: a permission or request problem retrying will not fix |
//! | 5xx | back off exponentially (at least `Retry-After` when given) and retry, a few times |
//!
//! Independently of the status, `X-RateLimit-Remaining: 0` on any answer means the next
//! request waits until `X-RateLimit-Reset`, so the poller never spends a request to learn it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Requests left in the current primary window.
const REMAINING: &str = "x-ratelimit-remaining";
/// When the primary window resets, in Unix seconds.
const RESET: &str = "x-ratelimit-reset";

/// What to do with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Use it (2xx, 304).
    Done,
    /// Try again after exactly this long (a rate limit said so).
    Wait(Duration),
    /// A secondary rate limit without a stated wait: wait a minute, doubling on repeats.
    SecondaryLimit,
    /// A server error: back off, waiting at least this long if the server said so.
    Backoff(Option<Duration>),
    /// 401: credentials refused.
    Unauthorized,
    /// A failure retrying will not fix.
    Fail,
}

/// Decides what an answer means. `body` is read only for a 403 without rate-limit headers,
/// where GitHub's message is the one way to tell a secondary rate limit from a permission
/// error.
pub(super) fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    now: SystemTime,
) -> Verdict {
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Verdict::Done;
    }
    match status.as_u16() {
        401 => Verdict::Unauthorized,
        403 | 429 => {
            if let Some(wait) = retry_after(headers, now) {
                Verdict::Wait(wait)
            } else if let Some(wait) = exhausted(headers, now) {
                Verdict::Wait(wait)
            } else if status == StatusCode::TOO_MANY_REQUESTS
                || body.to_ascii_lowercase().contains("secondary rate limit")
            {
                Verdict::SecondaryLimit
            } else {
                Verdict::Fail
            }
        }
        500..=599 => Verdict::Backoff(retry_after(headers, now)),
        _ => Verdict::Fail,
    }
}

/// `X-RateLimit-Remaining: 0`: how long until `X-RateLimit-Reset` (plus a second, as the
/// reset is rounded down to the second). `None` while requests remain or without the headers.
pub(super) fn exhausted(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let remaining: u64 = header_str(headers, REMAINING)?.trim().parse().ok()?;
    if remaining > 0 {
        return None;
    }
    let reset: u64 = header_str(headers, RESET)?.trim().parse().ok()?;
    let reset = UNIX_EPOCH + Duration::from_secs(reset);
    Some(reset.duration_since(now).unwrap_or(Duration::ZERO) + Duration::from_secs(1))
}

/// `Retry-After` as seconds or as an HTTP date.
pub(super) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = header_str(headers, RETRY_AFTER.as_str())?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
        let cases: &[(u16, HeaderMap, &str, Verdict)] = &[
            (200, none.clone(), "", Verdict::Done),
            (304, none.clone(), "", Verdict::Done),
            (401, none.clone(), "Bad credentials", Verdict::Unauthorized),
            (
                403,
                headers(&[("retry-after", "7")]),
                "",
                Verdict::Wait(Duration::from_secs(7)),
            ),
            (
                429,
                headers(&[("retry-after", "2")]),
                "",
                Verdict::Wait(Duration::from_secs(2)),
            ),
            (
                403,
                headers(&[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "1000030"),
                ]),
                "API rate limit exceeded",
                Verdict::Wait(Duration::from_secs(31)),
            ),
            (
                403,
                none.clone(),
                "You have exceeded a secondary rate limit.",
                Verdict::SecondaryLimit,
            ),
            (429, none.clone(), "", Verdict::SecondaryLimit),
            (
                403,
                headers(&[("x-ratelimit-remaining", "4999")]),
                "Resource not accessible by integration",
                Verdict::Fail,
            ),
            (404, none.clone(), "Not Found", Verdict::Fail),
            (422, none.clone(), "", Verdict::Fail),
            (502, none.clone(), "", Verdict::Backoff(None)),
            (
                503,
                headers(&[("retry-after", "3")]),
                "",
                Verdict::Backoff(Some(Duration::from_secs(3))),
            ),
        ];
        for (code, h, body, want) in cases {
            assert_eq!(classify(s(*code), h, body, now), *want, "{code} {body}");
        }
    }

    #[test]
    fn an_exhausted_window_is_waited_out_even_on_success() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1000010"),
        ]);
        assert_eq!(exhausted(&h, now), Some(Duration::from_secs(11)));
        let past = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "5")]);
        assert_eq!(exhausted(&past, now), Some(Duration::from_secs(1)));
        let left = headers(&[("x-ratelimit-remaining", "1"), ("x-ratelimit-reset", "5")]);
        assert_eq!(exhausted(&left, now), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let date = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]);
        assert_eq!(retry_after(&date, now), Some(Duration::from_secs(10)));
        assert_eq!(retry_after(&headers(&[("retry-after", "x")]), now), None);
    }
}
