//! Hiding credentials in text that is shown: the userinfo of URLs (`http://user:PASS@host`
//! → `http://***@host`) wherever an endpoint is logged, counted or put in an error.
//!
//! One helper for every place an endpoint is shown (exporters, pollers, logs, metric labels,
//! config errors), so none of them has to remember how. It works on text, not on parsed URLs,
//! because the text to clean is often an error message with a URL somewhere inside it (reqwest
//! and tonic put the request URL in their errors) or a URL that did not parse.

use std::borrow::Cow;

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
