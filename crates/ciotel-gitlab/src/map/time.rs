//! GitLab's two timestamp styles → `Timestamp`, and its float durations → nanoseconds.
//!
//! Webhooks write `2023-01-10 13:50:02 UTC` (Ruby's `Time#to_s`; an offset such as `+0200` in
//! place of `UTC` is read too); newer payloads and the REST API write ISO 8601 with
//! milliseconds (`2026-01-29T17:25:48.819Z`) or an offset (`+00:00`). Durations are seconds,
//! as integers or floats (`49.503592`).

use ciotel_cicd::{Timestamp, TimestampError};

use crate::GitlabError;

const NANOS_PER_SEC: f64 = 1e9;
/// Durations longer than this (about 31 years) are taken as garbage, not as a time.
const MAX_SECONDS: f64 = 1e9;

/// `None` and `""` are absent; anything else must parse. `field` names the field in the error
/// (`builds[2].started_at`).
pub(crate) fn parse(value: Option<&str>, field: &str) -> Result<Option<Timestamp>, GitlabError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_gitlab_time(text)
            .map(Some)
            .map_err(|source| GitlabError::Timestamp {
                field: field.to_owned(),
                source,
            }),
    }
}

/// Reads either style; the error carries the text as given.
pub(crate) fn parse_gitlab_time(text: &str) -> Result<Timestamp, TimestampError> {
    let rfc3339 = match text.rsplit_once(' ') {
        // `2023-01-10 13:50:02 UTC`: the date and time parse with a space separator.
        Some((date_time, "UTC")) => format!("{date_time}Z"),
        // `2016-08-12 15:23:28 +0200` → `…+02:00`.
        Some((date_time, zone)) if is_compact_offset(zone) => {
            format!("{date_time}{}:{}", &zone[..3], &zone[3..])
        }
        _ => text.to_owned(),
    };
    Timestamp::parse_rfc3339(&rfc3339).map_err(|e| TimestampError {
        input: text.to_owned(),
        reason: e.reason,
    })
}

fn is_compact_offset(zone: &str) -> bool {
    let b = zone.as_bytes();
    b.len() == 5 && matches!(b[0], b'+' | b'-') && b[1..].iter().all(u8::is_ascii_digit)
}

/// Seconds (integer or float) → nanoseconds, rounded; negative, non-finite or absurd values
/// are treated as absent.
pub(crate) fn seconds_to_nanos(seconds: Option<f64>) -> Option<u64> {
    let s = seconds?;
    (s.is_finite() && (0.0..=MAX_SECONDS).contains(&s)).then(|| (s * NANOS_PER_SEC).round() as u64)
}

/// `t − nanos`, not before the epoch.
pub(crate) fn minus(t: Timestamp, nanos: u64) -> Timestamp {
    Timestamp::from_unix_nanos(t.as_unix_nanos().saturating_sub(nanos))
}

/// `t + nanos`, saturating.
pub(crate) fn plus(t: Timestamp, nanos: u64) -> Timestamp {
    Timestamp::from_unix_nanos(t.as_unix_nanos().saturating_add(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn reads_both_styles() {
        assert_eq!(
            parse_gitlab_time("2023-01-10 13:50:02 UTC"),
            Ok(t("2023-01-10T13:50:02Z"))
        );
        assert_eq!(
            parse_gitlab_time("2016-08-12 15:23:28 +0200"),
            Ok(t("2016-08-12T13:23:28Z"))
        );
        assert_eq!(
            parse_gitlab_time("2026-01-29T17:25:48.819Z"),
            Ok(t("2026-01-29T17:25:48.819Z"))
        );
        assert_eq!(
            parse_gitlab_time("2026-01-29T17:16:07+00:00"),
            Ok(t("2026-01-29T17:16:07Z"))
        );
    }

    #[test]
    fn names_the_field_and_keeps_the_input() {
        for bad in [
            "2023-01-10 13:50:02",
            "yesterday",
            "2023-01-10 13:50:02 CET",
        ] {
            let e = parse(Some(bad), "builds[1].started_at").unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains("builds[1].started_at") && text.contains(bad),
                "{text}"
            );
        }
        assert_eq!(parse(None, "x").ok(), Some(None));
        assert_eq!(parse(Some(" "), "x").ok(), Some(None));
    }

    #[test]
    fn durations_are_float_seconds() {
        assert_eq!(seconds_to_nanos(Some(49.503592)), Some(49_503_592_000));
        assert_eq!(seconds_to_nanos(Some(0.193009)), Some(193_009_000));
        assert_eq!(seconds_to_nanos(Some(12.0)), Some(12_000_000_000));
        for bad in [
            None,
            Some(-1.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(2e9),
        ] {
            assert_eq!(seconds_to_nanos(bad), None, "{bad:?}");
        }
        let start = t("2023-01-10T13:50:05Z");
        assert_eq!(minus(start, 3_000_000_000), t("2023-01-10T13:50:02Z"));
        assert_eq!(plus(start, 500_000_000), t("2023-01-10T13:50:05.5Z"));
        assert_eq!(minus(Timestamp::from_unix_nanos(1), 5).as_unix_nanos(), 0);
    }
}
