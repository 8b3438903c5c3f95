//! Environment expansion while the YAML is parsed: a `serde::Deserializer` adapter around
//! yaml_serde's that expands `${env:…}` in each scalar VALUE as it is visited.
//!
//! Why an adapter and not a text pass before parsing: a text pass puts the variable's text into
//! the YAML source, where YAML reads it again — a secret holding ` #` is cut at the comment, one
//! holding a newline or `: ` adds keys, one starting with `*`, `&`, `[` or `-` changes the
//! document. Writing the value back quoted is possible but needs a YAML lexer that knows where
//! every scalar starts and ends, in every style. Here the parser has already decided what is a
//! scalar; the variable's text only ever becomes that scalar's value, so it can hold anything.
//! The file itself is parsed as written, so every later error keeps the file's own line, and
//! the typed one-pass parse (component configs picked by id while parsing) is untouched.
//!
//! What a value becomes follows the field it lands in:
//! - a string field gets the expanded text exactly (`$$` → `$`);
//! - a number or boolean field reads a scalar that holds a reference from the expanded text
//!   (`port: ${env:PORT}` with `PORT=4317` is the number 4317); yaml_serde alone would refuse
//!   the unexpanded `${env:PORT}` there, so these fields ask the parser for "any" scalar and
//!   convert the expanded text themselves;
//! - a field that takes any scalar (an attribute's `value`) gets the text as a string.
//!
//! Keys are never expanded; a reference in one is refused (with its line), as are unset
//! variables without a default and unsupported `${scheme:…}` references. Comments are not seen
//! by the parser, so references in them are ignored.

use super::env::Environment;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use std::borrow::Cow;
use std::fmt;

/// A deserializer that expands environment references in the values `inner` yields.
pub struct Expand<'e, D> {
    inner: D,
    env: &'e Environment<'e>,
    place: Place,
}

impl<'e, D> Expand<'e, D> {
    /// Wraps `inner` (a whole document), reading variables from `env`.
    pub fn new(inner: D, env: &'e Environment<'e>) -> Self {
        Expand {
            inner,
            env,
            place: Place::Value,
        }
    }
}

/// Where a scalar sits: a value is expanded, a key never is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Value,
    Key,
}

/// What the visited type asked for, deciding how expanded text is handed over.
#[derive(Clone, Copy)]
enum Want {
    Text,
    Bool,
    Integer,
    Float,
}

/// The visitor of the type being read, with expansion put in front of its string methods.
struct Wrap<'e, V> {
    inner: V,
    env: &'e Environment<'e>,
    place: Place,
    want: Want,
}

struct Seed<'e, S> {
    inner: S,
    env: &'e Environment<'e>,
    place: Place,
}

impl<'e, D> Expand<'e, D> {
    fn wrap<V>(&self, inner: V, want: Want) -> Wrap<'e, V> {
        Wrap {
            inner,
            env: self.env,
            place: self.place,
            want,
        }
    }
}

/// Methods that pass straight through with the visitor wrapped (so nested values expand).
macro_rules! forward {
    ($($method:ident ( $($arg:ident : $ty:ty),* );)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            let wrapped = self.wrap(visitor, Want::Text);
            self.inner.$method($($arg,)* wrapped)
        }
    )*};
}

/// Scalar methods yaml_serde would refuse an unexpanded `${…}` in: a value asks for any scalar
/// and converts expanded text itself; a key goes straight through.
macro_rules! typed_scalar {
    ($($method:ident => $want:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            let wrapped = self.wrap(visitor, Want::$want);
            match self.place {
                Place::Value => self.inner.deserialize_any(wrapped),
                Place::Key => self.inner.$method(wrapped),
            }
        }
    )*};
}

impl<'de, 'e, D: Deserializer<'de>> Deserializer<'de> for Expand<'e, D> {
    type Error = D::Error;

    forward! {
        deserialize_any();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
    }

    typed_scalar! {
        deserialize_bool => Bool;
        deserialize_i8 => Integer;
        deserialize_i16 => Integer;
        deserialize_i32 => Integer;
        deserialize_i64 => Integer;
        deserialize_i128 => Integer;
        deserialize_u8 => Integer;
        deserialize_u16 => Integer;
        deserialize_u32 => Integer;
        deserialize_u64 => Integer;
        deserialize_u128 => Integer;
        deserialize_f32 => Float;
        deserialize_f64 => Float;
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

impl<'e, V> Wrap<'e, V> {
    fn nested<D>(&self, inner: D) -> Expand<'e, D> {
        Expand {
            inner,
            env: self.env,
            place: self.place,
        }
    }

    /// `text` expanded, or the error to report; keys are checked, never expanded.
    fn expanded<'t, E: de::Error>(&self, text: &'t str) -> Result<Cow<'t, str>, E> {
        match self.place {
            Place::Key if super::env::has_reference(text) => Err(E::custom(
                "environment references are not expanded in keys; use them in values only",
            )),
            Place::Key => Ok(Cow::Borrowed(text)),
            Place::Value => self.env.expand(text).map_err(E::custom),
        }
    }
}

impl<'de, V: Visitor<'de>> Wrap<'_, V> {
    /// Hands expanded text to the visitor as the type it asked for.
    fn visit_expanded<E: de::Error>(self, text: String) -> Result<V::Value, E> {
        match self.want {
            Want::Text => self.inner.visit_string(text),
            Want::Bool => match text.as_str() {
                "true" | "True" | "TRUE" => self.inner.visit_bool(true),
                "false" | "False" | "FALSE" => self.inner.visit_bool(false),
                _ => self.inner.visit_string(text),
            },
            Want::Integer | Want::Float => {
                if let Ok(unsigned) = text.parse::<u64>() {
                    self.inner.visit_u64(unsigned)
                } else if let Ok(signed) = text.parse::<i64>() {
                    self.inner.visit_i64(signed)
                } else if let (Want::Float, Some(float)) = (self.want, parse_float(&text)) {
                    self.inner.visit_f64(float)
                } else {
                    self.inner.visit_string(text)
                }
            }
        }
    }
}

/// A float as YAML writes one (`1.5`, `-2e3`, `.inf`, `.nan`); not Rust's `inf` or `NaN`.
fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        _ if text.chars().any(|c| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) =>
        {
            text.parse().ok()
        }
        _ => None,
    }
}

/// Visitor methods that carry no text pass straight on.
macro_rules! pass {
    ($($method:ident ( $ty:ty );)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        match self.expanded(v)? {
            Cow::Borrowed(same) => self.inner.visit_str(same),
            Cow::Owned(text) => self.visit_expanded(text),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        match self.expanded(v)? {
            Cow::Borrowed(same) => self.inner.visit_borrowed_str(same),
            Cow::Owned(text) => self.visit_expanded(text),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        match self.expanded(&v)? {
            Cow::Borrowed(_) => self.inner.visit_string(v),
            Cow::Owned(text) => self.visit_expanded(text),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        let d = self.nested(d);
        self.inner.visit_some(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        let d = self.nested(d);
        self.inner.visit_newtype_struct(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let seq = self.nested(seq);
        self.inner.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let map = self.nested(map);
        self.inner.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        let data = self.nested(data);
        self.inner.visit_enum(data)
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Expand {
            inner: d,
            env: self.env,
            place: self.place,
        })
    }
}

impl<'e, A> Expand<'e, A> {
    fn seed<S>(&self, inner: S, place: Place) -> Seed<'e, S> {
        Seed {
            inner,
            env: self.env,
            place,
        }
    }

    /// Values under a key inherit its place: inside a (rare) complex key nothing expands.
    fn value_place(&self) -> Place {
        self.place
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Expand<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let seed = self.seed(seed, self.value_place());
        self.inner.next_element_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Expand<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let seed = self.seed(seed, Place::Key);
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.seed(seed, self.value_place());
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, 'e, A: EnumAccess<'de>> EnumAccess<'de> for Expand<'e, A> {
    type Error = A::Error;
    type Variant = Expand<'e, A::Variant>;

    /// A variant's name is a value when written as a scalar (`compression: ${env:C}`).
    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let seed = self.seed(seed, self.place);
        let (env, place) = (self.env, self.place);
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((
            value,
            Expand {
                inner: variant,
                env,
                place,
            },
        ))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Expand<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.seed(seed, self.place);
        self.inner.newtype_variant_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let visitor = self.wrap(visitor, Want::Text);
        self.inner.tuple_variant(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let visitor = self.wrap(visitor, Want::Text);
        self.inner.struct_variant(fields, visitor)
    }
}

#[cfg(test)]
#[path = "expand_tests.rs"]
mod tests;
