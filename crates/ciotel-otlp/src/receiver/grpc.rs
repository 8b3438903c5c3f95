//! OTLP/gRPC: the three export services on one tonic server, gzip in and out, 64 MiB messages,
//! UNAVAILABLE (which OTLP clients retry) when the pipeline refuses.

use super::StartError;
use super::config::GrpcConfig;
use super::too_large::TooLargeIsResourceExhausted;
use ciotel_core::auth::ServerAuthenticator;
use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::server::grpc::{GrpcGateLayer, configure, incoming};
use ciotel_core::server::{Alpn, ListenerName, bind};
use ciotel_core::telemetry::Registry;
use ciotel_core::{Batch, ConsumeError, Signal};
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::codec::CompressionEncoding;
use tonic::transport::Server;
use tonic::{Request, Response, Status};

/// Binds the gRPC endpoint and serves the services of every signal some pipeline takes.
pub(super) async fn start(
    id: &str,
    config: &GrpcConfig,
    inputs: PipelineInputs,
    registry: &Registry,
    auth: Option<Arc<dyn ServerAuthenticator>>,
    shutdown: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<()>), StartError> {
    let settings = config.server_settings();
    let name = ListenerName {
        component: id,
        transport: "grpc",
    };
    let listener = bind(
        name,
        &config.endpoint,
        &settings.connections,
        Alpn::H2,
        auth.is_some(),
        registry,
        &shutdown,
    )
    .await
    .map_err(|source| StartError::Listen {
        transport: "grpc",
        source,
    })?;
    let address = listener.local_addr();
    let incoming = incoming(listener, &settings, shutdown.clone());
    let output = OtlpGrpc(ReceiverOutput::new(inputs, registry, id, "grpc"));
    let limit = config.max_recv_msg_size_mib.saturating_mul(1024 * 1024);

    let traces = output.0.accepts(Signal::Traces).then(|| {
        TraceServiceServer::new(output.clone())
            .accept_compressed(CompressionEncoding::Gzip)
            .send_compressed(CompressionEncoding::Gzip)
            .max_decoding_message_size(limit)
    });
    let metrics = output.0.accepts(Signal::Metrics).then(|| {
        MetricsServiceServer::new(output.clone())
            .accept_compressed(CompressionEncoding::Gzip)
            .send_compressed(CompressionEncoding::Gzip)
            .max_decoding_message_size(limit)
    });
    let logs = output.0.accepts(Signal::Logs).then(|| {
        LogsServiceServer::new(output.clone())
            .accept_compressed(CompressionEncoding::Gzip)
            .send_compressed(CompressionEncoding::Gzip)
            .max_decoding_message_size(limit)
    });
    let router = configure(Server::builder(), &settings)
        .layer(GrpcGateLayer::new(auth))
        .layer(TooLargeIsResourceExhausted)
        .add_optional_service(traces)
        .add_optional_service(metrics)
        .add_optional_service(logs);
    let id = id.to_string();
    let task = tokio::spawn(async move {
        if let Err(e) = router
            .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
            .await
        {
            tracing::error!(receiver = %id, error = %e, "OTLP gRPC server stopped");
        }
    });
    Ok((address, task))
}

/// The services' shared state: where decoded batches go.
#[derive(Clone)]
struct OtlpGrpc(ReceiverOutput);

impl OtlpGrpc {
    fn hand_on(&self, batch: Batch) -> Result<(), Status> {
        self.0.consume(batch).map_err(|e| match e {
            ConsumeError::Refused(why) => Status::unavailable(why),
            ConsumeError::Permanent(why) => Status::invalid_argument(why),
        })
    }
}

#[tonic::async_trait]
impl TraceService for OtlpGrpc {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        self.hand_on(Batch::Traces(request.into_inner().resource_spans))?;
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for OtlpGrpc {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        self.hand_on(Batch::Metrics(request.into_inner().resource_metrics))?;
        Ok(Response::new(ExportMetricsServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl LogsService for OtlpGrpc {
    async fn export(
        &self,
        request: Request<ExportLogsServiceRequest>,
    ) -> Result<Response<ExportLogsServiceResponse>, Status> {
        self.hand_on(Batch::Logs(request.into_inner().resource_logs))?;
        Ok(Response::new(ExportLogsServiceResponse::default()))
    }
}
