//! `otlp` receiver: OTLP over gRPC and HTTP (protobuf and JSON), for any OTel SDK or tool that
//! speaks OTLP. Both transports hand decoded batches to the same pipelines and refuse with the
//! OTLP retryable answers when the pipeline is full.

mod config;
mod grpc;
mod http;
mod too_large;

pub use config::{GrpcConfig, HttpConfig, OtlpReceiverConfig, ProtocolsConfig};

use ciotel_core::pipeline::PipelineInputs;
use ciotel_core::telemetry::Registry;
use std::net::SocketAddr;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Why the receiver could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A listener could not be bound (port in use, bad address).
    #[error("cannot listen on {endpoint} ({transport}): {source}")]
    Bind {
        /// `grpc` or `http`.
        transport: &'static str,
        /// The configured endpoint.
        endpoint: String,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// A running OTLP receiver: its bound addresses and server tasks.
pub struct RunningReceiver {
    /// Where gRPC listens, when enabled.
    pub grpc_address: Option<SocketAddr>,
    /// Where HTTP listens, when enabled.
    pub http_address: Option<SocketAddr>,
    /// The server tasks; they end once `shutdown` fires and in-flight requests are answered.
    pub tasks: Vec<JoinHandle<()>>,
}

/// Binds every configured protocol and starts serving; stops accepting when `shutdown` fires.
pub async fn start(
    id: &str,
    config: &OtlpReceiverConfig,
    inputs: PipelineInputs,
    registry: &Registry,
    shutdown: CancellationToken,
) -> Result<RunningReceiver, StartError> {
    let mut running = RunningReceiver {
        grpc_address: None,
        http_address: None,
        tasks: Vec::new(),
    };
    if let Some(grpc) = &config.protocols.grpc {
        let (address, task) =
            grpc::start(id, grpc, inputs.clone(), registry, shutdown.clone()).await?;
        running.grpc_address = Some(address);
        running.tasks.push(task);
    }
    if let Some(http) = &config.protocols.http {
        let (address, task) = http::start(id, http, inputs, registry, shutdown).await?;
        running.http_address = Some(address);
        running.tasks.push(task);
    }
    Ok(running)
}
