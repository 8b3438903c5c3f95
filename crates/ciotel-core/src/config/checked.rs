//! Deserializers that check a value while the YAML parser is still on it, so yaml_serde
//! reports the value's own line and key path. A check made after `T::deserialize(d)` returns
//! is reported at the enclosing mapping instead (or with no position at all at the top).

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Reads a string and turns it into `T` with `parse`, whose error becomes the message.
pub fn checked_str<'de, D, T>(
    d: D,
    expecting: &'static str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct StrVisitor<F> {
        expecting: &'static str,
        parse: F,
    }
    impl<'de, T, F: FnOnce(&str) -> Result<T, String>> Visitor<'de> for StrVisitor<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.parse)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(StrVisitor { expecting, parse })
}

/// Reads a mapping (or nothing: `key:` alone means the defaults) as `T`, then runs `check`.
pub fn checked_map<'de, D, T>(
    d: D,
    check: impl FnOnce(&T) -> Result<(), String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    struct MapVisitor<T, F> {
        check: F,
        marker: PhantomData<T>,
    }
    impl<'de, T, F> Visitor<'de> for MapVisitor<T, F>
    where
        T: Deserialize<'de> + Default,
        F: FnOnce(&T) -> Result<(), String>,
    {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let value = T::deserialize(MapAccessDeserializer::new(map))?;
            (self.check)(&value).map_err(de::Error::custom)?;
            Ok(value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            let value = T::default();
            (self.check)(&value).map_err(E::custom)?;
            Ok(value)
        }
        fn visit_none<E: de::Error>(self) -> Result<T, E> {
            self.visit_unit()
        }
    }
    d.deserialize_any(MapVisitor {
        check,
        marker: PhantomData,
    })
}
