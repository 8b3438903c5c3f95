//! The shipped sidecar and gateway configs work together over TLS once a CA and certificates
//! exist: certificates from scripts/make-test-ca.sh in CIOTEL_TLS_DIR, the configs as shipped
//! except for their ports (made OS-picked), a span sent to the sidecar arrives through the
//! gateway (routed as the developers' span it is, through the gateway's persistent queue) at a
//! test sink standing in for the Dev backend.
//!
//! One test only in this file: it sets environment variables the daemons inherit.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};

fn shipped(name: &str, ports: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name);
    let mut text = std::fs::read_to_string(&path).expect("read shipped config");
    for port in ports {
        assert!(text.contains(port), "{name} no longer listens on {port}");
        text = text.replace(port, "127.0.0.1:0");
    }
    text
}

/// The address of `receiver`'s `transport` from a JSON "listening" log line.
fn json_address(daemon: &Daemon, receiver: &str, transport: &str) -> String {
    daemon
        .log_lines()
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|l| l["fields"].clone())
        .find(|f| {
            f["message"] == "listening" && f["receiver"] == receiver && f["transport"] == transport
        })
        .and_then(|f| f["address"].as_str().map(str::to_string))
        .unwrap_or_else(|| {
            panic!(
                "no {transport} address for {receiver}:\n{}",
                daemon.log_text()
            )
        })
}

#[test]
fn sidecar_to_gateway_over_tls_with_the_shipped_configs() {
    let dir = TempDir::new("tls-pair");
    let tls = dir.join("tls");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/make-test-ca.sh");
    let made = Command::new("bash")
        .arg(&script)
        .arg(&tls)
        .args(["localhost", "127.0.0.1"])
        .output()
        .expect("run make-test-ca.sh");
    assert!(
        made.status.success(),
        "make-test-ca.sh: {}",
        String::from_utf8_lossy(&made.stderr)
    );

    let out = dir.join("dev.jsonl");
    let sink = Daemon::start(
        &dir,
        "sink",
        &format!(
            "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n\
             exporters:\n  file:\n    path: {}\n\
             service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [file]\n",
            out.display()
        ),
    );
    // SAFETY: the only test in this binary, so no other thread reads the environment now.
    unsafe {
        std::env::set_var("CIOTEL_TLS_DIR", &tls);
        std::env::set_var("DEV_OTLP_ENDPOINT", sink.address("otlp", "grpc"));
        std::env::set_var("OPS_OTLP_ENDPOINT", "127.0.0.1:9");
        std::env::set_var("CIOTEL_STATE_DIR", dir.join("state"));
        std::env::set_var("ARCHIVE_OTLP_ENDPOINT", "http://127.0.0.1:9");
        std::env::set_var("GITHUB_WEBHOOK_SECRET", "test-github-secret");
        std::env::set_var("GITLAB_WEBHOOK_TOKEN", "test-gitlab-token");
        std::env::set_var("GITHUB_TOKEN", "test-token");
    }
    let gateway = Daemon::start(
        &dir,
        "gateway",
        &shipped(
            "gateway.yaml",
            &[
                "0.0.0.0:4317",
                "0.0.0.0:4318",
                "0.0.0.0:8080",
                "0.0.0.0:13133",
                "0.0.0.0:8888",
            ],
        ),
    );
    // The gateway logs JSON, which the support's address parser does not read.
    let gateway_grpc = json_address(&gateway, "otlp", "grpc");
    let port = gateway_grpc.rsplit(':').next().unwrap_or_default();
    // SAFETY: as above.
    unsafe { std::env::set_var("CIOTEL_GATEWAY", format!("localhost:{port}")) };
    let sidecar = Daemon::start(
        &dir,
        "sidecar",
        &shipped(
            "sidecar.yaml",
            &["127.0.0.1:4317", "127.0.0.1:4318", "127.0.0.1:8888"],
        ),
    );

    let span = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"pytest"}}]},
        "scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
        "name":"through-the-gateway","kind":1,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}]}]}]}"#;
    let status = reqwest::blocking::Client::new()
        .post(format!(
            "http://{}/v1/traces",
            sidecar.address("otlp", "http")
        ))
        .header("content-type", "application/json")
        .body(span)
        .timeout(Duration::from_secs(5))
        .send()
        .expect("post to the sidecar")
        .status();
    assert_eq!(status.as_u16(), 200);
    let arrived = std::panic::catch_unwind(|| {
        wait_for("the span at the sink behind the gateway", || {
            spans_in(&read_json_lines(&out))
                .into_iter()
                .find(|s| s["name"] == "through-the-gateway")
        })
    });
    assert!(
        arrived.is_ok(),
        "sidecar log:\n{}\n\ngateway log:\n{}",
        sidecar.log_text(),
        gateway.log_text()
    );
}
