//! Reading a credential from the config without ever quoting it in an error.
//!
//! `Secret`'s own `Deserialize` reads a string, and for anything else serde's error names the
//! value (`invalid type: integer `123456`, expected a string`), which `ciotel validate` prints.
//! Here a non-string (an unquoted all-digit token is a YAML integer) is refused with a message
//! that does not contain it. Integers are not turned back into text: `0123` would silently
//! become `123`.

use crate::webhook::Secret;
use serde::Deserializer;
use serde::de::{self, Visitor};
use std::fmt;

/// Deserializes a [`Secret`]; errors never carry the value.
pub fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    d.deserialize_any(SecretVisitor)
}

/// As [`secret`], for an optional key.
pub fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    secret(d).map(Some)
}

/// As [`secret`], for a list.
pub fn secret_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Secret>, D::Error> {
    struct ListVisitor;
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<Secret>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of tokens")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Secret>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element_seed(SecretSeed)? {
                out.push(s);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(ListVisitor)
}

struct SecretSeed;

impl<'de> de::DeserializeSeed<'de> for SecretSeed {
    type Value = Secret;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Secret, D::Error> {
        secret(d)
    }
}

struct SecretVisitor;

const NOT_TEXT: &str = "a credential must be a string (quote it); its value is not shown";

impl<'de> Visitor<'de> for SecretVisitor {
    type Value = Secret;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
        Ok(Secret::new(v))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Secret, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Secret, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Secret, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Secret, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Secret, E> {
        Err(E::custom("the credential is empty"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        Err(de::Error::custom(NOT_TEXT))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        Err(de::Error::custom(NOT_TEXT))
    }
}
