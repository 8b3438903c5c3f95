//! ciotel-otlp: OTLP in (gRPC, HTTP protobuf/JSON) and out (gRPC, HTTP, JSON-lines file).

pub mod exporters;
pub mod json;
pub mod receiver;
pub mod rpc_status;
