//! ciotel-core: the pipeline that every receiver, processor and exporter plugs into.
//!
//! Data flows as OTLP [`Batch`]es through [`Consumer`] stages: processors, then an
//! [`ExporterFanout`](exporters::fanout::ExporterFanout) into each exporter's sending queue.

pub mod alloc;
pub mod auth;
pub mod body;
pub mod component_id;
pub mod condition;
pub mod config;
pub mod connectors;
pub mod consumer;
pub mod exporters;
pub mod extensions;
pub mod pipeline;
pub mod poll;
pub mod processors;
pub mod readiness;
pub mod redact;
pub mod retry_after;
pub mod server;
pub mod signal;
pub mod split;
pub mod telemetry;
#[doc(hidden)]
pub mod testing;
pub mod webhook;

pub use component_id::{ComponentId, PipelineId};
pub use consumer::{ConsumeError, Consumer, NextConsumer};
pub use signal::{Batch, Signal};
