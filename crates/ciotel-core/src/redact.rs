//! Hiding credentials in text that is shown: the userinfo of URLs (`http://user:PASS@host`
//! → `http://***@host`) wherever an endpoint is logged, counted or put in an error, and, in
//! lines of CI job logs quoted as evidence ([`secrets`]), tokens and passwords as well.
//!
//! One helper for every place an endpoint is shown (exporters, pollers, logs, metric labels,
//! config errors), so none of them has to remember how. It works on text, not on parsed URLs,
//! because the text to clean is often an error message with a URL somewhere inside it (reqwest
//! and tonic put the request URL in their errors) or a URL that did not parse.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What userinfo is replaced with.
pub const HIDDEN: &str = "***";

/// `text` with the userinfo of every `scheme://userinfo@host` in it replaced by `***`.
pub fn userinfo(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let authority_start = at + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        // The URL ends where a sentence around it goes on. A password may hold `/`, `?`, `#`
        // or `)` (even unencoded, in a URL that then fails to parse), so everything up to the
        // last `@` of the URL is hidden: at worst a path holding `@` is hidden too.
        let end = after
            .find(|c: char| matches!(c, '`' | '"' | '\'' | '<' | '>') || c.is_whitespace())
            .unwrap_or(after.len());
        let url = &after[..end];
        match url.rfind('@') {
            Some(userinfo_end) => {
                out.push_str(HIDDEN);
                out.push_str(&url[userinfo_end..]);
            }
            None => out.push_str(url),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `key=value` and `key: value` where the key names a secret; the value is masked.
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b((?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)[\w-]*["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"',;&)]+)"#,
    )
    .expect("regex")
});
/// `Authorization: Bearer …` and the like.
static AUTHORIZATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b((?:authorization|private-token|x-api-key|job-token)\s*:\s*(?:bearer\s+|basic\s+|token\s+)?)\S+")
        .expect("regex")
});
/// Credentials recognisable by their shape: GitHub (`ghp_…`, `github_pat_…`), GitLab
/// (`glpat-…`, `glcbt-…`), AWS access key ids, Slack tokens, JWTs.
static TOKEN_SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|gl(?:pat|cbt|dt|rt|ptt)-[A-Za-z0-9_\-]{16,}",
        r"|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}",
        r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
    ))
    .expect("regex")
});

/// `text` (a line of a job log) with credentials masked as `***`: URL userinfo, values of
/// `password=`, `token:` and similar, `Authorization:` headers, and tokens by their shape.
///
/// Exists because a failed job's log line is quoted in a span (`ciotel.failure.evidence`),
/// and job logs print credentials more often than anyone wants (a `curl -v`, a URL with a
/// token). Best effort by pattern: CI platforms mask their own secret variables already.
pub fn secrets(text: &str) -> Cow<'_, str> {
    let out = userinfo(text);
    let out = match AUTHORIZATION.replace_all(&out, format!("${{1}}{HIDDEN}")) {
        Cow::Borrowed(_) => out,
        Cow::Owned(o) => Cow::Owned(o),
    };
    let out = match SECRET_ASSIGNMENT.replace_all(&out, format!("${{1}}{HIDDEN}")) {
        Cow::Borrowed(_) => out,
        Cow::Owned(o) => Cow::Owned(o),
    };
    match TOKEN_SHAPES.replace_all(&out, HIDDEN) {
        Cow::Borrowed(_) => out,
        Cow::Owned(o) => Cow::Owned(o),
    }
}

/// True when `url` carries userinfo (`scheme://user[:password]@host`).
pub fn has_userinfo(url: &str) -> bool {
    userinfo(url) != url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_userinfo_and_keeps_the_rest() {
        assert_eq!(
            userinfo("http://user:PASS@host:4318/v1/traces"),
            "http://***@host:4318/v1/traces"
        );
        assert_eq!(userinfo("https://TOKEN@host"), "https://***@host");
        assert_eq!(
            userinfo("error sending request for url (http://a:b@h/v1/traces): refused"),
            "error sending request for url (http://***@h/v1/traces): refused"
        );
        assert_eq!(
            userinfo("invalid URL `http://u:p@` and http://x:y@z"),
            "invalid URL `http://***@` and http://***@z"
        );
        assert_eq!(
            userinfo("p:w@d in the password: http://u:p@w@h"),
            "p:w@d in the password: http://***@h"
        );
        assert_eq!(
            userinfo("`http://u:pa/ss@h` is bad"),
            "`http://***@h` is bad"
        );
    }

    #[test]
    fn masks_secrets_in_log_lines() {
        let cases = [
            (
                "fatal: unable to access 'https://oauth2:glpat-abcdefghij0123456789@gitlab.example/x.git/'",
                "fatal: unable to access 'https://***@gitlab.example/x.git/'",
            ),
            ("export TOKEN=s3cr3t-value; make", "export TOKEN=***; make"),
            ("password: \"hunter2\" rejected", "password: *** rejected"),
            (
                "> Authorization: Bearer abc.def",
                "> Authorization: Bearer ***",
            ),
            (
                "pushing with ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 failed",
                "pushing with *** failed",
            ),
            ("AKIAABCDEFGHIJKLMNOP denied", "*** denied"),
        ];
        for (line, want) in cases {
            assert_eq!(secrets(line), want, "{line}");
        }
        assert!(matches!(
            secrets("No space left on device"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn leaves_urls_without_userinfo_alone() {
        for text in [
            "http://host:4318/v1/traces?user=ab",
            "mail me@example.com",
            "grpc://[::1]:4317",
            "no url",
        ] {
            assert_eq!(userinfo(text), text);
        }
    }
}
