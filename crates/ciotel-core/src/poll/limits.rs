//! An API's answers as decisions. One table serves GitHub and GitLab; what differs between
//! them — the names of the rate-limit headers, how a 403 says "rate limited" without them, the
//! hints in error messages — is an [`ApiRules`] each poller passes in.
//!
//! | answer | decision |
//! |---|---|
//! | 2xx, 304 | done |
//! | 401 | unauthorized (the caller may re-authenticate once), else fail |
//! | 403 / 429 with `Retry-After` (seconds or an HTTP date) | wait that long |
//! | 403 / 429 with `{remaining}: 0` | wait until `{reset}` (Unix seconds) and a second |
//! | 429, or a 403 whose body [`ApiRules::limit_message`] recognises, without either header | wait [`Tuning::secondary_limit_wait`](super::Tuning), doubling |
//! | other 403, other 4xx | fail: a permission or request problem retrying will not fix |
//! | 5xx | back off exponentially (at least `Retry-After` when given) and retry, a few times |
//!
//! Independently of the status, `{remaining}: 0` on any answer means the next request waits
//! until `{reset}`, so a poller never spends a request to learn it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// What the shared client needs to know of one platform's API.
///
/// Exists so GitHub's and GitLab's pollers share the retry and rate-limit logic while each
/// keeps its own header names and wording, checkable against its own documentation.
#[derive(Debug, Clone, Copy)]
pub struct ApiRules {
    /// The platform, for logs: `GitHub`, `GitLab`.
    pub platform: &'static str,
    /// Header with the requests left in the current window, lower case
    /// (`x-ratelimit-remaining`, `ratelimit-remaining`).
    pub remaining_header: &'static str,
    /// Header with the window's reset as Unix seconds, lower case (`x-ratelimit-reset`,
    /// `ratelimit-reset`).
    pub reset_header: &'static str,
    /// Whether a 403 body without rate-limit headers says it is a rate limit (GitHub's
    /// "secondary rate limit"); the body is only read for 403s.
    pub limit_message: fn(&str) -> bool,
    /// What to check for a failing status (`401` → "check the token"), appended to the
    /// error; `""` when there is nothing to say.
    pub hint: fn(u16) -> &'static str,
}

/// What to do with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Use it (2xx, 304).
    Done,
    /// Try again after exactly this long (a rate limit said so).
    Wait(Duration),
    /// A rate limit without a stated wait: wait a minute, doubling on repeats.
    SecondaryLimit,
    /// A server error: back off, waiting at least this long if the server said so.
    Backoff(Option<Duration>),
    /// 401: credentials refused.
    Unauthorized,
    /// A failure retrying will not fix.
    Fail,
}

/// Decides what an answer means (see the module's table). `body` is read only for a 403
/// without rate-limit headers, where the message is the one way to tell a rate limit from a
/// permission error.
pub fn classify(
    rules: &ApiRules,
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
            } else if let Some(wait) = exhausted(rules, headers, now) {
                Verdict::Wait(wait)
            } else if status == StatusCode::TOO_MANY_REQUESTS || (rules.limit_message)(body) {
                Verdict::SecondaryLimit
            } else {
                Verdict::Fail
            }
        }
        500..=599 => Verdict::Backoff(retry_after(headers, now)),
        _ => Verdict::Fail,
    }
}

/// `{remaining}: 0`: how long until `{reset}` (plus a second, as the reset is rounded down to
/// the second). `None` while requests remain or without the headers.
pub fn exhausted(rules: &ApiRules, headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let remaining: u64 = header_str(headers, rules.remaining_header)?
        .trim()
        .parse()
        .ok()?;
    if remaining > 0 {
        return None;
    }
    let reset: u64 = header_str(headers, rules.reset_header)?
        .trim()
        .parse()
        .ok()?;
    let reset = UNIX_EPOCH + Duration::from_secs(reset);
    Some(reset.duration_since(now).unwrap_or(Duration::ZERO) + Duration::from_secs(1))
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    crate::retry_after::parse(header_str(headers, RETRY_AFTER.as_str())?, now)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// A platform with the IETF draft's header names and a 403 message of its own.
    const RULES: ApiRules = ApiRules {
        platform: "Test",
        remaining_header: "ratelimit-remaining",
        reset_header: "ratelimit-reset",
        limit_message: |body| body.contains("slow down"),
        hint: |_| "",
    };

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
            (401, none.clone(), "", Verdict::Unauthorized),
            (
                429,
                headers(&[("retry-after", "1")]),
                "",
                Verdict::Wait(Duration::from_secs(1)),
            ),
            (
                429,
                headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "1000009")]),
                "",
                Verdict::Wait(Duration::from_secs(10)),
            ),
            (429, none.clone(), "", Verdict::SecondaryLimit),
            (
                403,
                none.clone(),
                "please slow down",
                Verdict::SecondaryLimit,
            ),
            (403, none.clone(), "403 Forbidden", Verdict::Fail),
            (404, none.clone(), "", Verdict::Fail),
            (502, none.clone(), "", Verdict::Backoff(None)),
            (
                503,
                headers(&[("retry-after", "3")]),
                "",
                Verdict::Backoff(Some(Duration::from_secs(3))),
            ),
        ];
        for (code, h, body, want) in cases {
            assert_eq!(
                classify(&RULES, s(*code), h, body, now),
                *want,
                "{code} {body}"
            );
        }
    }

    #[test]
    fn an_exhausted_window_is_waited_out_even_on_success() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let h = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "1000010")]);
        assert_eq!(exhausted(&RULES, &h, now), Some(Duration::from_secs(11)));
        let past = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "5")]);
        assert_eq!(exhausted(&RULES, &past, now), Some(Duration::from_secs(1)));
        let left = headers(&[("ratelimit-remaining", "1"), ("ratelimit-reset", "5")]);
        assert_eq!(exhausted(&RULES, &left, now), None);
        let other = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "5")]);
        assert_eq!(
            exhausted(&RULES, &other, now),
            None,
            "only the platform's names"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let date = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]);
        assert_eq!(retry_after(&date, now), Some(Duration::from_secs(10)));
        assert_eq!(retry_after(&headers(&[("retry-after", "x")]), now), None);
    }
}
