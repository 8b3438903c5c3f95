//! Secrets never leak, black box: the daemon runs at `RUST_LOG=trace` with distinctive secrets on
//! every path — GitHub and GitLab webhook secrets (good and bad deliveries, a wrong token sent
//! too), GitHub and GitLab API tokens against a local mock API, an exporter endpoint with
//! `user:password@`, exporter headers over HTTP and gRPC, values from the environment (one
//! holding ` #`) — and none of the secrets, nor their base64 or hex forms, nor the signatures
//! sent, appear in its logs, the debug exporter's detailed output, the file exporter's output
//! or /metrics. `ciotel validate` of good and broken configs (a type error on a header value, an endpoint with
//! userinfo that does not parse, a secret from the environment in a wrong-typed key) shows
//! none either. Each path is proven taken (the mock saw the token, the backend the header, the
//! good deliveries were accepted, the refusals were logged and counted).

mod support;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::any;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};
use tonic::codec::CompressionEncoding;

/// GitHub's webhook secret, from the environment; ` #` would cut it if it were pasted into
/// the YAML text.
const GH_HOOK: &str = "ghhook-Zq8v #3LmN-p1";
/// GitLab's webhook token, written in the config file.
const GL_HOOK: &str = "glhook-Hq7Wd5Rk2-x9";
/// A wrong token a sender tries: header values are never logged either.
const GL_WRONG: &str = "glwrong-Canary55Tk";
/// GitHub API token, from the environment.
const GH_TOKEN: &str = "ghp_LeakCanary7f3a9c2b";
/// GitLab API token, written in the config file.
const GL_TOKEN: &str = "glpat-LeakCanary4e8d1a";
/// Userinfo of an exporter endpoint.
const EXPORT_USER: &str = "expuser-Qt5Lk";
const EXPORT_PASS: &str = "exppass-Vb82Kq";
/// An exporter header value, from the environment.
const HEADER_TOKEN: &str = "hdrtok-Mx41Zt0Ww";
/// A gRPC exporter header value, written in the config file.
const GRPC_KEY: &str = "grpckey-Wn63PdRr";

#[test]
fn no_secret_appears_in_any_output_of_a_busy_daemon() {
    let dir = TempDir::new("secrets-never-leak");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let api = rt.block_on(Recorder::serve(api_answer));
    let backend = rt.block_on(Recorder::serve(|_| (StatusCode::OK, Vec::new())));
    let grpc = GrpcSink::default();
    let grpc_address = rt.block_on(grpc.serve());
    let closed = closed_port();
    let traces = dir.join("traces.jsonl");
    let config = format!(
        "receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      secret: ${{env:CANARY_GH_HOOK}}
    api:
      base_url: http://{api}
      token: ${{CANARY_GH_TOKEN}}
      repositories: [octo/hello]
      interval: 1s
      state_dir: {state}/github
  gitlab:
    webhook:
      endpoint: 127.0.0.1:0
      secret: \"{GL_HOOK}\"
    api:
      base_url: http://{api}
      token: {GL_TOKEN}
      projects: [group/project]
      interval: 1s
      state_dir: {state}/gitlab
exporters:
  debug:
    verbosity: detailed
  file:
    path: {traces}
  otlphttp/live:
    endpoint: http://{EXPORT_USER}:{EXPORT_PASS}@{backend}
    headers:
      authorization: \"Bearer ${{env:CANARY_HEADER}}\"
    compression: none
  otlphttp/dead:
    endpoint: http://{EXPORT_USER}:{EXPORT_PASS}@127.0.0.1:{closed}
    headers:
      authorization: \"Bearer ${{env:CANARY_HEADER}}\"
    retry_on_failure:
      initial_interval: 50ms
      max_interval: 100ms
      max_elapsed_time: 400ms
  otlp/live:
    endpoint: {grpc_address}
    tls:
      insecure: true
    headers:
      x-api-key: {GRPC_KEY}
  otlp/dead:
    endpoint: 127.0.0.1:{closed}
    tls:
      insecure: true
    headers:
      x-api-key: {GRPC_KEY}
    retry_on_failure:
      initial_interval: 50ms
      max_interval: 100ms
      max_elapsed_time: 400ms
service:
  telemetry:
    logs:
      level: debug
    metrics:
      address: 127.0.0.1:0
  pipelines:
    traces:
      receivers: [github, gitlab]
      exporters: [debug, file, otlphttp/live, otlphttp/dead, otlp/live, otlp/dead]
",
        state = dir.path().display(),
        traces = traces.display(),
    );
    let env = [
        ("RUST_LOG", "trace"),
        ("CANARY_GH_HOOK", GH_HOOK),
        ("CANARY_GH_TOKEN", GH_TOKEN),
        ("CANARY_HEADER", HEADER_TOKEN),
    ];
    let daemon = Daemon::start_with_env(&dir, "ciotel", &config, &env);
    let hooks = daemon.address("github", "webhook");
    let client = reqwest::blocking::Client::new();

    // GitHub: a good delivery (signed with the whole secret, ` #` and all), a wrong and a
    // missing signature.
    let job = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    let good_signature = ciotel_github::receiver::sign_delivery(GH_HOOK.as_bytes(), &job);
    let wrong_signature = ciotel_github::receiver::sign_delivery(b"not the secret", &job);
    let github = |delivery: &str, signature: Option<&str>| {
        let mut request = client
            .post(format!("http://{hooks}/events/github"))
            .header("X-GitHub-Event", "workflow_job")
            .header("X-GitHub-Delivery", delivery)
            .header("Content-Type", "application/json")
            .body(job.clone());
        if let Some(signature) = signature {
            request = request.header("X-Hub-Signature-256", signature);
        }
        request.send().expect("deliver to github").status().as_u16()
    };
    assert_eq!(github("gh-good", Some(&good_signature)), 202);
    assert_eq!(github("gh-wrong", Some(&wrong_signature)), 401);
    assert_eq!(github("gh-unsigned", None), 401);

    // GitLab: a good delivery and a wrong token.
    let hook = fixture("gitlab/go-gitlab/webhook_job.json");
    let gitlab = |key: &str, token: &str| {
        client
            .post(format!("http://{hooks}/events/gitlab"))
            .header("X-Gitlab-Event", "Job Hook")
            .header("Idempotency-Key", key)
            .header("X-Gitlab-Token", token)
            .header("Content-Type", "application/json")
            .body(hook.clone())
            .send()
            .expect("deliver to gitlab")
            .status()
            .as_u16()
    };
    let accepted = gitlab("gl-good", GL_HOOK);
    assert!(matches!(accepted, 200 | 202), "GitLab delivery: {accepted}");
    assert_eq!(gitlab("gl-wrong", GL_WRONG), 401);

    // Every path was taken: the pollers sent their tokens, the live backend got the header,
    // the dead exporters failed and said so, the file and debug exporters wrote spans.
    wait_for(
        "both pollers to call the mock API with their tokens",
        || {
            let seen = api.header_values();
            (seen.iter().any(|v| v.contains(GH_TOKEN)) && seen.iter().any(|v| v.contains(GL_TOKEN)))
                .then_some(())
        },
    );
    wait_for("the live backend to get the configured header", || {
        let want = format!("Bearer {HEADER_TOKEN}");
        backend.header_values().contains(&want).then_some(())
    });
    wait_for(
        "the live gRPC backend to get the configured metadata",
        || {
            grpc.keys
                .lock()
                .unwrap()
                .iter()
                .any(|k| k == GRPC_KEY)
                .then_some(())
        },
    );
    wait_for("both dead exporters to give up", || {
        let log = daemon.log_text();
        (log.contains("otlphttp/dead")
            && log.contains("otlp/dead")
            && log.contains("dropping data"))
        .then_some(())
    });
    wait_for("spans in the file exporter's output", || {
        (!spans_in(&read_json_lines(&traces)).is_empty()).then_some(())
    });
    wait_for("the debug exporter's detailed output", || {
        daemon
            .stdout_text()
            .contains("resource group(s)")
            .then_some(())
    });

    // Refusals are logged at warn with their reason and counted.
    let log = daemon.log_text();
    for (receiver, reason, delivery) in [
        ("github", "bad_signature", "gh-wrong"),
        ("gitlab", "bad_token", "gl-wrong"),
    ] {
        assert!(
            log.lines().any(|l| l.contains("WARN")
                && l.contains(&format!("receiver={receiver}"))
                && l.contains(&format!("reason={reason}"))
                && l.contains(&format!("delivery={delivery}"))
                && l.contains("peer=")),
            "expected a warn line for {receiver} {reason} {delivery}:\n{}",
            refusal_lines(&log)
        );
    }
    // The second bad signature came within the same 10 s: counted, but not logged again.
    let logged = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("reason=bad_signature"))
        .count();
    assert_eq!(logged, 1, "rate-limited:\n{}", refusal_lines(&log));
    let metrics_address = daemon.address("metrics", "http");
    let metrics = client
        .get(format!("http://{metrics_address}/metrics"))
        .send()
        .and_then(|r| r.text())
        .expect("GET /metrics");
    for series in [
        "ciotel_webhook_refused_deliveries{receiver=\"github\",reason=\"bad_signature\"} 2",
        "ciotel_webhook_refused_deliveries{receiver=\"gitlab\",reason=\"bad_token\"} 1",
    ] {
        assert!(metrics.contains(series), "{series} in:\n{metrics}");
    }

    let mut forbidden = canaries();
    forbidden.push(good_signature.clone());
    forbidden.push(good_signature.trim_start_matches("sha256=").to_string());
    forbidden.push(wrong_signature.trim_start_matches("sha256=").to_string());
    let outputs = [
        ("the daemon's log", log.clone()),
        ("the debug exporter's output", daemon.stdout_text()),
        ("the file exporter's output", read(&traces)),
        ("/metrics", metrics),
    ];
    for (what, text) in &outputs {
        assert_no_secret(what, text, &forbidden);
    }
    assert!(
        log.lines().count() > 200,
        "a trace-level run logs a lot; this one logged only:\n{log}"
    );
    drop(daemon);
    rt.block_on(async { drop((api, backend)) });
}

#[test]
fn validate_shows_no_secret_for_good_or_broken_configs() {
    let dir = TempDir::new("secrets-validate");
    let base = |exporter: &str| {
        format!(
            "receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      secret: ${{env:CANARY_GH_HOOK}}
exporters:
{exporter}
service:
  pipelines:
    traces:
      receivers: [github]
      exporters: [otlphttp]
"
        )
    };
    let good = base(&format!(
        "  otlphttp:\n    endpoint: http://{EXPORT_USER}:{EXPORT_PASS}@127.0.0.1:4318\n    \
         headers:\n      authorization: \"Bearer ${{env:CANARY_HEADER}}\"\n"
    ));
    let cases = [
        ("good", good, true),
        (
            "header-type",
            base(&format!(
                "  otlphttp:\n    endpoint: http://127.0.0.1:4318\n    headers: \"Bearer {HEADER_TOKEN}\"\n"
            )),
            false,
        ),
        (
            "header-value-type",
            base(
                "  otlphttp:\n    endpoint: http://127.0.0.1:4318\n    headers:\n      \
                 authorization: [Bearer, \"${env:CANARY_HEADER}\"]\n",
            ),
            false,
        ),
        (
            "userinfo-bad-port",
            base(&format!(
                "  otlphttp:\n    endpoint: http://{EXPORT_USER}:{EXPORT_PASS}@127.0.0.1:port\n"
            )),
            false,
        ),
        (
            "env-in-wrong-key",
            base(
                "  otlphttp:\n    endpoint: http://127.0.0.1:4318\n    compression: \
                 ${env:CANARY_HEADER}\n    timeout: ${env:CANARY_GH_TOKEN}\n",
            ),
            false,
        ),
        (
            "grpc-userinfo",
            base(&format!(
                "  otlphttp:\n    endpoint: http://127.0.0.1:4318\n  otlp:\n    endpoint: \
                 {EXPORT_USER}:{EXPORT_PASS}@127.0.0.1:4317\n"
            )),
            false,
        ),
    ];
    for (name, yaml, valid) in cases {
        let path = dir.join(&format!("{name}.yaml"));
        std::fs::write(&path, &yaml).expect("write config");
        let output = Command::new(support::binary())
            .args(["validate", "--config"])
            .arg(&path)
            .env("RUST_LOG", "trace")
            .env("CANARY_GH_HOOK", GH_HOOK)
            .env("CANARY_GH_TOKEN", GH_TOKEN)
            .env("CANARY_HEADER", HEADER_TOKEN)
            .output()
            .expect("run ciotel validate");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.success(), valid, "{name}: {text}");
        if !valid {
            assert!(
                text.contains(&format!("{name}.yaml:")),
                "{name}: names the file: {text}"
            );
        }
        assert_no_secret(&format!("validate {name}"), &text, &canaries());
    }
}

/// Every secret in every form it could leak in.
fn canaries() -> Vec<String> {
    let raw = [
        GH_HOOK,
        GL_HOOK,
        GL_WRONG,
        GH_TOKEN,
        GL_TOKEN,
        EXPORT_PASS,
        HEADER_TOKEN,
        GRPC_KEY,
    ];
    let mut all = Vec::new();
    for secret in raw {
        all.push(secret.to_string());
        all.push(base64(secret.as_bytes()));
        all.push(hex(secret.as_bytes()));
    }
    // The secret part alone, in case a value is cut at its ` #`.
    all.push("3LmN-p1".to_string());
    // HTTP Basic from the endpoint's userinfo.
    all.push(base64(format!("{EXPORT_USER}:{EXPORT_PASS}").as_bytes()));
    all
}

fn assert_no_secret(what: &str, text: &str, forbidden: &[String]) {
    for secret in forbidden {
        if let Some(at) = text.find(secret.as_str()) {
            let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            panic!("{what} shows `{secret}`:\n{}", &text[start..end]);
        }
    }
}

fn refusal_lines(log: &str) -> String {
    log.lines()
        .filter(|l| l.contains("refused"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The mock GitHub/GitLab API: GitHub gets an empty page of runs; GitLab a 401, so both a
/// success and an error path run.
fn api_answer(uri: &Uri) -> (StatusCode, Vec<u8>) {
    if uri.path().starts_with("/api/v4") {
        (
            StatusCode::UNAUTHORIZED,
            br#"{"message":"401 Unauthorized"}"#.to_vec(),
        )
    } else {
        (
            StatusCode::OK,
            br#"{"total_count":0,"workflow_runs":[]}"#.to_vec(),
        )
    }
}

/// A local HTTP server answering every request with `answer`, keeping every header value.
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
    address: String,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Display for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.address)
    }
}

impl Recorder {
    async fn serve(answer: fn(&Uri) -> (StatusCode, Vec<u8>)) -> Recorder {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        let router = Router::new().fallback(any(move |uri: Uri, headers: HeaderMap| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap().extend(
                    headers
                        .values()
                        .filter_map(|v| v.to_str().ok())
                        .map(str::to_string),
                );
                let (status, body) = answer(&uri);
                (status, [("content-type", "application/json")], body)
            }
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind mock");
        let address = listener.local_addr().expect("mock address").to_string();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Recorder {
            seen,
            address,
            task,
        }
    }

    fn header_values(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A live OTLP/gRPC backend keeping the `x-api-key` it is sent.
#[derive(Clone, Default)]
struct GrpcSink {
    keys: Arc<Mutex<Vec<String>>>,
}

impl GrpcSink {
    async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gRPC sink");
        let address = listener.local_addr().expect("sink address").to_string();
        let router = tonic::transport::Server::builder().add_service(
            TraceServiceServer::new(self.clone()).accept_compressed(CompressionEncoding::Gzip),
        );
        tokio::spawn(
            router.serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
        );
        address
    }
}

#[tonic::async_trait]
impl TraceService for GrpcSink {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        if let Some(key) = request.metadata().get("x-api-key") {
            let key = key.to_str().unwrap_or_default().to_string();
            self.keys.lock().unwrap().push(key);
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn fixture(rel: &str) -> Vec<u8> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        shared.is_dir(),
        "../shared/fixtures is missing: these tests read real payloads from it"
    );
    std::fs::read(shared.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 with padding (HTTP Basic, and what a careless log would print).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_matches_the_rfc_examples() {
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"fooba"), "Zm9vYmE=");
    assert_eq!(base64(b"foob"), "Zm9vYg==");
}
