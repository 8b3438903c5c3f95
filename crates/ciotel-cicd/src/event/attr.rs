//! Extra key/value attributes that a platform mapping attaches to an event (`github.*`, …).

use serde::{Deserialize, Serialize};

/// One extra attribute: a key and its value.
///
/// Exists so a platform can pass facts the neutral model has no field for, without the event
/// types depending on the OTLP protobuf types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    /// The attribute's name, e.g. `github.run.number`.
    pub key: String,
    /// Its value.
    pub value: AttrValue,
}

impl Attribute {
    /// Builds an attribute from anything that converts into a value.
    pub fn new(key: impl Into<String>, value: impl Into<AttrValue>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// The value kinds ciotel's CI/CD attributes need (a subset of OTLP's `AnyValue`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttrValue {
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// A string.
    Str(String),
    /// A list of strings (labels, tags).
    StrArray(Vec<String>),
}

impl From<&str> for AttrValue {
    fn from(v: &str) -> Self {
        Self::Str(v.to_owned())
    }
}
impl From<String> for AttrValue {
    fn from(v: String) -> Self {
        Self::Str(v)
    }
}
impl From<i64> for AttrValue {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<bool> for AttrValue {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<Vec<String>> for AttrValue {
    fn from(v: Vec<String>) -> Self {
        Self::StrArray(v)
    }
}
