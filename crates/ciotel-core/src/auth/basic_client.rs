//! The client side of `basicauth`: `client_auth: {username, password}` (or `username_file`,
//! `password_file`, which win and are re-read when they change, as in the Collector), sent as
//! `Authorization: Basic base64(username:password)`.

use super::file_watch::{CHECK_INTERVAL, WatchedFile};
use super::secret_field::optional_secret;
use super::{AuthError, ClientAuthenticator};
use crate::webhook::Secret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// `client_auth:`: the credentials an exporter sends.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientAuthConfig {
    /// The user name (no `:`, which Basic cannot carry).
    #[serde(default)]
    pub username: String,
    /// A file holding the user name; wins over `username`.
    #[serde(default)]
    pub username_file: Option<PathBuf>,
    /// The password.
    #[serde(default, deserialize_with = "optional_secret")]
    pub password: Option<Secret>,
    /// A file holding the password (its line end is not part of it); wins over `password`.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
}

impl ClientAuthConfig {
    /// The checks made while the config is parsed.
    pub fn validate(&self) -> Result<(), String> {
        if self.username_file.is_none() {
            check_username(&self.username).map_err(|e| format!("`client_auth.username` {e}"))?;
        }
        if self.password.is_none() && self.password_file.is_none() {
            return Err("set `client_auth.password` or `client_auth.password_file`".into());
        }
        Ok(())
    }
}

fn check_username(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.contains(':') {
        return Err("cannot contain `:`".into());
    }
    Ok(())
}

fn parse_username(text: &str) -> Result<Secret, String> {
    let name = text.trim();
    check_username(name).map_err(|e| format!("the user name {e}"))?;
    Ok(Secret::new(name))
}

fn parse_password(text: &str) -> Result<Secret, String> {
    let password = text.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err("the file holds no password".into());
    }
    Ok(Secret::new(password))
}

/// A value from the config or from a watched file.
enum Part {
    Fixed(Secret),
    File(WatchedFile<Secret>),
}

impl Part {
    fn new(
        fixed: Secret,
        file: &Option<PathBuf>,
        key: &str,
        parse: fn(&str) -> Result<Secret, String>,
        interval: Duration,
    ) -> Result<Part, String> {
        match file {
            Some(path) => WatchedFile::with_interval(path, parse, interval)
                .map(Part::File)
                .map_err(|e| format!("client_auth.{key} `{}`: {e}", path.display())),
            None => Ok(Part::Fixed(fixed)),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match self {
            Part::Fixed(s) => f(s.expose()),
            Part::File(file) => f(file.current().expose()),
        }
    }
}

/// The client side of `basicauth`.
pub struct BasicAuthClient {
    username: Part,
    password: Part,
}

impl BasicAuthClient {
    /// Builds it from `client_auth:`, reading its files now (an error names them).
    pub fn new(config: &ClientAuthConfig) -> Result<Self, String> {
        Self::build(config, CHECK_INTERVAL)
    }

    /// As [`new`](Self::new), checking the files for changes at most every `interval`.
    pub(crate) fn build(config: &ClientAuthConfig, interval: Duration) -> Result<Self, String> {
        config.validate()?;
        let username = Part::new(
            Secret::new(config.username.clone()),
            &config.username_file,
            "username_file",
            parse_username,
            interval,
        )?;
        let password = Part::new(
            config.password.clone().unwrap_or_else(|| Secret::new("")),
            &config.password_file,
            "password_file",
            parse_password,
            interval,
        )?;
        Ok(BasicAuthClient { username, password })
    }
}

impl ClientAuthenticator for BasicAuthClient {
    fn apply(&self, headers: &mut HeaderMap) -> Result<(), AuthError> {
        let pair = self
            .username
            .with(|user| self.password.with(|password| format!("{user}:{password}")));
        let mut value = HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(pair)))
            .map_err(|_| AuthError::Unavailable("the credentials cannot be sent".into()))?;
        // Keeps it out of HPACK tables and out of `Debug` output of the request.
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }
}
