//! `basicauth` extension: HTTP Basic credentials, the Collector's keys; its config and server
//! side (the client side is in `basic_client.rs`).
//!
//! One extension is either a server (`htpasswd: {file, inline}`: the users a listener accepts)
//! or a client (`client_auth: {username, password}`: what an exporter sends), as in the
//! Collector, which refuses both at once; use `basicauth/server` and `basicauth/client`.
//! `inline` is parsed with the config (its errors have their line); `file` when the daemon
//! starts, and again when it changes (see [`super::file_watch`]). A user in both takes the
//! `inline` line. Hash formats: [`super::htpasswd`]. bcrypt successes are remembered briefly:
//! [`super::verified_cache`].

pub use super::basic_client::{BasicAuthClient, ClientAuthConfig};
use super::file_watch::{CHECK_INTERVAL, WatchedFile};
use super::htpasswd::Htpasswd;
use super::verified_cache::{self, VerifiedCache};
use super::{AuthError, ServerAuthenticator};
use crate::config::checked::checked_str;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use http::header::AUTHORIZATION;
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;
use std::time::Duration;

/// Config of a `basicauth` extension: exactly one of `htpasswd` and `client_auth`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthConfig {
    /// The server side: which users and passwords are accepted.
    #[serde(default)]
    pub htpasswd: Option<HtpasswdConfig>,
    /// The client side: the credentials sent.
    #[serde(default)]
    pub client_auth: Option<ClientAuthConfig>,
}

/// `htpasswd:`: a file, inline lines, or both.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HtpasswdConfig {
    /// An htpasswd file, read at start and re-read when it changes.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// htpasswd lines in the config (may come from `${env:…}`); win over `file`.
    #[serde(default, deserialize_with = "inline_htpasswd")]
    pub inline: Option<InlineHtpasswd>,
}

/// `htpasswd.inline`, parsed while the config is read.
#[derive(Debug, Clone)]
pub struct InlineHtpasswd {
    /// The parsed lines (its `Debug` shows user names only).
    pub users: Htpasswd,
}

fn inline_htpasswd<'de, D: Deserializer<'de>>(d: D) -> Result<Option<InlineHtpasswd>, D::Error> {
    checked_str(d, "htpasswd lines (`user:hash`)", |text| {
        Htpasswd::parse(text)
            .map(|users| Some(InlineHtpasswd { users }))
            .map_err(|e| format!("htpasswd.inline: {e}"))
    })
}

impl BasicAuthConfig {
    /// The checks made while the config is parsed (use with `checked_map`).
    pub fn validate(&self) -> Result<(), String> {
        match (&self.htpasswd, &self.client_auth) {
            (Some(_), Some(_)) => Err(
                "set `htpasswd` (server side) or `client_auth` (client side), not both; \
                 use two extensions, e.g. basicauth/server and basicauth/client"
                    .into(),
            ),
            (None, None) => Err(
                "set `htpasswd` (to check incoming credentials) or `client_auth` (to send them)"
                    .into(),
            ),
            (Some(h), None) if h.file.is_none() && h.inline.is_none() => {
                Err("`htpasswd` needs `file` or `inline`".into())
            }
            (None, Some(c)) => c.validate(),
            _ => Ok(()),
        }
    }
}

/// The server side of `basicauth`: checks `Authorization: Basic …` against htpasswd users.
pub struct BasicAuthServer {
    inline: Option<Htpasswd>,
    file: Option<WatchedFile<Htpasswd>>,
    verified: VerifiedCache,
}

impl BasicAuthServer {
    /// Builds it from `htpasswd:`, reading `file` now (an error names it).
    pub fn new(config: &HtpasswdConfig) -> Result<Self, String> {
        Self::build(config, CHECK_INTERVAL)
    }

    /// As [`new`](Self::new), checking the file for changes at most every `interval`.
    pub(crate) fn build(config: &HtpasswdConfig, interval: Duration) -> Result<Self, String> {
        let file = match &config.file {
            Some(path) => Some(
                WatchedFile::with_interval(path, Htpasswd::parse, interval)
                    .map_err(|e| format!("htpasswd.file `{}`: {e}", path.display()))?,
            ),
            None => None,
        };
        if file.is_none() && config.inline.is_none() {
            return Err("`htpasswd` needs `file` or `inline`".into());
        }
        Ok(BasicAuthServer {
            inline: config.inline.as_ref().map(|i| i.users.clone()),
            file,
            verified: VerifiedCache::default(),
        })
    }

    /// How many bcrypt successes are remembered (for tests).
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.verified.len()
    }
}

/// Splits `Basic <base64(user:password)>`; `None` when it is not that.
fn basic_credentials(value: &[u8]) -> Option<(String, Vec<u8>)> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"basic ") {
        return None;
    }
    let decoded = STANDARD.decode(rest.trim_ascii()).ok()?;
    let colon = decoded.iter().position(|b| *b == b':')?;
    let user = String::from_utf8(decoded[..colon].to_vec()).ok()?;
    Some((user, decoded[colon + 1..].to_vec()))
}

impl ServerAuthenticator for BasicAuthServer {
    fn authenticate(&self, headers: &HeaderMap) -> Result<(), AuthError> {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Err(AuthError::Missing);
        };
        if value.as_bytes().iter().all(u8::is_ascii_whitespace) {
            return Err(AuthError::Missing);
        }
        let (user, password) = basic_credentials(value.as_bytes()).ok_or(AuthError::Invalid)?;
        let from_file = self.file.as_ref().map(|f| f.current());
        let hash = self
            .inline
            .as_ref()
            .and_then(|h| h.get(&user))
            .or_else(|| from_file.as_deref().and_then(|h| h.get(&user)))
            .ok_or(AuthError::Invalid)?;
        if !hash.is_slow() {
            return if hash.verify(&password) {
                Ok(())
            } else {
                Err(AuthError::Invalid)
            };
        }
        let key = verified_cache::key(&hash.stored(), &user, &password);
        if self.verified.contains(&key) {
            return Ok(());
        }
        if hash.verify(&password) {
            self.verified.insert(key);
            Ok(())
        } else {
            Err(AuthError::Invalid)
        }
    }
}
