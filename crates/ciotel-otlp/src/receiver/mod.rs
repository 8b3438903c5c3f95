//! `otlp` receiver: OTLP over gRPC and HTTP (protobuf and JSON), for any OTel SDK or tool that
//! speaks OTLP. Both transports hand decoded batches to the same pipelines and refuse with the
//! OTLP retryable answers when the pipeline is full.

mod config;
mod grpc;
mod http;
mod too_large;

pub use config::{GrpcConfig, HttpConfig, OtlpReceiverConfig, ProtocolsConfig};

use ciotel_core::auth::{AuthReference, AuthResolver, ServerAuthenticator};
use ciotel_core::pipeline::PipelineInputs;
use ciotel_core::server::ListenError;
use ciotel_core::telemetry::Registry;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Why the receiver could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A listener could not be bound (port in use, bad address) or its TLS files do not load.
    #[error("{transport}: {source}")]
    Listen {
        /// `grpc` or `http`.
        transport: &'static str,
        /// What went wrong.
        source: ListenError,
    },
    /// `auth:` names no usable authenticator.
    #[error("{transport}: auth: {message}")]
    Auth {
        /// `grpc` or `http`.
        transport: &'static str,
        /// The resolver's message.
        message: String,
    },
}

/// The authenticator `auth:` names, if any.
fn authenticator(
    transport: &'static str,
    reference: Option<&AuthReference>,
    resolver: &dyn AuthResolver,
) -> Result<Option<Arc<dyn ServerAuthenticator>>, StartError> {
    reference
        .map(|r| resolver.server(&r.authenticator))
        .transpose()
        .map_err(|message| StartError::Auth { transport, message })
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
/// `auth:` references are resolved with `resolver`.
pub async fn start(
    id: &str,
    config: &OtlpReceiverConfig,
    inputs: PipelineInputs,
    registry: &Registry,
    resolver: &dyn AuthResolver,
    shutdown: CancellationToken,
) -> Result<RunningReceiver, StartError> {
    let mut running = RunningReceiver {
        grpc_address: None,
        http_address: None,
        tasks: Vec::new(),
    };
    if let Some(grpc) = &config.protocols.grpc {
        let auth = authenticator("grpc", grpc.auth.as_ref(), resolver)?;
        let (address, task) =
            grpc::start(id, grpc, inputs.clone(), registry, auth, shutdown.clone()).await?;
        running.grpc_address = Some(address);
        running.tasks.push(task);
    }
    if let Some(http) = &config.protocols.http {
        let auth = authenticator("http", http.auth.as_ref(), resolver)?;
        let (address, task) = http::start(id, http, inputs, registry, auth, shutdown).await?;
        running.http_address = Some(address);
        running.tasks.push(task);
    }
    Ok(running)
}

#[cfg(test)]
mod auth_tests;
