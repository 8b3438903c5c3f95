//! JSON value writers: escaped strings, integers, quoted 64-bit integers, doubles, base64.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Writes `s` as a JSON string, escaping what JSON requires.
pub(super) fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Writes `v` as a JSON number.
pub(super) fn integer(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(v.to_string().as_bytes());
}

/// Writes `v` as a decimal string, the spec's form for 64-bit integers.
pub(super) fn quoted_u64(out: &mut Vec<u8>, v: u64) {
    out.push(b'"');
    out.extend_from_slice(v.to_string().as_bytes());
    out.push(b'"');
}

/// Writes `v` as a decimal string, the spec's form for 64-bit integers.
pub(super) fn quoted_i64(out: &mut Vec<u8>, v: i64) {
    out.push(b'"');
    out.extend_from_slice(v.to_string().as_bytes());
    out.push(b'"');
}

/// Writes `v` as the shortest JSON number that reads back as the same double, or as the string
/// "NaN", "Infinity" or "-Infinity".
pub(super) fn double(out: &mut Vec<u8>, v: f64) {
    match serde_json::Number::from_f64(v) {
        Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
        None if v.is_nan() => out.extend_from_slice(b"\"NaN\""),
        None if v > 0.0 => out.extend_from_slice(b"\"Infinity\""),
        None => out.extend_from_slice(b"\"-Infinity\""),
    }
}

/// Writes `v` as a standard, padded base64 string.
pub(super) fn base64(out: &mut Vec<u8>, v: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(STANDARD.encode(v).as_bytes());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn strings_are_escaped_and_read_back() {
        let s = "q\"b\\n\nr\rt\tb\u{8}f\u{c}nul\u{0}esc\u{1b}é✓";
        let json = written(|o| string(o, s));
        assert_eq!(json, r#""q\"b\\n\nr\rt\tb\bf\fnul\u0000esc\u001bé✓""#);
        assert_eq!(
            serde_json::from_str::<String>(&json).ok().as_deref(),
            Some(s)
        );
    }

    #[test]
    fn doubles_use_strings_for_non_finite_values() {
        assert_eq!(written(|o| double(o, f64::NAN)), r#""NaN""#);
        assert_eq!(written(|o| double(o, f64::INFINITY)), r#""Infinity""#);
        assert_eq!(written(|o| double(o, f64::NEG_INFINITY)), r#""-Infinity""#);
        assert_eq!(written(|o| double(o, 2.5)), "2.5");
    }

    #[test]
    fn sixty_four_bit_integers_are_quoted() {
        assert_eq!(
            written(|o| quoted_u64(o, u64::MAX)),
            r#""18446744073709551615""#
        );
        assert_eq!(
            written(|o| quoted_i64(o, i64::MIN)),
            r#""-9223372036854775808""#
        );
        assert_eq!(written(|o| integer(o, -7)), "-7");
    }
}
