//! OTLP/HTTP: `POST /v1/{traces,metrics,logs}` with protobuf or JSON bodies, optionally gzip.
//! Every refusal carries a `google.rpc.Status` saying what is wrong, in the request's encoding:
//! 405 wrong method, 415 unknown content type or encoding, 413 too large (after
//! decompression), 400 malformed, 401 unauthenticated (checked on the headers, before the
//! body), 408 body too slow, 503 + Retry-After when the pipeline is full or too many bodies are
//! in flight. Timeouts, limits and TLS come from the listener kit (`ciotel_core::server`).

use super::StartError;
use super::config::HttpConfig;
use crate::json;
use crate::rpc_status::RpcStatus;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use ciotel_core::auth::{AuthError, ServerAuthenticator};
use ciotel_core::body::{BodyError, read_limited};
use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::server::http::refusal_status;
use ciotel_core::server::{Alpn, HttpAuth, ListenerName, bind, serve_http};
use ciotel_core::telemetry::Registry;
use ciotel_core::{Batch, ConsumeError, Signal};
use flate2::read::GzDecoder;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::Code;

/// Seconds a client is asked to wait when the pipeline is full.
const RETRY_AFTER_SECONDS: &str = "1";

/// Binds the HTTP endpoint and serves the paths of every signal some pipeline takes.
pub(super) async fn start(
    id: &str,
    config: &HttpConfig,
    inputs: PipelineInputs,
    registry: &Registry,
    auth: Option<Arc<dyn ServerAuthenticator>>,
    shutdown: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<()>), StartError> {
    let settings = config.server_settings();
    let name = ListenerName {
        component: id,
        transport: "http",
    };
    let listener = bind(
        name,
        &config.endpoint,
        &settings.connections,
        Alpn::Http1,
        auth.is_some(),
        registry,
        &shutdown,
    )
    .await
    .map_err(|source| StartError::Listen {
        transport: "http",
        source,
    })?;
    let address = listener.local_addr();
    let state = Arc::new(HttpState {
        output: ReceiverOutput::new(inputs, registry, id, "http"),
        limit: config.max_request_body_size,
    });
    let mut router = Router::new();
    for (signal, path) in [
        (Signal::Traces, &config.traces_url_path),
        (Signal::Metrics, &config.metrics_url_path),
        (Signal::Logs, &config.logs_url_path),
    ] {
        if state.output.accepts(signal) {
            let state = state.clone();
            router = router.route(
                path,
                any(move |method: Method, headers: HeaderMap, body: Body| {
                    let state = state.clone();
                    async move { state.handle(signal, method, headers, body).await }
                }),
            );
        }
    }
    let auth = auth.map(|authenticator| HttpAuth {
        authenticator,
        refusal: auth_refusal,
    });
    let task = serve_http(listener, router, &settings, auth, shutdown);
    Ok((address, task))
}

/// 401 (503 when the authenticator cannot answer) with a `google.rpc.Status` in the request's
/// encoding and a `WWW-Authenticate` challenge.
fn auth_refusal(headers: &HeaderMap, error: &AuthError) -> Response {
    let (status, challenge) = refusal_status(headers, error);
    let code = match error {
        AuthError::Unavailable(_) => Code::Unavailable,
        _ => Code::Unauthenticated,
    };
    let encoding = content_encoding_of(headers).unwrap_or(Encoding::Json);
    let message = format!("{error}: this endpoint requires authentication");
    let mut response = Refusal::new(status, code, message).into_response(encoding);
    if let Some(c) = challenge {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, c);
    }
    response
}

/// The two body encodings OTLP/HTTP defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

struct HttpState {
    output: ReceiverOutput,
    limit: usize,
}

/// A refusal: status code, `google.rpc.Status`, and optional Retry-After.
struct Refusal {
    status: StatusCode,
    code: Code,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }

    fn into_response(self, encoding: Encoding) -> Response {
        let body = RpcStatus::new(self.code, self.message);
        let bytes = match encoding {
            Encoding::Protobuf => body.encode_to_vec(),
            Encoding::Json => body.to_json(),
        };
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, encoding.content_type())],
            bytes,
        )
            .into_response();
        match self.status {
            StatusCode::SERVICE_UNAVAILABLE => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                );
            }
            StatusCode::METHOD_NOT_ALLOWED => {
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            _ => {}
        }
        response
    }
}

impl HttpState {
    async fn handle(
        &self,
        signal: Signal,
        method: Method,
        headers: HeaderMap,
        body: Body,
    ) -> Response {
        let encoding = content_encoding_of(&headers);
        if method != Method::POST {
            let why = format!("method {method} is not allowed on this path; OTLP/HTTP uses POST");
            return Refusal::new(StatusCode::METHOD_NOT_ALLOWED, Code::InvalidArgument, why)
                .into_response(encoding.unwrap_or(Encoding::Json));
        }
        let encoding = match encoding {
            Ok(e) => e,
            Err(refusal) => return refusal.into_response(Encoding::Json),
        };
        match self.accept(signal, encoding, &headers, body).await {
            Ok(response) => response,
            Err(refusal) => refusal.into_response(encoding),
        }
    }

    async fn accept(
        &self,
        signal: Signal,
        encoding: Encoding,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Response, Refusal> {
        let raw = read_limited(headers, body, self.limit)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge { limit } => too_large(limit),
                BodyError::Read(why) => Refusal::new(
                    StatusCode::BAD_REQUEST,
                    Code::InvalidArgument,
                    format!("failed to read the request body: {why}"),
                ),
                BodyError::TimedOut { .. } => Refusal::new(
                    StatusCode::REQUEST_TIMEOUT,
                    Code::DeadlineExceeded,
                    e.to_string(),
                ),
                BodyError::Busy { .. } => Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Code::Unavailable,
                    e.to_string(),
                ),
            })?;
        let raw = decompress(headers, raw, self.limit)?;
        let batch = decode(signal, encoding, &raw)
            .map_err(|why| Refusal::new(StatusCode::BAD_REQUEST, Code::InvalidArgument, why))?;
        self.output.consume(batch).map_err(|e| match e {
            ConsumeError::Refused(why) => {
                Refusal::new(StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable, why)
            }
            ConsumeError::Permanent(why) => {
                Refusal::new(StatusCode::BAD_REQUEST, Code::InvalidArgument, why)
            }
        })?;
        let body = success_body(signal, encoding);
        Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, encoding.content_type())],
            body,
        )
            .into_response())
    }
}

/// The body encoding named by Content-Type, or a 415 naming what is accepted.
fn content_encoding_of(headers: &HeaderMap) -> Result<Encoding, Refusal> {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-protobuf" | "application/protobuf" => Ok(Encoding::Protobuf),
        "application/json" => Ok(Encoding::Json),
        _ => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::InvalidArgument,
            format!(
                "unsupported content type `{raw}`; OTLP/HTTP accepts application/x-protobuf or application/json"
            ),
        )),
    }
}

fn too_large(limit: usize) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        Code::ResourceExhausted,
        format!(
            "request body exceeds max_request_body_size ({limit} bytes, counted after decompression)"
        ),
    )
}

/// Undoes `Content-Encoding: gzip`, refusing with 413 once the inflated size passes `limit`.
fn decompress(headers: &HeaderMap, raw: Vec<u8>, limit: usize) -> Result<Vec<u8>, Refusal> {
    let coding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    match coding.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => Ok(raw),
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            GzDecoder::new(raw.as_slice())
                .take(limit as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| {
                    Refusal::new(
                        StatusCode::BAD_REQUEST,
                        Code::InvalidArgument,
                        format!("invalid gzip body: {e}"),
                    )
                })?;
            if out.len() > limit {
                return Err(too_large(limit));
            }
            Ok(out)
        }
        other => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::InvalidArgument,
            format!("unsupported Content-Encoding `{other}`; use gzip or none"),
        )),
    }
}

/// Decodes an export request of `signal`, with a message saying what is wrong when it fails.
fn decode(signal: Signal, encoding: Encoding, body: &[u8]) -> Result<Batch, String> {
    let what = |e: &dyn std::fmt::Display| {
        format!(
            "malformed {signal} export request ({}): {e}",
            match encoding {
                Encoding::Protobuf => "protobuf",
                Encoding::Json => "JSON",
            }
        )
    };
    match (signal, encoding) {
        (Signal::Traces, Encoding::Protobuf) => ExportTraceServiceRequest::decode(body)
            .map(|r| Batch::Traces(r.resource_spans))
            .map_err(|e| what(&e)),
        (Signal::Traces, Encoding::Json) => json::decode_traces(body)
            .map(|r| Batch::Traces(r.resource_spans))
            .map_err(|e| what(&e)),
        (Signal::Metrics, Encoding::Protobuf) => ExportMetricsServiceRequest::decode(body)
            .map(|r| Batch::Metrics(r.resource_metrics))
            .map_err(|e| what(&e)),
        (Signal::Metrics, Encoding::Json) => json::decode_metrics(body)
            .map(|r| Batch::Metrics(r.resource_metrics))
            .map_err(|e| what(&e)),
        (Signal::Logs, Encoding::Protobuf) => ExportLogsServiceRequest::decode(body)
            .map(|r| Batch::Logs(r.resource_logs))
            .map_err(|e| what(&e)),
        (Signal::Logs, Encoding::Json) => json::decode_logs(body)
            .map(|r| Batch::Logs(r.resource_logs))
            .map_err(|e| what(&e)),
    }
}

/// The (empty) export response of `signal` in the request's encoding.
fn success_body(signal: Signal, encoding: Encoding) -> Vec<u8> {
    match (signal, encoding) {
        (Signal::Traces, Encoding::Protobuf) => {
            ExportTraceServiceResponse::default().encode_to_vec()
        }
        (Signal::Metrics, Encoding::Protobuf) => {
            ExportMetricsServiceResponse::default().encode_to_vec()
        }
        (Signal::Logs, Encoding::Protobuf) => ExportLogsServiceResponse::default().encode_to_vec(),
        (Signal::Traces, Encoding::Json) => {
            json::encode_trace_response(&ExportTraceServiceResponse::default())
        }
        (Signal::Metrics, Encoding::Json) => {
            json::encode_metrics_response(&ExportMetricsServiceResponse::default())
        }
        (Signal::Logs, Encoding::Json) => {
            json::encode_logs_response(&ExportLogsServiceResponse::default())
        }
    }
}

#[cfg(test)]
mod props;
