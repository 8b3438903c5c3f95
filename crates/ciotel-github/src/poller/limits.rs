//! GitHub's REST answers as decisions: the shared table of `ciotel_core::poll` with GitHub's
//! rules, to hold against GitHub's "Rate limits for the REST API" and "Best practices for using
//! the REST API" pages:
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

use ciotel_core::poll::ApiRules;

/// GitHub's rate-limit headers, secondary-limit message and hints.
pub(super) const RULES: ApiRules = ApiRules {
    platform: "GitHub",
    remaining_header: "x-ratelimit-remaining",
    reset_header: "x-ratelimit-reset",
    limit_message: says_secondary_limit,
    hint,
};

/// A 403 without rate-limit headers is a secondary limit when its message says so.
fn says_secondary_limit(body: &str) -> bool {
    body.to_ascii_lowercase().contains("secondary rate limit")
}

/// What to check when GitHub refuses.
fn hint(status: u16) -> &'static str {
    match status {
        401 => " (check the token or the App's credentials)",
        403 => " (check the credentials' permissions: Actions read access is needed)",
        404 => " (check the repository or owner name, and that the credentials can see it)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciotel_core::poll::{Verdict, classify, exhausted};
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue};
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
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1000010"),
        ]);
        assert_eq!(exhausted(&RULES, &h, now), Some(Duration::from_secs(11)));
        let left = headers(&[("x-ratelimit-remaining", "1"), ("x-ratelimit-reset", "5")]);
        assert_eq!(exhausted(&RULES, &left, now), None);
    }

    #[test]
    fn hints_name_what_to_check() {
        assert!(hint(403).contains("Actions read access"));
        assert_eq!(hint(500), "");
    }
}
