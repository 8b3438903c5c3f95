//! `otlp` exporter: OTLP over gRPC to a Collector, Tempo, Jaeger or any OTLP backend — gzip,
//! headers as metadata, TLS, 64 MiB messages, and failures classified per the OTLP spec.

use super::error::{at, auth_failure, explain_tls, with_causes};
use super::partial_success::{self, ExportResponse, PartialSuccess};
use super::settings::{self, Compression};
use super::tls::{self, TlsConfig};
use super::{BuildError, classify};
use ciotel_core::Batch;
use ciotel_core::auth::{AuthReference, AuthResolver, ClientAuthenticator, NoAuthenticators};
use ciotel_core::config::ComponentInfo;
use ciotel_core::config::auth_refs::AuthUse;
use ciotel_core::config::checked::checked_str;
use ciotel_core::exporters::queue::QueueConfig;
use ciotel_core::exporters::retry::RetryConfig;
use ciotel_core::exporters::{BoxFuture, ExportError, Exporter};
use ciotel_core::webhook::Secret;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tonic::codec::CompressionEncoding;
use tonic::metadata::MetadataMap;
use tonic::transport::{Channel, Endpoint};

/// Largest message sent or accepted: the OTLP limit, where tonic's default is 4 MiB.
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;

/// Config of the `otlp` exporter, with the Collector's keys and defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtlpGrpcExporterConfig {
    /// `host:port`, or `http://host:port` / `https://host:port`. As in the Collector, a bare
    /// `host:port` uses TLS unless `tls.insecure: true`; the scheme, when given, decides.
    #[serde(deserialize_with = "endpoint")]
    pub endpoint: String,
    /// Sent as gRPC metadata with every export (e.g. an API key).
    #[serde(default, deserialize_with = "settings::headers")]
    pub headers: BTreeMap<String, Secret>,
    /// Request compression (default gzip).
    #[serde(default)]
    pub compression: Compression,
    /// Deadline of one export, sent as `grpc-timeout` too (default 5s).
    #[serde(
        default = "settings::default_timeout",
        deserialize_with = "settings::timeout"
    )]
    pub timeout: Duration,
    /// TLS settings; absent means TLS with the system's roots for a bare `host:port`.
    #[serde(default, deserialize_with = "tls::tls")]
    pub tls: Option<TlsConfig>,
    /// Retries with backoff (applied by the sending queue in front of the exporter).
    #[serde(default, deserialize_with = "settings::retry")]
    pub retry_on_failure: RetryConfig,
    /// The bounded queue in front of the exporter.
    #[serde(default, deserialize_with = "settings::queue")]
    pub sending_queue: QueueConfig,
    /// An authenticator extension that adds a credential to every export's metadata.
    #[serde(default)]
    pub auth: Option<AuthReference>,
}

impl Default for OtlpGrpcExporterConfig {
    /// Defaults of every key; `endpoint` is empty and must be set before building.
    fn default() -> Self {
        OtlpGrpcExporterConfig {
            endpoint: String::new(),
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

/// The gRPC exporter handles every signal.
impl ComponentInfo for OtlpGrpcExporterConfig {
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

/// An endpoint split into its scheme's TLS choice (`None`: no scheme) and `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    tls_by_scheme: Option<bool>,
    authority: String,
}

fn parse_target(text: &str) -> Result<Target, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty; write host:port, e.g. `tempo:4317`".into());
    }
    let (tls_by_scheme, rest) = if let Some(rest) = text.strip_prefix("https://") {
        (Some(true), rest)
    } else if let Some(rest) = text.strip_prefix("http://") {
        (Some(false), rest)
    } else if let Some((scheme, _)) = text.split_once("://") {
        return Err(format!(
            "scheme `{scheme}` is not supported; use host:port, http:// or https://"
        ));
    } else {
        (None, text)
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('@') {
        return Err(
            "credentials in the endpoint (`user:password@`) are not sent over gRPC; put them in \
             `headers` (e.g. `authorization`)"
                .into(),
        );
    }
    if rest.contains('/') {
        return Err("a gRPC endpoint has no path; write host:port".into());
    }
    let authority: http::uri::Authority = rest
        .parse()
        .map_err(|_| "expected host:port, e.g. `tempo:4317`".to_string())?;
    if authority.host().is_empty() {
        return Err("the host is missing".into());
    }
    if tls_by_scheme.is_none() && authority.port_u16().is_none() {
        return Err("the port is missing; write host:port, e.g. `tempo:4317`".into());
    }
    Ok(Target {
        tls_by_scheme,
        authority: authority.to_string(),
    })
}

fn endpoint<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked_str(d, "a gRPC endpoint such as `tempo:4317`", |text| {
        parse_target(text).map(|_| text.to_string()).map_err(|e| {
            if text.contains('@') {
                format!("invalid endpoint: {e}")
            } else {
                format!("invalid endpoint `{text}`: {e}")
            }
        })
    })
}

/// The `otlp` exporter: one lazily connected gRPC channel shared by the three signals' clients.
pub struct OtlpGrpcExporter {
    id: String,
    /// The URI dialled, for messages.
    uri: String,
    endpoint: Endpoint,
    channel: OnceLock<Channel>,
    metadata: MetadataMap,
    compression: Compression,
    timeout: Duration,
    auth: Option<Arc<dyn ClientAuthenticator>>,
}

impl OtlpGrpcExporter {
    /// Builds the exporter without authenticators: a config with `auth:` is refused (use
    /// [`with_auth`](Self::with_auth)).
    pub fn new(id: &str, config: &OtlpGrpcExporterConfig) -> Result<Self, BuildError> {
        Self::with_auth(id, config, &NoAuthenticators)
    }

    /// Builds the exporter, taking `auth:` from `authenticators`. Certificates are read now;
    /// the backend is dialled on the first export (and redialled by the channel as needed), so
    /// it need not be up yet.
    pub fn with_auth(
        id: &str,
        config: &OtlpGrpcExporterConfig,
        authenticators: &dyn AuthResolver,
    ) -> Result<Self, BuildError> {
        let target = parse_target(&config.endpoint).map_err(|reason| {
            if config.endpoint.trim().is_empty() {
                BuildError::Missing {
                    id: id.to_string(),
                    key: "endpoint",
                }
            } else {
                BuildError::Endpoint {
                    id: id.to_string(),
                    endpoint: config.endpoint.clone(),
                    reason,
                }
            }
        })?;
        let use_tls = target
            .tls_by_scheme
            .unwrap_or_else(|| !config.tls.as_ref().is_some_and(|t| t.insecure));
        let uri = format!(
            "{}://{}",
            if use_tls { "https" } else { "http" },
            target.authority
        );
        let endpoint_error = |e: tonic::transport::Error| BuildError::Endpoint {
            id: id.to_string(),
            endpoint: config.endpoint.clone(),
            reason: with_causes(&e),
        };
        let mut endpoint = Endpoint::from_shared(uri.clone())
            .map_err(endpoint_error)?
            .user_agent(concat!("ciotel/", env!("CARGO_PKG_VERSION")))
            .map_err(endpoint_error)?
            .connect_timeout(config.timeout)
            .tcp_nodelay(true);
        if use_tls {
            let material = config.tls.clone().unwrap_or_default().load(id)?;
            endpoint = material.apply_to_endpoint(id, endpoint)?;
        }
        let headers = settings::header_map(id, &config.headers)?;
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
            let host = target
                .authority
                .rsplit_once(':')
                .map_or(target.authority.as_str(), |(h, _)| h);
            settings::warn_if_credentials_in_clear(id, host, use_tls);
        }
        Ok(OtlpGrpcExporter {
            id: id.to_string(),
            uri,
            endpoint,
            channel: OnceLock::new(),
            metadata: MetadataMap::from_headers(headers),
            compression: config.compression,
            timeout: config.timeout,
            auth,
        })
    }

    /// The channel, created on first use: creating it needs a tokio runtime, building the
    /// exporter does not.
    fn channel(&self) -> Channel {
        self.channel
            .get_or_init(|| self.endpoint.connect_lazy())
            .clone()
    }

    /// The metadata of one export: the configured headers and, with `auth:`, the credential
    /// (asked for on every export, so a rotated token file is used at once).
    fn metadata(&self) -> Result<MetadataMap, ExportError> {
        let Some(auth) = &self.auth else {
            return Ok(self.metadata.clone());
        };
        let mut headers = self.metadata.clone().into_headers();
        auth.apply(&mut headers).map_err(auth_failure)?;
        Ok(MetadataMap::from_headers(headers))
    }

    fn request<T>(&self, message: T, metadata: &MetadataMap) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        *request.metadata_mut() = metadata.clone();
        request.set_timeout(self.timeout);
        request
    }

    async fn call(
        &self,
        batch: &Batch,
        metadata: &MetadataMap,
    ) -> Result<Option<PartialSuccess>, tonic::Status> {
        macro_rules! client {
            ($client:ident) => {{
                let client = $client::new(self.channel())
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .max_encoding_message_size(MAX_MESSAGE_SIZE)
                    .accept_compressed(CompressionEncoding::Gzip);
                match self.compression {
                    Compression::Gzip => client.send_compressed(CompressionEncoding::Gzip),
                    Compression::None => client,
                }
            }};
        }
        Ok(match batch {
            Batch::Traces(groups) => {
                let request = ExportTraceServiceRequest {
                    resource_spans: groups.clone(),
                };
                let response = client!(TraceServiceClient)
                    .export(self.request(request, metadata))
                    .await?;
                response.get_ref().partial_success()
            }
            Batch::Metrics(groups) => {
                let request = ExportMetricsServiceRequest {
                    resource_metrics: groups.clone(),
                };
                let response = client!(MetricsServiceClient)
                    .export(self.request(request, metadata))
                    .await?;
                response.get_ref().partial_success()
            }
            Batch::Logs(groups) => {
                let request = ExportLogsServiceRequest {
                    resource_logs: groups.clone(),
                };
                let response = client!(LogsServiceClient)
                    .export(self.request(request, metadata))
                    .await?;
                response.get_ref().partial_success()
            }
        })
    }
}

/// Classifies a failed call. A status the server sent goes through the spec's table as is. A
/// status tonic made from a local failure (connection refused or reset, TLS handshake, HTTP/2
/// error) carries that failure as its source; tonic calls some of those UNKNOWN, grpc-go (and so
/// the Collector) calls them UNAVAILABLE: a connection problem, worth retrying.
fn failure(status: &tonic::Status, target: &str) -> ExportError {
    use std::error::Error;
    match status.source() {
        Some(cause) => {
            let code = match status.code() {
                tonic::Code::Unknown => tonic::Code::Unavailable,
                code => code,
            };
            let reason = explain_tls(with_causes(cause), target);
            classify::grpc(code, &reason, status.details())
        }
        None => classify::grpc_status(status),
    }
}

impl Exporter for OtlpGrpcExporter {
    fn export<'a>(&'a self, batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        Box::pin(async move {
            let metadata = self.metadata().map_err(|e| at(&self.uri, e))?;
            let call = self.call(batch, &metadata);
            let partial = match tokio::time::timeout(self.timeout, call).await {
                Err(_) => {
                    return Err(ExportError::Retryable(format!(
                        "{}: no answer within the {:?} timeout",
                        self.uri, self.timeout
                    )));
                }
                Ok(Err(status)) => return Err(at(&self.uri, failure(&status, &self.uri))),
                Ok(Ok(partial)) => partial,
            };
            partial_success::report(&self.id, &self.uri, batch.signal(), partial);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::request::tests::{logs, metrics, traces};
    use crate::exporters::tls::testdata::path;
    use crate::rpc_status::RpcStatus;
    use ciotel_core::Signal;
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse;
    use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
        LogsService, LogsServiceServer,
    };
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
    use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
        MetricsService, MetricsServiceServer,
    };
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
        TraceService, TraceServiceServer,
    };
    use opentelemetry_proto::tonic::collector::trace::v1::{
        ExportTracePartialSuccess, ExportTraceServiceResponse,
    };
    use prost::Message;
    use std::collections::VecDeque;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use tokio::net::TcpListener;
    use tonic::transport::server::TcpIncoming;
    use tonic::transport::{Identity, Server, ServerTlsConfig};
    use tonic::{Code, Request, Response, Status};

    /// What the fake backend answers to the next export.
    enum Answer {
        Ok,
        Partial(i64, &'static str),
        Fail(Status),
        Hang,
    }

    /// One export the fake backend received.
    struct Received {
        batch: Batch,
        metadata: MetadataMap,
    }

    /// An OTLP gRPC backend on loopback that records exports and answers from a script
    /// (success once the script is used up).
    #[derive(Clone, Default)]
    struct Backend {
        received: Arc<Mutex<Vec<Received>>>,
        script: Arc<Mutex<VecDeque<Answer>>>,
    }

    impl Backend {
        fn answering(answers: impl IntoIterator<Item = Answer>) -> Self {
            let backend = Backend::default();
            backend.script.lock().unwrap().extend(answers);
            backend
        }

        async fn take(
            &self,
            batch: Batch,
            metadata: MetadataMap,
        ) -> Result<Option<(i64, String)>, Status> {
            self.received
                .lock()
                .unwrap()
                .push(Received { batch, metadata });
            let answer = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Answer::Ok);
            match answer {
                Answer::Ok => Ok(None),
                Answer::Partial(n, message) => Ok(Some((n, message.to_string()))),
                Answer::Fail(status) => Err(status),
                Answer::Hang => std::future::pending().await,
            }
        }

        fn received(&self) -> std::sync::MutexGuard<'_, Vec<Received>> {
            self.received.lock().unwrap()
        }
    }

    #[tonic::async_trait]
    impl TraceService for Backend {
        async fn export(
            &self,
            request: Request<ExportTraceServiceRequest>,
        ) -> Result<Response<ExportTraceServiceResponse>, Status> {
            let metadata = request.metadata().clone();
            let batch = Batch::Traces(request.into_inner().resource_spans);
            let partial = self.take(batch, metadata).await?;
            Ok(Response::new(ExportTraceServiceResponse {
                partial_success: partial.map(|(n, m)| ExportTracePartialSuccess {
                    rejected_spans: n,
                    error_message: m,
                }),
            }))
        }
    }

    #[tonic::async_trait]
    impl MetricsService for Backend {
        async fn export(
            &self,
            request: Request<ExportMetricsServiceRequest>,
        ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
            let metadata = request.metadata().clone();
            let batch = Batch::Metrics(request.into_inner().resource_metrics);
            self.take(batch, metadata).await?;
            Ok(Response::new(ExportMetricsServiceResponse::default()))
        }
    }

    #[tonic::async_trait]
    impl LogsService for Backend {
        async fn export(
            &self,
            request: Request<ExportLogsServiceRequest>,
        ) -> Result<Response<ExportLogsServiceResponse>, Status> {
            let metadata = request.metadata().clone();
            let batch = Batch::Logs(request.into_inner().resource_logs);
            self.take(batch, metadata).await?;
            Ok(Response::new(ExportLogsServiceResponse::default()))
        }
    }

    /// Binds 127.0.0.1:0 first, then serves on it, so the address is ready when returned.
    async fn serve(backend: &Backend, tls: Option<ServerTlsConfig>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut server = Server::builder();
        if let Some(tls) = tls {
            server = server.tls_config(tls).unwrap();
        }
        let router = server
            .add_service(
                TraceServiceServer::new(backend.clone())
                    .accept_compressed(CompressionEncoding::Gzip)
                    .max_decoding_message_size(MAX_MESSAGE_SIZE),
            )
            .add_service(
                MetricsServiceServer::new(backend.clone())
                    .accept_compressed(CompressionEncoding::Gzip),
            )
            .add_service(
                LogsServiceServer::new(backend.clone())
                    .accept_compressed(CompressionEncoding::Gzip),
            );
        tokio::spawn(router.serve_with_incoming(TcpIncoming::from(listener)));
        address
    }

    /// A plaintext config (the test backends speak no TLS).
    fn config(endpoint: impl Into<String>) -> OtlpGrpcExporterConfig {
        OtlpGrpcExporterConfig {
            endpoint: endpoint.into(),
            tls: Some(TlsConfig {
                insecure: true,
                ..TlsConfig::default()
            }),
            ..Default::default()
        }
    }

    fn kind(result: Result<(), ExportError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(ExportError::Retryable(_)) => "retryable",
            Err(ExportError::Throttled { .. }) => "throttled",
            Err(ExportError::Permanent(_)) => "permanent",
        }
    }

    #[tokio::test]
    async fn each_signal_goes_to_its_service_gzipped_with_the_headers() {
        let backend = Backend::default();
        let address = serve(&backend, None).await;
        let mut config = config(address.to_string());
        config
            .headers
            .insert("X-Tenant".into(), Secret::new("team-a"));
        let exporter = OtlpGrpcExporter::new("otlp", &config).unwrap();
        for batch in [traces(3), metrics(2), logs(4)] {
            exporter.export(&batch).await.unwrap();
        }
        let received = backend.received();
        let got: Vec<(Signal, usize)> = received
            .iter()
            .map(|r| (r.batch.signal(), r.batch.item_count()))
            .collect();
        assert_eq!(
            got,
            vec![(Signal::Traces, 3), (Signal::Metrics, 2), (Signal::Logs, 4)]
        );
        assert_eq!(received[0].batch, traces(3));
        let metadata = &received[0].metadata;
        assert_eq!(metadata.get("x-tenant").unwrap(), "team-a");
        assert_eq!(metadata.get("grpc-encoding").unwrap(), "gzip");
        assert!(metadata.get("grpc-timeout").is_some());
        let agent = metadata.get("user-agent").unwrap().to_str().unwrap();
        assert!(agent.starts_with("ciotel/"), "{agent}");
    }

    #[tokio::test]
    async fn compression_none_sends_plain_messages() {
        let backend = Backend::default();
        let address = serve(&backend, None).await;
        let config = OtlpGrpcExporterConfig {
            compression: Compression::None,
            ..config(format!("http://{address}"))
        };
        OtlpGrpcExporter::new("otlp", &config)
            .unwrap()
            .export(&traces(1))
            .await
            .unwrap();
        assert!(
            backend.received()[0]
                .metadata
                .get("grpc-encoding")
                .is_none()
        );
    }

    #[tokio::test]
    async fn statuses_are_classified_per_the_spec() {
        let retry_info = RpcStatus::with_retry_delay(8, "slow down", Duration::from_secs(2));
        let backend = Backend::answering([
            Answer::Fail(Status::unavailable("restarting")),
            Answer::Fail(Status::invalid_argument("bad span")),
            Answer::Fail(Status::resource_exhausted("too big")),
            Answer::Fail(Status::with_details(
                Code::ResourceExhausted,
                "slow down",
                retry_info.encode_to_vec().into(),
            )),
            Answer::Fail(Status::internal("bug")),
            Answer::Fail(Status::deadline_exceeded("slow")),
        ]);
        let address = serve(&backend, None).await;
        let exporter = OtlpGrpcExporter::new("otlp", &config(address.to_string())).unwrap();
        let batch = traces(1);
        let first = exporter.export(&batch).await.unwrap_err();
        assert_eq!(
            first,
            ExportError::Retryable(format!("http://{address}: gRPC UNAVAILABLE: restarting"))
        );
        assert_eq!(kind(exporter.export(&batch).await), "permanent");
        assert_eq!(kind(exporter.export(&batch).await), "permanent");
        match exporter.export(&batch).await {
            Err(ExportError::Throttled { after, reason }) => {
                assert_eq!(after, Duration::from_secs(2));
                assert!(
                    reason.ends_with("gRPC RESOURCE_EXHAUSTED: slow down"),
                    "{reason}"
                );
            }
            other => panic!("expected throttled, got {other:?}"),
        }
        assert_eq!(kind(exporter.export(&batch).await), "permanent");
        assert_eq!(kind(exporter.export(&batch).await), "retryable");
        assert_eq!(kind(exporter.export(&batch).await), "ok");
    }

    #[tokio::test]
    async fn a_partial_success_is_not_an_error() {
        let backend = Backend::answering([Answer::Partial(2, "spans too old")]);
        let address = serve(&backend, None).await;
        let exporter = OtlpGrpcExporter::new("otlp", &config(address.to_string())).unwrap();
        assert_eq!(exporter.export(&traces(5)).await, Ok(()));
        assert_eq!(backend.received().len(), 1);
    }

    #[tokio::test]
    async fn messages_past_tonics_4_mib_default_are_sent() {
        let backend = Backend::default();
        let address = serve(&backend, None).await;
        let config = OtlpGrpcExporterConfig {
            compression: Compression::None,
            ..config(address.to_string())
        };
        let exporter = OtlpGrpcExporter::new("otlp", &config).unwrap();
        let Batch::Traces(mut groups) = traces(1) else {
            unreachable!()
        };
        groups[0].scope_spans[0].spans[0].name = "x".repeat(5 * 1024 * 1024);
        exporter.export(&Batch::Traces(groups)).await.unwrap();
        assert_eq!(backend.received().len(), 1);
    }

    #[tokio::test]
    async fn no_backend_is_retryable_and_names_the_endpoint() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let exporter = OtlpGrpcExporter::new("otlp", &config(format!("127.0.0.1:{port}"))).unwrap();
        match exporter.export(&traces(1)).await {
            Err(ExportError::Retryable(reason)) => {
                assert!(
                    reason.starts_with(&format!("http://127.0.0.1:{port}: gRPC UNAVAILABLE")),
                    "{reason}"
                );
            }
            other => panic!("expected retryable, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_backend_that_never_answers_times_out_retryably() {
        let backend = Backend::answering([Answer::Hang]);
        let address = serve(&backend, None).await;
        let config = OtlpGrpcExporterConfig {
            timeout: Duration::from_millis(200),
            ..config(address.to_string())
        };
        let exporter = OtlpGrpcExporter::new("otlp", &config).unwrap();
        assert_eq!(kind(exporter.export(&traces(1)).await), "retryable");
    }

    fn server_tls(require_client_cert: bool) -> ServerTlsConfig {
        let read = |name| std::fs::read(path(name)).unwrap();
        let tls = ServerTlsConfig::new().identity(Identity::from_pem(
            read("server.pem"),
            read("server-key.pem"),
        ));
        if require_client_cert {
            tls.client_ca_root(tonic::transport::Certificate::from_pem(read("ca.pem")))
        } else {
            tls
        }
    }

    #[tokio::test]
    async fn tls_trusts_the_ca_file_and_presents_the_client_certificate() {
        let backend = Backend::default();
        let address = serve(&backend, Some(server_tls(true))).await;
        let mut config = config(address.to_string());
        config.tls = Some(TlsConfig {
            ca_file: Some(path("ca.pem")),
            cert_file: Some(path("client.pem")),
            key_file: Some(path("client-key.pem")),
            ..Default::default()
        });
        let exporter = OtlpGrpcExporter::new("otlp", &config).unwrap();
        assert_eq!(exporter.export(&traces(1)).await, Ok(()));

        // Without the client certificate the server refuses the handshake.
        config.tls = Some(TlsConfig {
            ca_file: Some(path("ca.pem")),
            ..Default::default()
        });
        let exporter = OtlpGrpcExporter::new("otlp", &config).unwrap();
        assert_eq!(kind(exporter.export(&traces(1)).await), "retryable");
        assert_eq!(backend.received().len(), 1);
    }

    #[tokio::test]
    async fn tls_verifies_the_server_unless_told_not_to() {
        let backend = Backend::default();
        let address = serve(&backend, Some(server_tls(false))).await;
        // Built-in roots do not know the test CA.
        let exporter =
            OtlpGrpcExporter::new("otlp", &config(format!("https://{address}"))).unwrap();
        match exporter.export(&traces(1)).await {
            Err(ExportError::Retryable(reason)) => {
                assert!(reason.contains("certificate"), "{reason}")
            }
            other => panic!("expected a retryable certificate error, got {other:?}"),
        }
        let mut skip = config(address.to_string());
        skip.tls = Some(TlsConfig {
            insecure_skip_verify: true,
            ..Default::default()
        });
        let exporter = OtlpGrpcExporter::new("otlp", &skip).unwrap();
        assert_eq!(exporter.export(&traces(1)).await, Ok(()));
        // `insecure: true` means plaintext, which a TLS server does not speak.
        let mut plain = config(address.to_string());
        plain.tls = Some(TlsConfig {
            insecure: true,
            ..Default::default()
        });
        let exporter = OtlpGrpcExporter::new("otlp", &plain).unwrap();
        assert_eq!(kind(exporter.export(&traces(1)).await), "retryable");
        assert_eq!(backend.received().len(), 1);
    }

    #[test]
    fn building_needs_no_runtime_and_no_backend() {
        let default_tls = OtlpGrpcExporterConfig {
            endpoint: "tempo.invalid:4317".into(),
            ..Default::default()
        };
        let exporter = OtlpGrpcExporter::new("otlp", &default_tls).unwrap();
        assert_eq!(exporter.uri, "https://tempo.invalid:4317");
        assert_eq!(
            OtlpGrpcExporter::new("otlp", &config("tempo.invalid:4317"))
                .unwrap()
                .uri,
            "http://tempo.invalid:4317"
        );
        let e = OtlpGrpcExporter::new("otlp/x", &OtlpGrpcExporterConfig::default())
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "exporter otlp/x: `endpoint` must be set");
    }

    /// Parses `yaml` as the config of an exporter (nested one level, as in a config file: the
    /// first line of `yaml` is line 2).
    fn parse(yaml: &str) -> Result<OtlpGrpcExporterConfig, String> {
        let nested = format!(
            "otlp:\n{}",
            yaml.lines().map(|l| format!("  {l}\n")).collect::<String>()
        );
        let mut map: BTreeMap<String, OtlpGrpcExporterConfig> =
            yaml_serde::from_str(&nested).map_err(|e| e.to_string())?;
        map.remove("otlp").ok_or_else(|| "no otlp".to_string())
    }

    #[test]
    fn config_has_the_collectors_defaults() {
        let config = parse("endpoint: tempo:4317").unwrap();
        assert_eq!(
            config,
            OtlpGrpcExporterConfig {
                endpoint: "tempo:4317".into(),
                ..Default::default()
            }
        );
        assert_eq!(config.compression, Compression::Gzip);
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.retry_on_failure, RetryConfig::default());
        assert_eq!(config.sending_queue, QueueConfig::default());
        assert_eq!(config.tls, None);
    }

    #[test]
    fn config_reads_every_key() {
        let config = parse(
            "endpoint: https://tempo:4317\n\
             headers:\n  x-api-key: k\n\
             compression: none\n\
             timeout: 2s\n\
             tls:\n  ca_file: /etc/ca.pem\n  insecure_skip_verify: false\n\
             retry_on_failure:\n  max_elapsed_time: 1m\n\
             sending_queue:\n  queue_size: 10\n",
        )
        .unwrap();
        assert_eq!(config.headers["x-api-key"].expose(), "k");
        assert_eq!(config.compression, Compression::None);
        assert_eq!(config.timeout, Duration::from_secs(2));
        assert_eq!(
            config.tls.unwrap().ca_file.unwrap(),
            std::path::Path::new("/etc/ca.pem")
        );
        assert_eq!(
            config.retry_on_failure.max_elapsed_time,
            Duration::from_secs(60)
        );
        assert_eq!(config.sending_queue.queue_size, 10);
        assert_eq!(
            parse("endpoint: a:1\ntls:\n").unwrap().tls,
            Some(TlsConfig::default())
        );
    }

    #[test]
    fn config_errors_name_the_key_and_line() {
        let cases = [
            (
                "endpoint: a:1\ncompresion: gzip\n",
                "unknown field `compresion`",
                3,
            ),
            (
                "endpoint: a:1\ncompression: zstd\n",
                "otlp.compression: unknown variant `zstd`",
                3,
            ),
            (
                "endpoint: a:1\ntimeout: 5\n",
                "otlp.timeout: invalid duration `5`",
                3,
            ),
            (
                "endpoint: a:1\ntimeout: 0s\n",
                "timeout must be more than 0",
                3,
            ),
            (
                "endpoint: tempo\n",
                "otlp.endpoint: invalid endpoint `tempo`: the port is missing",
                2,
            ),
            (
                "endpoint: unix:///tmp/s\n",
                "scheme `unix` is not supported",
                2,
            ),
            ("endpoint: http://a:1/v1/traces\n", "has no path", 2),
            (
                "endpoint: a:1\ntls:\n  cert_file: c.pem\n",
                "tls.cert_file needs tls.key_file",
                4,
            ),
            (
                "endpoint: a:1\ntls:\n  min_version: \"1.3\"\n",
                "unknown field `min_version`",
                4,
            ),
            (
                "endpoint: a:1\nheaders:\n  \"bad name\": x\n",
                "not a valid header name",
                4,
            ),
            (
                "endpoint: a:1\nretry_on_failure:\n  multiplier: 0.5\n",
                "multiplier 0.5",
                4,
            ),
            (
                "endpoint: a:1\nsending_queue:\n  num_consumers: 0\n",
                "num_consumers must be at least 1",
                4,
            ),
            ("compression: gzip\n", "missing field `endpoint`", 2),
        ];
        for (yaml, message, line) in cases {
            let e = parse(yaml).unwrap_err();
            assert!(e.contains(message), "{yaml:?}: {e}");
            assert!(e.contains(&format!("line {line}")), "{yaml:?}: {e}");
        }
    }
}
