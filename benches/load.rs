//! Load driver: sends OTLP/gRPC trace exports to a running ciotel (or any OTLP server) at a
//! target rate, batch size and concurrency for a bounded time, then prints what was achieved.
//!
//! ```sh
//! cargo run --release --example load -- --endpoint http://127.0.0.1:4317 \
//!     --rate 50000 --batch 100 --concurrency 4 --duration 10s
//! ```
//! Compare two builds side by side by pointing the driver at each in turn with the same flags.

use clap::Parser;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser, Clone)]
#[command(about = "Send OTLP/gRPC traces at a given rate and report spans/s achieved")]
struct Args {
    /// OTLP gRPC endpoint.
    #[arg(long, default_value = "http://127.0.0.1:4317")]
    endpoint: String,
    /// Target spans per second over all connections (0: as fast as possible).
    #[arg(long, default_value_t = 10_000)]
    rate: u64,
    /// Spans per export request.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Concurrent connections.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// How long to send (e.g. 10s); the driver always stops by itself.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    ciotel_core::config::values::parse_duration(s)
}

#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
}

fn request(batch: usize, seq: u64) -> ExportTraceServiceRequest {
    let spans = (0..batch)
        .map(|i| Span {
            trace_id: seq.to_be_bytes().repeat(2),
            span_id: ((seq << 16) + i as u64).to_be_bytes().to_vec(),
            name: "load".into(),
            start_time_unix_nano: 1,
            end_time_unix_nano: 2,
            attributes: vec![KeyValue {
                key: "load.seq".into(),
                value: Some(AnyValue {
                    value: Some(any_value::Value::IntValue(seq as i64)),
                }),
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let per_worker_rate = args.rate as f64 / args.concurrency.max(1) as f64;
    let mut workers = Vec::new();
    for worker in 0..args.concurrency.max(1) {
        let args = args.clone();
        let tally = tally.clone();
        let mut client = TraceServiceClient::connect(args.endpoint.clone())
            .await?
            .max_encoding_message_size(64 << 20);
        workers.push(tokio::spawn(async move {
            let interval = if per_worker_rate > 0.0 {
                Duration::from_secs_f64(args.batch as f64 / per_worker_rate)
            } else {
                Duration::ZERO
            };
            let mut next = Instant::now();
            let mut seq = (worker as u64) << 40;
            while started.elapsed() < args.duration {
                seq += 1;
                match client.export(request(args.batch, seq)).await {
                    Ok(_) => tally.sent.fetch_add(args.batch as u64, Ordering::Relaxed),
                    Err(s) if s.code() == tonic::Code::Unavailable => tally
                        .refused
                        .fetch_add(args.batch as u64, Ordering::Relaxed),
                    Err(_) => tally.failed.fetch_add(args.batch as u64, Ordering::Relaxed),
                };
                if !interval.is_zero() {
                    next += interval;
                    if let Some(wait) = next.checked_duration_since(Instant::now()) {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }));
    }
    for w in workers {
        w.await?;
    }
    let secs = started.elapsed().as_secs_f64();
    let sent = tally.sent.load(Ordering::Relaxed);
    println!(
        "duration {:.1}s  accepted {} spans ({:.0} spans/s)  refused {}  failed {}  (target {} spans/s, batch {}, concurrency {})",
        secs,
        sent,
        sent as f64 / secs,
        tally.refused.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
        args.rate,
        args.batch,
        args.concurrency
    );
    Ok(())
}
