//! Decoding OTLP/JSON into the prost types, in one streaming pass over the body.
//!
//! Each message type implements [`Fields`]: given one member's key it reads that member's value
//! with a *seed* (see `scalar` and `bytes`) that knows the field's JSON encoding and its name,
//! so an error says which field is wrong while serde_json adds the line and column. Keys are matched in
//! lowerCamelCase; snake_case keys (the proto names, which the spec also allows) are converted
//! first. Unknown keys are skipped, `null` means "not set".

// Defined before the `mod` lines so that the seed modules can use it.
/// Implements `Named` and `DeserializeSeed` for a seed type whose first field is its name and
/// which is its own `Visitor`; `$method` is the `Deserializer` method to drive it with.
macro_rules! seed {
    ($seed:ty, $value:ty, $method:ident) => {
        impl Named for $seed {
            fn name(&self) -> &'static str {
                self.0
            }
        }
        impl<'de> DeserializeSeed<'de> for $seed {
            type Value = $value;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$value, D::Error> {
                d.$method(self)
            }
        }
    };
}

mod bytes;
mod common;
mod logs;
mod metrics;
mod response;
mod scalar;
mod trace;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor,
};

use super::JsonError;

/// Decodes a whole body as message `T`; `name` is used in the error if the body is not an object.
pub(super) fn decode<T: Fields>(body: &[u8], name: &'static str) -> Result<T, JsonError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = msg::<T>(name).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A protobuf message read from a JSON object one member at a time.
pub(super) trait Fields: Default {
    /// Reads the value of member `key` (lowerCamelCase) from `map` into `self`. Unknown keys
    /// must be passed to [`skip`].
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// Skips the value of an unknown member, as the spec requires.
pub(super) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// Reads a member's value; `null` gives the proto default.
pub(super) fn read<'de, A, S>(map: &mut A, seed: S) -> Result<S::Value, A::Error>
where
    A: MapAccess<'de>,
    S: DeserializeSeed<'de>,
    S::Value: Default,
{
    Ok(map.next_value_seed(Opt(seed))?.unwrap_or_default())
}

/// Reads a member whose presence matters (message fields, oneof members, `optional double`);
/// `null` gives `None`.
pub(super) fn read_opt<'de, A, S>(map: &mut A, seed: S) -> Result<Option<S::Value>, A::Error>
where
    A: MapAccess<'de>,
    S: DeserializeSeed<'de>,
{
    map.next_value_seed(Opt(seed))
}

/// Sets a oneof from one of its members, unless that member was `null` (which means "not set").
pub(super) fn set<T>(oneof: &mut Option<T>, member: Option<T>) {
    if member.is_some() {
        *oneof = member;
    }
}

/// A seed that knows the name of the field it fills, for error messages.
pub(super) trait Named {
    /// The field's JSON name.
    fn name(&self) -> &'static str;
}

/// Seed for a message-typed field.
pub(super) struct Msg<T>(&'static str, PhantomData<fn() -> T>);

/// A seed for the message-typed field `name`.
pub(super) fn msg<T>(name: &'static str) -> Msg<T> {
    Msg(name, PhantomData)
}

impl<T> Clone for Msg<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Msg<T> {}

impl<T> Named for Msg<T> {
    fn name(&self) -> &'static str {
        self.0
    }
}

impl<'de, T: Fields> DeserializeSeed<'de> for Msg<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Fields> Visitor<'de> for Msg<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object for `{}`", self.0)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        Err(E::invalid_type(Unexpected::Str(snippet(v)), &self))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut message = T::default();
        while let Some(Key(key)) = map.next_key()? {
            message.field(&camel_case(&key), &mut map)?;
        }
        Ok(message)
    }
}

/// Seed for a repeated field whose elements are read with seed `S`.
#[derive(Clone, Copy)]
pub(super) struct List<S>(pub S);

impl<'de, S> DeserializeSeed<'de> for List<S>
where
    S: DeserializeSeed<'de> + Named + Copy,
{
    type Value = Vec<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, S> Visitor<'de> for List<S>
where
    S: DeserializeSeed<'de> + Named + Copy,
{
    type Value = Vec<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an array for `{}`", self.0.name())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Err(E::invalid_type(Unexpected::Str(snippet(v)), &self))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(self.0)? {
            items.push(item);
        }
        Ok(items)
    }
}

/// Wraps a seed so that JSON `null` reads as `None`.
struct Opt<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Opt<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Opt<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// At most this much of an offending string is quoted back in an error message.
const SNIPPET_CHARS: usize = 40;

/// The start of `s`, short enough to quote in an error message.
fn snippet(s: &str) -> &str {
    match s.char_indices().nth(SNIPPET_CHARS) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// `trace_id` → `traceId`; keys without `_` are returned as they are.
fn camel_case(key: &str) -> Cow<'_, str> {
    if !key.contains('_') {
        return Cow::Borrowed(key);
    }
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn camel_case_converts_proto_names_only() {
        assert_eq!(camel_case("time_unix_nano"), "timeUnixNano");
        assert_eq!(camel_case("kvlist_value"), "kvlistValue");
        assert_eq!(camel_case("traceId"), "traceId");
        assert_eq!(camel_case("name"), "name");
    }
}
