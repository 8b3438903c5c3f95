//! The daemon's own telemetry: counters and gauges per component, served as Prometheus text.

pub mod registry;
pub mod server;

pub use registry::{Counter, Registry};
