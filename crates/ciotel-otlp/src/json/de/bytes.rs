//! Seeds for OTLP/JSON's byte encodings: trace and span ids as hex, other bytes as base64.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::de::{DeserializeSeed, Deserializer, Error, Visitor};

use super::Named;

/// Length in bytes of a trace id (its hex form is twice as long).
pub(in crate::json) const TRACE_ID_BYTES: usize = 16;
/// Length in bytes of a span id.
pub(in crate::json) const SPAN_ID_BYTES: usize = 8;

/// A trace or span id: a hex string of exactly twice the id's byte length (any case), or the
/// empty string for "no id".
#[derive(Clone, Copy)]
pub(in crate::json) struct HexId(&'static str, usize);

/// Seed for the id field `name`, `bytes` long (16 for trace ids, 8 for span ids).
pub(in crate::json) fn hex_id(name: &'static str, bytes: usize) -> HexId {
    HexId(name, bytes)
}

seed!(HexId, Vec<u8>, deserialize_str);

impl Visitor<'_> for HexId {
    type Value = Vec<u8>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a hex string for `{}`", self.0)
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<Vec<u8>, E> {
        if v.is_empty() {
            return Ok(Vec::new());
        }
        let mut id = vec![0; self.1];
        hex::decode_to_slice(v, &mut id).map_err(|_| {
            E::custom(format_args!(
                "invalid {}: expected {} hex characters",
                self.0,
                2 * self.1
            ))
        })?;
        Ok(id)
    }
}

/// A bytes field: base64, standard or URL-safe alphabet, padded or not (as proto3 JSON allows).
#[derive(Clone, Copy)]
pub(in crate::json) struct Base64(&'static str);

/// Seed for the bytes field `name`.
pub(in crate::json) fn base64(name: &'static str) -> Base64 {
    Base64(name)
}

seed!(Base64, Vec<u8>, deserialize_str);

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

impl Visitor<'_> for Base64 {
    type Value = Vec<u8>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a base64 string for `{}`", self.0)
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<Vec<u8>, E> {
        let engine = if v.contains(['-', '_']) {
            &URL_SAFE
        } else {
            &STANDARD
        };
        engine
            .decode(v)
            .map_err(|e| E::custom(format_args!("invalid {}: not base64 ({e})", self.0)))
    }
}
