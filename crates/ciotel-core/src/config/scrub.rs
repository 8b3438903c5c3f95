//! Config error messages never carry a secret: what a value was is not echoed.
//!
//! Three things are hidden, for every key (a secret put under the wrong key, or with a typo in
//! its key, is still a secret):
//! - the value serde quotes in a type error (`invalid type: string "Bearer …", expected a
//!   map`), which becomes `a string`;
//! - the userinfo of any URL (`http://user:PASS@host`), by [`crate::redact::userinfo`];
//! - any value an environment variable gave (they are where secrets come from), when it is
//!   long enough not to be a common word.

use crate::redact::{self, HIDDEN};
use regex::Regex;
use std::sync::LazyLock;

/// Environment values shorter than this are left in messages: hiding `true` or `4317`
/// everywhere would garble them, and no usable secret is that short.
const MIN_HIDDEN_LENGTH: usize = 6;

/// serde's `Unexpected::Str` and `Unexpected::Char` as they appear in its messages.
static ECHOED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:string|character) (?:"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)*')"#)
        .expect("the pattern is valid")
});

/// `message` without the values it would echo; `env_values` are what variables gave.
pub fn scrub(message: &str, env_values: &[String]) -> String {
    let mut out = ECHOED.replace_all(message, "a string").into_owned();
    out = redact::userinfo(&out).into_owned();
    let mut values: Vec<&String> = env_values
        .iter()
        .filter(|v| v.chars().count() >= MIN_HIDDEN_LENGTH)
        .collect();
    // Longest first, so a value containing another is hidden whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for value in values {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), HIDDEN);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_do_not_echo_the_value() {
        assert_eq!(
            scrub(
                "exporters.otlp.headers: invalid type: string \"Bearer s3cr\\\"et\", expected a map",
                &[]
            ),
            "exporters.otlp.headers: invalid type: a string, expected a map"
        );
        assert_eq!(
            scrub("x: invalid value: character `k`, expected a digit", &[]),
            "x: invalid value: a string, expected a digit"
        );
        assert_eq!(
            scrub("unknown field `send_batch_sise`, expected one of `a`", &[]),
            "unknown field `send_batch_sise`, expected one of `a`"
        );
    }

    #[test]
    fn urls_and_environment_values_are_hidden() {
        assert_eq!(
            scrub("invalid URL `http://u:hunter2@h:x`: invalid port", &[]),
            "invalid URL `http://***@h:x`: invalid port"
        );
        let env = vec!["tok3n-from-env".to_string(), "4317".to_string()];
        assert_eq!(
            scrub("invalid duration `tok3n-from-env` at 4317", &env),
            "invalid duration `***` at 4317"
        );
    }
}
