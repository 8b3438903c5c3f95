//! `otlphttp` exporter: OTLP over HTTP/1.1 (protobuf or JSON, gzip) to any OTLP/HTTP backend,
//! with the failures classified per the OTLP spec and partial successes logged.

use super::error::{at, auth_failure, explain_tls, with_causes};
use super::partial_success;
use super::request::{json_body, proto_body, signal_path};
use super::settings::{self, Compression};
use super::tls::{self, TlsConfig};
use super::{BuildError, classify};
use crate::rpc_status::RpcStatus;
use ciotel_core::auth::{AuthReference, AuthResolver, ClientAuthenticator, NoAuthenticators};
use ciotel_core::config::ComponentInfo;
use ciotel_core::config::auth_refs::AuthUse;
use ciotel_core::config::checked::checked_str;
use ciotel_core::exporters::queue::QueueConfig;
use ciotel_core::exporters::retry::RetryConfig;
use ciotel_core::exporters::{BoxFuture, ExportError, Exporter};
use ciotel_core::webhook::Secret;
use ciotel_core::{Batch, Signal};
use http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};
use reqwest::Url;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Response bodies are read up to this size: enough for any partial success or error status,
/// and a misbehaving server cannot make the exporter buffer without bound.
const MAX_RESPONSE_BODY: usize = 1024 * 1024;

/// `encoding:` of request bodies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// `application/x-protobuf` (the Collector's default).
    #[default]
    Proto,
    /// `application/json`, OTLP/JSON as the spec writes it.
    Json,
}

impl Encoding {
    fn content_type(self) -> &'static str {
        match self {
            Encoding::Proto => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// Config of the `otlphttp` exporter, with the Collector's keys and defaults.
///
/// Read it through the `Deserialize` trait (`yaml_serde::from_str`, `or_default`), which also
/// checks that some endpoint is set. (`remote = "Self"` makes the derive an inherent
/// `OtlpHttpExporterConfig::deserialize` without that check, which the trait impl wraps.)
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct OtlpHttpExporterConfig {
    /// Base URL, e.g. `https://otlp.example.com:4318`; `/v1/traces`, `/v1/metrics` or
    /// `/v1/logs` is appended. May be empty when every signal used has its own endpoint.
    #[serde(default, deserialize_with = "base_url")]
    pub endpoint: String,
    /// URL for traces, used as is (overrides `endpoint`).
    #[serde(default, deserialize_with = "signal_url")]
    pub traces_endpoint: Option<String>,
    /// URL for metrics, used as is (overrides `endpoint`).
    #[serde(default, deserialize_with = "signal_url")]
    pub metrics_endpoint: Option<String>,
    /// URL for logs, used as is (overrides `endpoint`).
    #[serde(default, deserialize_with = "signal_url")]
    pub logs_endpoint: Option<String>,
    /// Body encoding (default proto).
    #[serde(default)]
    pub encoding: Encoding,
    /// Sent with every request (e.g. an API key).
    #[serde(default, deserialize_with = "settings::headers")]
    pub headers: BTreeMap<String, Secret>,
    /// Request compression (default gzip).
    #[serde(default)]
    pub compression: Compression,
    /// Deadline of one request, connecting included (default 5s).
    #[serde(
        default = "settings::default_timeout",
        deserialize_with = "settings::timeout"
    )]
    pub timeout: Duration,
    /// Certificates for `https` URLs (`insecure` does not apply: the URL's scheme decides).
    #[serde(default, deserialize_with = "tls::tls")]
    pub tls: Option<TlsConfig>,
    /// Retries with backoff (applied by the sending queue in front of the exporter).
    #[serde(default, deserialize_with = "settings::retry")]
    pub retry_on_failure: RetryConfig,
    /// The bounded queue in front of the exporter.
    #[serde(default, deserialize_with = "settings::queue")]
    pub sending_queue: QueueConfig,
    /// An authenticator extension that adds a credential to every request.
    #[serde(default)]
    pub auth: Option<AuthReference>,
}

impl Default for OtlpHttpExporterConfig {
    /// Defaults of every key; no endpoint is set, so one must be before building.
    fn default() -> Self {
        OtlpHttpExporterConfig {
            endpoint: String::new(),
            traces_endpoint: None,
            metrics_endpoint: None,
            logs_endpoint: None,
            encoding: Encoding::default(),
            headers: BTreeMap::new(),
            compression: Compression::default(),
            timeout: settings::default_timeout(),
            tls: None,
            retry_on_failure: RetryConfig::default(),
            sending_queue: QueueConfig::default(),
            auth: None,
        }
    }
}

impl OtlpHttpExporterConfig {
    /// The URL a signal is sent to: its own endpoint, else `endpoint` + `/v1/<signal>`.
    pub fn url(&self, signal: Signal) -> Option<String> {
        let own = match signal {
            Signal::Traces => &self.traces_endpoint,
            Signal::Metrics => &self.metrics_endpoint,
            Signal::Logs => &self.logs_endpoint,
        };
        if let Some(url) = own {
            return Some(url.clone());
        }
        let base = self.endpoint.trim();
        if base.is_empty() {
            return None;
        }
        let separator = if base.ends_with('/') { "" } else { "/" };
        Some(format!("{base}{separator}{}", signal_path(signal)))
    }

    fn check(&self) -> Result<(), String> {
        if Signal::ALL.iter().all(|s| self.url(*s).is_none()) {
            return Err(
                "set `endpoint` (e.g. `https://otlp.example.com:4318`) or a per-signal \
                 `traces_endpoint`, `metrics_endpoint` or `logs_endpoint`"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Parsing checks that some endpoint is set; the error points at the exporter's mapping.
impl<'de> Deserialize<'de> for OtlpHttpExporterConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ConfigVisitor;
        impl<'de> Visitor<'de> for ConfigVisitor {
            type Value = OtlpHttpExporterConfig;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the otlphttp exporter's settings")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<OtlpHttpExporterConfig, A::Error> {
                let config = OtlpHttpExporterConfig::deserialize(MapAccessDeserializer::new(map))?;
                config.check().map_err(de::Error::custom)?;
                Ok(config)
            }
            fn visit_unit<E: de::Error>(self) -> Result<OtlpHttpExporterConfig, E> {
                Err(E::custom(
                    OtlpHttpExporterConfig::default()
                        .check()
                        .err()
                        .unwrap_or_default(),
                ))
            }
        }
        d.deserialize_any(ConfigVisitor)
    }
}

/// Only signals with a URL can go through this exporter; the config check names the pipeline.
impl ComponentInfo for OtlpHttpExporterConfig {
    fn supports(&self, signal: Signal) -> bool {
        self.url(signal).is_some()
    }

    fn auth_references(&self) -> Vec<AuthUse<'_>> {
        self.auth
            .iter()
            .map(|reference| AuthUse {
                path: &["auth"],
                reference,
            })
            .collect()
    }
}

fn parse_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("invalid URL `{text}`: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "invalid URL `{text}`: the scheme must be http or https"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("invalid URL `{text}`: the host is missing"));
    }
    Ok(url)
}

fn base_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked_str(d, "a URL such as `https://otlp.example.com:4318`", |text| {
        parse_url(text).map(|_| text.trim().to_string())
    })
}

fn signal_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    base_url(d).map(Some)
}

/// The `otlphttp` exporter: one HTTP client (connection pool) for every signal.
pub struct OtlpHttpExporter {
    id: String,
    client: reqwest::Client,
    /// Indexed by `Signal as usize`; `None` for a signal without a URL.
    urls: [Option<Url>; 3],
    encoding: Encoding,
    compression: Compression,
    headers: HeaderMap,
    auth: Option<Arc<dyn ClientAuthenticator>>,
}

impl OtlpHttpExporter {
    /// Builds the exporter without authenticators: a config with `auth:` is refused (use
    /// [`with_auth`](Self::with_auth)).
    pub fn new(id: &str, config: &OtlpHttpExporterConfig) -> Result<Self, BuildError> {
        Self::with_auth(id, config, &NoAuthenticators)
    }

    /// Builds the exporter, taking `auth:` from `authenticators`: URLs and headers are checked
    /// and certificates read now; nothing is connected until the first export.
    pub fn with_auth(
        id: &str,
        config: &OtlpHttpExporterConfig,
        authenticators: &dyn AuthResolver,
    ) -> Result<Self, BuildError> {
        config.check().map_err(|_| BuildError::Missing {
            id: id.to_string(),
            key: "endpoint",
        })?;
        let mut urls: [Option<Url>; 3] = [None, None, None];
        for signal in Signal::ALL {
            if let Some(text) = config.url(signal) {
                let url = parse_url(&text).map_err(|reason| BuildError::Endpoint {
                    id: id.to_string(),
                    endpoint: text.clone(),
                    reason,
                })?;
                urls[signal as usize] = Some(url);
            }
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("ciotel/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .tcp_nodelay(true);
        if let Some(tls) = &config.tls {
            builder = tls.load(id)?.apply_to_reqwest(id, builder)?;
        }
        let client = builder.build().map_err(|e| BuildError::HttpClient {
            id: id.to_string(),
            reason: with_causes(&e),
        })?;
        let auth = match &config.auth {
            Some(reference) => Some(authenticators.client(&reference.authenticator).map_err(
                |reason| BuildError::Auth {
                    id: id.to_string(),
                    reason,
                },
            )?),
            None => None,
        };
        if auth.is_some() {
            for url in urls.iter().flatten() {
                let host = url.host_str().unwrap_or_default();
                settings::warn_if_credentials_in_clear(id, host, url.scheme() == "https");
            }
        }
        Ok(OtlpHttpExporter {
            id: id.to_string(),
            client,
            urls,
            encoding: config.encoding,
            compression: config.compression,
            headers: settings::header_map(id, &config.headers)?,
            auth,
        })
    }

    async fn send(&self, signal: Signal, url: &Url, batch: &Batch) -> Result<(), ExportError> {
        let body = match self.encoding {
            Encoding::Proto => proto_body(batch),
            Encoding::Json => json_body(batch),
        };
        let mut headers = self.headers.clone();
        if let Some(auth) = &self.auth {
            // Asked on every request, so a rotated token file is used at once.
            auth.apply(&mut headers).map_err(auth_failure)?;
        }
        let mut request = self
            .client
            .post(url.clone())
            .headers(headers)
            .header(CONTENT_TYPE, self.encoding.content_type());
        let body = match self.compression {
            Compression::None => body,
            Compression::Gzip => {
                request = request.header(CONTENT_ENCODING, "gzip");
                settings::gzip(&body)
                    .map_err(|e| ExportError::Permanent(format!("cannot gzip the body: {e}")))?
            }
        };
        let mut response = request
            .body(body)
            .send()
            .await
            .map_err(|e| transport_failure(e, url.as_str()))?;
        let status = response.status();
        let json = match response.headers().get(CONTENT_TYPE) {
            Some(value) => is_json(value),
            None => self.encoding == Encoding::Json,
        };
        let body = read_capped(&mut response).await;
        if status.is_success() {
            match body
                .map_err(|e| with_causes(&e))
                .and_then(|b| partial_success::from_http_body(signal, &b, json))
            {
                Ok(partial) => partial_success::report(&self.id, url.as_str(), signal, partial),
                Err(e) => tracing::debug!(exporter = %self.id, "unreadable success response: {e}"),
            }
            return Ok(());
        }
        let detail = body
            .ok()
            .map(|b| error_detail(&b, json, response.headers()));
        let reason = match detail {
            Some(detail) if !detail.is_empty() => format!("HTTP {status}: {detail}"),
            _ => format!("HTTP {status}"),
        };
        Err(classify::http(
            status,
            response.headers(),
            reason,
            SystemTime::now(),
        ))
    }
}

impl Exporter for OtlpHttpExporter {
    fn export<'a>(&'a self, batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        Box::pin(async move {
            let signal = batch.signal();
            let Some(url) = &self.urls[signal as usize] else {
                return Err(ExportError::Permanent(format!(
                    "exporter {} has no URL for {signal}: set `endpoint` or `{signal}_endpoint`",
                    self.id
                )));
            };
            self.send(signal, url, batch)
                .await
                .map_err(|e| at(url.as_str(), e))
        })
    }
}

/// A request that got no HTTP answer: a connection failure or timeout is worth retrying; a
/// request reqwest could not even build never will be.
fn transport_failure(error: reqwest::Error, url: &str) -> ExportError {
    let (builder, timeout) = (error.is_builder(), error.is_timeout());
    let reason = explain_tls(with_causes(&error.without_url()), url);
    if builder {
        ExportError::Permanent(reason)
    } else if timeout {
        ExportError::Retryable(format!("timed out: {reason}"))
    } else {
        ExportError::Retryable(reason)
    }
}

fn is_json(content_type: &HeaderValue) -> bool {
    content_type.to_str().is_ok_and(|t| {
        t.trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
    })
}

/// Reads the body, at most [`MAX_RESPONSE_BODY`] bytes of it.
async fn read_capped(response: &mut reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_RESPONSE_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == MAX_RESPONSE_BODY {
            break;
        }
    }
    Ok(body)
}

/// What an error body says: the `google.rpc.Status` message the spec asks servers to send, or
/// the start of whatever text a proxy sent instead.
fn error_detail(body: &[u8], json: bool, headers: &HeaderMap) -> String {
    let protobuf = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-protobuf")
        });
    let status = if json {
        RpcStatus::decode_json(body)
    } else if protobuf {
        RpcStatus::decode_proto(body)
    } else {
        None
    };
    match status {
        Some(status) => status.message,
        None => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            match text.char_indices().nth(200) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::request::tests::{logs, metrics, traces};
    use crate::json;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::response::{IntoResponse, Response};
    use http::{StatusCode, Uri};
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
    use opentelemetry_proto::tonic::collector::trace::v1::{
        ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
    };
    use prost::Message;
    use std::collections::VecDeque;
    use std::io::Read;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    /// One request the fake backend received.
    struct Received {
        path: String,
        headers: HeaderMap,
        body: Vec<u8>,
    }

    impl Received {
        /// The body as sent, un-gzipped when it says so.
        fn plain_body(&self) -> Vec<u8> {
            if self
                .headers
                .get(CONTENT_ENCODING)
                .is_some_and(|v| v == "gzip")
            {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&self.body[..])
                    .read_to_end(&mut out)
                    .unwrap();
                out
            } else {
                self.body.clone()
            }
        }
    }

    /// What the fake backend answers to the next request.
    enum Reply {
        Answer {
            status: u16,
            headers: Vec<(&'static str, &'static str)>,
            body: Vec<u8>,
        },
        Hang,
    }

    fn reply(status: u16, headers: Vec<(&'static str, &'static str)>, body: Vec<u8>) -> Reply {
        Reply::Answer {
            status,
            headers,
            body,
        }
    }

    /// An OTLP/HTTP backend on loopback that records requests and answers from a script
    /// (200 with an empty body once the script is used up).
    #[derive(Clone, Default)]
    struct Backend {
        received: Arc<Mutex<Vec<Received>>>,
        script: Arc<Mutex<VecDeque<Reply>>>,
    }

    impl Backend {
        fn answering(replies: impl IntoIterator<Item = Reply>) -> Self {
            let backend = Backend::default();
            backend.script.lock().unwrap().extend(replies);
            backend
        }

        fn received(&self) -> std::sync::MutexGuard<'_, Vec<Received>> {
            self.received.lock().unwrap()
        }

        /// Binds 127.0.0.1:0 first, then serves on it, so the address is ready when returned.
        async fn serve(&self) -> SocketAddr {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let app = axum::Router::new()
                .fallback(handle)
                .with_state(self.clone());
            tokio::spawn(async move { axum::serve(listener, app).await });
            address
        }
    }

    async fn handle(
        State(backend): State<Backend>,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        backend.received().push(Received {
            path: uri.path().to_string(),
            headers,
            body: body.to_vec(),
        });
        let next = backend.script.lock().unwrap().pop_front();
        match next.unwrap_or_else(|| reply(200, vec![], vec![])) {
            Reply::Hang => std::future::pending().await,
            Reply::Answer {
                status,
                headers,
                body,
            } => {
                let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
                for (name, value) in headers {
                    response
                        .headers_mut()
                        .insert(name, HeaderValue::from_static(value));
                }
                response
            }
        }
    }

    fn config(address: SocketAddr) -> OtlpHttpExporterConfig {
        OtlpHttpExporterConfig {
            endpoint: format!("http://{address}"),
            ..Default::default()
        }
    }

    fn kind(result: &Result<(), ExportError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(ExportError::Retryable(_)) => "retryable",
            Err(ExportError::Throttled { .. }) => "throttled",
            Err(ExportError::Permanent(_)) => "permanent",
        }
    }

    #[tokio::test]
    async fn sends_gzipped_protobuf_with_the_headers() {
        let backend = Backend::default();
        let address = backend.serve().await;
        let mut config = config(address);
        config
            .headers
            .insert("X-Tenant".into(), Secret::new("team-a"));
        let exporter = OtlpHttpExporter::new("otlphttp", &config).unwrap();
        exporter.export(&traces(3)).await.unwrap();
        let received = backend.received();
        let request = &received[0];
        assert_eq!(request.path, "/v1/traces");
        assert_eq!(request.headers[CONTENT_TYPE], "application/x-protobuf");
        assert_eq!(request.headers[CONTENT_ENCODING], "gzip");
        assert_eq!(request.headers["x-tenant"], "team-a");
        assert!(
            request.headers["user-agent"]
                .to_str()
                .unwrap()
                .starts_with("ciotel/")
        );
        let decoded = ExportTraceServiceRequest::decode(&request.plain_body()[..]).unwrap();
        assert_eq!(Batch::Traces(decoded.resource_spans), traces(3));
    }

    #[tokio::test]
    async fn sends_json_and_routes_each_signal_to_its_url() {
        let backend = Backend::default();
        let address = backend.serve().await;
        let config = OtlpHttpExporterConfig {
            endpoint: format!("http://{address}/otlp/"),
            logs_endpoint: Some(format!("http://{address}/custom/logs")),
            encoding: Encoding::Json,
            compression: Compression::None,
            ..Default::default()
        };
        let exporter = OtlpHttpExporter::new("otlphttp", &config).unwrap();
        for batch in [traces(2), metrics(3), logs(1)] {
            exporter.export(&batch).await.unwrap();
        }
        let received = backend.received();
        let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/otlp/v1/traces", "/otlp/v1/metrics", "/custom/logs"]
        );
        assert_eq!(received[0].headers[CONTENT_TYPE], "application/json");
        assert!(received[0].headers.get(CONTENT_ENCODING).is_none());
        let spans = json::decode_traces(&received[0].body).unwrap();
        assert_eq!(Batch::Traces(spans.resource_spans), traces(2));
        let points: ExportMetricsServiceRequest = json::decode_metrics(&received[1].body).unwrap();
        assert_eq!(Batch::Metrics(points.resource_metrics), metrics(3));
    }

    #[tokio::test]
    async fn gzipped_json_decodes_too() {
        let backend = Backend::default();
        let address = backend.serve().await;
        let config = OtlpHttpExporterConfig {
            encoding: Encoding::Json,
            ..config(address)
        };
        OtlpHttpExporter::new("otlphttp", &config)
            .unwrap()
            .export(&logs(2))
            .await
            .unwrap();
        let received = backend.received();
        let decoded = json::decode_logs(&received[0].plain_body()).unwrap();
        assert_eq!(Batch::Logs(decoded.resource_logs), logs(2));
    }

    #[tokio::test]
    async fn answers_are_classified_per_the_spec() {
        let status = RpcStatus {
            code: 3,
            message: "trace id must be 16 bytes".into(),
            details: vec![],
        };
        let backend = Backend::answering([
            reply(503, vec![("retry-after", "7")], vec![]),
            reply(
                400,
                vec![("content-type", "application/x-protobuf")],
                status.encode_to_vec(),
            ),
            reply(
                400,
                vec![("content-type", "application/json")],
                br#"{"code":3,"message":"bad json"}"#.to_vec(),
            ),
            reply(
                502,
                vec![("content-type", "text/html")],
                b"<html>bad gateway</html>".to_vec(),
            ),
            reply(500, vec![], vec![]),
            reply(429, vec![], vec![]),
            reply(401, vec![], b"no key".to_vec()),
        ]);
        let address = backend.serve().await;
        let exporter = OtlpHttpExporter::new("otlphttp", &config(address)).unwrap();
        let url = format!("http://{address}/v1/traces");
        let batch = traces(1);
        assert_eq!(
            exporter.export(&batch).await,
            Err(ExportError::Throttled {
                after: Duration::from_secs(7),
                reason: format!("{url}: HTTP 503 Service Unavailable"),
            })
        );
        assert_eq!(
            exporter.export(&batch).await,
            Err(ExportError::Permanent(format!(
                "{url}: HTTP 400 Bad Request: trace id must be 16 bytes"
            )))
        );
        assert_eq!(
            exporter.export(&batch).await,
            Err(ExportError::Permanent(format!(
                "{url}: HTTP 400 Bad Request: bad json"
            )))
        );
        assert_eq!(
            exporter.export(&batch).await,
            Err(ExportError::Retryable(format!(
                "{url}: HTTP 502 Bad Gateway: <html>bad gateway</html>"
            )))
        );
        assert_eq!(kind(&exporter.export(&batch).await), "permanent");
        assert_eq!(kind(&exporter.export(&batch).await), "retryable");
        assert_eq!(
            exporter.export(&batch).await,
            Err(ExportError::Permanent(format!(
                "{url}: HTTP 401 Unauthorized: no key"
            )))
        );
        assert_eq!(kind(&exporter.export(&batch).await), "ok");
    }

    #[tokio::test]
    async fn a_partial_success_is_not_an_error() {
        let response = ExportTraceServiceResponse {
            partial_success: Some(ExportTracePartialSuccess {
                rejected_spans: 1,
                error_message: "span too old".into(),
            }),
        };
        let backend = Backend::answering([
            reply(
                200,
                vec![("content-type", "application/x-protobuf")],
                response.encode_to_vec(),
            ),
            reply(
                200,
                vec![("content-type", "application/json")],
                br#"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span too old"}}"#
                    .to_vec(),
            ),
            reply(
                200,
                vec![("content-type", "application/x-protobuf")],
                b"\xff\xff".to_vec(),
            ),
        ]);
        let address = backend.serve().await;
        let exporter = OtlpHttpExporter::new("otlphttp", &config(address)).unwrap();
        for _ in 0..3 {
            assert_eq!(exporter.export(&traces(2)).await, Ok(()));
        }
        assert_eq!(backend.received().len(), 3);
    }

    #[tokio::test]
    async fn no_backend_is_retryable() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let config = OtlpHttpExporterConfig {
            endpoint: format!("http://127.0.0.1:{port}"),
            ..Default::default()
        };
        let exporter = OtlpHttpExporter::new("otlphttp", &config).unwrap();
        match exporter.export(&traces(1)).await {
            Err(ExportError::Retryable(reason)) => {
                assert!(
                    reason.starts_with(&format!("http://127.0.0.1:{port}/v1/traces: ")),
                    "{reason}"
                );
            }
            other => panic!("expected retryable, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_backend_that_never_answers_times_out_retryably() {
        let backend = Backend::answering([Reply::Hang]);
        let address = backend.serve().await;
        let config = OtlpHttpExporterConfig {
            timeout: Duration::from_millis(200),
            ..config(address)
        };
        let exporter = OtlpHttpExporter::new("otlphttp", &config).unwrap();
        match exporter.export(&traces(1)).await {
            Err(ExportError::Retryable(reason)) => {
                assert!(reason.contains("timed out"), "{reason}")
            }
            other => panic!("expected retryable, got {other:?}"),
        }
    }

    #[test]
    fn urls_are_composed_like_the_collectors() {
        let config = OtlpHttpExporterConfig {
            endpoint: "https://otlp.example.com:4318".into(),
            metrics_endpoint: Some("https://m.example.com/api/otlp".into()),
            ..Default::default()
        };
        assert_eq!(
            config.url(Signal::Traces).unwrap(),
            "https://otlp.example.com:4318/v1/traces"
        );
        assert_eq!(
            config.url(Signal::Metrics).unwrap(),
            "https://m.example.com/api/otlp"
        );
        let slash = OtlpHttpExporterConfig {
            endpoint: "http://h/base/".into(),
            ..Default::default()
        };
        assert_eq!(slash.url(Signal::Logs).unwrap(), "http://h/base/v1/logs");
        let traces_only = OtlpHttpExporterConfig {
            traces_endpoint: Some("http://h/t".into()),
            ..Default::default()
        };
        assert!(traces_only.supports(Signal::Traces));
        assert!(!traces_only.supports(Signal::Logs));
    }

    #[tokio::test]
    async fn a_signal_without_url_is_refused_permanently() {
        let config = OtlpHttpExporterConfig {
            traces_endpoint: Some("http://127.0.0.1:9/t".into()),
            ..Default::default()
        };
        let exporter = OtlpHttpExporter::new("otlphttp", &config).unwrap();
        assert_eq!(kind(&exporter.export(&logs(1)).await), "permanent");
    }

    #[test]
    fn building_needs_no_runtime_and_no_backend() {
        let config = OtlpHttpExporterConfig {
            endpoint: "https://otlp.invalid".into(),
            ..Default::default()
        };
        assert!(OtlpHttpExporter::new("otlphttp", &config).is_ok());
        let e = OtlpHttpExporter::new("otlphttp/x", &OtlpHttpExporterConfig::default())
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "exporter otlphttp/x: `endpoint` must be set");
    }

    /// Parses `yaml` nested under `otlphttp:` as in a config file (its first line is line 2).
    fn parse(yaml: &str) -> Result<OtlpHttpExporterConfig, String> {
        let nested = format!(
            "otlphttp:\n{}",
            yaml.lines().map(|l| format!("  {l}\n")).collect::<String>()
        );
        let mut map: BTreeMap<String, OtlpHttpExporterConfig> =
            yaml_serde::from_str(&nested).map_err(|e| e.to_string())?;
        map.remove("otlphttp")
            .ok_or_else(|| "no otlphttp".to_string())
    }

    #[test]
    fn config_has_the_collectors_defaults_and_reads_every_key() {
        let config = parse("endpoint: http://collector:4318").unwrap();
        assert_eq!(
            config,
            OtlpHttpExporterConfig {
                endpoint: "http://collector:4318".into(),
                ..Default::default()
            }
        );
        assert_eq!(
            (config.encoding, config.compression),
            (Encoding::Proto, Compression::Gzip)
        );
        assert_eq!(config.timeout, Duration::from_secs(5));
        let config = parse(
            "traces_endpoint: https://t.example.com/v1/traces\n\
             encoding: json\n\
             compression: none\n\
             timeout: 250ms\n\
             headers:\n  authorization: Bearer x\n\
             tls:\n  insecure_skip_verify: true\n\
             retry_on_failure:\n  enabled: false\n\
             sending_queue:\n  num_consumers: 2\n",
        )
        .unwrap();
        assert_eq!(config.encoding, Encoding::Json);
        assert_eq!(config.timeout, Duration::from_millis(250));
        assert!(config.tls.unwrap().insecure_skip_verify);
        assert!(!config.retry_on_failure.enabled);
        assert_eq!(config.sending_queue.num_consumers, 2);
    }

    #[test]
    fn config_errors_name_the_key_and_line() {
        let cases = [
            (
                "endpoint: http://a\nencoding: protobuf\n",
                "otlphttp.encoding: unknown variant `protobuf`",
                3,
            ),
            (
                "endpoint: http://a\nmax_idle_conns: 3\n",
                "unknown field `max_idle_conns`",
                3,
            ),
            (
                "endpoint: localhost:4318\n",
                "the scheme must be http or https",
                2,
            ),
            ("endpoint: \"http://\"\n", "invalid URL", 2),
            (
                "endpoint: http://a\nlogs_endpoint: ftp://b\n",
                "otlphttp.logs_endpoint: invalid URL `ftp://b`",
                3,
            ),
            ("encoding: json\n", "set `endpoint`", 2),
            (
                "endpoint: http://a\ntimeout: soon\n",
                "otlphttp.timeout: invalid duration `soon`",
                3,
            ),
        ];
        for (yaml, message, line) in cases {
            let e = parse(yaml).unwrap_err();
            assert!(e.contains(message), "{yaml:?}: {e}");
            assert!(e.contains(&format!("line {line}")), "{yaml:?}: {e}");
        }
        let e = yaml_serde::from_str::<BTreeMap<String, OtlpHttpExporterConfig>>(
            "otlphttp/a:\n  endpoint: http://a\notlphttp/b:\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("otlphttp/b: set `endpoint`") && e.contains("line 3"),
            "{e}"
        );
    }
}
