//! Operating ciotel, black box: the `health_check` extension (200 when ready, 503 while shutting
//! down), the Prometheus `/metrics` endpoint after real traffic, JSON logs, and a clear exit when
//! a port is taken.

mod support;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric, number_data_point,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::{Daemon, TempDir, binary, wait_for};

// ---- health_check --------------------------------------------------------------------------

/// 200 once ready; 503 while shutting down. To observe "shutting down" without racing, the
/// exporter's only backend holds its request open, so the drain (and the daemon) waits on it.
#[test]
fn health_check_is_200_when_ready_and_503_while_shutting_down() {
    let backend = StalledBackend::start();
    let dir = TempDir::new("health");
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n\
         exporters:\n  otlphttp:\n    endpoint: {}\n    timeout: 30s\n\
         extensions:\n  health_check:\n    endpoint: 127.0.0.1:0\n\
         service:\n  shutdown_timeout: 20s\n  extensions: [health_check]\n  telemetry:\n    metrics:\n      level: none\n\
         \x20 pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [otlphttp]\n",
        backend.url
    );
    let daemon = &mut Daemon::start(&dir, "ciotel", &config);
    let health = format!("http://{}/", daemon.address("health_check", "http"));
    let probe = || {
        reqwest::blocking::Client::new()
            .get(&health)
            .timeout(Duration::from_secs(5))
            .send()
    };

    let ready = probe().expect("the health endpoint answers");
    assert_eq!(
        ready.status().as_u16(),
        200,
        "ready daemon: {:?}",
        ready.text()
    );

    let (request, _) = trace_request(1);
    let accepted = reqwest::blocking::Client::new()
        .post(format!(
            "http://{}/v1/traces",
            daemon.address("otlp", "http")
        ))
        .header("content-type", "application/x-protobuf")
        .body(request.encode_to_vec())
        .send()
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 200);
    wait_for("the exporter to be waiting on the stalled backend", || {
        (backend.requests() > 0).then_some(())
    });

    let _ = Command::new("kill")
        .args(["-TERM", &daemon.pid().to_string()])
        .status();
    let during = wait_for("the health check to change after SIGTERM", || {
        match probe() {
            Ok(r) if r.status().as_u16() == 200 => None,
            other => Some(
                other
                    .map(|r| r.status().as_u16())
                    .map_err(|e| e.to_string()),
            ),
        }
    });
    backend.release();
    let status = daemon.wait();
    assert_eq!(
        during,
        Ok(503),
        "while draining, health_check must answer 503\n{}",
        daemon.log_text()
    );
    assert_eq!(status.code(), Some(0), "{}", daemon.log_text());
}

// ---- /metrics ------------------------------------------------------------------------------

/// After spans over gRPC and HTTP, metric points and a log record, `/metrics` serves Prometheus
/// text with per-receiver/transport accepted and refused counts and per-exporter sent, failed,
/// enqueue-failed counts and queue gauges.
#[test]
fn metrics_endpoint_counts_receiver_and_exporter_traffic() {
    let dir = TempDir::new("metrics");
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n      http:\n        endpoint: 127.0.0.1:0\n\
         exporters:\n  file/traces:\n    path: {traces}\n  file/metrics:\n    path: {metrics}\n  file/logs:\n    path: {logs}\n\
         service:\n  telemetry:\n    metrics:\n      address: 127.0.0.1:0\n  pipelines:\n\
         \x20   traces:\n      receivers: [otlp]\n      exporters: [file/traces]\n\
         \x20   metrics:\n      receivers: [otlp]\n      exporters: [file/metrics]\n\
         \x20   logs:\n      receivers: [otlp]\n      exporters: [file/logs]\n",
        traces = dir.join("traces.jsonl").display(),
        metrics = dir.join("metrics.jsonl").display(),
        logs = dir.join("logs.jsonl").display(),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let http = format!("http://{}", daemon.address("otlp", "http"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(async {
            let mut client =
                TraceServiceClient::connect(format!("http://{}", daemon.address("otlp", "grpc")))
                    .await?;
            client.export(trace_request(3).0).await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        })
        .expect("gRPC export");
    let post = |path: &str, body: Vec<u8>| {
        let r = reqwest::blocking::Client::new()
            .post(format!("{http}{path}"))
            .header("content-type", "application/x-protobuf")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "POST {path}");
    };
    post("/v1/traces", trace_request(2).0.encode_to_vec());
    post("/v1/metrics", metrics_request(2).encode_to_vec());
    post("/v1/logs", logs_request(1).encode_to_vec());

    let url = format!("http://{}/metrics", daemon.address("metrics", "http"));
    let expected: &[(&str, f64)] = &[
        (
            r#"ciotel_receiver_accepted_spans{receiver="otlp",transport="grpc"}"#,
            3.0,
        ),
        (
            r#"ciotel_receiver_accepted_spans{receiver="otlp",transport="http"}"#,
            2.0,
        ),
        (
            r#"ciotel_receiver_refused_spans{receiver="otlp",transport="grpc"}"#,
            0.0,
        ),
        (
            r#"ciotel_receiver_refused_spans{receiver="otlp",transport="http"}"#,
            0.0,
        ),
        (
            r#"ciotel_receiver_accepted_metric_points{receiver="otlp",transport="http"}"#,
            2.0,
        ),
        (
            r#"ciotel_receiver_accepted_log_records{receiver="otlp",transport="http"}"#,
            1.0,
        ),
        (r#"ciotel_exporter_sent_spans{exporter="file/traces"}"#, 5.0),
        (
            r#"ciotel_exporter_send_failed_spans{exporter="file/traces"}"#,
            0.0,
        ),
        (
            r#"ciotel_exporter_enqueue_failed_spans{exporter="file/traces"}"#,
            0.0,
        ),
        (
            r#"ciotel_exporter_sent_metric_points{exporter="file/metrics"}"#,
            2.0,
        ),
        (
            r#"ciotel_exporter_sent_log_records{exporter="file/logs"}"#,
            1.0,
        ),
        (r#"ciotel_exporter_queue_size{exporter="file/traces"}"#, 0.0),
    ];
    let mut text = String::new();
    let mut content_type = String::new();
    let counted = wait_until(Duration::from_secs(10), || {
        let Ok(response) = reqwest::blocking::get(&url) else {
            return false;
        };
        content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        text = response.text().unwrap_or_default();
        expected
            .iter()
            .all(|(series, value)| series_value(&text, series) == Some(*value))
    });
    let wrong: Vec<_> = expected
        .iter()
        .filter(|(series, value)| series_value(&text, series) != Some(*value))
        .map(|(series, value)| {
            format!(
                "{series}: want {value}, got {:?}",
                series_value(&text, series)
            )
        })
        .collect();
    assert!(
        counted,
        "/metrics is missing or miscounts:\n{}\n--- /metrics ---\n{text}",
        wrong.join("\n")
    );
    assert!(
        content_type.starts_with("text/plain"),
        "Prometheus text is text/plain, got {content_type:?}"
    );
    let capacity = series_value(
        &text,
        r#"ciotel_exporter_queue_capacity{exporter="file/traces"}"#,
    );
    assert!(
        capacity.is_some_and(|c| c > 0.0),
        "queue capacity gauge: {capacity:?}\n{text}"
    );
    for (name, kind) in [
        ("ciotel_receiver_accepted_spans", "counter"),
        ("ciotel_exporter_sent_spans", "counter"),
        ("ciotel_exporter_queue_size", "gauge"),
        ("ciotel_exporter_queue_capacity", "gauge"),
    ] {
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "`# TYPE {name} {kind}` missing:\n{text}"
        );
    }
}

// ---- logs ----------------------------------------------------------------------------------

/// `service.telemetry.logs.encoding: json` makes every stderr line a JSON object with a level,
/// and structured fields such as a listener's address stay fields.
#[test]
fn json_log_encoding_writes_one_json_object_per_line() {
    let dir = TempDir::new("json-logs");
    let config = "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n\
                  exporters:\n  debug:\n\
                  service:\n  telemetry:\n    logs:\n      encoding: json\n    metrics:\n      level: none\n\
                  \x20 pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n";
    let daemon = &mut Daemon::start(&dir, "ciotel", config);
    let status = daemon.terminate();
    assert_eq!(status.code(), Some(0));
    let lines = daemon.log_lines();
    assert!(!lines.is_empty(), "no log lines");
    let mut parsed = Vec::new();
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stderr line is not JSON ({e}): {line}"));
        assert!(
            value.is_object() && value.get("level").is_some(),
            "a JSON log line needs a level: {line}"
        );
        parsed.push(value);
    }
    let listening = parsed
        .iter()
        .find(|v| v.to_string().contains("listening"))
        .expect("a `listening` line");
    assert!(
        listening.to_string().contains("\"address\""),
        "the listening line keeps `address` as a field: {listening}"
    );
    assert!(
        parsed
            .iter()
            .any(|v| v.to_string().contains("ciotel is ready"))
    );
}

// ---- ports in use --------------------------------------------------------------------------

/// A port that is already taken makes `ciotel run` exit 1 naming the endpoint, whether it is a
/// receiver's, the health check's or the metrics endpoint's.
#[test]
fn a_port_in_use_makes_run_exit_1_naming_the_endpoint() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = taken.local_addr().unwrap().to_string();
    let base = |grpc: &str, health: &str, metrics: &str| {
        format!(
            "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: {grpc}\n\
             exporters:\n  debug:\n\
             extensions:\n  health_check:\n    endpoint: {health}\n\
             service:\n  extensions: [health_check]\n  telemetry:\n    metrics:\n      address: {metrics}\n\
             \x20 pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n"
        )
    };
    let any = "127.0.0.1:0";
    let cases = [
        ("receiver", base(&endpoint, any, any)),
        ("health_check", base(any, &endpoint, any)),
        ("metrics", base(any, any, &endpoint)),
    ];
    let mut failures = Vec::new();
    for (what, config) in cases {
        let dir = TempDir::new(&format!("port-in-use-{what}"));
        let path = dir.join("ciotel.yaml");
        std::fs::write(&path, config).unwrap();
        let (code, stderr) = run_to_exit(&path, Duration::from_secs(20));
        if code != Some(1) || !stderr.contains(&endpoint) {
            failures.push(format!("{what} on a taken port: exit {code:?}, want 1 and a message naming {endpoint}:\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    drop(taken);
}

/// Runs `ciotel run --config path`; kills it if it is still running after `limit`.
fn run_to_exit(path: &std::path::Path, limit: Duration) -> (Option<i32>, String) {
    let mut child = Command::new(binary())
        .args(["run", "--config"])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ciotel");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (code, reader.join().unwrap_or_default())
}

// ---- requests ------------------------------------------------------------------------------

fn trace_request(spans: usize) -> (ExportTraceServiceRequest, Vec<u64>) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let ids: Vec<u64> = (0..spans)
        .map(|_| NEXT.fetch_add(1, Ordering::SeqCst))
        .collect();
    let spans = ids
        .iter()
        .map(|n| Span {
            trace_id: [[0x0b; 8], n.to_be_bytes()].concat(),
            span_id: (0x0b5e_0000_0000_0000 | n).to_be_bytes().to_vec(),
            name: format!("operations-{n}"),
            kind: 1,
            start_time_unix_nano: 1_700_000_000_000_000_000,
            end_time_unix_nano: 1_700_000_000_100_000_000,
            ..Default::default()
        })
        .collect();
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    (request, ids)
}

fn metrics_request(points: usize) -> ExportMetricsServiceRequest {
    let data_points = (0..points)
        .map(|i| NumberDataPoint {
            time_unix_nano: 1_700_000_000_000_000_000 + i as u64,
            value: Some(number_data_point::Value::AsInt(i as i64)),
            ..Default::default()
        })
        .collect();
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![Metric {
                    name: "queue.depth".into(),
                    data: Some(metric::Data::Gauge(Gauge { data_points })),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn logs_request(records: usize) -> ExportLogsServiceRequest {
    let log_records = (0..records)
        .map(|i| LogRecord {
            time_unix_nano: 1_700_000_000_000_000_000 + i as u64,
            severity_number: 9,
            ..Default::default()
        })
        .collect();
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

// ---- helpers -------------------------------------------------------------------------------

/// The value of one series (`name{labels}` exactly as rendered) in Prometheus text.
fn series_value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if check() {
            return true;
        }
        if started.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// An OTLP/HTTP backend that holds every request open until [`StalledBackend::release`], then
/// answers 200. Counts requests.
struct StalledBackend {
    url: String,
    gate: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
    requests: std::sync::Arc<AtomicU64>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl StalledBackend {
    fn start() -> StalledBackend {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let gate = std::sync::Arc::new(tokio::sync::watch::Sender::new(false));
        let requests = std::sync::Arc::new(AtomicU64::new(0));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (open, count) = (gate.clone(), requests.clone());
        let app = axum::Router::new().fallback(move || {
            let mut open = open.subscribe();
            count.fetch_add(1, Ordering::SeqCst);
            async move {
                let _ = open.wait_for(|open| *open).await;
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/x-protobuf")],
                    Vec::<u8>::new(),
                )
                    .into_response()
            }
        });
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StalledBackend {
            url,
            gate,
            requests,
            runtime: Some(runtime),
        }
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    fn release(&self) {
        self.gate.send_replace(true);
    }
}

impl Drop for StalledBackend {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
