//! `google.rpc.Status` as OTLP servers send it on failure — in a gRPC `grpc-status-details-bin`
//! trailer, or as an OTLP/HTTP error body (protobuf or JSON) — and the `google.rpc.RetryInfo`
//! detail that makes RESOURCE_EXHAUSTED retryable.

use std::time::Duration;

/// Type URL of `google.rpc.RetryInfo` inside `Status.details`.
pub const RETRY_INFO_TYPE_URL: &str = "type.googleapis.com/google.rpc.RetryInfo";

/// The `google.rpc.Status` message, with its details.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RpcStatus {
    /// A `google.rpc.Code` value.
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// What went wrong, for a person.
    #[prost(string, tag = "2")]
    pub message: String,
    /// Typed details, such as `RetryInfo`.
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}

/// `google.protobuf.Any`: one detail of a status.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Any {
    /// What `value` holds, e.g. [`RETRY_INFO_TYPE_URL`].
    #[prost(string, tag = "1")]
    pub type_url: String,
    /// The encoded message.
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `google.rpc.RetryInfo`: how long the server asks the client to wait.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RetryInfo {
    /// The delay; absent means "retry with your own backoff".
    #[prost(message, optional, tag = "1")]
    pub retry_delay: Option<ProtoDuration>,
}

/// `google.protobuf.Duration`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ProtoDuration {
    /// Whole seconds.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Nanoseconds on top of `seconds`.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

impl ProtoDuration {
    /// The duration, if it is a valid non-negative one.
    pub fn to_std(self) -> Option<Duration> {
        let seconds = u64::try_from(self.seconds).ok()?;
        let nanos = u32::try_from(self.nanos)
            .ok()
            .filter(|n| *n < 1_000_000_000)?;
        Some(Duration::new(seconds, nanos))
    }
}

impl RpcStatus {
    /// A status with a gRPC `code` and a message, no details: what OTLP/HTTP servers answer.
    pub fn new(code: tonic::Code, message: impl Into<String>) -> Self {
        RpcStatus {
            code: code as i32,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// The JSON form `{"code":3,"message":"…"}` (details are never sent by ciotel).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::json!({ "code": self.code, "message": self.message })
            .to_string()
            .into_bytes()
    }

    /// Decodes a protobuf `google.rpc.Status`; `None` when the bytes are not one.
    pub fn decode_proto(bytes: &[u8]) -> Option<RpcStatus> {
        <RpcStatus as prost::Message>::decode(bytes).ok()
    }

    /// Reads the JSON form `{"code":3,"message":"…","details":[…]}` (details are not kept).
    pub fn decode_json(bytes: &[u8]) -> Option<RpcStatus> {
        #[derive(serde::Deserialize)]
        struct Json {
            #[serde(default)]
            code: i32,
            #[serde(default)]
            message: String,
        }
        let json: Json = serde_json::from_slice(bytes).ok()?;
        Some(RpcStatus {
            code: json.code,
            message: json.message,
            details: Vec::new(),
        })
    }

    /// Whether the status carries a `RetryInfo` detail, and its delay: `None` for no
    /// `RetryInfo` at all, `Some(None)` for one without a usable delay.
    pub fn retry_info(&self) -> Option<Option<Duration>> {
        let mut infos = self
            .details
            .iter()
            .filter(|any| any.type_url == RETRY_INFO_TYPE_URL)
            .filter_map(|any| <RetryInfo as prost::Message>::decode(&any.value[..]).ok())
            .peekable();
        infos.peek()?;
        Some(infos.find_map(|info| info.retry_delay.and_then(ProtoDuration::to_std)))
    }

    /// A status asking the client to retry after `delay` — what a server sends with
    /// RESOURCE_EXHAUSTED to make it retryable (used by tests and by servers).
    pub fn with_retry_delay(code: i32, message: &str, delay: Duration) -> RpcStatus {
        let info = RetryInfo {
            retry_delay: Some(ProtoDuration {
                seconds: i64::try_from(delay.as_secs()).unwrap_or(i64::MAX),
                nanos: delay.subsec_nanos() as i32,
            }),
        };
        RpcStatus {
            code,
            message: message.to_string(),
            details: vec![Any {
                type_url: RETRY_INFO_TYPE_URL.to_string(),
                value: prost::Message::encode_to_vec(&info),
            }],
        }
    }
}

/// [`RpcStatus::retry_info`] of the serialized status a gRPC server put in
/// `grpc-status-details-bin` (tonic's `Status::details()`); `None` when it is not a status.
pub fn retry_info(details: &[u8]) -> Option<Option<Duration>> {
    RpcStatus::decode_proto(details)?.retry_info()
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn retry_info_round_trips_through_status_details() {
        let status = RpcStatus::with_retry_delay(8, "slow down", Duration::from_millis(1500));
        let bytes = status.encode_to_vec();
        assert_eq!(retry_info(&bytes), Some(Some(Duration::from_millis(1500))));
    }

    #[test]
    fn other_details_or_garbage_are_not_retry_info() {
        let status = RpcStatus {
            code: 8,
            message: "quota".into(),
            details: vec![Any {
                type_url: "type.googleapis.com/google.rpc.QuotaFailure".into(),
                value: vec![],
            }],
        };
        assert_eq!(retry_info(&status.encode_to_vec()), None);
        assert_eq!(retry_info(&[0xff, 0xff, 0xff]), None);
        assert_eq!(retry_info(&[]), None);
        let no_delay = RpcStatus {
            details: vec![Any {
                type_url: RETRY_INFO_TYPE_URL.into(),
                value: vec![],
            }],
            ..status
        };
        assert_eq!(retry_info(&no_delay.encode_to_vec()), Some(None));
    }

    #[test]
    fn json_error_bodies_are_read() {
        let status =
            RpcStatus::decode_json(br#"{"code":3,"message":"bad span","details":[]}"#).unwrap();
        assert_eq!((status.code, status.message.as_str()), (3, "bad span"));
        assert!(RpcStatus::decode_json(b"<html>").is_none());
    }

    #[test]
    fn negative_or_malformed_durations_are_ignored() {
        let d = |seconds, nanos| ProtoDuration { seconds, nanos }.to_std();
        assert_eq!(d(2, 5), Some(Duration::new(2, 5)));
        assert_eq!(d(-1, 0), None);
        assert_eq!(d(1, -1), None);
        assert_eq!(d(1, 1_000_000_000), None);
    }
}
