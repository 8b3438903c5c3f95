//! `bearertokenauth` extension: a static token in a header, the Collector's keys and defaults.
//!
//! As a client it sends `<header>: <scheme> <token>` (default `Authorization: Bearer <token>`);
//! as a server it accepts a request whose header carries one of the configured tokens. The
//! token is `token`, one of `tokens`, or read from `filename` (one token a line, the first one
//! sent, any one accepted; re-read when the file changes, see [`super::file_watch`]). As in the
//! Collector, `filename` wins over `token`.
//!
//! Tokens are compared as SHA-256 digests in constant time, so neither a token's bytes nor its
//! length shows in how long a refusal takes.

use super::file_watch::{CHECK_INTERVAL, WatchedFile};
use super::secret_field::{optional_secret, secret_list};
use super::{AuthError, ClientAuthenticator, ServerAuthenticator};
use crate::webhook::Secret;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Duration;
use subtle::{Choice, ConstantTimeEq};

/// Config of a `bearertokenauth` extension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BearerTokenAuthConfig {
    /// The header that carries the token (default `Authorization`).
    #[serde(default = "default_header")]
    pub header: String,
    /// Written before the token with one space (default `Bearer`); empty sends the bare token.
    #[serde(default = "default_scheme")]
    pub scheme: String,
    /// The token.
    #[serde(default, deserialize_with = "optional_secret")]
    pub token: Option<Secret>,
    /// Several tokens: a server accepts any, a client sends the first.
    #[serde(default, deserialize_with = "secret_list")]
    pub tokens: Vec<Secret>,
    /// A file holding the token(s), one a line; re-read when it changes. Wins over `token`.
    #[serde(default)]
    pub filename: Option<PathBuf>,
}

impl Default for BearerTokenAuthConfig {
    fn default() -> Self {
        BearerTokenAuthConfig {
            header: default_header(),
            scheme: default_scheme(),
            token: None,
            tokens: Vec::new(),
            filename: None,
        }
    }
}

fn default_header() -> String {
    "Authorization".into()
}

fn default_scheme() -> String {
    "Bearer".into()
}

impl BearerTokenAuthConfig {
    /// The checks made while the config is parsed (use with `checked_map`). Messages never
    /// contain a token.
    pub fn validate(&self) -> Result<(), String> {
        HeaderName::from_bytes(self.header.as_bytes())
            .map_err(|_| format!("`header`: `{}` is not a valid header name", self.header))?;
        if self.scheme.contains(char::is_whitespace) || !is_header_text(&self.scheme) {
            return Err(format!("`scheme`: `{}` is not a single word", self.scheme));
        }
        if self.token.is_some() && !self.tokens.is_empty() {
            return Err("set `token` or `tokens`, not both".into());
        }
        if self.token.is_none() && self.tokens.is_empty() && self.filename.is_none() {
            return Err("set `token`, `tokens` or `filename`".into());
        }
        let inline = self.token.iter().chain(&self.tokens);
        for (i, token) in inline.enumerate() {
            check_token(token.expose()).map_err(|e| {
                let key = if self.token.is_some() {
                    "`token`".to_string()
                } else {
                    format!("`tokens[{i}]`")
                };
                format!("{key}: {e}")
            })?;
        }
        Ok(())
    }
}

fn is_header_text(text: &str) -> bool {
    HeaderValue::from_str(text).is_ok()
}

/// Whether a token can be sent in a header; the message does not quote it.
fn check_token(token: &str) -> Result<(), String> {
    if token.trim().is_empty() {
        return Err("the token is empty".into());
    }
    if token.trim() != token || !is_header_text(token) {
        return Err("the token has spaces at its ends or characters a header cannot carry".into());
    }
    Ok(())
}

/// The tokens in use, with their digests for comparing.
struct Tokens {
    /// What a client sends.
    first: Secret,
    digests: Vec<[u8; 32]>,
}

impl Tokens {
    fn new(list: Vec<Secret>) -> Result<Tokens, String> {
        let first = list.first().cloned().ok_or("no token")?;
        let digests = list.iter().map(|t| digest(t.expose().as_bytes())).collect();
        Ok(Tokens { first, digests })
    }

    fn accepts(&self, presented: &[u8]) -> bool {
        let presented = digest(presented);
        let mut any = Choice::from(0);
        for d in &self.digests {
            any |= d.ct_eq(&presented);
        }
        any.into()
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A token file: one token a line; blank lines and surrounding spaces are ignored.
fn parse_token_file(text: &str) -> Result<Tokens, String> {
    let mut list = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let token = line.trim();
        if token.is_empty() {
            continue;
        }
        check_token(token).map_err(|e| format!("line {}: {e}", i + 1))?;
        list.push(Secret::new(token));
    }
    Tokens::new(list).map_err(|_| "the file holds no token".to_string())
}

enum Source {
    Inline(Tokens),
    File(WatchedFile<Tokens>),
}

/// A running `bearertokenauth`: both a server and a client authenticator.
pub struct BearerTokenAuth {
    header: HeaderName,
    scheme: String,
    source: Source,
}

impl BearerTokenAuth {
    /// Builds it, reading `filename` now (an unreadable file is an error naming it).
    pub fn new(id: &str, config: &BearerTokenAuthConfig) -> Result<Self, String> {
        Self::build(id, config, CHECK_INTERVAL)
    }

    /// As [`new`](Self::new), checking the file for changes at most every `interval`.
    pub(crate) fn build(
        id: &str,
        config: &BearerTokenAuthConfig,
        interval: Duration,
    ) -> Result<Self, String> {
        config.validate()?;
        let header = HeaderName::from_bytes(config.header.as_bytes())
            .map_err(|_| format!("`header`: `{}` is not a valid header name", config.header))?;
        let source = match &config.filename {
            Some(path) => {
                if config.token.is_some() || !config.tokens.is_empty() {
                    tracing::warn!(
                        extension = id,
                        "`filename` is set, so `token`/`tokens` are ignored"
                    );
                }
                Source::File(
                    WatchedFile::with_interval(path, parse_token_file, interval)
                        .map_err(|e| format!("`filename` `{}`: {e}", path.display()))?,
                )
            }
            None => {
                let list = config.token.iter().chain(&config.tokens).cloned().collect();
                Source::Inline(Tokens::new(list)?)
            }
        };
        Ok(BearerTokenAuth {
            header,
            scheme: config.scheme.clone(),
            source,
        })
    }

    fn with_tokens<R>(&self, f: impl FnOnce(&Tokens) -> R) -> R {
        match &self.source {
            Source::Inline(tokens) => f(tokens),
            Source::File(file) => f(&file.current()),
        }
    }
}

impl ServerAuthenticator for BearerTokenAuth {
    fn authenticate(&self, headers: &HeaderMap) -> Result<(), AuthError> {
        let Some(value) = headers.get(&self.header) else {
            return Err(AuthError::Missing);
        };
        let value = value.as_bytes();
        if value.iter().all(u8::is_ascii_whitespace) {
            return Err(AuthError::Missing);
        }
        let presented = if self.scheme.is_empty() {
            value
        } else {
            // The scheme is not secret and, per RFC 9110, case-insensitive.
            let n = self.scheme.len();
            let scheme_matches = value.len() > n
                && value[..n].eq_ignore_ascii_case(self.scheme.as_bytes())
                && value[n] == b' ';
            if !scheme_matches {
                return Err(AuthError::Invalid);
            }
            value[n + 1..].trim_ascii()
        };
        if self.with_tokens(|t| t.accepts(presented)) {
            Ok(())
        } else {
            Err(AuthError::Invalid)
        }
    }
}

impl ClientAuthenticator for BearerTokenAuth {
    fn apply(&self, headers: &mut HeaderMap) -> Result<(), AuthError> {
        let text = self.with_tokens(|t| {
            if self.scheme.is_empty() {
                t.first.expose().to_string()
            } else {
                format!("{} {}", self.scheme, t.first.expose())
            }
        });
        let mut value = HeaderValue::from_str(&text)
            .map_err(|_| AuthError::Unavailable("the token cannot be sent in a header".into()))?;
        // Keeps it out of HPACK tables and out of `Debug` output of the request.
        value.set_sensitive(true);
        headers.insert(self.header.clone(), value);
        Ok(())
    }
}
