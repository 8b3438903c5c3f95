//! The attribute action engine behind the `attributes` and `resource` processors: the
//! Collector's `{key, action, value, from_attribute}` list, checked when the config is loaded and
//! applied to OTLP attribute lists, plus the walkers that find those lists in a batch.
//!
//! Actions, as in the OpenTelemetry Collector:
//! - `insert`: set `key` only if it is absent;
//! - `update`: set `key` only if it is present;
//! - `upsert`: set `key` whether or not it is present;
//! - `delete`: remove `key`;
//! - `hash`: replace a present value by the lowercase hex SHA-256 of its string form.
//!
//! `insert`, `update` and `upsert` take their value from exactly one of `value` (any YAML
//! scalar, kept as the matching OTLP type) or `from_attribute` (another attribute of the same
//! item; when that attribute is absent the action does nothing). `delete` and `hash` take
//! neither. Every occurrence of a duplicated key is updated, hashed or deleted.

use crate::signal::Batch;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::metric;
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use sha2::{Digest, Sha256};
use std::fmt;
use std::marker::PhantomData;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// What an action does with its key; written in lowercase in YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// Set the key only if it is absent.
    Insert,
    /// Set the key only if it is present.
    Update,
    /// Set the key whether or not it is present.
    Upsert,
    /// Remove the key.
    Delete,
    /// Replace a present value by the hex SHA-256 of its string form.
    Hash,
}

impl ActionKind {
    /// The name used in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Insert => "insert",
            ActionKind::Update => "update",
            ActionKind::Upsert => "upsert",
            ActionKind::Delete => "delete",
            ActionKind::Hash => "hash",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A YAML scalar written in a config (an action's `value`, a filter's attribute value), kept
/// with its YAML type: `"42"` is a string, `42` an integer.
#[derive(Debug, Clone, PartialEq)]
pub enum ScalarValue {
    String(String),
    Int(i64),
    Double(f64),
    Bool(bool),
}

impl ScalarValue {
    /// The OTLP value of the same kind.
    pub fn to_any_value(&self) -> AnyValue {
        let value = match self {
            ScalarValue::String(s) => any_value::Value::StringValue(s.clone()),
            ScalarValue::Int(i) => any_value::Value::IntValue(*i),
            ScalarValue::Double(d) => any_value::Value::DoubleValue(*d),
            ScalarValue::Bool(b) => any_value::Value::BoolValue(*b),
        };
        AnyValue { value: Some(value) }
    }

    /// The string form, as [`value_as_string`] gives it for the matching OTLP value.
    pub fn as_string(&self) -> String {
        value_as_string(Some(&self.to_any_value()))
    }
}

impl<'de> Deserialize<'de> for ScalarValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl Visitor<'_> for ScalarVisitor {
            type Value = ScalarValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, integer, float or boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ScalarValue, E> {
                Ok(ScalarValue::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ScalarValue, E> {
                Ok(ScalarValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ScalarValue, E> {
                self.visit_u128(v.into())
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<ScalarValue, E> {
                i64::try_from(v).map(ScalarValue::Int).map_err(|_| {
                    E::custom(format_args!(
                        "integer {v} does not fit in a 64-bit signed integer"
                    ))
                })
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<ScalarValue, E> {
                i64::try_from(v).map(ScalarValue::Int).map_err(|_| {
                    E::custom(format_args!(
                        "integer {v} does not fit in a 64-bit signed integer"
                    ))
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ScalarValue, E> {
                Ok(ScalarValue::Double(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ScalarValue, E> {
                Ok(ScalarValue::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ScalarValue, E> {
                Ok(ScalarValue::String(v))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// One action as written in the config. Turn it into an [`Action`] with `Action::try_from`;
/// YAML deserializes straight into [`Action`], so a bad action fails at config load.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionConfig {
    /// The attribute the action works on.
    pub key: String,
    /// What to do with it.
    pub action: ActionKind,
    /// The literal value to set (`insert`, `update`, `upsert`).
    #[serde(default)]
    pub value: Option<ScalarValue>,
    /// The attribute of the same item to copy the value from (`insert`, `update`, `upsert`).
    #[serde(default)]
    pub from_attribute: Option<String>,
}

/// Why an [`ActionConfig`] is not a valid action.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActionConfigError {
    /// `key` is the empty string.
    #[error("action `{action}` has an empty `key`")]
    EmptyKey { action: ActionKind },
    /// `insert`/`update`/`upsert` with neither `value` nor `from_attribute`.
    #[error("action `{action}` on key `{key}` needs one of `value` or `from_attribute`")]
    MissingSource { key: String, action: ActionKind },
    /// `insert`/`update`/`upsert` with both `value` and `from_attribute`.
    #[error(
        "action `{action}` on key `{key}` takes only one of `value` or `from_attribute`, not both"
    )]
    TwoSources { key: String, action: ActionKind },
    /// `delete`/`hash` with a `value` or `from_attribute`.
    #[error("action `{action}` on key `{key}` takes no `{field}`")]
    UnexpectedSource {
        key: String,
        action: ActionKind,
        field: &'static str,
    },
}

// ---------------------------------------------------------------------------------------------
// Runtime
// ---------------------------------------------------------------------------------------------

/// A checked action, ready to apply. Built from an [`ActionConfig`] with `Action::try_from`, or
/// deserialized from YAML, where a bad action is an error that names its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    key: String,
    op: Op,
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Insert(Source),
    Update(Source),
    Upsert(Source),
    Delete,
    Hash,
}

/// Where `insert`, `update` and `upsert` take their value from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Value(AnyValue),
    FromAttribute(String),
}

impl TryFrom<ActionConfig> for Action {
    type Error = ActionConfigError;

    fn try_from(config: ActionConfig) -> Result<Self, Self::Error> {
        let ActionConfig {
            key,
            action,
            value,
            from_attribute,
        } = config;
        if key.is_empty() {
            return Err(ActionConfigError::EmptyKey { action });
        }
        let source = match (value, from_attribute) {
            (Some(value), None) => Some(Source::Value(value.to_any_value())),
            (None, Some(from)) => Some(Source::FromAttribute(from)),
            (None, None) => None,
            (Some(_), Some(_)) => return Err(ActionConfigError::TwoSources { key, action }),
        };
        let op = match (action, source) {
            (ActionKind::Insert, Some(source)) => Op::Insert(source),
            (ActionKind::Update, Some(source)) => Op::Update(source),
            (ActionKind::Upsert, Some(source)) => Op::Upsert(source),
            (ActionKind::Insert | ActionKind::Update | ActionKind::Upsert, None) => {
                return Err(ActionConfigError::MissingSource { key, action });
            }
            (ActionKind::Delete, None) => Op::Delete,
            (ActionKind::Hash, None) => Op::Hash,
            (ActionKind::Delete | ActionKind::Hash, Some(source)) => {
                let field = match source {
                    Source::Value(_) => "value",
                    Source::FromAttribute(_) => "from_attribute",
                };
                return Err(ActionConfigError::UnexpectedSource { key, action, field });
            }
        };
        Ok(Action { key, op })
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_checked::<D, ActionConfig, Action>(deserializer, "an attribute action")
    }
}

impl Action {
    /// The attribute this action works on.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Applies this action to one item's attributes.
    pub fn apply(&self, attrs: &mut Vec<KeyValue>) {
        let key = self.key.as_str();
        match &self.op {
            Op::Insert(source) => {
                if !contains(attrs, key)
                    && let Some(value) = source.resolve(attrs)
                {
                    attrs.push(key_value(key, value));
                }
            }
            Op::Update(source) => {
                if contains(attrs, key)
                    && let Some(value) = source.resolve(attrs)
                {
                    set_all(attrs, key, &value);
                }
            }
            Op::Upsert(source) => {
                if let Some(value) = source.resolve(attrs) {
                    if contains(attrs, key) {
                        set_all(attrs, key, &value);
                    } else {
                        attrs.push(key_value(key, value));
                    }
                }
            }
            Op::Delete => attrs.retain(|kv| kv.key != key),
            Op::Hash => {
                for kv in attrs.iter_mut().filter(|kv| kv.key == key) {
                    let digest = Sha256::digest(value_as_string(kv.value.as_ref()).as_bytes());
                    kv.value = Some(string_value(hex::encode(digest)));
                }
            }
        }
    }
}

impl Source {
    /// The value to set, or `None` when `from_attribute` names an absent attribute.
    fn resolve(&self, attrs: &[KeyValue]) -> Option<AnyValue> {
        match self {
            Source::Value(value) => Some(value.clone()),
            Source::FromAttribute(from) => attrs
                .iter()
                .find(|kv| kv.key == *from)
                .map(|kv| kv.value.clone().unwrap_or_default()),
        }
    }
}

/// Applies `actions` in order to one item's attributes.
pub fn apply_all(actions: &[Action], attrs: &mut Vec<KeyValue>) {
    for action in actions {
        action.apply(attrs);
    }
}

fn contains(attrs: &[KeyValue], key: &str) -> bool {
    attrs.iter().any(|kv| kv.key == key)
}

fn set_all(attrs: &mut [KeyValue], key: &str, value: &AnyValue) {
    for kv in attrs.iter_mut().filter(|kv| kv.key == key) {
        kv.value = Some(value.clone());
    }
}

fn key_value(key: &str, value: AnyValue) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(value),
        ..Default::default()
    }
}

fn string_value(s: String) -> AnyValue {
    AnyValue {
        value: Some(any_value::Value::StringValue(s)),
    }
}

// ---------------------------------------------------------------------------------------------
// String form of a value (shared with the filter processor)
// ---------------------------------------------------------------------------------------------

/// The string form of an OTLP value, as the Collector's `Value.AsString` gives it: strings as
/// they are, booleans `true`/`false`, integers in decimal, doubles in shortest decimal form
/// without exponent, bytes in standard base64, arrays and maps as JSON; absent values as "".
pub fn value_as_string(value: Option<&AnyValue>) -> String {
    use any_value::Value as V;
    match value.and_then(|v| v.value.as_ref()) {
        None => String::new(),
        Some(V::StringValue(s)) => s.clone(),
        Some(V::BoolValue(b)) => b.to_string(),
        Some(V::IntValue(i)) => i.to_string(),
        Some(V::DoubleValue(d)) => double_as_string(*d),
        Some(V::BytesValue(bytes)) => base64_encode(bytes),
        Some(v @ (V::ArrayValue(_) | V::KvlistValue(_))) => value_as_json(Some(v)).to_string(),
        // Dictionary indices only mean something inside a profiles message.
        Some(V::StringValueStrindex(_)) => String::new(),
    }
}

fn double_as_string(d: f64) -> String {
    if d.is_nan() {
        "NaN".to_owned()
    } else if d.is_infinite() {
        if d > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        d.to_string()
    }
}

fn value_as_json(value: Option<&any_value::Value>) -> serde_json::Value {
    use any_value::Value as V;
    use serde_json::Value as J;
    match value {
        None | Some(V::StringValueStrindex(_)) => J::Null,
        Some(V::StringValue(s)) => J::String(s.clone()),
        Some(V::BoolValue(b)) => J::Bool(*b),
        Some(V::IntValue(i)) => J::from(*i),
        Some(V::DoubleValue(d)) => J::from(*d),
        Some(V::BytesValue(bytes)) => J::String(base64_encode(bytes)),
        Some(V::ArrayValue(array)) => J::Array(
            array
                .values
                .iter()
                .map(|v| value_as_json(v.value.as_ref()))
                .collect(),
        ),
        Some(V::KvlistValue(list)) => J::Object(
            list.values
                .iter()
                .map(|kv| {
                    let value = kv.value.as_ref().and_then(|v| v.value.as_ref());
                    (kv.key.clone(), value_as_json(value))
                })
                .collect(),
        ),
    }
}

/// Standard base64 with padding (RFC 4648 §4), as OTLP/JSON and the Collector write bytes.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 0x3f]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Walkers: where the attribute lists are in a batch
// ---------------------------------------------------------------------------------------------

/// Calls `f` on the attributes of every span, log record and metric data point (all five metric
/// types) in `batch`. Span events and links, scopes and exemplars are not visited.
pub fn for_each_item_attributes(batch: &mut Batch, mut f: impl FnMut(&mut Vec<KeyValue>)) {
    match batch {
        Batch::Traces(resources) => resources
            .iter_mut()
            .flat_map(|r| &mut r.scope_spans)
            .flat_map(|s| &mut s.spans)
            .for_each(|span| f(&mut span.attributes)),
        Batch::Logs(resources) => resources
            .iter_mut()
            .flat_map(|r| &mut r.scope_logs)
            .flat_map(|s| &mut s.log_records)
            .for_each(|record| f(&mut record.attributes)),
        Batch::Metrics(resources) => resources
            .iter_mut()
            .flat_map(|r| &mut r.scope_metrics)
            .flat_map(|s| &mut s.metrics)
            .for_each(|m| for_each_point_attributes(m.data.as_mut(), &mut f)),
    }
}

fn for_each_point_attributes(
    data: Option<&mut metric::Data>,
    f: &mut impl FnMut(&mut Vec<KeyValue>),
) {
    match data {
        Some(metric::Data::Gauge(g)) => g.data_points.iter_mut().for_each(|p| f(&mut p.attributes)),
        Some(metric::Data::Sum(s)) => s.data_points.iter_mut().for_each(|p| f(&mut p.attributes)),
        Some(metric::Data::Histogram(h)) => {
            h.data_points.iter_mut().for_each(|p| f(&mut p.attributes))
        }
        Some(metric::Data::ExponentialHistogram(h)) => {
            h.data_points.iter_mut().for_each(|p| f(&mut p.attributes))
        }
        Some(metric::Data::Summary(s)) => {
            s.data_points.iter_mut().for_each(|p| f(&mut p.attributes))
        }
        None => {}
    }
}

/// Calls `f` on the resource attributes of every resource group in `batch`. A group without a
/// resource gets one only if `f` leaves attributes behind.
pub fn for_each_resource_attributes(batch: &mut Batch, mut f: impl FnMut(&mut Vec<KeyValue>)) {
    let mut visit = |resource: &mut Option<Resource>| match resource {
        Some(resource) => f(&mut resource.attributes),
        None => {
            let mut attributes = Vec::new();
            f(&mut attributes);
            if !attributes.is_empty() {
                *resource = Some(Resource {
                    attributes,
                    ..Default::default()
                });
            }
        }
    };
    match batch {
        Batch::Traces(resources) => resources.iter_mut().for_each(|r| visit(&mut r.resource)),
        Batch::Metrics(resources) => resources.iter_mut().for_each(|r| visit(&mut r.resource)),
        Batch::Logs(resources) => resources.iter_mut().for_each(|r| visit(&mut r.resource)),
    }
}

// ---------------------------------------------------------------------------------------------
// Checked deserialization (shared with the filter processor)
// ---------------------------------------------------------------------------------------------

/// Deserializes a YAML mapping as `C`, then turns it into `T` with `T::try_from`, reporting a
/// failed conversion as a deserialization error. The conversion runs while the mapping is still
/// being read, so yaml_serde tags its error with the mapping's path and line, as it does for an
/// unknown key; a `try_from` attribute on the type would only get the enclosing list's line.
pub(crate) fn deserialize_checked<'de, D, C, T>(
    deserializer: D,
    expecting: &'static str,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    C: Deserialize<'de>,
    T: TryFrom<C>,
    T::Error: fmt::Display,
{
    struct CheckedVisitor<C, T> {
        expecting: &'static str,
        marker: PhantomData<fn(C) -> T>,
    }

    impl<'de, C, T> Visitor<'de> for CheckedVisitor<C, T>
    where
        C: Deserialize<'de>,
        T: TryFrom<C>,
        T::Error: fmt::Display,
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let config = C::deserialize(de::value::MapAccessDeserializer::new(map))?;
            T::try_from(config).map_err(de::Error::custom)
        }
    }

    deserializer.deserialize_map(CheckedVisitor {
        expecting,
        marker: PhantomData,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{ArrayValue, KeyValueList};

    fn s(v: &str) -> AnyValue {
        string_value(v.to_owned())
    }

    fn kv(key: &str, value: AnyValue) -> KeyValue {
        key_value(key, value)
    }

    fn action(yaml: &str) -> Action {
        yaml_serde::from_str(yaml).unwrap()
    }

    fn apply(yaml: &str, mut attrs: Vec<KeyValue>) -> Vec<KeyValue> {
        let actions: Vec<Action> = yaml_serde::from_str(yaml).unwrap();
        apply_all(&actions, &mut attrs);
        attrs
    }

    fn error(yaml: &str) -> String {
        yaml_serde::from_str::<Vec<Action>>(yaml)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn insert_adds_absent_key_and_never_overwrites() {
        let out = apply(
            "- {key: env, action: insert, value: prod}\n- {key: team, action: insert, value: ops}",
            vec![kv("env", s("dev"))],
        );
        assert_eq!(out, vec![kv("env", s("dev")), kv("team", s("ops"))]);
    }

    #[test]
    fn update_changes_present_key_and_never_creates() {
        let out = apply(
            "- {key: env, action: update, value: prod}\n- {key: team, action: update, value: ops}",
            vec![kv("env", s("dev")), kv("other", s("x"))],
        );
        assert_eq!(out, vec![kv("env", s("prod")), kv("other", s("x"))]);
    }

    #[test]
    fn upsert_sets_whether_or_not_present() {
        let out = apply(
            "- {key: env, action: upsert, value: prod}\n- {key: team, action: upsert, value: ops}",
            vec![kv("env", s("dev"))],
        );
        assert_eq!(out, vec![kv("env", s("prod")), kv("team", s("ops"))]);
    }

    #[test]
    fn delete_removes_every_occurrence_and_ignores_absent_keys() {
        let out = apply(
            "- {key: secret, action: delete}\n- {key: nothing, action: delete}",
            vec![
                kv("secret", s("a")),
                kv("keep", s("b")),
                kv("secret", s("c")),
            ],
        );
        assert_eq!(out, vec![kv("keep", s("b"))]);
    }

    #[test]
    fn hash_replaces_value_by_sha256_hex_of_its_string_form() {
        let out = apply(
            "- {key: user, action: hash}\n- {key: n, action: hash}\n- {key: absent, action: hash}",
            vec![
                kv("user", s("abc")),
                kv("n", ScalarValue::Int(42).to_any_value()),
            ],
        );
        assert_eq!(
            out,
            vec![
                kv(
                    "user",
                    s("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                ),
                // sha256("42")
                kv(
                    "n",
                    s("73475cb40a568e8da8a045ced110137e159f890ac4da883b6b17dc651b3a8049")
                ),
            ]
        );
    }

    #[test]
    fn from_attribute_copies_the_value_and_does_nothing_when_source_is_absent() {
        let out = apply(
            "- {key: copy, action: insert, from_attribute: code}\n\
             - {key: code, action: update, from_attribute: missing}\n\
             - {key: other, action: upsert, from_attribute: missing}",
            vec![kv("code", ScalarValue::Int(7).to_any_value())],
        );
        assert_eq!(
            out,
            vec![
                kv("code", ScalarValue::Int(7).to_any_value()),
                kv("copy", ScalarValue::Int(7).to_any_value()),
            ]
        );
    }

    #[test]
    fn yaml_scalars_keep_their_type() {
        let out = apply(
            "- {key: s, action: insert, value: \"42\"}\n\
             - {key: i, action: insert, value: 42}\n\
             - {key: neg, action: insert, value: -3}\n\
             - {key: d, action: insert, value: 1.5}\n\
             - {key: b, action: insert, value: true}",
            vec![],
        );
        assert_eq!(
            out,
            vec![
                kv("s", s("42")),
                kv("i", ScalarValue::Int(42).to_any_value()),
                kv("neg", ScalarValue::Int(-3).to_any_value()),
                kv("d", ScalarValue::Double(1.5).to_any_value()),
                kv("b", ScalarValue::Bool(true).to_any_value()),
            ]
        );
    }

    #[test]
    fn actions_run_in_order() {
        let out = apply(
            "- {key: a, action: upsert, value: x}\n- {key: b, action: insert, from_attribute: a}\n\
             - {key: a, action: delete}",
            vec![],
        );
        assert_eq!(out, vec![kv("b", s("x"))]);
    }

    #[test]
    fn misspelt_action_is_a_config_error() {
        let err = error("- {key: env, action: upsret, value: prod}");
        assert!(err.contains("unknown variant `upsret`"), "{err}");
    }

    #[test]
    fn missing_value_is_a_config_error_with_its_line() {
        let err = error("- {key: a, action: delete}\n- key: env\n  action: insert\n");
        assert!(
            err.contains("action `insert` on key `env` needs one of `value` or `from_attribute`"),
            "{err}"
        );
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn both_sources_or_a_source_on_delete_are_config_errors() {
        let err = error("- {key: env, action: upsert, value: a, from_attribute: b}");
        assert!(
            err.contains("only one of `value` or `from_attribute`"),
            "{err}"
        );
        let err = error("- {key: env, action: hash, value: a}");
        assert!(
            err.contains("action `hash` on key `env` takes no `value`"),
            "{err}"
        );
        let err = error("- {key: env, action: delete, from_attribute: a}");
        assert!(err.contains("takes no `from_attribute`"), "{err}");
        let err = error("- {key: '', action: delete}");
        assert!(err.contains("empty `key`"), "{err}");
    }

    #[test]
    fn unknown_field_and_non_scalar_value_are_config_errors() {
        let err = error("- {key: env, action: insert, value: a, pattern: x}");
        assert!(err.contains("unknown field `pattern`"), "{err}");
        let err = error("- {key: env, action: insert, value: [1, 2]}");
        assert!(err.contains("a string, integer, float or boolean"), "{err}");
        let err = error("- {key: env, action: insert, value: 99999999999999999999}");
        assert!(
            err.contains("does not fit in a 64-bit signed integer"),
            "{err}"
        );
    }

    #[test]
    fn action_try_from_config_checks_like_yaml() {
        let config = ActionConfig {
            key: "env".into(),
            action: ActionKind::Update,
            value: None,
            from_attribute: None,
        };
        assert_eq!(
            Action::try_from(config),
            Err(ActionConfigError::MissingSource {
                key: "env".into(),
                action: ActionKind::Update
            })
        );
        assert_eq!(action("{key: a, action: delete}").key(), "a");
    }

    #[test]
    fn string_form_of_every_value_kind() {
        use any_value::Value as V;
        let v = |value| Some(AnyValue { value: Some(value) });
        assert_eq!(value_as_string(None), "");
        assert_eq!(value_as_string(Some(&AnyValue::default())), "");
        assert_eq!(value_as_string(v(V::BoolValue(false)).as_ref()), "false");
        assert_eq!(value_as_string(v(V::IntValue(-12)).as_ref()), "-12");
        assert_eq!(value_as_string(v(V::DoubleValue(2.0)).as_ref()), "2");
        assert_eq!(value_as_string(v(V::DoubleValue(0.25)).as_ref()), "0.25");
        assert_eq!(
            value_as_string(v(V::DoubleValue(f64::INFINITY)).as_ref()),
            "+Inf"
        );
        assert_eq!(
            value_as_string(v(V::BytesValue(b"hello".to_vec())).as_ref()),
            "aGVsbG8="
        );
        let array = V::ArrayValue(ArrayValue {
            values: vec![s("a"), ScalarValue::Int(1).to_any_value()],
        });
        assert_eq!(value_as_string(v(array).as_ref()), r#"["a",1]"#);
        let map = V::KvlistValue(KeyValueList {
            values: vec![
                kv("z", s("1")),
                kv("a", ScalarValue::Bool(true).to_any_value()),
            ],
        });
        assert_eq!(value_as_string(v(map).as_ref()), r#"{"a":true,"z":"1"}"#);
    }

    #[test]
    fn base64_pads_every_remainder() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(&[0xff, 0xfe]), "//4=");
    }
}
