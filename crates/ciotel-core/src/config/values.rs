//! Value types shared by many component configs, each validated while the YAML is parsed so
//! an error carries its line: durations, listen addresses.

use super::checked::checked_str;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::time::Duration;

/// Deserializes a duration written like the Collector's (`200ms`, `5s`, `1m30s`).
pub fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    checked_str(d, "a duration such as `200ms` or `5s`", parse_duration)
}

/// Parses a duration string; a bare number is refused because its unit would be a guess.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("invalid duration `{text}` ({e}); write e.g. `200ms`, `5s`, `1m30s`"))
}

/// A `host:port` to listen on, checked when the config is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenAddress(String);

impl ListenAddress {
    /// Parses `host:port` (`[v6]:port` for IPv6); the port must be a number 0–65535.
    pub fn parse(text: &str) -> Result<ListenAddress, String> {
        let bad = || {
            format!(
                "invalid endpoint `{text}`: expected host:port, e.g. 127.0.0.1:4317 or 0.0.0.0:4318"
            )
        };
        let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
        if host.is_empty() || port.parse::<u16>().is_err() {
            return Err(bad());
        }
        if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
            return Err(bad());
        }
        Ok(ListenAddress(text.to_string()))
    }

    /// The address as written, for binding.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when only this machine can reach the address (loopback).
    pub fn is_loopback(&self) -> bool {
        let host = self.0.rsplit_once(':').map(|(h, _)| h).unwrap_or("");
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .map(|ip| ip.is_loopback())
                .unwrap_or(false)
    }
}

impl fmt::Display for ListenAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ListenAddress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "an endpoint `host:port`", ListenAddress::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_collectors() {
        assert_eq!(parse_duration("200ms").unwrap(), Duration::from_millis(200));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert!(
            parse_duration("5")
                .unwrap_err()
                .contains("invalid duration `5`")
        );
    }

    #[test]
    fn listen_addresses_need_host_and_port() {
        assert!(
            ListenAddress::parse("127.0.0.1:4317")
                .unwrap()
                .is_loopback()
        );
        assert!(ListenAddress::parse("[::1]:4317").unwrap().is_loopback());
        assert!(!ListenAddress::parse("0.0.0.0:4317").unwrap().is_loopback());
        assert!(ListenAddress::parse("localhost:80").unwrap().is_loopback());
        for bad in ["4317", "host:", ":4317", "host:99999", "::1:4317"] {
            assert!(ListenAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
