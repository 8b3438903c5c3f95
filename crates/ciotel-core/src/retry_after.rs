//! `Retry-After` (RFC 9110 §10.2.3), read one way for everyone who honours it: the OTLP/HTTP
//! exporter and the REST API pollers.

use std::time::{Duration, SystemTime};

/// The wait a `Retry-After` value asks for: delay-seconds, or the time until an HTTP date
/// (zero once that date has passed). `None` for anything else, including a number too large
/// for `u64` (callers decide what such a value means to them).
pub fn parse(text: &str, now: SystemTime) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_dates_and_garbage() {
        let now = httpdate::parse_http_date("Wed, 25 Nov 2026 10:00:00 GMT").unwrap();
        assert_eq!(parse(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse("Wed, 25 Nov 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse("Wed, 25 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse("soon", now), None);
        assert_eq!(parse("", now), None);
        assert_eq!(parse("99999999999999999999999", now), None);
    }
}
