//! OTLP/JSON export requests through ciotel's own codec (`ciotel_otlp::json`), as the HTTP
//! receiver gets them, and the round trip the file and HTTP exporters rely on: whatever
//! decodes, encoded and decoded again, is the same message.
//!
//! "The same" is compared on the protobuf encoding, so that a NaN double (which the JSON form
//! carries as `"NaN"`) counts as equal to itself.

#![no_main]

use ciotel_otlp::json;
use libfuzzer_sys::fuzz_target;
use prost::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(x) = json::decode_traces(data) {
        let encoded = json::encode_traces(&x);
        let y = json::decode_traces(&encoded).expect("encoded traces decode");
        same(&x, &y, &encoded);
        assert_eq!(
            json::encode_traces(&y),
            encoded,
            "traces encoding is not stable"
        );
    }
    if let Ok(x) = json::decode_metrics(data) {
        let encoded = json::encode_metrics(&x);
        let y = json::decode_metrics(&encoded).expect("encoded metrics decode");
        same(&x, &y, &encoded);
        assert_eq!(
            json::encode_metrics(&y),
            encoded,
            "metrics encoding is not stable"
        );
    }
    if let Ok(x) = json::decode_logs(data) {
        let encoded = json::encode_logs(&x);
        let y = json::decode_logs(&encoded).expect("encoded logs decode");
        same(&x, &y, &encoded);
        assert_eq!(
            json::encode_logs(&y),
            encoded,
            "logs encoding is not stable"
        );
    }
    // Servers' answers go through the same decoder in the HTTP exporter.
    let _ = json::decode_trace_response(data);
    let _ = json::decode_metrics_response(data);
    let _ = json::decode_logs_response(data);
});

fn same<M: Message>(x: &M, y: &M, encoded: &[u8]) {
    assert!(
        x.encode_to_vec() == y.encode_to_vec(),
        "decode(encode(x)) != x; encoded: {}",
        String::from_utf8_lossy(encoded)
    );
}
