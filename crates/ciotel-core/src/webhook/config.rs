//! The `webhook:` section every webhook receiver shares: where to listen, which paths, the
//! secret or an explicit `insecure: true` on a loopback endpoint, required headers and the body
//! limit, checked while the YAML is parsed. What differs per platform (default paths, the
//! headers it sets itself, how to hint at its secret) is a [`WebhookPlatform`].

use super::Secret;
use crate::auth::AuthReference;
use crate::config::values::{ListenAddress, duration};
use crate::server::config::{
    connection_limit, default_idle_timeout, default_max_concurrent_connections,
    default_max_request_header_size, default_read_header_timeout, default_read_timeout,
    default_write_timeout, header_size,
};
use crate::server::{ConnectionSettings, HttpServerSettings, TlsServerConfig};
use axum::http::{HeaderName, HeaderValue};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// What a platform brings to the shared `webhook:` checks.
///
/// Exists so GitHub, GitLab … keep their defaults and hints in their own crate while the
/// checks themselves are written once.
#[derive(Debug, Clone, Copy)]
pub struct WebhookPlatform {
    /// `path` when none is written (e.g. `/events/github`).
    pub default_path: &'static str,
    /// `health_path` when none is written (e.g. `/health`).
    pub default_health_path: &'static str,
    /// Headers the platform sets itself, which `required_headers` may not name (their values
    /// change per delivery or are checked on their own). Compared case-insensitively.
    pub own_headers: &'static [&'static str],
    /// Why naming one of `own_headers` is refused, listing them.
    pub own_headers_refusal: &'static str,
    /// What to do when there is no `secret`: where to find it and what `insecure: true` means.
    pub no_secret_hint: &'static str,
    /// The header the platform sends the secret in as written, if it does (GitLab's
    /// `X-Gitlab-Token`): the secret must then be a valid header value.
    pub secret_header: Option<&'static str>,
}

/// `webhook:`, checked: where a platform delivers its events.
///
/// Exists so the webhook router gets a config that was checked once: it has a secret, or says
/// `insecure: true` on a loopback endpoint; its paths are valid routes; its required headers
/// are valid header names and values.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    /// Where to listen (default 127.0.0.1:8080). Webhook receivers with the same endpoint
    /// share one listener, each serving its own paths.
    pub endpoint: ListenAddress,
    /// Path the platform POSTs deliveries to (default per platform, e.g. `/events/github`).
    pub path: String,
    /// Path answering GET with 200 for load balancers (default per platform, e.g. `/health`;
    /// GitLab's is `/health/gitlab`, so both fit on a shared endpoint).
    pub health_path: String,
    /// The webhook's secret: GitHub's signing key, GitLab's `X-Gitlab-Token`.
    pub secret: Option<Secret>,
    /// Headers every delivery must carry with exactly these values (e.g. one set by a WAF or
    /// proxy in front of ciotel). Names are case-insensitive.
    pub required_headers: BTreeMap<String, Secret>,
    /// Accept unauthenticated deliveries when no secret is set; only allowed on a loopback
    /// endpoint.
    pub insecure: bool,
    /// Largest delivery accepted, in bytes (default 25 MiB, GitHub's own cap).
    pub max_request_body_size: usize,
    /// The listener's timeouts, limits and TLS (receivers sharing an endpoint must agree).
    pub listener: HttpServerSettings,
    /// An authenticator extension every delivery must satisfy (before the body is read).
    pub auth: Option<AuthReference>,
}

/// `webhook:` as written, before the platform's defaults and the checks.
///
/// Deserialize it with `or_default` (a bare `webhook:` means all defaults), then
/// [`check`](Self::check) it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhookConfig {
    #[serde(default, deserialize_with = "present")]
    endpoint: Option<ListenAddress>,
    #[serde(default, deserialize_with = "present")]
    path: Option<String>,
    #[serde(default, deserialize_with = "present")]
    health_path: Option<String>,
    #[serde(default)]
    secret: Option<Secret>,
    #[serde(default, deserialize_with = "crate::config::component_map::or_default")]
    required_headers: BTreeMap<String, Secret>,
    #[serde(default)]
    insecure: bool,
    #[serde(default, deserialize_with = "present")]
    max_request_body_size: Option<usize>,
    #[serde(default = "default_read_header_timeout", deserialize_with = "duration")]
    read_header_timeout: Duration,
    #[serde(default = "default_read_timeout", deserialize_with = "duration")]
    read_timeout: Duration,
    #[serde(default = "default_idle_timeout", deserialize_with = "duration")]
    idle_timeout: Duration,
    #[serde(default = "default_write_timeout", deserialize_with = "duration")]
    write_timeout: Duration,
    #[serde(
        default = "default_max_request_header_size",
        deserialize_with = "header_size"
    )]
    max_request_header_size: usize,
    #[serde(
        default = "default_max_concurrent_connections",
        deserialize_with = "connection_limit"
    )]
    max_concurrent_connections: usize,
    #[serde(default)]
    tls: Option<TlsServerConfig>,
    #[serde(default)]
    auth: Option<AuthReference>,
}

impl Default for RawWebhookConfig {
    fn default() -> Self {
        RawWebhookConfig {
            endpoint: None,
            path: None,
            health_path: None,
            secret: None,
            required_headers: BTreeMap::new(),
            insecure: false,
            max_request_body_size: None,
            read_header_timeout: default_read_header_timeout(),
            read_timeout: default_read_timeout(),
            idle_timeout: default_idle_timeout(),
            write_timeout: default_write_timeout(),
            max_request_header_size: default_max_request_header_size(),
            max_concurrent_connections: default_max_concurrent_connections(),
            tls: None,
            auth: None,
        }
    }
}

/// A key that is written: its value, which may not be null (only a missing key takes the
/// platform's default).
fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// 25 MiB, GitHub's own cap on a delivery.
const DEFAULT_BODY_SIZE: usize = 25 * 1024 * 1024;

impl RawWebhookConfig {
    /// Fills in `platform`'s defaults and checks the result.
    pub fn check(self, platform: &WebhookPlatform) -> Result<WebhookConfig, WebhookConfigError> {
        let endpoint = self.endpoint.unwrap_or_else(|| {
            ListenAddress::parse("127.0.0.1:8080").expect("default endpoint is valid")
        });
        let path = self.path.unwrap_or_else(|| platform.default_path.into());
        let health_path = self
            .health_path
            .unwrap_or_else(|| platform.default_health_path.into());
        let max_request_body_size = self.max_request_body_size.unwrap_or(DEFAULT_BODY_SIZE);
        if self.secret.as_ref().is_some_and(Secret::is_empty) {
            return Err(WebhookConfigError::EmptySecret);
        }
        if self.secret.as_ref().is_some_and(Secret::is_placeholder) {
            return Err(WebhookConfigError::PlaceholderSecret);
        }
        if let (Some(secret), Some(header)) = (&self.secret, platform.secret_header)
            && HeaderValue::from_str(secret.expose()).is_err()
        {
            return Err(WebhookConfigError::UnsendableSecret { header });
        }
        if self.secret.is_none() {
            if !self.insecure {
                return Err(WebhookConfigError::NoSecret {
                    hint: platform.no_secret_hint,
                });
            }
            if !endpoint.is_loopback() {
                return Err(WebhookConfigError::InsecureNotLoopback {
                    endpoint: endpoint.to_string(),
                });
            }
        }
        check_route("path", &path)?;
        check_route("health_path", &health_path)?;
        if path == health_path {
            return Err(WebhookConfigError::SamePaths(path));
        }
        for (name, value) in &self.required_headers {
            check_required_header(name, value, platform)?;
        }
        if max_request_body_size == 0 {
            return Err(WebhookConfigError::ZeroBodyLimit);
        }
        Ok(WebhookConfig {
            endpoint,
            path,
            health_path,
            secret: self.secret,
            required_headers: self.required_headers,
            insecure: self.insecure,
            max_request_body_size,
            listener: HttpServerSettings {
                read_header_timeout: self.read_header_timeout,
                read_timeout: self.read_timeout,
                idle_timeout: self.idle_timeout,
                write_timeout: self.write_timeout,
                max_request_header_size: self.max_request_header_size,
                connections: ConnectionSettings {
                    max_concurrent_connections: self.max_concurrent_connections,
                    tls: self.tls,
                },
            },
            auth: self.auth,
        })
    }
}

/// A path axum can route as written: absolute, no captures or wildcards.
fn check_route(key: &'static str, path: &str) -> Result<(), WebhookConfigError> {
    let bad = |why: &'static str| WebhookConfigError::BadPath {
        key,
        path: path.to_string(),
        why,
    };
    if !path.starts_with('/') {
        return Err(bad("it must start with `/`"));
    }
    if path.contains(['{', '}', '*', '?', '#']) || path.chars().any(char::is_whitespace) {
        return Err(bad(
            "it may not contain `{`, `}`, `*`, `?`, `#` or whitespace",
        ));
    }
    if path.split('/').any(|segment| segment.starts_with(':')) {
        return Err(bad("a segment may not start with `:`"));
    }
    Ok(())
}

fn check_required_header(
    name: &str,
    value: &Secret,
    platform: &WebhookPlatform,
) -> Result<(), WebhookConfigError> {
    let bad = |why: &'static str| WebhookConfigError::BadRequiredHeader {
        name: name.to_string(),
        why,
    };
    if name.is_empty() || value.is_empty() {
        return Err(bad("both the name and the value must be non-empty"));
    }
    if value.is_placeholder() {
        return Err(bad(
            "its value is a placeholder (such as `set-me`); set the real value",
        ));
    }
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(bad("it is not a valid HTTP header name"));
    }
    if HeaderValue::from_str(value.expose()).is_err() {
        return Err(bad("its value is not a valid HTTP header value"));
    }
    if platform
        .own_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
    {
        return Err(bad(platform.own_headers_refusal));
    }
    Ok(())
}

/// What is wrong with a `webhook:` section; the parser reports it with its line.
///
/// Exists so each mistake has one message that says what to change, the same on every
/// platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookConfigError {
    /// No secret and no explicit opt-out.
    #[error("no `secret` set. {hint}")]
    NoSecret {
        /// The platform's [`WebhookPlatform::no_secret_hint`].
        hint: &'static str,
    },
    /// `secret: ""`, typically an environment variable defaulted to nothing.
    #[error(
        "`secret` is empty (is the environment variable it comes from set?); an empty secret \
         checks nothing"
    )]
    EmptySecret,
    /// `secret: set-me` and the like: a value published in examples.
    #[error(
        "`secret` is a placeholder (such as `set-me` or `changeme`), which anyone could sign \
         deliveries with; set the webhook's real secret"
    )]
    PlaceholderSecret,
    /// A secret the platform could never send as a header value.
    #[error(
        "`secret` contains characters that cannot appear in the {header} header (e.g. a \
         newline); no delivery could ever match it"
    )]
    UnsendableSecret {
        /// The platform's [`WebhookPlatform::secret_header`].
        header: &'static str,
    },
    /// `insecure: true` where anyone on the network could post deliveries.
    #[error(
        "`insecure: true` without a `secret` is only allowed on a loopback endpoint \
         (127.0.0.1, [::1], localhost), not `{endpoint}`: anyone who can reach it could inject \
         spans. Set `secret`"
    )]
    InsecureNotLoopback {
        /// The configured endpoint.
        endpoint: String,
    },
    /// A path that cannot be routed as written.
    #[error("`{key}: {path}` is not a usable path: {why}")]
    BadPath {
        /// `path` or `health_path`.
        key: &'static str,
        /// The path as written.
        path: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `path` and `health_path` are the same.
    #[error("`path` and `health_path` are both `{0}`; give them different paths")]
    SamePaths(String),
    /// A `required_headers` entry that can never be satisfied or is not allowed.
    #[error("required header `{name}`: {why}")]
    BadRequiredHeader {
        /// The header name as written.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `max_request_body_size: 0`.
    #[error("`max_request_body_size` must be more than 0 bytes")]
    ZeroBodyLimit,
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST: WebhookPlatform = WebhookPlatform {
        default_path: "/events/test",
        default_health_path: "/health",
        own_headers: &["X-Test-Event"],
        own_headers_refusal: "the platform's own headers cannot be required",
        no_secret_hint: "Set it.",
        secret_header: None,
    };

    fn parse(yaml: &str) -> Result<WebhookConfig, String> {
        let raw: RawWebhookConfig = yaml_serde::from_str(yaml).map_err(|e| e.to_string())?;
        raw.check(&TEST).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_come_from_the_platform() {
        let w = parse("secret: s3cret\n").unwrap();
        assert_eq!(w.endpoint.as_str(), "127.0.0.1:8080");
        assert_eq!(
            (w.path.as_str(), w.health_path.as_str()),
            ("/events/test", "/health")
        );
        assert_eq!(w.max_request_body_size, 25 * 1024 * 1024);
        assert!(w.required_headers.is_empty() && !w.insecure);
    }

    #[test]
    fn insecure_is_for_loopback_only() {
        let e = parse("endpoint: 0.0.0.0:8080\ninsecure: true\n").unwrap_err();
        assert!(
            e.contains("only allowed on a loopback endpoint") && e.contains("0.0.0.0:8080"),
            "{e}"
        );
        for ok in ["localhost:8080", "[::1]:8080", "127.0.0.1:0"] {
            parse(&format!("endpoint: \"{ok}\"\ninsecure: true\n")).unwrap();
        }
        // With a secret, deliveries are checked whatever the endpoint.
        parse("endpoint: 0.0.0.0:8080\ninsecure: true\nsecret: x\n").unwrap();
    }

    #[test]
    fn paths_headers_and_limits_are_checked() {
        for (yaml, needle) in [
            ("path: events", "must start with `/`"),
            ("path: /events/{id}", "may not contain"),
            ("health_path: /a/:b", "may not start with `:`"),
            ("path: /health", "both `/health`"),
            ("max_request_body_size: 0", "more than 0 bytes"),
            ("required_headers: {x-test-event: t}", "own headers cannot"),
            (
                "required_headers: {\"bad name\": t}",
                "not a valid HTTP header name",
            ),
            ("required_headers: {X-A: \"\"}", "non-empty"),
            ("required_headers: {X-A: change-me}", "placeholder"),
        ] {
            let e = parse(&format!("secret: s\n{yaml}\n")).unwrap_err();
            assert!(e.contains(needle), "{yaml}: {e}");
        }
    }

    #[test]
    fn a_placeholder_secret_is_refused() {
        for placeholder in ["set-me", "CHANGEME", "\"<your-secret>\""] {
            let e = parse(&format!("secret: {placeholder}\n")).unwrap_err();
            assert!(
                e.contains("`secret` is a placeholder"),
                "{placeholder}: {e}"
            );
            assert!(!e.contains("your-secret"), "not echoed: {e}");
        }
    }

    #[test]
    fn a_secret_sent_as_a_header_must_fit_one() {
        parse("secret: \"a\\nb\"\n").unwrap();
        let raw: RawWebhookConfig = yaml_serde::from_str("secret: \"a\\nb\"\n").unwrap();
        let platform = WebhookPlatform {
            secret_header: Some("X-Test-Token"),
            ..TEST
        };
        let e = raw.check(&platform).unwrap_err().to_string();
        assert!(
            e.contains("cannot appear in the X-Test-Token header"),
            "{e}"
        );
    }

    #[test]
    fn secrets_are_not_printed() {
        let w = parse("secret: s3cret\nrequired_headers:\n  X-T: hidden\n").unwrap();
        let shown = format!("{w:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("hidden"),
            "{shown}"
        );
    }
}
