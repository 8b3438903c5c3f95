//! OTLP round trips through two real ciotel daemons, driven by the OpenTelemetry Python SDK:
//!
//! ```text
//! Python SDK ──OTLP gRPC or HTTP──▶ ciotel A ──otlp | otlphttp (json+gzip, proto)──▶ ciotel B ──▶ file
//! ```
//!
//! For traces, metrics and logs, everything the SDK put on the wire must arrive unchanged in B's
//! file. The client scripts (tests/clients/send_*.py) print the requests they sent as OTLP/JSON
//! (protobuf's reference JSON mapping, ids in hex); both sides are flattened into one record per
//! span / data point / log record, with its resource and scope, and compared exactly: ids, parent
//! ids, names, kinds, times, attributes and their value types, events, links, status, temporality,
//! buckets, exemplars, severity, bodies, trace context. Spot checks against literal values then pin
//! what matters most, so a mistake in the reference could not hide a loss.
//!
//! Also: the embedded default config validates, and `--version` / `--help` work.

mod support;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use support::{Daemon, TempDir, binary, otlp_config, run_client, wait_for};

// ---- traces ----------------------------------------------------------------------------------

#[test]
fn traces_over_grpc_then_otlp_grpc_exporter_arrive_unchanged() {
    let spans = round_trip(Signal::Traces, Client::Grpc, Hop::Grpc);
    check_known_spans(&spans);
}

#[test]
fn traces_over_http_then_otlphttp_json_gzip_arrive_unchanged() {
    let spans = round_trip(Signal::Traces, Client::HttpGzip, Hop::HttpJsonGzip);
    check_known_spans(&spans);
}

#[test]
fn traces_over_http_then_otlphttp_proto_arrive_unchanged() {
    let spans = round_trip(Signal::Traces, Client::Http, Hop::HttpProto);
    check_known_spans(&spans);
}

// ---- metrics ---------------------------------------------------------------------------------

#[test]
fn metrics_over_grpc_gzip_then_otlp_grpc_exporter_arrive_unchanged() {
    let points = round_trip(Signal::Metrics, Client::GrpcGzip, Hop::Grpc);
    check_known_metrics(&points);
}

#[test]
fn metrics_over_http_then_otlphttp_json_gzip_arrive_unchanged() {
    let points = round_trip(Signal::Metrics, Client::HttpGzip, Hop::HttpJsonGzip);
    check_known_metrics(&points);
}

// ---- logs ------------------------------------------------------------------------------------

#[test]
fn logs_over_grpc_then_otlp_grpc_exporter_arrive_unchanged() {
    let records = round_trip(Signal::Logs, Client::Grpc, Hop::Grpc);
    check_known_logs(&records);
}

#[test]
fn logs_over_http_then_otlphttp_json_gzip_arrive_unchanged() {
    let records = round_trip(Signal::Logs, Client::HttpGzip, Hop::HttpJsonGzip);
    check_known_logs(&records);
}

// ---- the embedded default config and the command line ----------------------------------------

#[test]
fn default_config_validates_and_cli_answers_version_and_help() {
    // The summary must describe configs/default.yaml, whose sections are counted here.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/default.yaml");
    let yaml: yaml_serde::Value = yaml_serde::from_str(&std::fs::read_to_string(&file).unwrap())
        .expect("default.yaml is YAML");
    let count = |section: &str| yaml[section].as_mapping().map_or(0, |m| m.len());
    let expected = format!(
        "config OK: {} receiver(s), {} processor(s), {} exporter(s), {} extension(s); pipelines: ",
        count("receivers"),
        count("processors"),
        count("exporters"),
        count("extensions"),
    );
    let mut pipelines: Vec<&str> = yaml["service"]["pipelines"]
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.as_str())
        .collect();
    pipelines.sort();
    assert!(
        pipelines.len() >= 3,
        "default.yaml has pipelines {pipelines:?}"
    );

    let from_file = ciotel(&["validate", "--config", file.to_str().unwrap()]);
    let embedded = ciotel(&["validate"]); // no --config: the embedded copy of the same file
    for out in [&from_file, &embedded] {
        assert!(out.ok, "validate failed:\n{}", out.text);
        let summary = out
            .stdout
            .lines()
            .find(|l| l.starts_with("config OK:"))
            .unwrap_or("");
        let listed = summary.strip_prefix(expected.as_str());
        let mut listed: Vec<&str> = listed
            .unwrap_or_else(|| panic!("expected `{expected}…`:\n{}", out.text))
            .split(", ")
            .collect();
        listed.sort();
        assert_eq!(listed, pipelines, "pipelines in the summary:\n{}", out.text);
    }
    assert_eq!(
        from_file.stdout, embedded.stdout,
        "validate without --config summarises another config"
    );

    let version = ciotel(&["--version"]);
    assert!(version.ok, "{}", version.text);
    assert_eq!(
        version.stdout.trim(),
        format!("ciotel {}", env!("CARGO_PKG_VERSION"))
    );

    let help = ciotel(&["--help"]);
    assert!(
        help.ok && help.stdout.contains("run") && help.stdout.contains("validate"),
        "{}",
        help.text
    );
    for command in ["run", "validate"] {
        let help = ciotel(&[command, "--help"]);
        assert!(help.ok, "{command} --help failed:\n{}", help.text);
        assert!(
            help.stdout.contains("--config"),
            "{command} --help does not mention --config:\n{}",
            help.text
        );
    }
}

// ---- spot checks: literal values from tests/clients/send_*.py -----------------------------------

/// The spans of send_traces.py, as they arrived.
fn check_known_spans(records: &[Value]) {
    let span = |name: &str| -> &Value {
        let found: Vec<&Value> = records
            .iter()
            .filter(|r| r["span"]["name"] == name)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one span `{name}`, got {}",
            found.len()
        );
        found[0]
    };
    assert_eq!(records.len(), 5, "spans: {records:#?}");
    let (run, build, deploy) = (
        &span("pipeline-run")["span"],
        &span("build")["span"],
        &span("deploy")["span"],
    );
    let (linked, consumer) = (
        &span("linked-target")["span"],
        &span("queue-receive")["span"],
    );

    // Ids and the parent/child structure.
    for s in [run, build, deploy, linked, consumer] {
        assert!(
            is_hex(&s["traceId"], 32) && is_hex(&s["spanId"], 16),
            "ids not hex: {s}"
        );
    }
    assert_eq!(build["parentSpanId"], run["spanId"]);
    assert_eq!(deploy["parentSpanId"], run["spanId"]);
    assert_eq!(build["traceId"], run["traceId"]);
    assert_eq!(deploy["traceId"], run["traceId"]);
    assert_eq!(run["parentSpanId"], Value::Null, "a root has no parent");
    assert_ne!(linked["traceId"], run["traceId"]);

    // Kinds (integer enums) and times to the nanosecond.
    let kinds = [
        (run, 2),
        (build, 1),
        (deploy, 3),
        (linked, 4),
        (consumer, 5),
    ];
    for (s, kind) in kinds {
        assert_eq!(s["kind"], kind, "kind of {}", s["name"]);
    }
    assert_eq!(run["startTimeUnixNano"], "1700000000123456789");
    assert_eq!(run["endTimeUnixNano"], "1700000005123456790");
    assert_eq!(build["endTimeUnixNano"], "1700000002123456796");

    // Attributes of every value type.
    let expected_attributes = [
        ("str", json!({"stringValue": "hello"})),
        ("str.empty", json!({"stringValue": ""})),
        (
            "str.escapes",
            json!({"stringValue": "quote \" backslash \\ newline \n tab \t nul \u{0} é ✓ 🚀"}),
        ),
        ("bool.true", json!({"boolValue": true})),
        ("bool.false", json!({"boolValue": false})),
        ("int.zero", json!({"intValue": "0"})),
        ("int.negative", json!({"intValue": "-42"})),
        ("int.max", json!({"intValue": "9223372036854775807"})),
        ("int.min", json!({"intValue": "-9223372036854775808"})),
        ("double", json!({"doubleValue": std::f64::consts::PI})),
        ("double.tenth", json!({"doubleValue": 0.1})),
        ("double.zero", json!({"doubleValue": 0.0})),
        ("double.negative", json!({"doubleValue": -2.5e-300})),
        ("double.whole", json!({"doubleValue": 2.0})),
        ("double.inf", json!({"doubleValue": "Infinity"})),
        ("double.nan", json!({"doubleValue": "NaN"})),
        (
            "str.array",
            json!({"arrayValue": {"values": [{"stringValue": "a"}, {"stringValue": ""}, {"stringValue": "c"}]}}),
        ),
        (
            "bool.array",
            json!({"arrayValue": {"values": [{"boolValue": true}, {"boolValue": false}, {"boolValue": true}]}}),
        ),
        (
            "int.array",
            json!({"arrayValue": {"values": [{"intValue": "1"}, {"intValue": "-2"}, {"intValue": "9223372036854775807"}]}}),
        ),
        (
            "double.array",
            json!({"arrayValue": {"values": [{"doubleValue": 1.5}, {"doubleValue": -0.25}, {"doubleValue": 0.0}]}}),
        ),
        ("bytes", json!({"bytesValue": "AAH+/w=="})),
    ];
    for (key, value) in expected_attributes {
        assert_eq!(
            normalize(attribute(run, key)),
            normalize(&value),
            "attribute {key}"
        );
    }
    assert_eq!(
        attribute(&attribute(run, "map")["kvlistValue"], "n"),
        &json!({"intValue": "7"}),
        "map attribute"
    );

    // Status, events, links, dropped counts.
    assert_eq!(run["status"], json!({"code": 1}));
    assert_eq!(
        build["status"],
        json!({"code": 2, "message": "tests failed: 3 of 120"})
    );
    assert_eq!(deploy["status"], json!({}));
    let event_names: Vec<&Value> = build["events"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["name"])
        .collect();
    assert_eq!(event_names, ["compile.start", "compile.done", "exception"]);
    let start = &build["events"][0];
    assert_eq!(start["timeUnixNano"], "1700000000123458789");
    assert_eq!(attribute(start, "files"), &json!({"intValue": "12"}));
    assert_eq!(
        attribute(&build["events"][2], "exception.message"),
        &json!({"stringValue": "3 tests failed"})
    );
    assert_eq!(deploy["droppedEventsCount"], 1);
    let link = &deploy["links"][0];
    assert_eq!(
        (&link["traceId"], &link["spanId"]),
        (&linked["traceId"], &linked["spanId"])
    );
    assert_eq!(
        attribute(link, "link.kind"),
        &json!({"stringValue": "triggered-by"})
    );
    assert_eq!(attribute(link, "link.flag"), &json!({"boolValue": false}));

    // A remote parent: its id, the trace state, and the is-remote flags.
    assert_eq!(consumer["traceId"], "5b8efff798038103d269b633813fc60c");
    assert_eq!(consumer["parentSpanId"], "eee19b7ec3c1b174");
    assert_eq!(consumer["traceState"], "ciotel=t61rcWkgMzE,other=x");
    assert_eq!(consumer["flags"], 0x300);
    assert_eq!(run["flags"], 0x100);

    // Resource and scope.
    let any = &records[0];
    assert_eq!(
        attribute(&any["resource"], "service.name"),
        &json!({"stringValue": "ciotel-roundtrip"})
    );
    assert_eq!(
        attribute(&any["resource"], "host.cpu.count"),
        &json!({"intValue": "8"})
    );
    assert_eq!(
        attribute(&any["resource"], "telemetry.sdk.language"),
        &json!({"stringValue": "python"})
    );
    assert_eq!(any["scope"]["name"], "ciotel.tests.roundtrip");
    assert_eq!(any["scope"]["version"], "0.9.1");
    assert_eq!(
        attribute(&any["scope"], "scope.n"),
        &json!({"intValue": "1"})
    );
    assert_eq!(
        any["scopeSchemaUrl"],
        "https://opentelemetry.io/schemas/1.26.0"
    );
}

/// The data points of send_metrics.py, as they arrived.
fn check_known_metrics(records: &[Value]) {
    let points = |name: &str| -> Vec<&Value> {
        records
            .iter()
            .filter(|r| r["metric"]["name"] == name)
            .collect()
    };
    let point = |name: &str, key: &str, value: &str| -> &Value {
        let found: Vec<&Value> = points(name)
            .into_iter()
            .filter(|r| attribute(&r["point"], key) == &json!({"stringValue": value}))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one point of {name} with {key}={value}, got {}",
            found.len()
        );
        found[0]
    };
    assert_eq!(records.len(), 8, "data points: {records:#?}");

    let success = point("ci.jobs.completed", "ci.result", "success");
    assert_eq!(success["metric"]["unit"], "{job}");
    assert_eq!(success["metric"]["description"], "Jobs that finished");
    assert_eq!(
        success["metric"]["sum"],
        json!({"aggregationTemporality": 1, "isMonotonic": true}),
        "a DELTA counter"
    );
    assert_eq!(success["point"]["asInt"], "5");
    assert_eq!(
        attribute(&success["point"], "ci.runner.os"),
        &json!({"stringValue": "linux"})
    );
    let exemplar = &success["point"]["exemplars"][0];
    assert!(
        is_hex(&exemplar["traceId"], 32) && is_hex(&exemplar["spanId"], 16),
        "exemplar ids: {exemplar}"
    );
    assert_eq!(
        point("ci.jobs.completed", "ci.result", "failure")["point"]["asInt"],
        "1"
    );

    let cpu = point("ci.build.cpu_time", "ci.job", "build");
    assert_eq!(
        cpu["metric"]["sum"],
        json!({"aggregationTemporality": 1, "isMonotonic": true}),
        "a DELTA counter"
    );
    assert_eq!(
        normalize(&cpu["point"]["asDouble"]),
        normalize(&json!(3.75))
    );

    let depth = point("ci.queue.depth", "ci.queue", "default");
    assert_eq!(
        depth["metric"]["sum"],
        json!({"aggregationTemporality": 2}),
        "an up-down counter is not monotonic"
    );
    assert_eq!(depth["point"]["asInt"], "-2");

    let hist = &point("ci.job.duration", "ci.job", "build")["point"];
    assert!(
        points("ci.job.duration")[0]["metric"]["histogram"].is_object(),
        "ci.job.duration is not a histogram"
    );
    assert_eq!(hist["count"], "5");
    assert_eq!(hist["bucketCounts"], json!(["0", "1", "2", "1", "0", "1"]));
    assert_eq!(
        normalize(&hist["explicitBounds"]),
        normalize(&json!([0.0, 1.0, 10.0, 100.0, 1000.0]))
    );
    assert_eq!(
        normalize(&json!([&hist["sum"], &hist["min"], &hist["max"]])),
        normalize(&json!([1252.75, 0.5, 1200.0]))
    );
    assert_eq!(attribute(hist, "ci.attempt"), &json!({"intValue": "1"}));

    let expo = point("ci.step.duration", "ci.step", "test");
    assert_eq!(
        expo["metric"]["exponentialHistogram"],
        json!({"aggregationTemporality": 2})
    );
    let expo = &expo["point"];
    assert_eq!(
        (&expo["count"], &expo["zeroCount"]),
        (&json!("7"), &json!("2"))
    );
    let scale_is_int = expo["scale"].is_null() || expo["scale"].is_i64(); // 0 is left out
    assert!(
        scale_is_int && expo["positive"]["offset"].is_i64(),
        "scale and offset: {expo}"
    );
    let positive: u64 = expo["positive"]["bucketCounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c.as_str().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(positive, 5, "positive bucket counts: {}", expo["positive"]);
    assert_eq!(
        normalize(&json!([&expo["sum"], &expo["min"], &expo["max"]])),
        normalize(&json!([12449.678, 0.0, 12345.678]))
    );

    assert!(
        points("ci.runners.idle")[0]["metric"]["gauge"].is_object(),
        "ci.runners.idle is not a gauge"
    );
    assert_eq!(
        point("ci.runners.idle", "ci.pool", "linux")["point"]["asInt"],
        "4"
    );
    assert_eq!(
        normalize(&point("ci.runners.idle", "ci.pool", "mac")["point"]["asDouble"]),
        normalize(&json!(1.5))
    );

    assert_eq!(
        attribute(&records[0]["resource"], "ci.worker.id"),
        &json!({"intValue": "17"})
    );
    assert_eq!(
        records[0]["scope"],
        json!({"name": "ciotel.tests.metrics", "version": "1.0.0"})
    );
}

/// The log records of send_logs.py, as they arrived.
fn check_known_logs(records: &[Value]) {
    let with_body = |body: Value| -> &Value {
        let found: Vec<&Value> = records
            .iter()
            .filter(|r| r["log"]["body"] == body)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one record with body {body}, got {}",
            found.len()
        );
        &found[0]["log"]
    };
    assert_eq!(records.len(), 7, "log records: {records:#?}");

    let warn = with_body(json!({"stringValue": "disk /dev/sda1 is 93% full"}));
    assert_eq!(
        (&warn["severityNumber"], &warn["severityText"]),
        (&json!(13), &json!("WARN"))
    );
    assert!(
        is_hex(&warn["traceId"], 32) && is_hex(&warn["spanId"], 16),
        "trace context: {warn}"
    );
    assert_eq!(attribute(warn, "retry"), &json!({"intValue": "2"}));
    assert_eq!(attribute(warn, "flaky"), &json!({"boolValue": true}));
    assert_eq!(
        normalize(attribute(warn, "ratio")),
        normalize(&json!({"doubleValue": 0.93}))
    );
    assert_eq!(
        attribute(warn, "tags"),
        &json!({"arrayValue": {"values": [{"stringValue": "a"}, {"stringValue": "b"}]}})
    );

    let error = with_body(json!({"stringValue": "step failed"}));
    assert_eq!(error["severityNumber"], 17);
    assert_eq!(
        (&error["traceId"], &error["spanId"]),
        (&warn["traceId"], &warn["spanId"]),
        "same span"
    );
    assert_eq!(
        attribute(error, "exception.type"),
        &json!({"stringValue": "ValueError"})
    );

    let info = with_body(json!({"stringValue": "no trace context here"}));
    assert_eq!(
        (&info["traceId"], &info["spanId"]),
        (&Value::Null, &Value::Null),
        "no trace context: {info}"
    );
    with_body(json!({"stringValue": "debug ✓ \"quoted\"\nsecond line"}));

    let event = records
        .iter()
        .map(|r| &r["log"])
        .find(|l| l["eventName"] == "ci.step.finished")
        .expect("the event");
    assert_eq!(event["timeUnixNano"], "1700000000123456789");
    assert_eq!(event["observedTimeUnixNano"], "1700000000123456790");
    assert_eq!(
        (&event["severityNumber"], &event["severityText"]),
        (&json!(6), &json!("DEBUG2"))
    );
    assert_eq!(
        attribute(&event["body"]["kvlistValue"], "duration_ms"),
        &json!({"intValue": "1234"})
    );
    assert_eq!(
        attribute(&event["body"]["kvlistValue"], "ok"),
        &json!({"boolValue": false})
    );
    assert_eq!(attribute(event, "bytes"), &json!({"bytesValue": "AP8="}));
    let array = json!({"arrayValue": {"values": [{"intValue": "1"}, {"stringValue": "two"}, {"doubleValue": 3.5}, {"boolValue": true}, {}]}});
    assert_eq!(with_body(array)["severityNumber"], 12);
    assert_eq!(
        with_body(json!({"bytesValue": "AXJhd/4="}))["severityNumber"],
        21
    );

    let scopes: Vec<&Value> = records.iter().map(|r| &r["scope"]["name"]).collect();
    assert!(
        scopes.contains(&&json!("ciotel.tests.logs"))
            && scopes.contains(&&json!("ciotel.tests.events")),
        "{scopes:?}"
    );
    assert_eq!(
        attribute(&records[0]["resource"], "service.name"),
        &json!({"stringValue": "ciotel-roundtrip-logs"})
    );
}

// ---- helpers ---------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Signal {
    Traces,
    Metrics,
    Logs,
}

/// How the Python SDK sends to ciotel A.
#[derive(Clone, Copy)]
enum Client {
    Grpc,
    GrpcGzip,
    Http,
    HttpGzip,
}

/// How ciotel A sends to ciotel B.
#[derive(Clone, Copy)]
enum Hop {
    Grpc,
    HttpJsonGzip,
    HttpProto,
}

impl Signal {
    fn pipeline(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
            Signal::Logs => "logs",
        }
    }

    fn script(self) -> String {
        format!("send_{}.py", self.pipeline())
    }
}

/// Python → A → B → file; asserts that what arrived equals what the SDK sent, and for the HTTP
/// hops that A sent the configured content type and encoding to the signal's path. Returns the
/// records that arrived (see [`flatten`]).
fn round_trip(signal: Signal, client: Client, hop: Hop) -> Vec<Value> {
    let dir = TempDir::new(&format!("roundtrip-{}", signal.pipeline()));
    let out = dir.join("out.jsonl");
    let pipeline = |exporter: &str| {
        format!(
            "    {}:\n      receivers: [otlp]\n      exporters: [{exporter}]\n",
            signal.pipeline()
        )
    };

    let file = format!("exporters:\n  file:\n    path: {}\n", out.display());
    let b = Daemon::start(&dir, "b", &otlp_config(&file, &pipeline("file")));
    let tap = Tap::start(&b.address("otlp", "http"));
    let (exporter, settings) = match hop {
        Hop::Grpc => (
            "otlp",
            format!(
                "endpoint: {}\ntls:\n  insecure: true",
                b.address("otlp", "grpc")
            ),
        ),
        Hop::HttpJsonGzip => (
            "otlphttp",
            format!(
                "endpoint: http://{}\nencoding: json\ncompression: gzip",
                tap.address
            ),
        ),
        Hop::HttpProto => (
            "otlphttp",
            format!(
                "endpoint: http://{}\nencoding: proto\ncompression: none",
                tap.address
            ),
        ),
    };
    let settings = settings.replace('\n', "\n    ");
    let exporters = format!("exporters:\n  {exporter}:\n    {settings}\n");
    let a = Daemon::start(&dir, "a", &otlp_config(&exporters, &pipeline(exporter)));

    let (transport, compression) = match client {
        Client::Grpc => ("grpc", "none"),
        Client::GrpcGzip => ("grpc", "gzip"),
        Client::Http => ("http", "none"),
        Client::HttpGzip => ("http", "gzip"),
    };
    let endpoint = format!("http://{}", a.address("otlp", transport));
    let output = run_client(&signal.script(), &[transport, &endpoint, compression], &[]);
    let sent = flatten(signal, &sent_requests(&output));
    assert!(!sent.is_empty(), "the client sent nothing:\n{output}");

    let arrived = wait_for(&format!("{} records in B's file", sent.len()), || {
        let arrived = flatten(signal, &complete_json_lines(&out));
        (arrived.len() >= sent.len()).then_some(arrived)
    });
    let logs = format!("A's log:\n{}\n\nB's log:\n{}", a.log_text(), b.log_text());
    assert_same_records(signal, &sent, &arrived, &logs);

    let head = tap.first_request_head();
    let expect = |line: &str| assert!(head.contains(line), "A's request lacks `{line}`:\n{head}");
    match hop {
        Hop::Grpc => assert!(
            head.is_empty(),
            "the gRPC hop went through HTTP/1.1:\n{head}"
        ),
        Hop::HttpJsonGzip => {
            expect(&format!("post /v1/{} http/1.1", signal.pipeline()));
            expect("content-type: application/json");
            expect("content-encoding: gzip");
        }
        Hop::HttpProto => {
            expect(&format!("post /v1/{} http/1.1", signal.pipeline()));
            expect("content-type: application/x-protobuf");
            assert!(
                !head.contains("content-encoding: gzip"),
                "compression: none, yet:\n{head}"
            );
        }
    }
    arrived
}

/// The requests a client script printed after its `CIOTEL-TEST-SENT ` marker.
fn sent_requests(output: &str) -> Vec<Value> {
    let line = output
        .lines()
        .find_map(|l| l.strip_prefix("CIOTEL-TEST-SENT "))
        .unwrap_or_else(|| panic!("the client printed no record of what it sent:\n{output}"));
    serde_json::from_str::<Vec<Value>>(line).expect("the client's record is JSON")
}

/// Every complete (newline-terminated) JSON line of a file; a line still being written is left
/// for the next poll. A complete line that is not JSON is a bug in the file exporter.
fn complete_json_lines(path: &Path) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    complete
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("bad JSON line in {}: {e}: {l}", path.display()))
        })
        .collect()
}

/// One record per span, metric data point or log record, each with its resource and scope (and
/// their schema URLs), so requests split or merged on the way compare equal.
fn flatten(signal: Signal, requests: &[Value]) -> Vec<Value> {
    let (resources, scopes, items) = match signal {
        Signal::Traces => ("resourceSpans", "scopeSpans", "spans"),
        Signal::Metrics => ("resourceMetrics", "scopeMetrics", "metrics"),
        Signal::Logs => ("resourceLogs", "scopeLogs", "logRecords"),
    };
    let mut out = Vec::new();
    for request in requests {
        for r in request[resources].as_array().into_iter().flatten() {
            for s in r[scopes].as_array().into_iter().flatten() {
                for item in s[items].as_array().into_iter().flatten() {
                    let context = json!({"resource": r["resource"], "schemaUrl": r["schemaUrl"], "scope": s["scope"], "scopeSchemaUrl": s["schemaUrl"]});
                    match signal {
                        Signal::Traces => out.push(with(context, "span", item.clone())),
                        Signal::Logs => out.push(with(context, "log", item.clone())),
                        Signal::Metrics => {
                            out.extend(metric_points(item).into_iter().map(|(metric, point)| {
                                let record = with(context.clone(), "metric", metric);
                                with(record, "point", point)
                            }))
                        }
                    }
                }
            }
        }
    }
    out
}

/// A metric split into (the metric without its data points, one data point) pairs. A metric
/// whose data is missing or unknown still yields one pair, so its loss shows up in the diff.
fn metric_points(metric: &Value) -> Vec<(Value, Value)> {
    let kinds = [
        "gauge",
        "sum",
        "histogram",
        "exponentialHistogram",
        "summary",
    ];
    let Some(kind) = kinds.into_iter().find(|k| metric.get(*k).is_some()) else {
        return vec![(metric.clone(), Value::Null)];
    };
    let mut shell = metric.clone();
    let points = shell[kind]
        .as_object_mut()
        .and_then(|o| o.remove("dataPoints"));
    match points {
        Some(Value::Array(points)) if !points.is_empty() => {
            points.into_iter().map(|p| (shell.clone(), p)).collect()
        }
        _ => vec![(shell, Value::Null)],
    }
}

fn with(mut object: Value, key: &str, value: Value) -> Value {
    object[key] = value;
    object
}

/// Asserts the two lists hold the same records (in any order); on failure names the records
/// missing, unexpected or different, and for different ones every differing field.
fn assert_same_records(signal: Signal, sent: &[Value], arrived: &[Value], context: &str) {
    let canonical = |records: &[Value]| -> Vec<String> {
        let mut v: Vec<String> = records.iter().map(|r| normalize(r).to_string()).collect();
        v.sort();
        v
    };
    if canonical(sent) == canonical(arrived) {
        return;
    }
    let identity = |r: &Value| -> String {
        match signal {
            Signal::Traces => format!("span {} {}", r["span"]["name"], r["span"]["spanId"]),
            Signal::Metrics => format!(
                "metric {} point {} {}",
                r["metric"]["name"],
                normalize(&r["point"]["attributes"]),
                r["point"]["startTimeUnixNano"]
            ),
            Signal::Logs => format!(
                "log {} {}",
                r["log"]["timeUnixNano"],
                normalize(&r["log"]["body"])
            ),
        }
    };
    let mut report = format!("{} record(s) sent, {} arrived\n", sent.len(), arrived.len());
    for s in sent {
        let matches: Vec<&Value> = arrived
            .iter()
            .filter(|a| identity(a) == identity(s))
            .collect();
        match matches.as_slice() {
            [] => report += &format!("MISSING {}\n", identity(s)),
            [a] => {
                let mut diffs = Vec::new();
                json_diff("", &normalize(s), &normalize(a), &mut diffs);
                for d in diffs {
                    report += &format!("CHANGED {}: {d}\n", identity(s));
                }
            }
            many => report += &format!("DUPLICATED x{} {}\n", many.len(), identity(s)),
        }
    }
    for a in arrived {
        if !sent.iter().any(|s| identity(s) == identity(a)) {
            report += &format!("UNEXPECTED {}: {a}\n", identity(a));
        }
    }
    panic!("what arrived in B's file differs from what the Python SDK sent:\n{report}\n{context}");
}

/// Lists the paths where `sent` and `arrived` differ.
fn json_diff(path: &str, sent: &Value, arrived: &Value, out: &mut Vec<String>) {
    match (sent, arrived) {
        (Value::Object(s), Value::Object(a)) => {
            let keys: std::collections::BTreeSet<&String> = s.keys().chain(a.keys()).collect();
            for k in keys {
                let (sv, av) = (
                    s.get(k).unwrap_or(&Value::Null),
                    a.get(k).unwrap_or(&Value::Null),
                );
                json_diff(&format!("{path}.{k}"), sv, av, out);
            }
        }
        (Value::Array(s), Value::Array(a)) if s.len() == a.len() => {
            for (i, (sv, av)) in s.iter().zip(a).enumerate() {
                json_diff(&format!("{path}[{i}]"), sv, av, out);
            }
        }
        _ if sent != arrived => out.push(format!("{path}: sent {sent}, arrived {arrived}")),
        _ => {}
    }
}

/// Every JSON number as an f64, so `2` and `2.0` (the same double in OTLP/JSON) compare equal.
/// 64-bit integers are strings in OTLP/JSON and stay exact; numbers are enums, 32-bit integers
/// and doubles, all exact as f64.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(v.clone(), Value::Number),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        _ => v.clone(),
    }
}

/// The value of attribute `key` in `holder["attributes"]` or, for a kvlist, `holder["values"]`.
fn attribute<'a>(holder: &'a Value, key: &str) -> &'a Value {
    holder["attributes"]
        .as_array()
        .or_else(|| holder["values"].as_array())
        .into_iter()
        .flatten()
        .find(|kv| kv["key"] == key)
        .map(|kv| &kv["value"])
        .unwrap_or_else(|| panic!("no attribute {key} in {holder}"))
}

fn is_hex(v: &Value, len: usize) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

struct Output {
    ok: bool,
    stdout: String,
    text: String,
}

/// Runs the ciotel binary with `args` (nothing is started: validate, --version, --help).
fn ciotel(args: &[&str]) -> Output {
    let dir = TempDir::new("cli");
    let out = Command::new(binary())
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("run ciotel");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let text = format!(
        "$ ciotel {}\n{stdout}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    Output {
        ok: out.status.success(),
        stdout,
        text,
    }
}

/// A TCP pass-through in front of B's HTTP receiver that keeps every byte A sends, so the test
/// can see the request line and headers of A's first request (HTTP/1.1 heads are plain text).
struct Tap {
    address: String,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl Tap {
    fn start(target: &str) -> Tap {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the tap");
        let address = listener.local_addr().expect("tap address").to_string();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let (target, keep) = (target.to_string(), sent.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let (mut from_client, mut to_server) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let keep = keep.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n @ 1..) = from_client.read(&mut buf) {
                        keep.lock().unwrap().extend_from_slice(&buf[..n]);
                        if to_server.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to_server.shutdown(Shutdown::Write);
                });
                let (mut from_server, mut to_client) = (server, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from_server, &mut to_client);
                    let _ = to_client.shutdown(Shutdown::Write);
                });
            }
        });
        Tap { address, sent }
    }

    /// The request line and headers of the first request through the tap, lower-cased; empty
    /// when nothing went through it.
    fn first_request_head(&self) -> String {
        let sent = self.sent.lock().unwrap();
        let end = sent
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(sent.len());
        String::from_utf8_lossy(&sent[..end]).to_lowercase()
    }
}
