//! Exporters that send OTLP out of ciotel: `otlp` (gRPC), `otlphttp` (protobuf or JSON over
//! HTTP) and `file` (OTLP/JSON lines). Each sends one batch and says, per the OTLP spec, whether
//! a failure is worth retrying; the sending queue and the retry loop in front of every exporter
//! come from `ciotel_core::exporters`.

pub mod classify;
mod error;
pub mod file;
mod file_output;
pub mod otlp_grpc;
pub mod otlp_http;
mod partial_success;
mod request;
mod settings;
pub mod tls;

pub use error::BuildError;
pub use file::{FileExporter, FileExporterConfig, FileFormat, RotationConfig};
pub use otlp_grpc::{OtlpGrpcExporter, OtlpGrpcExporterConfig};
pub use otlp_http::{Encoding, OtlpHttpExporter, OtlpHttpExporterConfig};
pub use settings::Compression;
pub use tls::TlsConfig;
