//! Who the poller is to GitHub: a token from the config, or a GitHub App installation. For an
//! App, a JWT signed RS256 with the App's private key (valid 9 minutes, issued a minute in the
//! past for clock drift, as GitHub advises) buys an installation token (valid an hour), which is
//! kept and bought again 5 minutes before it expires, or at once when GitHub answers 401.
//!
//! Only the credentials and the JWT live here; the HTTP exchange for the installation token is
//! in `client.rs`, with the same rate-limit and retry handling as every other request.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciotel_cicd::Timestamp;
use reqwest::header::HeaderValue;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;

use crate::receiver::{ApiConfig, Secret};

/// A JWT is issued this long in the past, so a GitHub clock slightly behind ours accepts it.
const JWT_BACKDATE: Duration = Duration::from_secs(60);
/// A JWT's lifetime from now; GitHub refuses more than 10 minutes.
const JWT_LIFETIME: Duration = Duration::from_secs(9 * 60);
/// An installation token is replaced this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// Lifetime assumed when GitHub's answer has no readable `expires_at` (tokens last an hour).
const ASSUMED_LIFETIME: Duration = Duration::from_secs(55 * 60);

/// How requests are authenticated.
pub(crate) enum Credentials {
    /// `token:`, sent as is.
    Token(Secret),
    /// `app:`, exchanged for installation tokens.
    App(Box<AppAuth>),
}

impl Credentials {
    /// Reads the credentials of `config`, loading the App's private key if there is one.
    pub(crate) fn from_config(config: &ApiConfig) -> Result<Self, AuthError> {
        match (&config.app, &config.token) {
            (Some(app), _) => Ok(Credentials::App(Box::new(AppAuth {
                app_id: app.app_id,
                installation_id: app.installation_id,
                key: load_key(&app.private_key_file)?,
                token: None,
            }))),
            (None, Some(token)) if HeaderValue::from_str(token.expose()).is_err() => {
                Err(AuthError::Token)
            }
            (None, Some(token)) => Ok(Credentials::Token(token.clone())),
            (None, None) => Err(AuthError::NoCredentials),
        }
    }
}

/// A GitHub App installation: its ids, its key and the installation token in use.
pub(crate) struct AppAuth {
    app_id: u64,
    installation_id: u64,
    key: RsaKeyPair,
    token: Option<InstallationToken>,
}

/// An installation token and when GitHub said it expires.
struct InstallationToken {
    value: Secret,
    expires_at: SystemTime,
}

impl AppAuth {
    /// The installation token, unless there is none or it expires within the refresh margin.
    pub(super) fn current(&self, now: SystemTime) -> Option<&str> {
        self.token
            .as_ref()
            .filter(|t| t.usable(now))
            .map(|t| t.value.expose())
    }

    /// Forgets the installation token (GitHub answered 401: revoked, or clocks disagree).
    pub(super) fn invalidate(&mut self) {
        self.token = None;
    }

    /// `POST` here with the JWT to get an installation token.
    pub(super) fn token_url(&self, base_url: &str) -> String {
        format!(
            "{base_url}/app/installations/{}/access_tokens",
            self.installation_id
        )
    }

    /// A JWT for the App, signed RS256: `iss` the App id, valid from a minute ago for 9 minutes.
    pub(super) fn jwt(&self, now: SystemTime) -> Result<String, AuthError> {
        let seconds = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "iat": seconds(now - JWT_BACKDATE),
            "exp": seconds(now + JWT_LIFETIME),
            "iss": self.app_id.to_string(),
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| AuthError::Sign)?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    /// Keeps the installation token from GitHub's answer to the token request.
    pub(super) fn store(&mut self, body: &[u8], now: SystemTime) -> Result<&str, AuthError> {
        let token = self.token.insert(InstallationToken::parse(body, now)?);
        Ok(token.value.expose())
    }
}

impl InstallationToken {
    /// Reads `{"token": …, "expires_at": …}`, GitHub's answer to the token request.
    fn parse(body: &[u8], now: SystemTime) -> Result<Self, AuthError> {
        #[derive(Deserialize)]
        struct Answer {
            token: String,
            expires_at: Option<String>,
        }
        let answer: Answer =
            serde_json::from_slice(body).map_err(|e| AuthError::TokenAnswer(e.to_string()))?;
        if answer.token.is_empty() {
            return Err(AuthError::TokenAnswer("`token` is empty".into()));
        }
        let expires_at = answer
            .expires_at
            .as_deref()
            .and_then(|t| Timestamp::parse_rfc3339(t).ok())
            .map(|t| UNIX_EPOCH + Duration::from_nanos(t.as_unix_nanos()))
            .unwrap_or(now + ASSUMED_LIFETIME);
        Ok(InstallationToken {
            value: Secret::new(answer.token),
            expires_at,
        })
    }

    /// Still good for at least the refresh margin.
    fn usable(&self, now: SystemTime) -> bool {
        now + REFRESH_MARGIN < self.expires_at
    }
}

/// Reads an RSA private key from PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`, what GitHub hands out)
/// or PKCS#8 (`BEGIN PRIVATE KEY`).
fn load_key(path: &Path) -> Result<RsaKeyPair, AuthError> {
    let bad = |reason: String| AuthError::Key {
        path: path.display().to_string(),
        reason,
    };
    let der = PrivateKeyDer::from_pem_file(path).map_err(|e| bad(e.to_string()))?;
    let parsed = match &der {
        PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
        PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        _ => return Err(bad("not an RSA key (a GitHub App key is RSA)".into())),
    };
    parsed.map_err(|e| bad(format!("rejected as an RSA key: {e}")))
}

/// Why the poller cannot authenticate.
///
/// Exists so a bad key is reported at startup with its path, and a bad token answer with what
/// was wrong in it.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Neither `token` nor `app` (a config built in code, bypassing the checks).
    #[error("no credentials: set `token:` or `app:`")]
    NoCredentials,
    /// A token that cannot travel in an HTTP header.
    #[error("`token` has characters an HTTP header cannot carry (a trailing newline from a file?)")]
    Token,
    /// The App's private key file could not be read or is not an RSA key.
    #[error("GitHub App private key {path}: {reason} (download a PEM key from the App's settings)")]
    Key {
        /// `private_key_file` as configured.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// Signing the JWT failed.
    #[error("signing the GitHub App JWT failed")]
    Sign,
    /// GitHub's answer to the installation token request was not `{token, expires_at}`.
    #[error("unexpected answer to the installation token request: {0}")]
    TokenAnswer(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_until_five_minutes_before_it_expires() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let body = br#"{"token":"ghs_x","expires_at":"2023-11-14T23:13:20Z"}"#;
        let token = InstallationToken::parse(body, now).map_err(|e| e.to_string());
        let token = token.as_ref().map(|t| (t.value.expose(), t.usable(now)));
        // 2023-11-14T23:13:20Z is 1_700_003_600: an hour from `now`.
        assert_eq!(token, Ok(("ghs_x", true)));
        let later = now + Duration::from_secs(3600 - 299);
        assert!(InstallationToken::parse(body, now).is_ok_and(|t| !t.usable(later)));
    }

    #[test]
    fn a_token_answer_without_expiry_is_assumed_to_last_under_an_hour() {
        let now = SystemTime::now();
        let t = InstallationToken::parse(br#"{"token":"ghs_y"}"#, now);
        assert!(t.is_ok_and(|t| t.usable(now) && t.expires_at == now + ASSUMED_LIFETIME));
        let bad = InstallationToken::parse(br#"{"message":"Bad credentials"}"#, now);
        assert!(matches!(bad, Err(AuthError::TokenAnswer(_))));
        let empty = InstallationToken::parse(br#"{"token":""}"#, now);
        assert!(matches!(empty, Err(AuthError::TokenAnswer(_))));
    }

    #[test]
    fn a_missing_key_file_names_its_path() {
        let e = load_key(Path::new("/nonexistent/ciotel-app.pem"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/ciotel-app.pem"), "{e}");
    }
}
