//! How the token goes on every request: `PRIVATE-TOKEN: {token}` (GitLab's own header, the
//! default) or `Authorization: Bearer {token}` (`auth: bearer`, which OAuth 2 tokens need and
//! access tokens accept too). The header value is marked sensitive, so it never prints.

use ciotel_core::webhook::Secret;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde::Deserialize;

/// GitLab's own token header.
const PRIVATE_TOKEN: &str = "private-token";

/// `auth:` of the `api:` section: the header that carries the token.
///
/// Exists because GitLab takes access tokens in either header but OAuth tokens only as
/// `Authorization: Bearer`, and some proxies in front of GitLab strip one or the other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    /// `PRIVATE-TOKEN: {token}`: personal, project and group access tokens.
    #[default]
    PrivateToken,
    /// `Authorization: Bearer {token}`: OAuth 2 tokens, and access tokens too.
    Bearer,
}

/// The token cannot be sent in an HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the token has characters an HTTP header cannot carry (a stray newline?)")]
pub struct BadToken;

impl TokenAuth {
    /// The header carrying `token` this way.
    pub(crate) fn header(self, token: &Secret) -> Result<(HeaderName, HeaderValue), BadToken> {
        let (name, text) = match self {
            TokenAuth::PrivateToken => (
                HeaderName::from_static(PRIVATE_TOKEN),
                token.expose().to_string(),
            ),
            TokenAuth::Bearer => (AUTHORIZATION, format!("Bearer {}", token.expose())),
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| BadToken)?;
        value.set_sensitive(true);
        Ok((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_token_by_default_or_bearer() {
        let token = Secret::new("glpat-x");
        let (name, value) = TokenAuth::default().header(&token).expect("header");
        assert_eq!(
            (name.as_str(), value.to_str().ok()),
            ("private-token", Some("glpat-x"))
        );
        assert!(value.is_sensitive());
        let (name, value) = TokenAuth::Bearer.header(&token).expect("header");
        assert_eq!(
            (name.as_str(), value.to_str().ok()),
            ("authorization", Some("Bearer glpat-x"))
        );
        assert_eq!(
            TokenAuth::Bearer.header(&Secret::new("a\nb")),
            Err(BadToken)
        );
    }
}
