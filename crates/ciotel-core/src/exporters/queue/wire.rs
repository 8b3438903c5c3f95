//! A batch as the OTLP export request it becomes: its protobuf size (the byte measure of every
//! queue), and the request bytes the disk queue stores and reads back.

use crate::signal::{Batch, Signal};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use prost::encoding::message;

/// The size of `batch` encoded as its `Export*ServiceRequest`, without building the request.
/// Every `Export*ServiceRequest` holds its resource groups as field 1.
pub fn encoded_len(batch: &Batch) -> usize {
    match batch {
        Batch::Traces(v) => message::encoded_len_repeated(1, v),
        Batch::Metrics(v) => message::encoded_len_repeated(1, v),
        Batch::Logs(v) => message::encoded_len_repeated(1, v),
    }
}

/// `batch` encoded as its `Export*ServiceRequest`.
pub fn encode_request(batch: &Batch) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(batch));
    match batch {
        Batch::Traces(v) => message::encode_repeated(1, v, &mut out),
        Batch::Metrics(v) => message::encode_repeated(1, v, &mut out),
        Batch::Logs(v) => message::encode_repeated(1, v, &mut out),
    }
    out
}

/// The batch of `signal` in `bytes`, an encoded `Export*ServiceRequest`.
pub fn decode_request(signal: Signal, bytes: &[u8]) -> Result<Batch, prost::DecodeError> {
    Ok(match signal {
        Signal::Traces => Batch::Traces(ExportTraceServiceRequest::decode(bytes)?.resource_spans),
        Signal::Metrics => {
            Batch::Metrics(ExportMetricsServiceRequest::decode(bytes)?.resource_metrics)
        }
        Signal::Logs => Batch::Logs(ExportLogsServiceRequest::decode(bytes)?.resource_logs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::span_batch;

    #[test]
    fn the_size_is_that_of_the_request_and_the_bytes_read_back() {
        let batch = span_batch(5);
        let Batch::Traces(spans) = batch.clone() else {
            unreachable!()
        };
        let request = ExportTraceServiceRequest {
            resource_spans: spans,
        };
        assert_eq!(encoded_len(&batch), request.encoded_len());
        assert_eq!(encode_request(&batch), request.encode_to_vec());
        let back = decode_request(Signal::Traces, &encode_request(&batch)).unwrap();
        assert_eq!(back, batch);
    }
}
