//! The driver's command line.

use clap::{Parser, ValueEnum};
use std::time::Duration;

/// How requests are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    /// OTLP/gRPC `TraceService/Export`.
    Grpc,
    /// OTLP/HTTP `POST /v1/traces`, protobuf body.
    HttpProto,
    /// OTLP/HTTP `POST /v1/traces`, JSON body.
    HttpJson,
    /// GitHub `workflow_job` webhook deliveries, signed with `--secret`.
    GithubWebhook,
}

/// What to send, how hard and for how long.
#[derive(Parser, Debug, Clone)]
#[command(about = "Send OTLP traces or GitHub webhooks to a server and report what it took")]
pub struct Args {
    /// gRPC: `http://host:port`; HTTP: the full URL (`http://host:port/v1/traces`, or the
    /// webhook path).
    #[arg(long, default_value = "http://127.0.0.1:4317")]
    pub endpoint: String,
    /// Transport and encoding.
    #[arg(long, value_enum, default_value = "grpc")]
    pub protocol: Protocol,
    /// Compress request bodies with gzip (pre-compressed for HTTP; tonic compresses gRPC).
    #[arg(long)]
    pub gzip: bool,
    /// Spans per request.
    #[arg(long, default_value_t = 512)]
    pub batch: usize,
    /// Spans per trace inside a request (consecutive spans share a trace id).
    #[arg(long, default_value_t = 8)]
    pub spans_per_trace: usize,
    /// Attributes per span (string values).
    #[arg(long, default_value_t = 4)]
    pub attributes: usize,
    /// Requests in flight: one task and one connection each, each sending its next request
    /// once the answer to the previous one is in (1: one at a time).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Driver threads (default: 1 for one sender, else 2).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Stop after this long (e.g. 10s); the driver always stops by itself.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Stop after this many requests in all (0: only the duration bounds the run).
    #[arg(long, default_value_t = 0)]
    pub requests: u64,
    /// Distinct pre-serialised requests cycled through (distinct trace ids in each).
    #[arg(long, default_value_t = 64)]
    pub pool: usize,
    /// Webhook secret for `X-Hub-Signature-256` (github-webhook).
    #[arg(long, default_value = "bench-secret")]
    pub secret: String,
    /// Steps per job in webhook deliveries.
    #[arg(long, default_value_t = 8)]
    pub steps: usize,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    ciotel_core::config::values::parse_duration(s)
}
