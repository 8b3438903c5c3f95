//! The `Link` header GitHub paginates with (RFC 8288):
//! `<https://api.github.com/…&page=2>; rel="next", <…&page=5>; rel="last"`, and the check that
//! a page to follow stays under `base_url`.

use reqwest::Url;

use super::error::PollError;

/// The target of `rel="next"`, if any: the next page, or `None` on the last page.
pub(super) fn next_page(link: &str) -> Option<String> {
    let mut rest = link;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
        // `; rel="next", ` up to the next link: without the comma that separates links.
        let params = rest[close + 1..params_end].trim().trim_end_matches(',');
        if params.split(';').any(is_rel_next) {
            return Some(target.to_string());
        }
        rest = &rest[params_end..];
    }
    None
}

/// `rel="next"`, `rel=next`, or `rel="prev next"` (relation types are a space-separated list).
fn is_rel_next(param: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else {
        return false;
    };
    name.trim().eq_ignore_ascii_case("rel")
        && value
            .trim()
            .trim_matches('"')
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("next"))
}

/// Refuses a URL that is not under `base_url` (same scheme, host, port and path prefix): a
/// `Link` from elsewhere would receive the credentials.
pub(super) fn under_base(url: &str, base_url: &str) -> Result<(), PollError> {
    let refuse = || PollError::Url {
        url: url.to_string(),
        base_url: base_url.to_string(),
    };
    let (target, base) = match (Url::parse(url), Url::parse(base_url)) {
        (Ok(t), Ok(b)) => (t, b),
        _ => return Err(refuse()),
    };
    let prefix = base.path().trim_end_matches('/');
    let same = target.scheme() == base.scheme()
        && target.host_str() == base.host_str()
        && target.port_or_known_default() == base.port_or_known_default()
        && (target.path() == prefix || target.path().starts_with(&format!("{prefix}/")));
    if same { Ok(()) } else { Err(refuse()) }
}

#[cfg(test)]
mod tests {
    use super::{next_page, under_base};

    #[test]
    fn finds_next_among_others() {
        let h = r#"<https://api.github.com/repositories/1/actions/runs?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/actions/runs?per_page=100&page=5>; rel="last""#;
        assert_eq!(
            next_page(h).as_deref(),
            Some("https://api.github.com/repositories/1/actions/runs?per_page=100&page=2")
        );
        let last = r#"<https://x/r?page=1>; rel="prev", <https://x/r?page=1>; rel="first""#;
        assert_eq!(next_page(last), None);
        assert_eq!(
            next_page("<https://x/r?page=3>;rel=next").as_deref(),
            Some("https://x/r?page=3")
        );
        assert_eq!(next_page(""), None);
        assert_eq!(next_page("<unterminated; rel=\"next\""), None);
    }

    #[test]
    fn links_must_stay_under_base_url() {
        let base = "https://ghe.example/api/v3";
        assert!(
            under_base(
                "https://ghe.example/api/v3/repositories/1/actions/runs?page=2",
                base
            )
            .is_ok()
        );
        assert!(under_base("https://ghe.example:443/api/v3/x", base).is_ok());
        assert!(under_base("https://ghe.example/api/v30/x", base).is_err());
        assert!(under_base("https://evil.example/api/v3/x", base).is_err());
        assert!(under_base("http://ghe.example/api/v3/x", base).is_err());
        assert!(under_base("https://api.github.com/repos/o/r", "https://api.github.com").is_ok());
        assert!(under_base("not a url", base).is_err());
    }
}
