//! `X-Gitlab-Token`: the webhook's secret token, sent as is by GitLab with every delivery,
//! compared in constant time (the Collector's gitlabreceiver compares with `!=`).

use ciotel_core::webhook::Secret;
use ciotel_core::webhook::required_headers::{HeaderRefusal, RequiredHeaders};
use std::collections::BTreeMap;

use axum::http::HeaderMap;

/// The header carrying the secret token.
pub const TOKEN_HEADER: &str = "X-Gitlab-Token";

/// The expected token, kept only as a digest and compared in constant time (by
/// `ciotel_core`'s required-header check, which does exactly that).
#[derive(Clone, Debug)]
pub(super) struct Token(RequiredHeaders);

/// Why a delivery's token was refused; both answer 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `X-Gitlab-Token` header.
    #[error("missing X-Gitlab-Token header: set the webhook's secret token in GitLab")]
    Missing,
    /// A token that is not the configured one.
    #[error("X-Gitlab-Token does not match this receiver's secret")]
    Mismatch,
}

impl Token {
    pub(super) fn new(secret: &Secret) -> Self {
        let mut expected = BTreeMap::new();
        expected.insert(TOKEN_HEADER.to_owned(), secret.clone());
        Token(RequiredHeaders::new(&expected))
    }

    pub(super) fn check(&self, headers: &HeaderMap) -> Result<(), TokenError> {
        self.0.check(headers).map_err(|refusal| match refusal {
            HeaderRefusal::Missing(_) => TokenError::Missing,
            HeaderRefusal::Wrong(_) => TokenError::Mismatch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn exact_value_any_case_of_name() {
        let token = Token::new(&Secret::new("s3cret"));
        let mut h = HeaderMap::new();
        assert_eq!(token.check(&h), Err(TokenError::Missing));
        h.insert("x-gitlab-token", HeaderValue::from_static("s3cret "));
        assert_eq!(token.check(&h), Err(TokenError::Mismatch));
        h.insert("X-GITLAB-TOKEN", HeaderValue::from_static("S3cret"));
        assert_eq!(token.check(&h), Err(TokenError::Mismatch));
        h.insert("X-Gitlab-Token", HeaderValue::from_static("s3cret"));
        assert_eq!(token.check(&h), Ok(()));
    }
}
