//! The next page of a listing, as APIs announce it: a `Link` header (RFC 8288,
//! `<https://api.github.com/…&page=2>; rel="next", <…&page=5>; rel="last"`), or a header with the
//! next page's number (GitLab's `X-Next-Page: 2`, empty on the last page). And the check that a
//! page to follow stays under `base_url`, since the credentials go with every request.

use reqwest::Url;
use reqwest::header::HeaderMap;

/// The target of `rel="next"` in a `Link` header value, if any: the next page, or `None` on
/// the last page.
pub fn next_link(link: &str) -> Option<String> {
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

/// The next page from a page-number header (`header`, e.g. `x-next-page`): `url` with its
/// `page` query parameter set to the header's number. `None` when the header is absent, empty
/// (the last page) or not a number, or when `url` is not a URL.
pub fn next_page_number(url: &str, headers: &HeaderMap, header: &str) -> Option<String> {
    let page: u64 = headers.get(header)?.to_str().ok()?.trim().parse().ok()?;
    let mut url = Url::parse(url).ok()?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("page", &page.to_string());
    Some(url.into())
}

/// A URL that is not under the API's base URL.
///
/// Exists so a poller refuses to follow a link elsewhere, which would receive its credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{url}: not under base_url {base_url}")]
pub struct NotUnderBase {
    /// The URL.
    pub url: String,
    /// The base URL it should be under.
    pub base_url: String,
}

/// Refuses a URL that is not under `base_url` (same scheme, host, port and path prefix).
pub fn under_base(url: &str, base_url: &str) -> Result<(), NotUnderBase> {
    let refuse = || NotUnderBase {
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
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn finds_next_among_others() {
        let h = r#"<https://api.github.com/repositories/1/actions/runs?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/actions/runs?per_page=100&page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/actions/runs?per_page=100&page=2")
        );
        let last = r#"<https://x/r?page=1>; rel="prev", <https://x/r?page=1>; rel="first""#;
        assert_eq!(next_link(last), None);
        assert_eq!(
            next_link("<https://x/r?page=3>;rel=next").as_deref(),
            Some("https://x/r?page=3")
        );
        assert_eq!(next_link(""), None);
        assert_eq!(next_link("<unterminated; rel=\"next\""), None);
    }

    #[test]
    fn a_next_page_number_replaces_the_page_parameter() {
        let mut h = HeaderMap::new();
        let url = "https://gitlab.example/api/v4/projects/1/jobs?per_page=100&page=1&scope=x";
        assert_eq!(next_page_number(url, &h, "x-next-page"), None);
        h.insert("x-next-page", HeaderValue::from_static(""));
        assert_eq!(next_page_number(url, &h, "x-next-page"), None, "last page");
        h.insert("x-next-page", HeaderValue::from_static("2"));
        assert_eq!(
            next_page_number(url, &h, "x-next-page").as_deref(),
            Some("https://gitlab.example/api/v4/projects/1/jobs?per_page=100&scope=x&page=2")
        );
        assert_eq!(
            next_page_number("https://g/a?b=%2F", &h, "x-next-page").as_deref(),
            Some("https://g/a?b=%2F&page=2")
        );
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
