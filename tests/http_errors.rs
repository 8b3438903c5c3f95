//! Malformed and unusual OTLP requests, black box: every bad HTTP request gets the status code
//! the OTLP spec asks for, with a `google.rpc.Status` body in the request's encoding that says
//! what is wrong, and the daemon keeps serving; chunked bodies (no Content-Length, as the Node
//! SDK sends them) are counted like any other; gRPC enforces `max_recv_msg_size_mib` (also after
//! gzip) and accepts gzip-compressed requests.
//!
//! The HTTP cases run against one daemon, one request after another; every case is checked and
//! all failures are reported together at the end, so one bug does not hide the next.

mod support;

use flate2::Compression;
use flate2::write::GzEncoder;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};
use tonic::codec::CompressionEncoding;

const PROTOBUF: &str = "application/x-protobuf";
const JSON: &str = "application/json";
/// `max_request_body_size` of the HTTP receiver under test: small, so 413 is cheap to provoke.
const BODY_LIMIT: usize = 4096;

/// One daemon takes a series of bad requests; each gets its status, type and message; then good
/// requests (JSON, protobuf, gzip) still succeed and only their spans reach the file exporter.
#[test]
fn bad_http_requests_are_refused_with_a_reason_and_the_daemon_keeps_serving() {
    let dir = TempDir::new("http-errors");
    let out = dir.join("traces.jsonl");
    let daemon = Daemon::start(&dir, "ciotel", &http_config(&out, BODY_LIMIT, false));
    let url = format!("http://{}/v1/traces", daemon.address("otlp", "http"));
    let client = reqwest::blocking::Client::new();
    let mut checks = Checks::default();
    let mut refused_ids = Vec::new();

    // 405: OTLP/HTTP is POST only. A GET as a browser or curl sends it has no Content-Type.
    let r = send(client.get(&url));
    checks.expect("GET without Content-Type → 405", r.status == 405, &r);
    checks.expect(
        "405 names the allowed method",
        r.header("allow").is_some_and(|a| a.contains("POST")),
        &r,
    );
    let r = send(client.get(&url).header("content-type", PROTOBUF));
    checks.expect(
        "GET with a protobuf Content-Type → 405",
        r.status == 405,
        &r,
    );
    checks.expect(
        "405 (protobuf) names the allowed method",
        r.header("allow").is_some_and(|a| a.contains("POST")),
        &r,
    );

    // 415: a content type or encoding OTLP does not define.
    let (good, ids) = trace_request(1, 0);
    refused_ids.extend(ids);
    let r = post(&client, &url, "text/plain", None, good.encode_to_vec());
    checks.expect("text/plain → 415", r.status == 415, &r);
    let r = post(&client, &url, PROTOBUF, Some("br"), good.encode_to_vec());
    checks.expect("Content-Encoding: br → 415", r.status == 415, &r);

    // 400 with a google.rpc.Status saying what is wrong, in the request's encoding.
    let garbage = vec![0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02];
    let r = post(&client, &url, PROTOBUF, None, garbage);
    checks.expect("garbage protobuf → 400", r.status == 400, &r);
    checks.expect(
        "400 (protobuf) answers in protobuf",
        r.content_type_is(PROTOBUF),
        &r,
    );
    let status = RpcStatus::decode(r.body.as_slice()).ok();
    checks.expect(
        "400 (protobuf) body is a google.rpc.Status with INVALID_ARGUMENT and a message about the protobuf",
        status.as_ref().is_some_and(|s| s.code == 3 && s.message.to_lowercase().contains("protobuf")),
        &r,
    );

    let r = post(
        &client,
        &url,
        JSON,
        None,
        br#"{"resourceSpans": [ {"scopeSpans": [ }"#.to_vec(),
    );
    checks.expect("malformed JSON → 400", r.status == 400, &r);
    checks.expect("400 (JSON) answers in JSON", r.content_type_is(JSON), &r);
    let status = r.json();
    checks.expect(
        "malformed JSON: body has a numeric `code` and a `message` about the JSON",
        status["code"].as_i64() == Some(3) && message_of(&status).to_lowercase().contains("json"),
        &r,
    );

    let (bad_id, ids) = trace_request(1, 0);
    refused_ids.extend(ids);
    let mut bad_id = to_json(&bad_id);
    bad_id["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] =
        "not-a-hex-trace-id".into();
    let r = post(&client, &url, JSON, None, bad_id.to_string().into_bytes());
    checks.expect("JSON with a non-hex traceId → 400", r.status == 400, &r);
    checks.expect("bad traceId: answers in JSON", r.content_type_is(JSON), &r);
    let status = r.json();
    checks.expect(
        "bad traceId: `message` names traceId",
        status["code"].is_number() && message_of(&status).contains("traceId"),
        &r,
    );

    let (not_gzip, ids) = trace_request(1, 0);
    refused_ids.extend(ids);
    let r = post(
        &client,
        &url,
        PROTOBUF,
        Some("gzip"),
        not_gzip.encode_to_vec(),
    );
    checks.expect(
        "Content-Encoding: gzip on a body that is not gzip → 400",
        r.status == 400,
        &r,
    );
    let status = RpcStatus::decode(r.body.as_slice()).ok();
    checks.expect(
        "invalid gzip: the Status message says gzip",
        status.is_some_and(|s| s.message.to_lowercase().contains("gzip")),
        &r,
    );

    // 413 past max_request_body_size, counted after decompression.
    let (big, ids) = trace_request(1, 2 * BODY_LIMIT);
    refused_ids.extend(ids);
    let big_json = to_json(&big).to_string().into_bytes();
    assert!(big_json.len() > BODY_LIMIT);
    let r = post(&client, &url, JSON, None, big_json);
    checks.expect(
        "a JSON body past max_request_body_size → 413",
        r.status == 413,
        &r,
    );
    checks.expect("413 (JSON) answers in JSON", r.content_type_is(JSON), &r);
    let (bomb, ids) = trace_request(1, 100 * BODY_LIMIT);
    refused_ids.extend(ids);
    let bomb = gzip(&bomb.encode_to_vec());
    assert!(
        bomb.len() < BODY_LIMIT,
        "the gzip body itself must be under the limit"
    );
    let r = post(&client, &url, PROTOBUF, Some("gzip"), bomb);
    checks.expect(
        "a small gzip body inflating past max_request_body_size → 413",
        r.status == 413,
        &r,
    );
    checks.expect(
        "413 (protobuf) answers in protobuf",
        r.content_type_is(PROTOBUF),
        &r,
    );

    // After all that, good requests in every encoding still succeed, answered in kind.
    let mut accepted_ids = Vec::new();
    let (json_ok, ids) = trace_request(2, 0);
    accepted_ids.extend(ids);
    let r = post(
        &client,
        &url,
        JSON,
        None,
        to_json(&json_ok).to_string().into_bytes(),
    );
    checks.expect("a good JSON request → 200", r.status == 200, &r);
    checks.expect(
        "JSON success: answered in JSON",
        r.content_type_is(JSON),
        &r,
    );
    checks.expect(
        "JSON success: the body is a JSON object",
        r.json().is_object(),
        &r,
    );

    let (proto_ok, ids) = trace_request(2, 0);
    accepted_ids.extend(ids);
    let r = post(&client, &url, PROTOBUF, None, proto_ok.encode_to_vec());
    checks.expect("a good protobuf request → 200", r.status == 200, &r);
    checks.expect(
        "protobuf success: answered in protobuf",
        r.content_type_is(PROTOBUF),
        &r,
    );
    checks.expect(
        "protobuf success: the body is an ExportTraceServiceResponse, not JSON",
        ExportTraceServiceResponse::decode(r.body.as_slice()).is_ok() && !r.body.starts_with(b"{"),
        &r,
    );

    let (gzip_ok, ids) = trace_request(2, 0);
    accepted_ids.extend(ids);
    let r = post(
        &client,
        &url,
        PROTOBUF,
        Some("gzip"),
        gzip(&gzip_ok.encode_to_vec()),
    );
    checks.expect("a good gzip protobuf request → 200", r.status == 200, &r);

    // Exactly the accepted spans reach the file exporter (it writes in arrival order, so once the
    // last good span is there, a refused one that slipped through would be there too).
    let written = wait_for("the accepted spans in the file exporter's output", || {
        let ids = span_ids_in_file(&out);
        accepted_ids
            .iter()
            .all(|id| ids.contains(id))
            .then_some(ids)
    });
    let leaked: Vec<_> = refused_ids
        .iter()
        .filter(|id| written.contains(*id))
        .collect();
    checks.expect_that(
        "no span of a refused request is exported",
        leaked.is_empty(),
        format!("leaked: {leaked:?}"),
    );
    checks.finish(&daemon);
}

/// A chunked request (no Content-Length, as the Node OTel SDK sends it) is accepted, its spans
/// are exported and counted by `ciotel_receiver_accepted_spans`.
#[test]
fn a_chunked_request_is_accepted_and_its_spans_counted() {
    let dir = TempDir::new("http-chunked");
    let out = dir.join("traces.jsonl");
    let daemon = Daemon::start(&dir, "ciotel", &http_config(&out, 64 * 1024 * 1024, true));
    let address = daemon.address("otlp", "http");
    let (request, ids) = trace_request(3, 0);
    let body = request.encode_to_vec();

    let mut tcp = std::net::TcpStream::connect(&address).expect("connect to the HTTP receiver");
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut raw = format!(
        "POST /v1/traces HTTP/1.1\r\nHost: {address}\r\nContent-Type: {PROTOBUF}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(7) {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    assert!(
        !String::from_utf8_lossy(&raw)
            .to_lowercase()
            .contains("content-length")
    );
    tcp.write_all(&raw).unwrap();
    let mut response = Vec::new();
    let _ = tcp.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "chunked request refused:\n{response}"
    );

    wait_for("the chunked request's spans in the file", || {
        let written = span_ids_in_file(&out);
        ids.iter().all(|id| written.contains(id)).then_some(())
    });
    let metrics = format!("http://{}/metrics", daemon.address("metrics", "http"));
    let series = r#"ciotel_receiver_accepted_spans{receiver="otlp",transport="http"}"#;
    let mut last = String::new();
    let counted = wait_until(Duration::from_secs(10), || {
        last = reqwest::blocking::get(&metrics)
            .and_then(|r| r.text())
            .unwrap_or_default();
        metric(&last, series) == Some(ids.len() as f64)
    });
    assert!(
        counted,
        "expected {series} {} after the chunked request; /metrics:\n{last}",
        ids.len()
    );
}

/// gRPC: messages above `max_recv_msg_size_mib` are refused (also when they only get that big
/// after gzip), smaller ones and gzip-compressed ones pass and are exported.
#[test]
fn grpc_enforces_the_message_size_limit_and_accepts_gzip() {
    let dir = TempDir::new("grpc-limits");
    let out = dir.join("traces.jsonl");
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n        max_recv_msg_size_mib: 1\n\
         exporters:\n  file:\n    path: {}\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [file]\n",
        out.display()
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let endpoint = format!("http://{}", daemon.address("otlp", "grpc"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let export = |request: ExportTraceServiceRequest, gzip: bool| -> Result<(), tonic::Status> {
        runtime.block_on(async {
            let mut client = TraceServiceClient::connect(endpoint.clone())
                .await
                .expect("connect over gRPC");
            if gzip {
                client = client
                    .send_compressed(CompressionEncoding::Gzip)
                    .accept_compressed(CompressionEncoding::Gzip);
            }
            client.export(request).await.map(|_| ())
        })
    };
    let mut checks = Checks::default();
    let mut accepted_ids = Vec::new();
    let mut refused_ids = Vec::new();
    // RESOURCE_EXHAUSTED without RetryInfo: the OTLP answer a client does not retry
    // (tonic's own OUT_OF_RANGE would be retried forever).
    let too_large = |code: tonic::Code| code == tonic::Code::ResourceExhausted;

    let (small, ids) = trace_request(1, 512 * 1024);
    accepted_ids.extend(ids);
    let r = export(small, false);
    checks.expect_that(
        "a 0.5 MiB message under the 1 MiB limit passes",
        r.is_ok(),
        format!("{r:?}"),
    );

    let (big, ids) = trace_request(1, 3 * 512 * 1024);
    refused_ids.extend(ids);
    let r = export(big, false);
    checks.expect_that(
        "a 1.5 MiB message is refused with RESOURCE_EXHAUSTED (not retried by clients)",
        r.as_ref().is_err_and(|s| too_large(s.code())),
        format!("{r:?}"),
    );

    let (compressed, ids) = trace_request(3, 0);
    accepted_ids.extend(ids);
    let r = export(compressed, true);
    checks.expect_that(
        "a gzip-compressed request passes",
        r.is_ok(),
        format!("{r:?}"),
    );

    let (bomb, ids) = trace_request(1, 2 * 1024 * 1024);
    refused_ids.extend(ids);
    let r = export(bomb, true);
    checks.expect_that(
        "a gzip message that inflates to 2 MiB is refused with RESOURCE_EXHAUSTED (not retried by clients)",
        r.as_ref().is_err_and(|s| too_large(s.code())),
        format!("{r:?}"),
    );

    let (after, ids) = trace_request(1, 0);
    accepted_ids.extend(ids);
    let r = export(after, false);
    checks.expect_that(
        "after the refusals a normal request still passes",
        r.is_ok(),
        format!("{r:?}"),
    );

    let mut written = BTreeSet::new();
    let arrived = wait_until(Duration::from_secs(10), || {
        written = span_ids_in_file(&out);
        accepted_ids.iter().all(|id| written.contains(id))
    });
    checks.expect_that(
        "every accepted span is exported",
        arrived,
        format!(
            "missing from the file: {:?}",
            missing(&accepted_ids, &written)
        ),
    );
    let leaked: Vec<_> = refused_ids
        .iter()
        .filter(|id| written.contains(*id))
        .collect();
    checks.expect_that(
        "no span of a refused message is exported",
        leaked.is_empty(),
        format!("leaked: {leaked:?}"),
    );
    checks.finish(&daemon);
}

// ---- configs -------------------------------------------------------------------------------

/// An HTTP-only OTLP receiver with `max_request_body_size: limit` into a `file` exporter; the
/// metrics endpoint on an OS-picked port when `metrics`.
fn http_config(out: &Path, limit: usize, metrics: bool) -> String {
    let telemetry = if metrics {
        "address: 127.0.0.1:0"
    } else {
        "level: none"
    };
    format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n        max_request_body_size: {limit}\n\
         exporters:\n  file:\n    path: {}\n\
         service:\n  telemetry:\n    metrics:\n      {telemetry}\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [file]\n",
        out.display()
    )
}

// ---- requests ------------------------------------------------------------------------------

/// An export request of `spans` spans with ids unique in this process (returned as hex), each
/// span's name padded to at least `name_len` bytes to make the request as big as needed.
fn trace_request(spans: usize, name_len: usize) -> (ExportTraceServiceRequest, Vec<String>) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut ids = Vec::new();
    let spans = (0..spans)
        .map(|_| {
            let n = NEXT.fetch_add(1, Ordering::SeqCst);
            let span_id = (0x4854_5450_0000_0000 | n).to_be_bytes().to_vec();
            ids.push(hex(&span_id));
            Span {
                trace_id: [[0x7e; 8], n.to_be_bytes()].concat(),
                span_id,
                name: format!("span-{n}{}", "x".repeat(name_len)),
                kind: 1,
                start_time_unix_nano: 1_700_000_000_000_000_000,
                end_time_unix_nano: 1_700_000_000_500_000_000,
                ..Default::default()
            }
        })
        .collect();
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::StringValue("http-errors-test".into())),
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "tests/http_errors".into(),
                    ..Default::default()
                }),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    (request, ids)
}

/// The request in OTLP/JSON (hex ids, integer enums, 64-bit integers as strings).
fn to_json(request: &ExportTraceServiceRequest) -> serde_json::Value {
    let resource_spans: Vec<_> = request
        .resource_spans
        .iter()
        .map(|rs| {
            let spans: Vec<_> = rs.scope_spans.iter().flat_map(|ss| &ss.spans).map(|s| {
                serde_json::json!({
                    "traceId": hex(&s.trace_id),
                    "spanId": hex(&s.span_id),
                    "name": s.name,
                    "kind": s.kind,
                    "startTimeUnixNano": s.start_time_unix_nano.to_string(),
                    "endTimeUnixNano": s.end_time_unix_nano.to_string(),
                })
            }).collect();
            serde_json::json!({
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "http-errors-test"}}]},
                "scopeSpans": [{"scope": {"name": "tests/http_errors"}, "spans": spans}],
            })
        })
        .collect();
    serde_json::json!({ "resourceSpans": resource_spans })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- responses -----------------------------------------------------------------------------

/// `google.rpc.Status`, as OTLP/HTTP error bodies carry it.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// What the receiver answered, kept whole for assertion messages.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn content_type_is(&self, media: &str) -> bool {
        self.header("content-type").is_some_and(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(media)
        })
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = String::from_utf8_lossy(&self.body);
        let body: String = body.chars().take(300).collect();
        write!(f, "got {} {:?} body {:?}", self.status, self.headers, body)
    }
}

fn send(request: reqwest::blocking::RequestBuilder) -> Reply {
    let response = request
        .timeout(Duration::from_secs(10))
        .send()
        .expect("the HTTP receiver answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response.bytes().map(|b| b.to_vec()).unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

fn post(
    client: &reqwest::blocking::Client,
    url: &str,
    content_type: &str,
    encoding: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut request = client
        .post(url)
        .header("content-type", content_type)
        .body(body);
    if let Some(encoding) = encoding {
        request = request.header("content-encoding", encoding);
    }
    send(request)
}

fn message_of(status: &serde_json::Value) -> &str {
    status["message"].as_str().unwrap_or("")
}

// ---- checking ------------------------------------------------------------------------------

/// Soft assertions: every failed expectation is recorded, and [`Checks::finish`] fails the test
/// listing all of them.
#[derive(Default)]
struct Checks {
    failures: Vec<String>,
}

impl Checks {
    fn expect(&mut self, what: &str, ok: bool, reply: &Reply) {
        self.expect_that(what, ok, reply.to_string());
    }

    fn expect_that(&mut self, what: &str, ok: bool, detail: String) {
        if !ok {
            self.failures.push(format!("{what}: {detail}"));
        }
    }

    fn finish(self, daemon: &Daemon) {
        assert!(
            self.failures.is_empty(),
            "{} expectation(s) failed:\n- {}\n--- ciotel log ---\n{}",
            self.failures.len(),
            self.failures.join("\n- "),
            daemon.log_text()
        );
    }
}

fn span_ids_in_file(path: &Path) -> BTreeSet<String> {
    spans_in(&read_json_lines(path))
        .iter()
        .filter_map(|s| s["spanId"].as_str().map(str::to_string))
        .collect()
}

fn missing<'a>(wanted: &'a [String], have: &BTreeSet<String>) -> Vec<&'a String> {
    wanted.iter().filter(|id| !have.contains(*id)).collect()
}

/// Polls `check` until it is true or `limit` passes; says which.
fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
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

/// The value of one series (`name{labels}` exactly as rendered) in Prometheus text.
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}
