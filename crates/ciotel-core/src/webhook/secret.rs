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
}

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
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(s.expose(), "hunter2");
    }
}
