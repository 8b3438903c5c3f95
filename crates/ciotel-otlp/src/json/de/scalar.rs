//! Seeds for OTLP/JSON's scalar encodings: strings, bools, integers (numbers or decimal
//! strings), doubles (numbers or "NaN"/"Infinity"/"-Infinity") and enums (numbers or names).
//! Each carries its field's name for error messages.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, Error, Unexpected, Visitor};

use super::{Named, snippet};

/// A string field.
#[derive(Clone, Copy)]
pub(in crate::json) struct Str(&'static str);

/// Seed for the string field `name`.
pub(in crate::json) fn string(name: &'static str) -> Str {
    Str(name)
}

seed!(Str, String, deserialize_string);

impl Visitor<'_> for Str {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a string for `{}`", self.0)
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}

/// A bool field.
#[derive(Clone, Copy)]
pub(in crate::json) struct Bool(&'static str);

/// Seed for the bool field `name`.
pub(in crate::json) fn boolean(name: &'static str) -> Bool {
    Bool(name)
}

seed!(Bool, bool, deserialize_bool);

impl Visitor<'_> for Bool {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "true or false for `{}`", self.0)
    }
    fn visit_bool<E: Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<bool, E> {
        Err(E::invalid_type(Unexpected::Str(snippet(v)), &self))
    }
}

/// An integer field of type `T`: a JSON number or a decimal string (required for 64-bit values
/// by the spec, allowed for all).
pub(in crate::json) struct Int<T>(&'static str, PhantomData<fn() -> T>);

/// Seed for the integer field `name`.
pub(in crate::json) fn int<T>(name: &'static str) -> Int<T> {
    Int(name, PhantomData)
}

impl<T> Clone for Int<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Int<T> {}

impl<T> Named for Int<T> {
    fn name(&self) -> &'static str {
        self.0
    }
}

impl<'de, T: TryFrom<i128>> DeserializeSeed<'de> for Int<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_any(self)
    }
}

impl<T: TryFrom<i128>> Int<T> {
    fn fit<E: Error>(self, v: i128) -> Result<T, E> {
        T::try_from(v).map_err(|_| {
            E::custom(format_args!(
                "invalid {}: {v} is out of range for {}",
                self.0,
                std::any::type_name::<T>()
            ))
        })
    }
}

impl<T: TryFrom<i128>> Visitor<'_> for Int<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an integer or a decimal string for `{}`", self.0)
    }
    fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
        self.fit(v.into())
    }
    fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
        self.fit(v.into())
    }
    fn visit_f64<E: Error>(self, v: f64) -> Result<T, E> {
        // The spec allows exponent notation (`1e3`); accept it when the value is whole.
        match integral(v) {
            Some(i) => self.fit(i),
            None => Err(E::invalid_value(Unexpected::Float(v), &self)),
        }
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<T, E> {
        match v.parse::<i128>() {
            Ok(i) => self.fit(i),
            Err(_) => Err(E::custom(format_args!(
                "invalid {}: expected an integer, got \"{}\"",
                self.0,
                snippet(v)
            ))),
        }
    }
}

/// `v` as an integer if it is whole and within i128's range.
fn integral(v: f64) -> Option<i128> {
    // 2^127 and -2^127 are exactly representable; the cast saturates, so bound it first.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    (v.fract() == 0.0 && v.abs() < LIMIT).then_some(v as i128)
}

/// A double field: a JSON number, or one of the strings "NaN", "Infinity", "-Infinity" (or a
/// number in a string, which proto3 JSON allows).
#[derive(Clone, Copy)]
pub(in crate::json) struct Double(&'static str);

/// Seed for the double field `name`.
pub(in crate::json) fn double(name: &'static str) -> Double {
    Double(name)
}

seed!(Double, f64, deserialize_any);

impl Visitor<'_> for Double {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a number, \"NaN\", \"Infinity\" or \"-Infinity\" for `{}`",
            self.0
        )
    }
    fn visit_f64<E: Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => v.parse().map_err(|_| {
                E::custom(format_args!(
                    "invalid {}: expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got \"{}\"",
                    self.0,
                    snippet(v)
                ))
            }),
        }
    }
}

/// An enum field: its integer value (the Collector's form) or its proto name.
#[derive(Clone, Copy)]
pub(in crate::json) struct Enum(&'static str, fn(&str) -> Option<i32>);

/// Seed for the enum field `name`; `from_name` maps a proto enum name to its value.
pub(in crate::json) fn enumeration(name: &'static str, from_name: fn(&str) -> Option<i32>) -> Enum {
    Enum(name, from_name)
}

seed!(Enum, i32, deserialize_any);

impl Visitor<'_> for Enum {
    type Value = i32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an enum number or name for `{}`", self.0)
    }
    fn visit_i64<E: Error>(self, v: i64) -> Result<i32, E> {
        int::<i32>(self.0).visit_i64(v)
    }
    fn visit_u64<E: Error>(self, v: u64) -> Result<i32, E> {
        int::<i32>(self.0).visit_u64(v)
    }
    fn visit_f64<E: Error>(self, v: f64) -> Result<i32, E> {
        int::<i32>(self.0).visit_f64(v)
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<i32, E> {
        if let Some(value) = (self.1)(v) {
            return Ok(value);
        }
        v.parse().map_err(|_| {
            E::custom(format_args!(
                "invalid {}: unknown enum value \"{}\"",
                self.0,
                snippet(v)
            ))
        })
    }
}
