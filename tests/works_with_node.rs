//! Works with the OpenTelemetry JS SDK, end to end: a Node build step (tests/clients/node,
//! installed by `npm ci` from its lock file) configured from the environment only, inside the
//! fixture's GitHub Actions job, exports to the real binary:
//!
//! ```text
//! GitHub webhook fixtures ──▶ ciotel ──▶ run, job and step spans ───────────────────┐
//! node + @opentelemetry/exporter-trace-otlp-grpc  ──OTLP gRPC──▶ ciotel ─────────────┤
//! node + @opentelemetry/exporter-trace-otlp-proto ──OTLP/HTTP, chunked──▶ recorder ──┴─▶ file
//! ```
//!
//! - over gRPC, with `TRACEPARENT` from `ciotel traceparent --exec`, the step's root span is a
//!   child of the job span and keeps the SDK's ids, attributes of every type, kind, events and
//!   status;
//! - over OTLP/HTTP protobuf the exporter streams its body (`Transfer-Encoding: chunked`, no
//!   `Content-Length`, checked on the wire by a recording TCP relay); with the run and job ids in
//!   `OTEL_RESOURCE_ATTRIBUTES`, `cicd_hierarchy` moves the spans under the job span;
//! - the same gzip-compressed, in a GitLab job, with `TRACEPARENT` from `ciotel traceparent`.

mod support;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use support::binary;
use support::in_job::{
    ATTEMPT, Ciotel, JOB_ID, RUN_ID, attr, attr_value, check, github_job_env, gitlab_job_env,
    parent, resource_attr, tool, traceparent,
};

/// tests/clients/node, after checking that `node` runs and `npm ci` installed the SDK there.
fn node_clients() -> PathBuf {
    let node = std::process::Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|out| out.status.success()),
        "`node` does not run ({node:?}): the Node SDK tests need Node.js >= 20.6 and npm on PATH"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/node");
    assert!(
        dir.join("node_modules/@opentelemetry/exporter-trace-otlp-grpc")
            .is_dir()
            && dir
                .join("node_modules/@opentelemetry/exporter-trace-otlp-proto")
                .is_dir(),
        "the Node OpenTelemetry SDK is not installed: run `bash scripts/test.sh` once, or \
         `(cd tests/clients/node && npm ci)`"
    );
    dir
}

/// The ids the Node step printed: trace, root span, child span.
struct Sent {
    trace: String,
    root: String,
    child: String,
}

fn sent(stdout: &[u8]) -> Sent {
    let text = String::from_utf8_lossy(stdout);
    let line = text.lines().last().unwrap_or_default();
    let ids: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("node printed {text:?}: {e}"));
    let id = |key: &str| ids[key].as_str().unwrap_or_default().to_owned();
    Sent {
        trace: id("traceId"),
        root: id("root"),
        child: id("child"),
    }
}

/// Checks the two spans of the Node step as they left ciotel: `trace` is the run's trace and
/// `job_span` the root's parent.
fn check_node_spans(ciotel: &Ciotel, sent: &Sent, trace: &str, job_span: &str) -> (Value, Value) {
    let root = ciotel.span("the Node root span", |s| s["spanId"] == sent.root.as_str());
    let child = ciotel.span("the Node child span", |s| {
        s["spanId"] == sent.child.as_str()
    });
    assert_eq!(root["name"], "npm run build");
    assert_eq!(
        root["traceId"], trace,
        "the root span is in the run's trace"
    );
    assert_eq!(parent(&root), job_span, "the root span hangs under the job");
    assert_eq!(root["kind"], 1, "SPAN_KIND_INTERNAL");
    assert_eq!(
        root["status"],
        json!({"code": 2, "message": "2 files failed to compile"})
    );
    let typed = [
        ("build.tool", json!({"stringValue": "npm"})),
        ("build.files", json!({"intValue": "3"})),
        ("build.cached", json!({"boolValue": true})),
        ("build.ratio", json!({"doubleValue": 0.75})),
        (
            "build.targets",
            json!({"arrayValue": {"values": [{"stringValue": "linux"}, {"stringValue": "darwin"}]}}),
        ),
    ];
    for (key, value) in typed {
        assert_eq!(attr_value(&root, key), Some(value), "{key}");
    }
    assert_eq!(
        root["_scope"]["name"], "ciotel-works-with-node",
        "the tracer's scope"
    );
    assert_eq!(
        resource_attr(&root, "service.name").as_deref(),
        Some("shop-build")
    );

    assert_eq!(child["name"], "compile");
    assert_eq!(child["traceId"], trace);
    assert_eq!(parent(&child), sent.root, "the step's own tree is intact");
    assert_eq!(child["kind"], 3, "SPAN_KIND_CLIENT");
    assert_eq!(child["status"]["code"], 1, "STATUS_CODE_OK");
    assert_eq!(child["events"][0]["name"], "cache miss");
    assert_eq!(
        child["events"][0]["attributes"][0],
        json!({"key": "cache.key", "value": {"stringValue": "deps-v1"}})
    );
    (root, child)
}

#[test]
fn node_sdk_over_grpc_with_traceparent_lands_under_the_job_span() {
    let ciotel = Ciotel::start("works-node-grpc");
    let job = ciotel.github_run();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();

    let dir = node_clients();
    let mut env = github_job_env();
    env.extend([
        ("OTEL_SERVICE_NAME", "shop-build".into()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".into()),
    ]);
    // `ciotel traceparent --exec -- node …`, as a job step would.
    let out = tool(binary(), &ciotel, &env)
        .current_dir(&dir)
        .args([
            "traceparent",
            "--exec",
            "--",
            "node",
            "send_spans.js",
            "grpc",
        ])
        .output()
        .expect("run node through ciotel traceparent --exec");
    let ids = sent(&out.stdout);
    check(out, "the Node step over OTLP gRPC");
    assert_eq!(ids.trace, trace, "the SDK took its trace from TRACEPARENT");

    let (root, _) = check_node_spans(&ciotel, &ids, trace, job_span);
    assert_eq!(
        attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID),
        None,
        "TRACEPARENT put it in place: nothing was moved"
    );
}

#[test]
fn node_sdk_over_otlp_http_streams_chunked_bodies_and_is_rehomed_by_resource_attributes() {
    let ciotel = Ciotel::start("works-node-http");
    let job = ciotel.github_run();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();

    let relay = Relay::in_front_of(ciotel.daemon.address("otlp", "http"));
    let dir = node_clients();
    let mut env = github_job_env();
    env.extend([
        ("OTEL_SERVICE_NAME", "shop-build".into()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf".into()),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://{}", relay.address),
        ),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            format!("github.run.id={RUN_ID},github.run.attempt={ATTEMPT},github.job.id={JOB_ID}"),
        ),
    ]);
    let out = tool("node", &ciotel, &env)
        .current_dir(&dir)
        .args(["send_spans.js", "http"])
        .output()
        .expect("run node");
    let ids = sent(&out.stdout);
    check(out, "the Node step over OTLP/HTTP protobuf");
    assert_ne!(
        ids.trace, trace,
        "no TRACEPARENT: the SDK began its own trace"
    );

    let (root, child) = check_node_spans(&ciotel, &ids, trace, job_span);
    assert_eq!(
        attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID).as_deref(),
        Some(ids.trace.as_str()),
        "the moved span keeps its original trace id"
    );
    assert_eq!(
        attr(&child, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID).as_deref(),
        Some(ids.trace.as_str())
    );

    // What went over the wire: a streamed protobuf POST, answered 200.
    let request = relay.request_head();
    assert!(
        request.starts_with("post /v1/traces http/1.1\r\n"),
        "{request}"
    );
    assert!(
        request.contains("\r\ncontent-type: application/x-protobuf\r\n"),
        "{request}"
    );
    assert!(
        request.contains("\r\ntransfer-encoding: chunked\r\n"),
        "{request}"
    );
    assert!(
        !request.contains("\r\ncontent-length:"),
        "the body is streamed, with no length: {request}"
    );
    let response = relay.response_head();
    assert!(response.starts_with("http/1.1 200 "), "{response}");
}

#[test]
fn node_sdk_over_otlp_http_gzip_in_a_gitlab_job_lands_under_the_job_span() {
    let ciotel = Ciotel::start("works-node-gitlab");
    let job = ciotel.gitlab_job();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();

    let relay = Relay::in_front_of(ciotel.daemon.address("otlp", "http"));
    let dir = node_clients();
    let mut env = gitlab_job_env();
    env.extend([
        ("OTEL_SERVICE_NAME", "shop-build".into()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf".into()),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip".into()),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://{}", relay.address),
        ),
    ]);
    // `export TRACEPARENT=$(ciotel traceparent)` in the job's script.
    let tp = traceparent(&ciotel, &env);
    env.push(("TRACEPARENT", tp));
    let out = tool("node", &ciotel, &env)
        .current_dir(&dir)
        .args(["send_spans.js", "http"])
        .output()
        .expect("run node");
    let ids = sent(&out.stdout);
    check(out, "the Node step over OTLP/HTTP protobuf with gzip");
    assert_eq!(ids.trace, trace);

    check_node_spans(&ciotel, &ids, trace, job_span);
    let request = relay.request_head();
    assert!(
        request.contains("\r\ncontent-encoding: gzip\r\n"),
        "{request}"
    );
    assert!(
        request.contains("\r\ntransfer-encoding: chunked\r\n")
            && !request.contains("\r\ncontent-length:"),
        "a streamed gzip body: {request}"
    );
}

/// A TCP relay that forwards every connection to `upstream` and keeps the bytes that pass
/// each way, to show what a client really sent.
struct Relay {
    address: String,
    sent: Arc<Mutex<Vec<u8>>>,
    answered: Arc<Mutex<Vec<u8>>>,
}

impl Relay {
    fn in_front_of(upstream: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let address = listener.local_addr().expect("relay address").to_string();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let answered = Arc::new(Mutex::new(Vec::new()));
        let (to_server, to_client) = (sent.clone(), answered.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    break;
                };
                let (Ok(client_reader), Ok(server_reader)) =
                    (client.try_clone(), server.try_clone())
                else {
                    break;
                };
                pipe(client_reader, server, to_server.clone());
                pipe(server_reader, client, to_client.clone());
            }
        });
        Relay {
            address,
            sent,
            answered,
        }
    }

    /// The first request's head, lowercased.
    fn request_head(&self) -> String {
        head(&self.sent.lock().unwrap())
    }

    /// The first response's head, lowercased.
    fn response_head(&self) -> String {
        head(&self.answered.lock().unwrap())
    }
}

/// Copies `from` to `to` on a thread, keeping a copy in `log`, until either side closes.
fn pipe(mut from: TcpStream, mut to: TcpStream, log: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    log.lock().unwrap().extend_from_slice(&buf[..n]);
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// The bytes up to the first blank line, as lowercase text.
fn head(bytes: &[u8]) -> String {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |at| at + 4);
    String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase()
}
