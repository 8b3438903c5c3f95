//! Property tests of the OTLP/HTTP receiver's body handling: any body, in either encoding, for
//! any signal, is decoded or refused with a message (never a panic), and any `gzip` body is
//! inflated, refused as malformed (400) or refused as too large (413), never more than the limit.

use super::{Encoding, decode, decompress};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use ciotel_core::Signal;
use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::collection::vec;
use proptest::prelude::*;
use std::io::Write;

const SIGNALS: [Signal; 3] = [Signal::Traces, Signal::Metrics, Signal::Logs];

fn gzip_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    h
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(body).expect("writing to a Vec");
    e.finish().expect("writing to a Vec")
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(128) })]

    #[test]
    fn any_body_decodes_or_is_refused_with_a_message(body in vec(any::<u8>(), 0..512)) {
        for signal in SIGNALS {
            for encoding in [Encoding::Protobuf, Encoding::Json] {
                match decode(signal, encoding, &body) {
                    Ok(batch) => prop_assert_eq!(batch.signal(), signal),
                    Err(message) => prop_assert!(message.starts_with("malformed ")),
                }
            }
        }
    }

    #[test]
    fn any_gzip_body_inflates_within_the_limit_or_is_refused(
        body in vec(any::<u8>(), 0..512),
        limit in 0usize..600,
        compress in any::<bool>(),
    ) {
        let raw = if compress { gzip(&body) } else { body.clone() };
        match decompress(&gzip_headers(), raw, limit) {
            Ok(out) => {
                prop_assert!(out.len() <= limit);
                if compress {
                    prop_assert_eq!(out, body);
                }
            }
            Err(refusal) => {
                prop_assert!(
                    refusal.status == StatusCode::BAD_REQUEST
                        || refusal.status == StatusCode::PAYLOAD_TOO_LARGE
                );
                if compress {
                    prop_assert_eq!(refusal.status, StatusCode::PAYLOAD_TOO_LARGE);
                    prop_assert!(body.len() > limit);
                }
            }
        }
    }
}
