//! A queue record: `proto/ciotel/queue/v1/record.proto` as a prost message, written by hand
//! (protoc is not needed to build ciotel); a test holds the two against each other.

use crate::signal::Signal;

/// The record version this ciotel writes, and the newest it reads.
pub const VERSION: u32 = 1;

/// `ciotel.queue.v1.QueueRecord`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct QueueRecord {
    /// Format version of this record.
    #[prost(uint32, tag = "1")]
    pub version: u32,
    /// Increases by one per record of one queue, across segments and restarts.
    #[prost(uint64, tag = "2")]
    pub id: u64,
    /// Which request `request` holds.
    #[prost(enumeration = "SignalKind", tag = "3")]
    pub signal: i32,
    /// Items in `request`.
    #[prost(uint64, tag = "4")]
    pub items: u64,
    /// When the batch was queued, Unix nanoseconds.
    #[prost(fixed64, tag = "5")]
    pub enqueued_unix_nano: u64,
    /// The protobuf-encoded OTLP `Export*ServiceRequest`.
    #[prost(bytes = "vec", tag = "6")]
    pub request: Vec<u8>,
}

/// `ciotel.queue.v1.Signal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SignalKind {
    Unspecified = 0,
    Traces = 1,
    Metrics = 2,
    Logs = 3,
}

impl SignalKind {
    /// The record's value for `signal`.
    pub fn of(signal: Signal) -> SignalKind {
        match signal {
            Signal::Traces => SignalKind::Traces,
            Signal::Metrics => SignalKind::Metrics,
            Signal::Logs => SignalKind::Logs,
        }
    }
}

impl QueueRecord {
    /// The signal of the request, if the record names a known one.
    pub fn ciotel_signal(&self) -> Option<Signal> {
        match SignalKind::try_from(self.signal).ok()? {
            SignalKind::Traces => Some(Signal::Traces),
            SignalKind::Metrics => Some(Signal::Metrics),
            SignalKind::Logs => Some(Signal::Logs),
            SignalKind::Unspecified => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use prost::encoding::{DecodeContext, WireType, decode_key, skip_field};

    const PROTO: &str = include_str!("../../../../../../proto/ciotel/queue/v1/record.proto");

    /// `(type, name, number)` of every field of `message QueueRecord` in the .proto file, and
    /// `(name, number)` of every value of `enum Signal`.
    type Fields = Vec<(String, String, u32)>;
    type Values = Vec<(String, i32)>;

    fn proto_fields() -> (Fields, Values) {
        let mut fields = Vec::new();
        let mut values = Vec::new();
        let mut block = "";
        for line in PROTO.lines().map(str::trim) {
            if line.starts_with("//") || line.is_empty() {
                continue;
            }
            if line.starts_with("message QueueRecord") {
                block = "message";
            } else if line.starts_with("enum Signal") {
                block = "enum";
            } else if line.starts_with('}') {
                block = "";
            } else if let Some((left, number)) = line.trim_end_matches(';').split_once('=') {
                let words: Vec<&str> = left.split_whitespace().collect();
                let number = number.trim();
                match (block, words.as_slice()) {
                    ("message", [kind, name]) => {
                        fields.push((kind.to_string(), name.to_string(), number.parse().unwrap()))
                    }
                    ("enum", [name]) => values.push((name.to_string(), number.parse().unwrap())),
                    _ => {}
                }
            }
        }
        (fields, values)
    }

    #[test]
    fn the_rust_message_matches_the_proto_file() {
        let (fields, values) = proto_fields();
        let names: Vec<(&str, u32)> = fields.iter().map(|(_, n, t)| (n.as_str(), *t)).collect();
        assert_eq!(
            names,
            vec![
                ("version", 1),
                ("id", 2),
                ("signal", 3),
                ("items", 4),
                ("enqueued_unix_nano", 5),
                ("request", 6)
            ]
        );
        // Every field set, so every field is on the wire with the wire type its .proto type has.
        let record = QueueRecord {
            version: 1,
            id: 2,
            signal: SignalKind::Logs as i32,
            items: 4,
            enqueued_unix_nano: 5,
            request: vec![6],
        };
        let bytes = record.encode_to_vec();
        let mut buf = bytes.as_slice();
        let mut seen = Vec::new();
        while !buf.is_empty() {
            let (tag, wire) = decode_key(&mut buf).unwrap();
            seen.push((tag, wire));
            skip_field(wire, tag, &mut buf, DecodeContext::default()).unwrap();
        }
        let expected: Vec<(u32, WireType)> = fields
            .iter()
            .map(|(kind, _, tag)| {
                let wire = match kind.as_str() {
                    "uint32" | "uint64" | "Signal" => WireType::Varint,
                    "fixed64" => WireType::SixtyFourBit,
                    "bytes" => WireType::LengthDelimited,
                    other => panic!("a .proto type the test does not know: {other}"),
                };
                (*tag, wire)
            })
            .collect();
        assert_eq!(seen, expected);
        let kinds: Vec<(String, i32)> = [
            ("SIGNAL_UNSPECIFIED", SignalKind::Unspecified),
            ("SIGNAL_TRACES", SignalKind::Traces),
            ("SIGNAL_METRICS", SignalKind::Metrics),
            ("SIGNAL_LOGS", SignalKind::Logs),
        ]
        .iter()
        .map(|(name, k)| (name.to_string(), *k as i32))
        .collect();
        assert_eq!(kinds, values);
    }

    #[test]
    fn a_newer_record_with_unknown_fields_still_decodes() {
        let mut bytes = QueueRecord {
            version: 2,
            id: 9,
            signal: SignalKind::Traces as i32,
            items: 1,
            enqueued_unix_nano: 0,
            request: vec![],
        }
        .encode_to_vec();
        // Field 15, varint 1: something a later version added.
        bytes.extend([15 << 3, 1]);
        let record = QueueRecord::decode(bytes.as_slice()).unwrap();
        assert_eq!((record.version, record.id), (2, 9));
        assert_eq!(record.ciotel_signal(), Some(Signal::Traces));
    }
}
