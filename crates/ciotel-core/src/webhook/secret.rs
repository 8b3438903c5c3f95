//! A config string that must never be printed: webhook secrets, API tokens, required header
//! values.

use serde::{Deserialize, Deserializer};
use std::fmt;

/// A secret from the config file, shown as `***` by `Debug`.
///
/// Exists because configs are logged and printed in errors (`{:?}`), and a webhook secret or
/// API token in a log is a leaked credential.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that needs it (an HMAC key, a header value).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the value is empty, e.g. `${env:VAR:-}` with the variable unset.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when the value is a well-known placeholder (`set-me`, `changeme`, `<your-token>`,
    /// `xxxx` …): published in examples, so it authenticates nobody.
    ///
    /// Exists so a config copied from an example, with its placeholder left in, is refused
    /// at load rather than accepting deliveries signed with a public key.
    pub fn is_placeholder(&self) -> bool {
        let letters: String = self
            .0
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        PLACEHOLDERS.contains(&letters.as_str())
            || (letters.len() >= 3 && letters.chars().all(|c| c == 'x'))
    }
}

/// Placeholders as [`Secret::is_placeholder`] compares them: letters and digits only, lower
/// case (`Set-Me`, `<set_me>` and `setme` are one).
const PLACEHOLDERS: &[&str] = &[
    "setme",
    "changeme",
    "changeit",
    "changethis",
    "replaceme",
    "placeholder",
    "secret",
    "mysecret",
    "yoursecret",
    "webhooksecret",
    "password",
    "yourpassword",
    "passwd",
    "apikey",
    "yourkey",
    "yourapikey",
    "token",
    "yourtoken",
    "mytoken",
    "todo",
    "fixme",
    "dummy",
    "example",
];

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_spotted_in_any_spelling() {
        for p in [
            "set-me",
            "SET_ME",
            "changeme",
            "change-me",
            "<your-token>",
            "xxxx",
            "secret",
        ] {
            assert!(Secret::new(p).is_placeholder(), "{p}");
        }
        for real in ["s3cret", "gh-hook-7f3a9c", "x", "x1", "setme2"] {
            assert!(!Secret::new(real).is_placeholder(), "{real}");
        }
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(s.expose(), "hunter2");
    }
}
