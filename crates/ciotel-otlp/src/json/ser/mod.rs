//! Encoding the prost types as OTLP/JSON the way the Collector writes it: lowerCamelCase keys
//! in proto field order, hex ids, integer enums, 64-bit integers as decimal strings, doubles
//! that are not finite as "NaN"/"Infinity"/"-Infinity", and every field that holds its proto
//! default left out (message fields and oneof members are written whenever they are set).
//!
//! Writing goes straight into a byte buffer and cannot fail.

mod common;
mod logs;
mod metrics;
mod response;
mod trace;
mod value;

/// A protobuf message that writes its members into a JSON object.
pub(super) trait Encode {
    /// Writes the members of `self` that differ from their defaults.
    fn members(&self, obj: &mut Obj<'_>);
}

/// Encodes `message` as one compact JSON object.
pub(super) fn encode<T: Encode>(message: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    object(&mut out, message);
    out
}

/// Writes `message` as a JSON object.
fn object<T: Encode>(out: &mut Vec<u8>, message: &T) {
    out.push(b'{');
    message.members(&mut Obj { out, empty: true });
    out.push(b'}');
}

/// A JSON object being written: one method per kind of field, each leaving out defaults.
pub(super) struct Obj<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> Obj<'a> {
    /// Starts member `key` (a static lowerCamelCase name, needing no escapes) and returns the
    /// buffer to write its value into.
    fn member(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    /// A string field, left out when empty.
    pub(super) fn string(&mut self, key: &str, v: &str) {
        if !v.is_empty() {
            value::string(self.member(key), v);
        }
    }

    /// A bool field, left out when false.
    pub(super) fn boolean(&mut self, key: &str, v: bool) {
        if v {
            self.member(key).extend_from_slice(b"true");
        }
    }

    /// A 32-bit integer or enum field, as a JSON number; left out when 0.
    pub(super) fn int32(&mut self, key: &str, v: impl Into<i64>) {
        let v = v.into();
        if v != 0 {
            value::integer(self.member(key), v);
        }
    }

    /// A 64-bit unsigned field, as a decimal string; left out when 0.
    pub(super) fn uint64(&mut self, key: &str, v: u64) {
        if v != 0 {
            value::quoted_u64(self.member(key), v);
        }
    }

    /// A 64-bit signed field, as a decimal string; left out when 0.
    pub(super) fn int64(&mut self, key: &str, v: i64) {
        if v != 0 {
            value::quoted_i64(self.member(key), v);
        }
    }

    /// A double field; left out when 0.
    pub(super) fn double(&mut self, key: &str, v: f64) {
        if v != 0.0 {
            value::double(self.member(key), v);
        }
    }

    /// An `optional double` field (histogram sum, min, max); written whenever it is set.
    pub(super) fn opt_double(&mut self, key: &str, v: Option<f64>) {
        if let Some(v) = v {
            value::double(self.member(key), v);
        }
    }

    /// A trace or span id, as lowercase hex; left out when empty.
    pub(super) fn hex(&mut self, key: &str, v: &[u8]) {
        if !v.is_empty() {
            let out = self.member(key);
            out.push(b'"');
            out.extend_from_slice(hex::encode(v).as_bytes());
            out.push(b'"');
        }
    }

    /// A message field; written (possibly as `{}`) whenever it is set.
    pub(super) fn message<T: Encode>(&mut self, key: &str, v: Option<&T>) {
        if let Some(v) = v {
            object(self.member(key), v);
        }
    }

    /// A repeated message field; left out when empty.
    pub(super) fn messages<T: Encode>(&mut self, key: &str, items: &[T]) {
        self.array(key, items, object);
    }

    /// A repeated string field; left out when empty.
    pub(super) fn strings(&mut self, key: &str, items: &[String]) {
        self.array(key, items, |out, s| value::string(out, s));
    }

    /// A repeated 64-bit unsigned field, as decimal strings; left out when empty.
    pub(super) fn uint64s(&mut self, key: &str, items: &[u64]) {
        self.array(key, items, |out, v| value::quoted_u64(out, *v));
    }

    /// A repeated double field; left out when empty.
    pub(super) fn doubles(&mut self, key: &str, items: &[f64]) {
        self.array(key, items, |out, v| value::double(out, *v));
    }

    fn array<T>(&mut self, key: &str, items: &[T], write: impl Fn(&mut Vec<u8>, &T)) {
        if items.is_empty() {
            return;
        }
        let out = self.member(key);
        out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write(out, item);
        }
        out.push(b']');
    }

    /// Oneof members are written even when they hold their type's default: being set is the
    /// information. These write `key` unconditionally.
    pub(super) fn always(&mut self) -> Always<'_, 'a> {
        Always(self)
    }
}

/// Writers for oneof members, which are present even when zero or empty.
pub(super) struct Always<'o, 'a>(&'o mut Obj<'a>);

impl Always<'_, '_> {
    pub(super) fn string(self, key: &str, v: &str) {
        value::string(self.0.member(key), v);
    }
    pub(super) fn boolean(self, key: &str, v: bool) {
        let out = self.0.member(key);
        out.extend_from_slice(if v { b"true" } else { b"false" });
    }
    pub(super) fn int32(self, key: &str, v: i32) {
        value::integer(self.0.member(key), v.into());
    }
    pub(super) fn int64(self, key: &str, v: i64) {
        value::quoted_i64(self.0.member(key), v);
    }
    pub(super) fn double(self, key: &str, v: f64) {
        value::double(self.0.member(key), v);
    }
    pub(super) fn base64(self, key: &str, v: &[u8]) {
        value::base64(self.0.member(key), v);
    }
    pub(super) fn message<T: Encode>(self, key: &str, v: &T) {
        object(self.0.member(key), v);
    }
}
