//! Writing HTML safely: every piece of payload text (span names, repositories, runner names,
//! reasons) goes through [`text`], so a job named `<script>` is shown, never run.

/// `s` escaped for HTML text and for quoted attribute values.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` escaped as one query-string value (`?repo=…`), then for an attribute.
pub fn query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Whether a payload's URL may become a link: `http(s)://` only (never `javascript:`).
pub fn is_web_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_payload_text_is_text() {
        assert_eq!(
            text(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(query_value("acme/shop a&b"), "acme/shop%20a%26b");
        assert_eq!(query_value("\"><x"), "%22%3E%3Cx");
    }

    #[test]
    fn only_web_links() {
        assert!(is_web_link(
            "https://github.com/acme/shop/actions/runs/1/job/2"
        ));
        assert!(!is_web_link("javascript:alert(1)"));
        assert!(!is_web_link(" JAVASCRIPT:alert(1)"));
    }
}
