//! Authentication between ciotel and its peers, in the Collector's shape: an authenticator is
//! an extension (`bearertokenauth`, `basicauth`), and a listener or an exporter names it with
//! `auth: {authenticator: <id>}`.
//!
//! Listeners hold an [`ServerAuthenticator`] and run it on every request's headers before any
//! body byte is read (HTTP answers 401, gRPC UNAUTHENTICATED). Exporters hold a
//! [`ClientAuthenticator`] that adds the credential to every outgoing request.
//!
//! Files, one concern each:
//! - `bearer_token.rs`: the `bearertokenauth` extension (config, both sides);
//! - `basic.rs`: the `basicauth` extension (config, server side); `basic_client.rs`: its
//!   client side;
//! - `htpasswd.rs`: htpasswd lines and their hash formats; `md5_crypt.rs`: apr1 / `$1$`;
//! - `verified_cache.rs`: a short memory of bcrypt successes, keyed by a digest;
//! - `file_watch.rs`: credential files re-read when they change;
//! - `secret_field.rs`: reading credentials from the config without quoting them in errors;
//! - `resolver.rs`: [`Authenticators`], built from `extensions:`, and the words for a wrong
//!   reference, shared with the config check.
//!
//! No credential is ever logged or put in an error: configs hold them as
//! [`Secret`](crate::webhook::Secret), and errors name keys, files and lines only.

pub mod basic;
mod basic_client;
pub mod bearer_token;
pub mod file_watch;
pub mod htpasswd;
mod md5_crypt;
pub mod resolver;
mod secret_field;
pub mod verified_cache;

#[cfg(test)]
mod tests;

pub use basic::{BasicAuthConfig, ClientAuthConfig, HtpasswdConfig};
pub use bearer_token::BearerTokenAuthConfig;
pub use resolver::{
    AuthBuildError, AuthenticatorConfig, Authenticators, NoAuthenticators, Side, Sides,
};

use crate::component_id::ComponentId;
use serde::Deserialize;
use std::sync::Arc;

/// `auth:` on a listener or an exporter: which authenticator extension to use.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthReference {
    /// The id of an authenticator under `extensions:` (e.g. `bearertokenauth/ci`).
    pub authenticator: ComponentId,
}

/// Why a request's credentials were not accepted. Never carries the credential itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No credential was sent.
    #[error("missing credentials")]
    Missing,
    /// A credential was sent but it is not valid.
    #[error("invalid credentials")]
    Invalid,
    /// The authenticator cannot answer (e.g. its token file cannot be read).
    #[error("authenticator unavailable: {0}")]
    Unavailable(String),
}

/// Checks the credential on an incoming request. Runs on headers only, so a listener can refuse
/// before it reads (and holds) any of the body.
pub trait ServerAuthenticator: Send + Sync + 'static {
    /// Accepts or refuses the request with these headers. Compares in constant time.
    fn authenticate(&self, headers: &http::HeaderMap) -> Result<(), AuthError>;
}

/// Adds a credential to an outgoing request.
pub trait ClientAuthenticator: Send + Sync + 'static {
    /// Sets the credential header(s) on a request about to be sent.
    fn apply(&self, headers: &mut http::HeaderMap) -> Result<(), AuthError>;
}

/// Resolves `auth:` references to running authenticators at build time.
pub trait AuthResolver {
    /// The server side of authenticator `id`, or an error message naming what is wrong
    /// (not defined, not an authenticator, not usable on a server).
    fn server(&self, id: &ComponentId) -> Result<Arc<dyn ServerAuthenticator>, String>;
    /// The client side of authenticator `id`, or an error message.
    fn client(&self, id: &ComponentId) -> Result<Arc<dyn ClientAuthenticator>, String>;
}
