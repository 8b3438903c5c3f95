//! Config pieces every network exporter shares, each checked while the YAML is parsed so a
//! mistake is reported with its line: `compression`, `headers`, `timeout`,
//! `retry_on_failure`, `sending_queue`.

use super::BuildError;
use ciotel_core::config::checked::{checked_map, checked_str};
use ciotel_core::config::values::parse_duration;
use ciotel_core::exporters::queue::QueueConfig;
use ciotel_core::exporters::retry::RetryConfig;
use ciotel_core::webhook::Secret;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Deserializer, de};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

/// `compression:` of request bodies. gzip is the Collector's default for both OTLP exporters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// gzip the request body (`Content-Encoding: gzip` / `grpc-encoding: gzip`).
    #[default]
    Gzip,
    /// Send bodies as they are.
    None,
}

/// Gzips a request body.
pub(crate) fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    encoder.write_all(body)?;
    encoder.finish()
}

/// A header name, checked where it is written.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Name(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "a header name", |name| {
            HeaderName::from_bytes(name.as_bytes())
                .map(|_| Name(name.to_string()))
                .map_err(|_| format!("`{name}` is not a valid header name"))
        })
    }
}

/// A header value, checked where it is written.
struct Value(String);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "a header value", |value| {
            HeaderValue::from_str(value)
                .map(|_| Value(value.to_string()))
                .map_err(|_| {
                    "the header value holds characters a header cannot carry (e.g. a newline)"
                        .to_string()
                })
        })
    }
}

/// Deserializes `headers:`, refusing names and values HTTP cannot carry. Values are kept as
/// [`Secret`]s: `authorization`, API keys … must never print.
pub(crate) fn headers<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Secret>, D::Error> {
    let map = Option::<BTreeMap<Name, Value>>::deserialize(d)?.unwrap_or_default();
    if let Some((name, _)) = map
        .iter()
        .find(|(name, value)| is_placeholder_credential(&name.0, &value.0))
    {
        return Err(de::Error::custom(format!(
            "headers.{}: the value is a placeholder (such as `Bearer change-me`); set the real \
             credential",
            name.0
        )));
    }
    Ok(map
        .into_iter()
        .map(|(k, v)| (k.0, Secret::new(v.0)))
        .collect())
}

/// A credential header (`authorization`, `*-token`, `*-key` …) whose value, or its last word
/// (`Bearer set-me`), is a well-known placeholder.
fn is_placeholder_credential(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let credential = ["auth", "token", "key", "secret", "password"]
        .iter()
        .any(|word| name.contains(word));
    let last_word = value.split_whitespace().last().unwrap_or(value);
    credential && Secret::new(last_word).is_placeholder()
}

/// The configured headers as sent (names lower-cased), values marked sensitive so no
/// `Debug` of a request shows them.
pub(crate) fn header_map(
    id: &str,
    headers: &BTreeMap<String, Secret>,
) -> Result<HeaderMap, BuildError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let fail = |reason: &str| BuildError::Header {
            id: id.to_string(),
            name: name.clone(),
            reason: reason.to_string(),
        };
        let key =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| fail("not a valid header name"))?;
        let mut value = HeaderValue::from_str(value.expose())
            .map_err(|_| fail("the value holds characters a header cannot carry"))?;
        value.set_sensitive(true);
        map.append(key, value);
    }
    Ok(map)
}

/// Deserializes a `timeout:` like the Collector's durations; zero is refused because it
/// would fail every export at once.
pub(crate) fn timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    checked_str(d, "a duration such as `5s`", |text| {
        let timeout = parse_duration(text)?;
        if timeout.is_zero() {
            return Err("timeout must be more than 0, e.g. `5s`".into());
        }
        Ok(timeout)
    })
}

/// The Collector's default `timeout` of one export.
pub(crate) fn default_timeout() -> Duration {
    Duration::from_secs(5)
}

/// Deserializes `retry_on_failure:` (nothing under it means the defaults) and checks it.
pub(crate) fn retry<'de, D: Deserializer<'de>>(d: D) -> Result<RetryConfig, D::Error> {
    checked_map(d, RetryConfig::validate)
}

/// Deserializes `sending_queue:` (nothing under it means the defaults) and checks it.
pub(crate) fn queue<'de, D: Deserializer<'de>>(d: D) -> Result<QueueConfig, D::Error> {
    checked_map(d, QueueConfig::validate)
}

/// Warns once at start when an exporter's credential would cross the network unencrypted: a
/// token sent over plain HTTP or gRPC to anything but this machine can be read on the way.
pub(crate) fn warn_if_credentials_in_clear(id: &str, host: &str, tls: bool) {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let local = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !tls && !local {
        tracing::warn!(
            exporter = id,
            host,
            "`auth:` credentials are sent WITHOUT TLS; anyone on the path can read them: use https:// or TLS"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn gzip_round_trips() {
        let body = b"resourceSpans".repeat(100);
        let packed = gzip(&body).unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
    }

    #[test]
    fn headers_are_checked_where_written_and_sent_lower_cased() {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(deserialize_with = "headers")]
            headers: BTreeMap<String, Secret>,
        }
        let parse = |yaml: &str| yaml_serde::from_str::<Doc>(yaml).map_err(|e| e.to_string());
        let doc = parse("headers:\n  X-Tenant: t1\n").unwrap();
        assert_eq!(header_map("otlp", &doc.headers).unwrap()["x-tenant"], "t1");
        let e = parse("headers:\n  x: ok\n  bad name: a\n").err().unwrap();
        assert!(
            e.contains("`bad name` is not a valid header name at line 3"),
            "{e}"
        );
        let e = parse("headers:\n  x: \"a\\nb\"\n").err().unwrap();
        assert!(
            e.contains("headers.x: the header value holds characters") && e.contains("line 2"),
            "{e}"
        );
        assert!(parse("headers:\n").unwrap().headers.is_empty());
        let e = parse("headers:\n  Authorization: Bearer change-me\n")
            .err()
            .unwrap();
        assert!(
            e.contains("headers.Authorization: the value is a placeholder"),
            "{e}"
        );
        assert!(parse("headers:\n  x-api-key: \"<your-key>\"\n").is_err());
        assert!(
            parse("headers:\n  x-tenant: example\n").is_ok(),
            "not a credential"
        );
        assert!(parse("headers:\n  authorization: Bearer gh-7f3a9c\n").is_ok());
    }

    #[test]
    fn header_maps_refuse_what_config_built_in_code_got_wrong() {
        let bad = BTreeMap::from([("bad name".to_string(), Secret::new("v"))]);
        let e = header_map("otlp/a", &bad).unwrap_err().to_string();
        assert_eq!(
            e,
            "exporter otlp/a: invalid header `bad name`: not a valid header name"
        );
    }
}
