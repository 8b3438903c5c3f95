//! A string pattern of an ownership rule: exact text, `regex:…` or `glob:…`.
//!
//! | written | matches |
//! |---|---|
//! | `Set up job` | exactly that text |
//! | `regex:^gpu-` | where the regex matches somewhere in the text (anchor it with `^…$`) |
//! | `glob:Post *` | the whole text; `*` is any run of characters, `?` any one character |
//! | `exact:regex:x` | exactly `regex:x` (for texts that start with a prefix) |
//!
//! YAML booleans and numbers are exact patterns of their text (`true`, `42`). An invalid regex
//! is a config error at the pattern's own line.

use regex::Regex;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// A compiled pattern, matched against the text form of a name or attribute value.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// Equal text.
    Exact(String),
    /// A regex that must match somewhere in the text.
    Regex(Regex),
    /// A glob, compiled to an anchored regex; the original text is kept for messages.
    Glob {
        /// As written, without `glob:`.
        glob: String,
        /// The anchored regex it compiles to.
        regex: Regex,
    },
}

/// Why a pattern cannot be compiled.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PatternError {
    /// `regex:` followed by something that is not a regex.
    #[error("invalid regex `{pattern}`: {source}")]
    Regex {
        /// The regex as written.
        pattern: String,
        /// What the regex crate said.
        source: regex::Error,
    },
    /// The glob compiled to a regex that is too large.
    #[error("invalid glob `{pattern}`: {source}")]
    Glob {
        /// The glob as written.
        pattern: String,
        /// What the regex crate said.
        source: regex::Error,
    },
}

impl Pattern {
    /// Compiles `text` by its prefix: `regex:`, `glob:`, `exact:`, or none (exact).
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        if let Some(re) = text.strip_prefix("regex:") {
            return Regex::new(re)
                .map(Pattern::Regex)
                .map_err(|source| PatternError::Regex {
                    pattern: re.to_owned(),
                    source,
                });
        }
        if let Some(glob) = text.strip_prefix("glob:") {
            return Regex::new(&glob_to_regex(glob))
                .map(|regex| Pattern::Glob {
                    glob: glob.to_owned(),
                    regex,
                })
                .map_err(|source| PatternError::Glob {
                    pattern: glob.to_owned(),
                    source,
                });
        }
        let exact = text.strip_prefix("exact:").unwrap_or(text);
        Ok(Pattern::Exact(exact.to_owned()))
    }

    /// An exact pattern, for rules built in code.
    pub fn exact(text: &str) -> Pattern {
        Pattern::Exact(text.to_owned())
    }

    /// Whether `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Exact(e) => e == text,
            Pattern::Regex(r) => r.is_match(text),
            Pattern::Glob { regex, .. } => regex.is_match(text),
        }
    }
}

/// `*` → `.*`, `?` → `.`, everything else literal; anchored at both ends.
fn glob_to_regex(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len() + 8);
    out.push_str("^(?s:");
    let mut literal = String::new();
    let flush = |literal: &mut String, out: &mut String| {
        out.push_str(&regex::escape(literal));
        literal.clear();
    };
    for c in glob.chars() {
        match c {
            '*' => {
                flush(&mut literal, &mut out);
                out.push_str(".*");
            }
            '?' => {
                flush(&mut literal, &mut out);
                out.push('.');
            }
            c => literal.push(c),
        }
    }
    flush(&mut literal, &mut out);
    out.push_str(")$");
    out
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PatternVisitor;
        impl Visitor<'_> for PatternVisitor {
            type Value = Pattern;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a pattern: text, `regex:…` or `glob:…`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Pattern, E> {
                Pattern::parse(v).map_err(E::custom)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Pattern, E> {
                Ok(Pattern::Exact(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Pattern, E> {
                Ok(Pattern::Exact(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Pattern, E> {
                Ok(Pattern::Exact(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Pattern, E> {
                Ok(Pattern::Exact(v.to_string()))
            }
        }
        d.deserialize_any(PatternVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        match Pattern::parse(s) {
            Ok(p) => p,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn the_three_kinds() {
        assert!(p("Set up job").matches("Set up job"));
        assert!(!p("Set up job").matches("Set up job "));
        assert!(p("regex:^gpu-").matches("gpu-a100-1"));
        assert!(!p("regex:^gpu-").matches("cpu-gpu-1"));
        assert!(p("regex:gpu").matches("cpu-gpu-1"), "unanchored");
        assert!(p("glob:Post *").matches("Post Run actions/checkout@v4"));
        assert!(!p("glob:Post *").matches("Run Post"));
        assert!(p("glob:a?c").matches("abc"));
        assert!(!p("glob:a?c").matches("abbc"));
        assert!(
            p("glob:a.c(*)").matches("a.c(x)"),
            "regex metacharacters are literal"
        );
        assert!(!p("glob:a.c").matches("abc"));
        assert!(p("exact:regex:x").matches("regex:x"));
    }

    #[test]
    fn an_invalid_regex_names_itself() {
        let err = Pattern::parse("regex:build(").map(|_| ()).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid regex `build(`"),
            "{err}"
        );
    }
}
