//! `required_headers`: headers every request to the webhook path must carry with exactly the
//! configured values, checked first, whatever the method, event or signature (the Collector's
//! receiver once skipped this check: CVE-2026-55701). Values are compared in constant time.

use super::secret::Secret;
use axum::http::{HeaderMap, HeaderName};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;

/// The configured headers, ready to check.
///
/// Exists so names are parsed once and values are kept only as digests, compared without
/// leaking their length or content through timing.
#[derive(Clone, Debug, Default)]
pub struct RequiredHeaders {
    expected: Vec<(HeaderName, [u8; 32])>,
}

/// Why a request lacks a required header; the receiver answers 401 or 403.
///
/// Exists so a missing header (the request did not come through the expected proxy) reads
/// differently from a wrong value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderRefusal {
    /// The header is absent: 401.
    #[error("missing required header `{0}`")]
    Missing(String),
    /// The header is present with another value: 403.
    #[error("required header `{0}` has the wrong value")]
    Wrong(String),
}

impl RequiredHeaders {
    /// From `required_headers:`; names that are not valid headers are skipped (the config
    /// check refuses them before this is built).
    pub fn new(config: &BTreeMap<String, Secret>) -> Self {
        let expected = config
            .iter()
            .filter_map(|(name, value)| {
                let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
                Some((name, digest(value.expose().as_bytes())))
            })
            .collect();
        RequiredHeaders { expected }
    }

    /// Checks every required header of `headers`, the first problem found being reported.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), HeaderRefusal> {
        for (name, want) in &self.expected {
            let Some(got) = headers.get(name) else {
                return Err(HeaderRefusal::Missing(name.to_string()));
            };
            if !bool::from(digest(got.as_bytes()).ct_eq(want)) {
                return Err(HeaderRefusal::Wrong(name.to_string()));
            }
        }
        Ok(())
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn required() -> RequiredHeaders {
        let mut config = BTreeMap::new();
        config.insert("X-Proxy-Token".to_string(), Secret::new("t0ken"));
        RequiredHeaders::new(&config)
    }

    #[test]
    fn names_are_case_insensitive_and_values_exact() {
        let mut h = HeaderMap::new();
        assert_eq!(
            required().check(&h),
            Err(HeaderRefusal::Missing("x-proxy-token".into()))
        );
        h.insert("x-proxy-token", HeaderValue::from_static("t0ken!"));
        assert_eq!(
            required().check(&h),
            Err(HeaderRefusal::Wrong("x-proxy-token".into()))
        );
        h.insert("X-PROXY-TOKEN", HeaderValue::from_static("t0ken"));
        assert_eq!(required().check(&h), Ok(()));
    }

    #[test]
    fn none_configured_accepts_everything() {
        assert_eq!(RequiredHeaders::default().check(&HeaderMap::new()), Ok(()));
    }
}
