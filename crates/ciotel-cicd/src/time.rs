//! Timestamps: UTC instants in Unix nanoseconds, read from and written as RFC 3339.
//!
//! CI platforms write RFC 3339 with `Z` or an offset, with or without a fraction
//! (`2025-04-16T21:09:03Z`, `2020-01-20T09:42:40.000-08:00`). A small parser keeps the
//! dependency tree lean; it is the only place that knows the calendar.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// A UTC instant with nanosecond precision, as OTLP spans carry it.
///
/// Exists so events hold one comparable, platform-neutral time type instead of
/// strings in whatever format each platform chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

/// Why a text could not be read as an RFC 3339 timestamp.
///
/// Carries the input so a user-facing error can show what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid RFC 3339 timestamp {input:?}: {reason}")]
pub struct TimestampError {
    /// The text that was given.
    pub input: String,
    /// What was wrong with it.
    pub reason: &'static str,
}

impl Timestamp {
    /// Wraps nanoseconds since the Unix epoch, the unit of OTLP's `*_time_unix_nano`.
    pub const fn from_unix_nanos(nanos: u64) -> Self {
        Self(nanos)
    }

    /// The system clock's time now (the Unix epoch if the clock is set before it).
    pub fn now() -> Self {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self(u64::try_from(since.as_nanos()).unwrap_or(u64::MAX))
    }

    /// Nanoseconds since the Unix epoch, ready for an OTLP span.
    pub const fn as_unix_nanos(self) -> u64 {
        self.0
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space
    /// separator are accepted too. Instants before 1970 are refused (OTLP cannot
    /// carry them).
    pub fn parse_rfc3339(input: &str) -> Result<Self, TimestampError> {
        parse(input.as_bytes()).map_err(|reason| TimestampError {
            input: input.to_owned(),
            reason,
        })
    }

    /// Writes UTC RFC 3339 with `Z`, and a fraction only when it is not zero.
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0 % NANOS_PER_SEC as u64;
        let secs = (self.0 / NANOS_PER_SEC as u64) as i64;
        let (days, rem) = (secs / SECS_PER_DAY, secs % SECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss) = (rem / 3600, rem % 3600 / 60, rem % 60);
        write!(f, "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}")?;
        if nanos != 0 {
            let frac = format!("{nanos:09}");
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_rfc3339(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

fn parse(b: &[u8]) -> Result<Timestamp, &'static str> {
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4, "expected a 4-digit year")?;
    p.expect(b"-", "expected '-' after the year")?;
    let month = p.digits(2, "expected a 2-digit month")?;
    p.expect(b"-", "expected '-' after the month")?;
    let day = p.digits(2, "expected a 2-digit day")?;
    p.expect(b"Tt ", "expected 'T' between date and time")?;
    let hour = p.digits(2, "expected a 2-digit hour")?;
    p.expect(b":", "expected ':' after the hour")?;
    let minute = p.digits(2, "expected a 2-digit minute")?;
    p.expect(b":", "expected ':' after the minute")?;
    let second = p.digits(2, "expected 2-digit seconds")?;
    let mut nanos: i64 = 0;
    if p.peek() == Some(b'.') {
        p.i += 1;
        let start = p.i;
        while let Some(c @ b'0'..=b'9') = p.peek() {
            // Digits past nanoseconds are read and dropped.
            if p.i - start < 9 {
                nanos = nanos * 10 + i64::from(c - b'0');
            }
            p.i += 1;
        }
        let len = p.i - start;
        if len == 0 {
            return Err("expected digits after '.'");
        }
        for _ in len..9 {
            nanos *= 10;
        }
    }
    let offset_secs = match p.next() {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh = p.digits(2, "expected a 2-digit offset hour")?;
            p.expect(b":", "expected ':' in the offset")?;
            let om = p.digits(2, "expected a 2-digit offset minute")?;
            if oh > 23 || om > 59 {
                return Err("offset out of range");
            }
            let secs = oh * 3600 + om * 60;
            if sign == b'-' { -secs } else { secs }
        }
        _ => return Err("expected 'Z' or an offset like +01:00"),
    };
    if p.i != b.len() {
        return Err("unexpected text after the offset");
    }
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err("day out of range");
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("time of day out of range");
    }
    let days = days_from_civil(year, month, day);
    let secs = days * SECS_PER_DAY + hour * 3600 + minute * 60 + second - offset_secs;
    if secs < 0 {
        return Err("before 1970-01-01");
    }
    secs.checked_mul(NANOS_PER_SEC)
        .and_then(|n| n.checked_add(nanos))
        .and_then(|n| u64::try_from(n).ok())
        .map(Timestamp)
        .ok_or("out of range")
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }
    fn expect(&mut self, any_of: &[u8], reason: &'static str) -> Result<(), &'static str> {
        match self.next() {
            Some(c) if any_of.contains(&c) => Ok(()),
            _ => Err(reason),
        }
    }
    fn digits(&mut self, n: usize, reason: &'static str) -> Result<i64, &'static str> {
        let mut v = 0i64;
        for _ in 0..n {
            match self.next() {
                Some(c @ b'0'..=b'9') => v = v * 10 + i64::from(c - b'0'),
                _ => return Err(reason),
            }
        }
        Ok(v)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> u64 {
        Timestamp::parse_rfc3339(s)
            .map(Timestamp::as_unix_nanos)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_zulu_offsets_and_fractions() {
        assert_eq!(ts("2025-04-16T21:09:03Z"), 1_744_837_743_000_000_000);
        assert_eq!(
            ts("2020-01-20T09:42:40.000-08:00"),
            ts("2020-01-20T17:42:40Z")
        );
        assert_eq!(ts("2020-01-20T23:12:40+05:30"), ts("2020-01-20T17:42:40Z"));
        assert_eq!(ts("2026-01-29T17:25:48.819Z") % 1_000_000_000, 819_000_000);
        assert_eq!(
            ts("2021-11-11T10:03:13.954328Z") % 1_000_000_000,
            954_328_000
        );
        assert_eq!(
            ts("2021-11-11T10:03:13.1234567891Z") % 1_000_000_000,
            123_456_789
        );
        assert_eq!(ts("1970-01-01T00:00:00Z"), 0);
        assert_eq!(ts("2024-02-29 12:00:00z"), ts("2024-02-29T12:00:00Z"));
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for bad in [
            "",
            "2025-04-16",
            "2025-04-16T21:09:03",
            "2025-04-16 21:09:03 UTC",
            "2025-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2025-04-16T24:00:00Z",
            "2025-04-16T21:09:03.Z",
            "2025-04-16T21:09:03+0100",
            "1969-12-31T23:59:59Z",
            "2025-04-16T21:09:03Zjunk",
        ] {
            assert!(
                Timestamp::parse_rfc3339(bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn writes_utc_and_round_trips() {
        for s in [
            "2025-04-16T21:09:03Z",
            "2026-01-29T17:25:48.819Z",
            "2000-02-29T00:00:00.000000001Z",
        ] {
            assert_eq!(
                Timestamp::parse_rfc3339(s).map(|t| t.to_rfc3339()),
                Ok(s.to_owned())
            );
        }
        let t = Timestamp::parse_rfc3339("2020-01-20T09:42:40.000-08:00").map(|t| t.to_string());
        assert_eq!(t, Ok("2020-01-20T17:42:40Z".to_owned()));
    }
}
