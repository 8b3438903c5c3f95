//! Load driver: sends OTLP trace exports (gRPC, or HTTP with protobuf or JSON bodies) or signed
//! GitHub `workflow_job` webhooks to a running server, with a fixed request shape, N requests in
//! flight, for a bounded time or request count, then reports spans/s, requests/s, latency
//! percentiles and refusals by code. benches/compare runs it against ciotel and rotel.
//!
//! ```sh
//! cargo run --release --example load -- --endpoint http://127.0.0.1:4317 \
//!     --batch 512 --spans-per-trace 8 --attributes 4 --concurrency 32 --duration 10s
//! cargo run --release --example load -- --protocol http-proto \
//!     --endpoint http://127.0.0.1:4318/v1/traces --concurrency 4
//! ```
//! Files: `args.rs` (command line), `request.rs` (requests made before the clock starts),
//! `report.rs` (tally and printout), `webhook.rs` (the workflow_job body), this file (senders).

mod args;
mod report;
mod request;
mod webhook;

use args::{Args, Protocol};
use bytes::{Buf, BufMut, Bytes};
use clap::Parser;
use report::Tally;
use request::Prepared;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::Channel;

const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// When every sender stops: at the deadline or once `limit` requests have been started.
struct Budget {
    started: Instant,
    duration: Duration,
    limit: u64,
    issued: AtomicU64,
}

impl Budget {
    /// Claims the next request's sequence number, or `None` once the run is over.
    fn next(&self) -> Option<u64> {
        if self.started.elapsed() >= self.duration {
            return None;
        }
        let seq = self.issued.fetch_add(1, Ordering::Relaxed);
        (self.limit == 0 || seq < self.limit).then_some(seq)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    // One sender needs one thread: a second one only adds cross-thread wake-ups to every
    // request (the connection task and the sender would run on different threads).
    let threads = args
        .threads
        .unwrap_or(if args.concurrency <= 1 { 1 } else { 2 });
    let runtime = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let pool: Arc<Vec<Prepared>> = Arc::new(match args.protocol {
        Protocol::GithubWebhook => Vec::new(),
        _ => request::pool(&args),
    });
    if let Some(first) = pool.first() {
        eprintln!("request body: {} bytes", first.body.len());
    }
    let concurrency = args.concurrency.max(1);
    let mut grpc_clients = Vec::new();
    if args.protocol == Protocol::Grpc {
        for _ in 0..concurrency {
            let channel = Channel::from_shared(args.endpoint.clone())?
                .connect()
                .await?;
            let mut client = tonic::client::Grpc::new(channel);
            if args.gzip {
                client = client.send_compressed(CompressionEncoding::Gzip);
            }
            grpc_clients.push(client);
        }
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let budget = Arc::new(Budget {
        started: Instant::now(),
        duration: args.duration,
        limit: args.requests,
        issued: AtomicU64::new(0),
    });
    let mut senders = Vec::new();
    for worker in 0..concurrency {
        let (args, pool, budget) = (args.clone(), pool.clone(), budget.clone());
        let grpc = grpc_clients.pop();
        let http = http.clone();
        senders.push(tokio::spawn(async move {
            match grpc {
                Some(client) => send_grpc(client, &pool, &budget, worker).await,
                None => send_http(&http, &args, &pool, &budget, worker).await,
            }
        }));
    }
    let mut total = Tally::default();
    for s in senders {
        total.merge(s.await?);
    }
    let elapsed = budget.started.elapsed();
    let (spans, what) = match args.protocol {
        Protocol::GithubWebhook => (args.steps + 1, "github-webhook (spans = jobs + steps)"),
        Protocol::Grpc => (args.batch, "grpc"),
        Protocol::HttpProto => (args.batch, "http-proto"),
        Protocol::HttpJson => (args.batch, "http-json"),
    };
    report::print(total, elapsed, spans, what);
    Ok(())
}

/// Sends pre-serialised protobuf bodies over one gRPC connection, one request at a time.
async fn send_grpc(
    mut client: tonic::client::Grpc<Channel>,
    pool: &[Prepared],
    budget: &Budget,
    worker: usize,
) -> Tally {
    let mut tally = Tally::default();
    let path = tonic::codegen::http::uri::PathAndQuery::from_static(EXPORT_PATH);
    let mut i = worker;
    while let Some(_seq) = budget.next() {
        let body = pool[i % pool.len()].body.clone();
        i += 1;
        let begun = Instant::now();
        let outcome = match client.ready().await {
            Err(e) => Err(format!("transport:{e}")),
            Ok(()) => client
                .unary::<Bytes, (), _>(tonic::Request::new(body), path.clone(), RawCodec)
                .await
                .map(|_| ())
                .map_err(|s| format!("grpc:{:?}", s.code())),
        };
        tally.record(begun.elapsed(), outcome);
    }
    tally
}

/// Posts pre-serialised OTLP/HTTP bodies (or fresh signed webhook deliveries) on one
/// keep-alive connection's worth of the shared client, one request at a time.
async fn send_http(
    client: &reqwest::Client,
    args: &Args,
    pool: &[Prepared],
    budget: &Budget,
    worker: usize,
) -> Tally {
    let mut tally = Tally::default();
    let content_type = match args.protocol {
        Protocol::HttpJson | Protocol::GithubWebhook => "application/json",
        _ => "application/x-protobuf",
    };
    let mut i = worker;
    while let Some(seq) = budget.next() {
        let delivery;
        let prepared = if args.protocol == Protocol::GithubWebhook {
            delivery = request::webhook_delivery(seq, args.steps, &args.secret);
            &delivery
        } else {
            i += 1;
            &pool[(i - 1) % pool.len()]
        };
        let mut req = client
            .post(&args.endpoint)
            .header("content-type", content_type)
            .body(prepared.body.clone());
        if args.gzip && args.protocol != Protocol::GithubWebhook {
            req = req.header("content-encoding", "gzip");
        }
        for (name, value) in &prepared.headers {
            req = req.header(*name, value);
        }
        let begun = Instant::now();
        let outcome = match req.send().await {
            Err(e) => Err(format!("transport:{}", short(&e))),
            Ok(resp) => {
                let status = resp.status();
                // Read the body so the connection goes back to the pool.
                let _ = resp.bytes().await;
                if status.is_success() {
                    Ok(())
                } else {
                    Err(format!("http:{}", status.as_u16()))
                }
            }
        };
        tally.record(begun.elapsed(), outcome);
    }
    tally
}

fn short(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        "connect"
    } else if e.is_timeout() {
        "timeout"
    } else {
        "other"
    }
}

/// A codec that writes already-encoded protobuf bytes and ignores the answer's body, so the
/// driver never encodes on the clock.
#[derive(Clone, Copy)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = ();
    type Encoder = RawCodec;
    type Decoder = RawCodec;
    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }
    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Bytes;
    type Error = tonic::Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = ();
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<()>, Self::Error> {
        src.advance(src.remaining());
        Ok(Some(()))
    }
}
