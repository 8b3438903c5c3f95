//! Receivers that require credentials, black box: the OTLP receiver's gRPC and HTTP listeners
//! and a webhook listener, each with `auth: {authenticator: …}` naming a real `bearertokenauth`
//! or `basicauth` extension. The real Python SDK with `OTEL_EXPORTER_OTLP_HEADERS` gets its
//! spans through; a client without (or with a wrong) credential gets HTTP 401 / gRPC
//! UNAUTHENTICATED and nothing reaches the exporter; the token never appears in the log; and
//! `ciotel validate` names a receiver's reference to an undefined authenticator with its line.

mod support;

use std::process::Command;
use support::{Daemon, TempDir, binary, read_json_lines, run_client, spans_in, wait_for};

const TOKEN: &str = "rcv-tok-3b9f-never-logged";
/// The password whose apr1 hash (`openssl passwd -apr1`) the config's htpasswd line holds.
const HOOK_PASSWORD: &str = "hook-pass-8c1d";

fn config(dir: &TempDir) -> String {
    format!(
        "\
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
        auth: {{authenticator: bearertokenauth/clients}}
      http:
        endpoint: 127.0.0.1:0
        auth:
          authenticator: bearertokenauth/clients
  gitlab:
    webhook:
      endpoint: 127.0.0.1:0
      insecure: true
      auth: {{authenticator: basicauth/hooks}}
exporters:
  file:
    path: {out}
extensions:
  bearertokenauth/clients:
    token: \"${{env:CIOTEL_TEST_RECEIVER_TOKEN}}\"
  basicauth/hooks:
    htpasswd:
      inline: \"hook:$apr1$Qx7fLm2a$Jno9F5U7XD3XGWOpa8.i/.\"
service:
  extensions: [bearertokenauth/clients, basicauth/hooks]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp, gitlab]
      exporters: [file]
",
        out = dir.join("spans.jsonl").display()
    )
}

fn start(dir: &TempDir) -> Daemon {
    Daemon::start_with_env(
        dir,
        "auth-receivers",
        &config(dir),
        &[("CIOTEL_TEST_RECEIVER_TOKEN", TOKEN)],
    )
}

fn spans_written(dir: &TempDir) -> Vec<serde_json::Value> {
    let path = dir.join("spans.jsonl");
    if !path.exists() {
        return Vec::new();
    }
    spans_in(&read_json_lines(&path))
}

#[test]
fn the_python_sdk_with_the_token_gets_through_over_grpc_and_http() {
    let dir = TempDir::new("auth-receivers-sdk");
    let mut daemon = start(&dir);
    let header = format!("authorization=Bearer%20{TOKEN}");
    for transport in ["grpc", "http"] {
        let endpoint = format!("http://{}", daemon.address("otlp", transport));
        run_client(
            "send_traces.py",
            &[transport, &endpoint],
            &[("OTEL_EXPORTER_OTLP_HEADERS", &header)],
        );
    }
    // send_traces.py sends five spans per run; both runs arrive.
    let spans = wait_for("both SDK runs' spans in the file exporter", || {
        let spans = spans_written(&dir);
        (spans.len() >= 10).then_some(spans)
    });
    assert_eq!(spans.len(), 10, "{spans:#?}");
    assert!(
        spans.iter().any(|s| s["name"] == "pipeline-run"),
        "{spans:#?}"
    );
    daemon.terminate();
    assert!(!daemon.log_text().contains(TOKEN), "{}", daemon.log_text());
}

#[test]
fn http_without_or_with_a_wrong_token_is_401_and_nothing_is_exported() {
    let dir = TempDir::new("auth-receivers-http");
    let mut daemon = start(&dir);
    let url = format!("http://{}/v1/traces", daemon.address("otlp", "http"));
    let client = reqwest::blocking::Client::new();
    let body = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"must-not-pass","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;
    let post = |auth: Option<&str>| {
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.send().expect("the receiver answers")
    };

    let missing = post(None);
    assert_eq!(missing.status().as_u16(), 401);
    assert!(missing.headers().contains_key("www-authenticate"));
    let text = missing.text().unwrap_or_default();
    assert!(text.contains("missing credentials"), "{text}");

    let wrong = post(Some("Bearer not-the-token"));
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(
        wrong
            .text()
            .unwrap_or_default()
            .contains("invalid credentials"),
        "a wrong token says so"
    );

    // The same request with the token is taken: the receiver was refusing on the credential
    // alone, and the refused copies never reached the exporter.
    let right = post(Some(&format!("Bearer {TOKEN}")));
    assert_eq!(right.status().as_u16(), 200);
    let spans = wait_for("the authenticated span", || {
        let spans = spans_written(&dir);
        (!spans.is_empty()).then_some(spans)
    });
    daemon.terminate();
    assert_eq!(spans_written(&dir).len(), 1, "{spans:#?}");
    assert!(!daemon.log_text().contains(TOKEN), "{}", daemon.log_text());
}

#[test]
fn grpc_without_the_token_is_unauthenticated() {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;

    let dir = TempDir::new("auth-receivers-grpc");
    let mut daemon = start(&dir);
    let endpoint = format!("http://{}", daemon.address("otlp", "grpc"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (missing, wrong) = runtime.block_on(async {
        let mut client = TraceServiceClient::connect(endpoint)
            .await
            .expect("the receiver accepts connections");
        let missing = client
            .export(ExportTraceServiceRequest::default())
            .await
            .expect_err("refused without a token");
        let mut request = tonic::Request::new(ExportTraceServiceRequest::default());
        request
            .metadata_mut()
            .insert("authorization", "Bearer wrong".parse().expect("ascii"));
        let wrong = client.export(request).await.expect_err("refused");
        (missing, wrong)
    });
    assert_eq!(missing.code(), tonic::Code::Unauthenticated, "{missing:?}");
    assert_eq!(wrong.code(), tonic::Code::Unauthenticated, "{wrong:?}");
    daemon.terminate();
}

#[test]
fn a_webhook_listener_with_basicauth_refuses_before_the_body() {
    let dir = TempDir::new("auth-receivers-webhook");
    let mut daemon = start(&dir);
    let url = format!(
        "http://{}/events/gitlab",
        daemon.address("gitlab", "webhook")
    );
    let client = reqwest::blocking::Client::new();
    let hook = |auth: Option<(&str, &str)>| {
        let mut request = client
            .post(&url)
            .header("x-gitlab-event", "Pipeline Hook")
            .header("content-type", "application/json")
            .body("{}");
        if let Some((user, password)) = auth {
            request = request.basic_auth(user, Some(password));
        }
        request
            .send()
            .expect("the listener answers")
            .status()
            .as_u16()
    };
    assert_eq!(hook(None), 401);
    assert_eq!(hook(Some(("hook", "wrong"))), 401);
    // With the right password the credential passes; the empty payload is then refused for
    // what it is (not a pipeline), which shows the auth check came first and let it by.
    assert_eq!(hook(Some(("hook", HOOK_PASSWORD))), 400);
    daemon.terminate();
}

#[test]
fn validate_names_a_receivers_undefined_authenticator_with_its_line() {
    let dir = TempDir::new("auth-receivers-validate");
    let path = dir.join("bad.yaml");
    std::fs::write(
        &path,
        "\
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
        auth:
          authenticator: bearertokenauth/nowhere
exporters:
  debug:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
",
    )
    .expect("write the config");
    let out = Command::new(binary())
        .args(["validate", "--config"])
        .arg(&path)
        .output()
        .expect("run ciotel validate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:7: receivers.otlp.protocols.http.auth: authenticator `bearertokenauth/nowhere` is not defined under `extensions`",
            path.display()
        )),
        "{stderr}"
    );
}
