//! TLS on every listener, against the real binary with certificates made in the test: OTLP
//! over TLS from the real Python SDK (gRPC) and from reqwest (HTTP), health_check and metrics
//! over TLS, mTLS (reqwest over HTTP, the Python SDK over gRPC) refusing a client without a
//! certificate, certificates reloaded from disk without a restart (a broken new file keeps the
//! old one serving), the exporters' plaintext hint and the network-listener warning.

#[path = "support/pki.rs"]
mod pki;
mod support;

use pki::{Issued, TestCa};
use std::path::Path;
use std::time::Duration;
use support::{Daemon, TempDir, read_json_lines, run_client, spans_in, wait_for};

fn tls_lines(indent: &str, server: &Issued, extra: &str) -> String {
    format!(
        "{indent}tls:\n{indent}  cert_file: {}\n{indent}  key_file: {}\n{extra}",
        server.cert_file.display(),
        server.key_file.display()
    )
}

/// An https client trusting only `ca_pem`, with a client certificate when given. A new client
/// (and so a new connection and handshake) per call.
fn client(ca_pem: &str, identity: Option<&Issued>) -> reqwest::blocking::Client {
    let mut builder = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA"))
        .timeout(Duration::from_secs(5));
    if let Some(id) = identity {
        let pem = format!("{}{}", id.cert_pem, id.key_pem);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("identity"));
    }
    builder.build().expect("client")
}

fn post_trace(client: &reqwest::blocking::Client, url: &str) -> Result<u16, String> {
    client
        .post(url)
        .header("content-type", "application/json")
        .body(r#"{"resourceSpans":[]}"#)
        .send()
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("{e:?}"))
}

fn https(address: &str, path: &str) -> String {
    let port = address.rsplit(':').next().unwrap_or_default();
    format!("https://localhost:{port}{path}")
}

/// OTLP/gRPC over TLS from the Python SDK (trusting the test CA), OTLP/HTTP over TLS from
/// reqwest, and health_check and metrics over TLS; plain HTTP to a TLS port gets nothing.
#[test]
fn every_listener_serves_tls_to_real_clients() {
    let dir = TempDir::new("tls");
    let ca = TestCa::new("ciotel test CA");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let server = ca.server(dir.path(), "server");
    let out = dir.join("traces.jsonl");
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n{}      http:\n        endpoint: 127.0.0.1:0\n{}\
         exporters:\n  file:\n    path: {}\n\
         extensions:\n  health_check:\n    endpoint: 127.0.0.1:0\n{}\
         service:\n  extensions: [health_check]\n  telemetry:\n    metrics:\n      address: 127.0.0.1:0\n{}\
         \x20 pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [file]\n",
        tls_lines("        ", &server, ""),
        tls_lines("        ", &server, ""),
        out.display(),
        tls_lines("    ", &server, ""),
        tls_lines("      ", &server, ""),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);

    let grpc = daemon.address("otlp", "grpc");
    let port = grpc.rsplit(':').next().unwrap_or_default();
    let output = run_client(
        "send_span_tls.py",
        &[&format!("https://localhost:{port}"), "over-tls"],
        &[(
            "OTEL_EXPORTER_OTLP_CERTIFICATE",
            ca_file.to_str().expect("utf-8 path"),
        )],
    );
    assert!(output.contains("sent"), "{output}");
    wait_for("the span sent over TLS in the file", || {
        spans_in(&read_json_lines(&out))
            .iter()
            .any(|s| s["name"] == "over-tls")
            .then_some(())
    });

    let http = daemon.address("otlp", "http");
    let trusted = client(&ca.pem, None);
    assert_eq!(post_trace(&trusted, &https(&http, "/v1/traces")), Ok(200));
    let plain = reqwest::blocking::Client::new()
        .post(format!("http://{http}/v1/traces"))
        .header("content-type", "application/json")
        .body("{}")
        .timeout(Duration::from_secs(5))
        .send();
    assert!(
        plain.is_err(),
        "plain HTTP to a TLS port got an answer: {plain:?}"
    );
    let untrusted = client(&TestCa::new("another CA").pem, None);
    assert!(post_trace(&untrusted, &https(&http, "/v1/traces")).is_err());

    let health = trusted
        .get(https(&daemon.address("health_check", "http"), "/"))
        .send()
        .expect("health over TLS");
    assert_eq!(health.status().as_u16(), 200);
    let metrics = trusted
        .get(https(&daemon.address("metrics", "http"), "/metrics"))
        .send()
        .expect("metrics over TLS")
        .text()
        .expect("metrics text");
    assert!(
        metrics.contains("ciotel_listener_open_connections"),
        "{metrics}"
    );
}

/// With `client_ca_file`, a client without a certificate (or with one from another CA) is
/// refused in the handshake, and one with a certificate from that CA is served.
#[test]
fn mtls_refuses_clients_without_a_certificate_from_the_client_ca() {
    let dir = TempDir::new("mtls");
    let ca = TestCa::new("ciotel test CA");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let server = ca.server(dir.path(), "server");
    let extra = format!("          client_ca_file: {}\n", ca_file.display());
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n{}\
         exporters:\n  debug:\n\
         service:\n  telemetry:\n    metrics:\n      address: 127.0.0.1:0\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n",
        tls_lines("        ", &server, &extra),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let url = https(&daemon.address("otlp", "http"), "/v1/traces");

    let without = post_trace(&client(&ca.pem, None), &url);
    assert!(without.is_err(), "served without a client certificate");
    let stranger = TestCa::new("stranger CA").client(dir.path(), "stranger");
    assert!(post_trace(&client(&ca.pem, Some(&stranger)), &url).is_err());
    let member = ca.client(dir.path(), "client");
    assert_eq!(post_trace(&client(&ca.pem, Some(&member)), &url), Ok(200));

    let failures = reqwest::blocking::get(format!(
        "http://{}/metrics",
        daemon.address("metrics", "http")
    ))
    .and_then(|r| r.text())
    .unwrap_or_default();
    let line = failures
        .lines()
        .find(|l| l.starts_with("ciotel_listener_tls_handshake_failures{component=\"otlp\""))
        .unwrap_or_default();
    assert!(
        line.rsplit(' ')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n >= 2),
        "handshake failures: {line:?}\n{failures}"
    );
}

/// mTLS on gRPC with the real Python SDK: without a client certificate the export fails, with
/// one from the client CA (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE / _KEY) the span arrives.
#[test]
fn grpc_mtls_with_the_python_sdk() {
    let dir = TempDir::new("grpc-mtls");
    let ca = TestCa::new("ciotel test CA");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let server = ca.server(dir.path(), "server");
    let member = ca.client(dir.path(), "client");
    let out = dir.join("traces.jsonl");
    let extra = format!("          client_ca_file: {}\n", ca_file.display());
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n{}\
         exporters:\n  file:\n    path: {}\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [file]\n",
        tls_lines("        ", &server, &extra),
        out.display(),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let port = daemon.address("otlp", "grpc");
    let endpoint = format!(
        "https://localhost:{}",
        port.rsplit(':').next().unwrap_or_default()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/send_span_tls.py");
    let send = |name: &str, with_cert: bool| {
        let mut command = std::process::Command::new(support::python());
        command
            .arg(&script)
            .args([endpoint.as_str(), name, "2"])
            .env("OTEL_EXPORTER_OTLP_CERTIFICATE", &ca_file);
        if with_cert {
            command
                .env("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", &member.cert_file)
                .env("OTEL_EXPORTER_OTLP_CLIENT_KEY", &member.key_file);
        }
        let output = command.output().expect("run the Python client");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (ok, output) = send("no-client-cert", false);
    assert!(!ok, "exported without a client certificate: {output}");
    let (ok, output) = send("with-client-cert", true);
    assert!(ok, "export with a client certificate failed: {output}");
    wait_for("the span sent with a client certificate", || {
        spans_in(&read_json_lines(&out))
            .iter()
            .any(|s| s["name"] == "with-client-cert")
            .then_some(())
    });
    assert!(
        !spans_in(&read_json_lines(&out))
            .iter()
            .any(|s| s["name"] == "no-client-cert")
    );
}

/// Files replaced on disk are served without a restart; a broken new file is logged and the
/// previous certificate keeps serving.
#[test]
fn certificates_are_reloaded_from_disk_and_a_broken_one_keeps_the_old() {
    let dir = TempDir::new("tls-reload");
    let old_ca = TestCa::new("old CA");
    let server = old_ca.server(dir.path(), "server");
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n{}\
         exporters:\n  debug:\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n",
        tls_lines("        ", &server, "          reload_interval: 100ms\n"),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let url = https(&daemon.address("otlp", "http"), "/v1/traces");
    assert_eq!(post_trace(&client(&old_ca.pem, None), &url), Ok(200));

    std::fs::write(
        &server.cert_file,
        "-----BEGIN CERTIFICATE-----\nnot base64\n",
    )
    .expect("break the cert");
    wait_for("the broken certificate to be reported", || {
        daemon.log_text().contains("do not load").then_some(())
    });
    assert_eq!(
        post_trace(&client(&old_ca.pem, None), &url),
        Ok(200),
        "the old certificate keeps serving"
    );

    let new_ca = TestCa::new("new CA");
    let scratch = TempDir::new("tls-reload-new");
    let renewed = new_ca.server(scratch.path(), "server");
    replace(&renewed.key_file, &server.key_file);
    replace(&renewed.cert_file, &server.cert_file);
    wait_for("the new certificate to be served", || {
        (post_trace(&client(&new_ca.pem, None), &url) == Ok(200)).then_some(())
    });
    assert!(post_trace(&client(&old_ca.pem, None), &url).is_err());
    assert!(
        daemon.log_text().contains("TLS certificate reloaded"),
        "{}",
        daemon.log_text()
    );
}

/// Replaces `to` with `from` in one rename, as certificate tools do.
fn replace(from: &Path, to: &Path) {
    let staging = to.with_extension("new");
    std::fs::copy(from, &staging).expect("stage");
    std::fs::rename(&staging, to).expect("rename");
}

/// An exporter whose TLS handshake meets a plaintext server says so, naming the address and
/// the setting, instead of rustls's "corrupt message of type InvalidContentType".
#[test]
fn an_exporter_meeting_a_plaintext_server_says_so() {
    let dir = TempDir::new("plaintext-hint");
    let ca = TestCa::new("ciotel test CA");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let plain = Daemon::start(
        &dir,
        "plain",
        "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n      http:\n        endpoint: 127.0.0.1:0\n\
         exporters:\n  debug:\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n",
    );
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n\
         exporters:\n  otlp/tls:\n    endpoint: {}\n    tls:\n      ca_file: {}\n    retry_on_failure:\n      enabled: false\n\
         \x20 otlphttp/tls:\n    endpoint: https://{}\n    tls:\n      ca_file: {}\n    retry_on_failure:\n      enabled: false\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [otlp/tls, otlphttp/tls]\n",
        plain.address("otlp", "grpc"),
        ca_file.display(),
        plain.address("otlp", "http"),
        ca_file.display(),
    );
    let sender = Daemon::start(&dir, "sender", &config);
    let url = format!("http://{}/v1/traces", sender.address("otlp", "http"));
    let status = reqwest::blocking::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"s"}]}]}]}"#)
        .send()
        .expect("post")
        .status();
    assert_eq!(status.as_u16(), 200);
    for address in [plain.address("otlp", "grpc"), plain.address("otlp", "http")] {
        let hint = format!(
            "TLS handshake with {address} failed: the server answered in plaintext (set `tls.insecure: true` if it does not use TLS)"
        );
        wait_for(&format!("the plaintext hint for {address}"), || {
            sender.log_text().contains(&hint).then_some(())
        });
    }
    assert!(
        !sender.log_text().contains("InvalidContentType"),
        "{}",
        sender.log_text()
    );
}

/// A listener reachable from the network without TLS or auth starts with one warning naming
/// it; one with TLS does not.
#[test]
fn a_network_listener_without_tls_or_auth_is_warned_about_once() {
    let dir = TempDir::new("network-warning");
    let ca = TestCa::new("ciotel test CA");
    let server = ca.server(dir.path(), "server");
    let config = format!(
        "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:0\n{}      http:\n        endpoint: 0.0.0.0:0\n\
         exporters:\n  debug:\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n",
        tls_lines("        ", &server, ""),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let warnings: Vec<String> = daemon
        .log_lines()
        .into_iter()
        .filter(|l| l.contains("without TLS or authentication"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("component=\"otlp\"")
            && warnings[0].contains("transport=\"http\"")
            && warnings[0].contains("0.0.0.0:0"),
        "{warnings:?}"
    );
}
