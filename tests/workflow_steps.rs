//! Steps known by what they run, black box: the real binary with a `github` receiver whose
//! `api:` points at a local server replaying GitHub's REST answers (a listing with one
//! completed run, its jobs page, and the workflow file at the run's revision from the contents
//! API, and the reusable workflow one job calls, all recorded in `tests/workflow_steps/` in
//! GitHub's shapes). Every step span the file
//! exporter writes is checked: `ciotel.step.uses|run|id|source`, `ciotel.owner` and
//! `ciotel.owner.basis`; a secret in a `run:` line is masked. When the contents API answers
//! 404, 500 or keeps rate limiting, the steps fall back to their names and say so. With
//! `webhook:` too, a `workflow_job` delivery emits only the job's queue span, so every span id
//! written has one content.

mod support;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::routing::any;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use support::in_job::attr;
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};

const REPO: &str = "octo/hello";
const RUN: u64 = 7001;
const SHA: &str = "c0ffee0000000000000000000000000000000001";
const WORKFLOW: &str = ".github/workflows/ci.yml";
/// The reusable workflow `ci.yml`'s `call` job calls, in `octo/shared` at `v1`.
const WORKFLOW_CALLED: &str = ".github/workflows/build.yml";
const BLOB: &str = "5b0d3b3c0a1f2e4d6c8b9a7f1e2d3c4b5a697887";
const BLOB_CALLED: &str = "0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b";
const HOOK_SECRET: &str = "steps-hook-secret";

/// How the contents API answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Contents {
    File,
    NotFound,
    ServerError,
    RateLimited,
}

/// The replayed API: what it answers, whether the run is listed yet, and the paths asked.
struct Api {
    contents: Contents,
    listed: AtomicBool,
    asked: Mutex<Vec<String>>,
}

fn read(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/workflow_steps")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The contents API's answer for workflow file `file` (`repos/get-content`), base64 wrapped at
/// 60 characters as GitHub sends it.
fn contents_body(file: &str) -> String {
    let yaml = read(file);
    let (path, blob) = match file {
        "ci.yml" => (WORKFLOW, BLOB),
        _ => (WORKFLOW_CALLED, BLOB_CALLED),
    };
    let encoded = base64(yaml.as_bytes());
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    json!({
        "type": "file", "encoding": "base64", "size": yaml.len(), "name": file,
        "path": path, "content": lines.join("\n") + "\n", "sha": blob,
        "url": format!("https://api.github.com/repos/{REPO}/contents/{path}?ref={SHA}"),
        "git_url": format!("https://api.github.com/repos/{REPO}/git/blobs/{blob}"),
        "html_url": format!("https://github.com/{REPO}/blob/{SHA}/{path}"),
        "download_url": format!("https://raw.githubusercontent.com/{REPO}/{SHA}/{path}"),
    })
    .to_string()
}

fn repository() -> Value {
    json!({"id": 42, "name": "hello", "full_name": REPO,
           "html_url": format!("https://github.com/{REPO}"),
           "url": format!("https://api.github.com/repos/{REPO}")})
}

/// The completed run, created a minute ago (inside the poller's first `lookback`).
fn the_run() -> Value {
    let created = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    let created = httpdate_rfc3339(created);
    json!({
        "id": RUN, "name": "CI", "run_attempt": 1, "run_number": 12, "event": "push",
        "status": "completed", "conclusion": "failure", "workflow_id": 3,
        "path": WORKFLOW, "display_title": "Tighten lints", "head_branch": "main",
        "head_sha": SHA, "html_url": format!("https://github.com/{REPO}/actions/runs/{RUN}"),
        "url": format!("https://api.github.com/repos/{REPO}/actions/runs/{RUN}"),
        "created_at": created, "updated_at": created, "run_started_at": created,
        "repository": repository(),
    })
}

/// `time` as `YYYY-MM-DDTHH:MM:SSZ`.
fn httpdate_rfc3339(time: std::time::SystemTime) -> String {
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn answer(api: &Api, uri: &Uri) -> (StatusCode, Vec<(&'static str, String)>, String) {
    let path = uri.path();
    api.asked.lock().expect("lock").push(match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    });
    let json = vec![("content-type", "application/json".to_owned())];
    if path == format!("/repos/{REPO}/actions/runs") {
        let runs: Vec<Value> = if api.listed.load(Ordering::SeqCst) {
            vec![the_run()]
        } else {
            Vec::new()
        };
        let body = json!({"total_count": runs.len(), "workflow_runs": runs}).to_string();
        return (StatusCode::OK, json, body);
    }
    if path == format!("/repos/{REPO}/actions/runs/{RUN}/attempts/1/jobs") {
        return (StatusCode::OK, json, read("jobs.json"));
    }
    if path == format!("/repos/{REPO}/contents/{WORKFLOW}") {
        assert_eq!(uri.query(), Some(format!("ref={SHA}").as_str()));
        return match api.contents {
            Contents::File => (StatusCode::OK, json, contents_body("ci.yml")),
            Contents::NotFound => (
                StatusCode::NOT_FOUND,
                json,
                r#"{"message":"Not Found","status":"404"}"#.into(),
            ),
            Contents::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json,
                r#"{"message":"Server Error"}"#.into(),
            ),
            Contents::RateLimited => {
                let mut headers = json;
                headers.push(("retry-after", "1".into()));
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    headers,
                    r#"{"message":"You have exceeded a secondary rate limit."}"#.into(),
                )
            }
        };
    }
    if path == format!("/repos/octo/shared/contents/{WORKFLOW_CALLED}") {
        assert_eq!(uri.query(), Some("ref=v1"));
        return (StatusCode::OK, json, contents_body("shared-build.yml"));
    }
    (
        StatusCode::NOT_FOUND,
        json,
        r#"{"message":"Not Found"}"#.into(),
    )
}

/// The replay server, on a free port, served by `rt`.
fn serve(rt: &tokio::runtime::Runtime, api: Arc<Api>) -> String {
    let router = Router::new().fallback(any(move |uri: Uri| {
        let api = api.clone();
        async move {
            let (status, headers, body) = answer(&api, &uri);
            let mut response = axum::response::Response::new(axum::body::Body::from(body));
            *response.status_mut() = status;
            for (k, v) in headers {
                if let Ok(v) = axum::http::HeaderValue::from_str(&v) {
                    response.headers_mut().insert(k, v);
                }
            }
            response
        }
    }));
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the replay");
        let address = listener.local_addr().expect("address").to_string();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        address
    })
}

/// A daemon polling the replay (and with a webhook), writing traces to a file.
struct Setup {
    _rt: tokio::runtime::Runtime,
    api: Arc<Api>,
    daemon: Daemon,
    traces: std::path::PathBuf,
    _dir: TempDir,
}

fn start(label: &str, contents: Contents, listed: bool) -> Setup {
    let dir = TempDir::new(label);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let api = Arc::new(Api {
        contents,
        listed: AtomicBool::new(listed),
        asked: Mutex::new(Vec::new()),
    });
    let address = serve(&rt, api.clone());
    let traces = dir.join("traces.jsonl");
    let config = format!(
        "
receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      secret: {HOOK_SECRET}
    api:
      base_url: http://{address}
      token: ghp_steps_test_token_0001
      repositories: [{REPO}]
      interval: 1s
      state_dir: {state}
processors:
  cicd_ownership: {{}}
exporters:
  file:
    path: {traces}
service:
  telemetry:
    metrics:
      address: 127.0.0.1:0
  pipelines:
    traces:
      receivers: [github]
      processors: [cicd_ownership]
      exporters: [file]
",
        state = dir.join("state").display(),
        traces = traces.display(),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    Setup {
        _rt: rt,
        api,
        daemon,
        traces,
        _dir: dir,
    }
}

impl Setup {
    fn spans(&self) -> Vec<Value> {
        spans_in(&read_json_lines(&self.traces))
    }

    /// The step spans, once the poller wrote all 19 of the run's steps.
    fn steps(&self) -> Vec<Value> {
        wait_for("the run's 19 step spans", || {
            let steps: Vec<Value> = self
                .spans()
                .into_iter()
                .filter(|s| attr(s, "ciotel.span.type").as_deref() == Some("step"))
                .collect();
            (steps.len() >= 19).then_some(steps)
        })
    }
}

/// `(name, source, uses, run, id, owner, basis)` of a step span, missing attributes as "".
fn row(span: &Value) -> [String; 7] {
    let a = |k: &str| attr(span, k).unwrap_or_default();
    [
        span["name"].as_str().unwrap_or_default().to_owned(),
        a("ciotel.step.source"),
        a("ciotel.step.uses"),
        a("ciotel.step.run"),
        a("ciotel.step.id"),
        a("ciotel.owner"),
        a("ciotel.owner.basis"),
    ]
}

fn rows(expect: &[[&str; 7]]) -> Vec<[String; 7]> {
    expect.iter().map(|r| r.map(str::to_owned)).collect()
}

const P: &str = "platform";
const A: &str = "application";

/// The step spans of the run when its workflow file is read: `(name, ciotel.step.source,
/// uses, run, id, ciotel.owner, ciotel.owner.basis)`.
#[rustfmt::skip]
const WITH_THE_FILE: &[[&str; 7]] = &[
    ["Set up job", "runner", "", "", "", P, "name:github_actions/runner"],
    ["Checkout repository", "workflow", "actions/checkout@v4", "", "", P, "action:github_actions/checkout"],
    // Named like a toolchain step, and decided by its action.
    ["Install Rust", "workflow", "dtolnay/rust-toolchain@stable", "", "", P, "action:github_actions/setup"],
    ["Cache cargo", "workflow", "Swatinem/rust-cache@v2", "", "", P, "action:github_actions/cache"],
    ["Run cargo clippy --all-targets -- -D warnings", "workflow", "", "cargo clippy --all-targets -- -D warnings", "clippy", A, "run:github_actions/run"],
    // The literal token in the script is masked.
    ["Publish docs", "workflow", "", "curl -fsS -H \"Authorization: Bearer ***\" https://docs.example/upload", "", A, "run:github_actions/run"],
    ["Post Cache cargo", "workflow", "Swatinem/rust-cache@v2", "", "", P, "action:github_actions/cache"],
    ["Post Checkout repository", "workflow", "actions/checkout@v4", "", "", P, "action:github_actions/checkout"],
    ["Complete job", "runner", "", "", "", P, "name:github_actions/runner"],
    // `test (3.12)` is the matrix job `test`.
    ["Set up job", "runner", "", "", "", P, "name:github_actions/runner"],
    ["Run actions/checkout@v4", "workflow", "actions/checkout@v4", "", "", P, "action:github_actions/checkout"],
    ["Run actions/setup-python@v5", "workflow", "actions/setup-python@v5", "", "", P, "action:github_actions/setup"],
    ["Run pytest -q", "workflow", "", "pytest -q", "", A, "run:github_actions/run"],
    ["Post Run actions/setup-python@v5", "workflow", "actions/setup-python@v5", "", "", P, "action:github_actions/setup"],
    ["Post Run actions/checkout@v4", "workflow", "actions/checkout@v4", "", "", P, "action:github_actions/checkout"],
    ["Complete job", "runner", "", "", "", P, "name:github_actions/runner"],
    // `call / build` is job `build` of the reusable workflow `call` uses, read at its `@v1`.
    ["Set up job", "runner", "", "", "", P, "name:github_actions/runner"],
    ["Run make", "workflow", "", "make", "", A, "run:github_actions/run"],
    ["Complete job", "runner", "", "", "", P, "name:github_actions/runner"],
];

/// The first job's step spans when the file cannot be read: decided by name, saying so.
#[rustfmt::skip]
const BY_NAME: &[[&str; 7]] = &[
    ["Set up job", "runner", "", "", "", P, "name:github_actions/runner"],
    ["Checkout repository", "unavailable", "", "", "", P, "name:github_actions/checkout"],
    ["Install Rust", "unavailable", "", "", "", P, "name:github_actions/setup"],
    ["Cache cargo", "unavailable", "", "", "", P, "name:github_actions/cache"],
    ["Run cargo clippy --all-targets -- -D warnings", "unavailable", "", "", "", A, "name:github_actions/steps"],
];

#[test]
fn steps_say_what_they_run_and_are_owned_by_it() {
    let setup = start("steps-file", Contents::File, true);
    let got: Vec<[String; 7]> = setup.steps().iter().map(row).collect();
    assert_eq!(got, rows(WITH_THE_FILE));
    // The secret is nowhere in what was written.
    let written = std::fs::read_to_string(&setup.traces).expect("traces");
    assert!(!written.contains("hunter2"), "a run: secret leaked");
    // The failing step is a script: the job failed by the application.
    let lint = setup
        .spans()
        .into_iter()
        .find(|s| s["name"] == "lint")
        .expect("the lint job span");
    assert_eq!(attr(&lint, "ciotel.failure.owner").as_deref(), Some(A));
    let asked = setup.api.asked.lock().expect("lock").clone();
    let contents = format!("/repos/{REPO}/contents/{WORKFLOW}?ref={SHA}");
    assert_eq!(
        asked.iter().filter(|p| **p == contents).count(),
        1,
        "{asked:?}"
    );
}

/// Without the file, each step is decided by its name, and says the file was unavailable.
fn assert_fell_back(setup: &Setup, why: &str) {
    let got: Vec<[String; 7]> = setup.steps().iter().map(row).collect();
    let first_job: Vec<[String; 7]> = got.into_iter().take(5).collect();
    assert_eq!(first_job, rows(BY_NAME), "{why}");
    let log = setup.daemon.log_text();
    assert!(
        log.contains("cannot read the run's workflow file") && log.contains(why),
        "the log says why: {log}"
    );
}

#[test]
fn a_missing_workflow_file_falls_back_to_names_and_says_so() {
    let setup = start("steps-404", Contents::NotFound, true);
    assert_fell_back(&setup, "not found at the run's revision");
}

#[test]
fn a_failing_contents_api_falls_back_to_names_and_says_so() {
    let setup = start("steps-500", Contents::ServerError, true);
    assert_fell_back(&setup, "GitHub gave no answer");
    let asked = setup.api.asked.lock().expect("lock").clone();
    let tries = asked.iter().filter(|p| p.contains("/contents/")).count();
    assert!(tries > 1, "the client retried a 5xx: {asked:?}");
}

#[test]
fn a_rate_limited_contents_api_falls_back_to_names_and_says_so() {
    let setup = start("steps-429", Contents::RateLimited, true);
    assert_fell_back(&setup, "GitHub gave no answer");
    let asked = setup.api.asked.lock().expect("lock").clone();
    let tries = asked.iter().filter(|p| p.contains("/contents/")).count();
    assert!(
        tries > 1,
        "the client waited out the limit and asked again: {asked:?}"
    );
}

#[test]
fn a_job_seen_by_webhook_and_poller_has_one_answer_per_span() {
    let setup = start("steps-one-answer", Contents::File, false);
    let hooks = setup.daemon.address("github", "webhook");
    let jobs: Value = serde_json::from_str(&read("jobs.json")).expect("jobs");
    let delivery = json!({"action": "completed", "workflow_job": jobs["jobs"][0],
                          "repository": repository()})
    .to_string();
    let signature =
        ciotel_github::receiver::sign_delivery(HOOK_SECRET.as_bytes(), delivery.as_bytes());
    let status = reqwest::blocking::Client::new()
        .post(format!("http://{hooks}/events/github"))
        .header("X-GitHub-Event", "workflow_job")
        .header("X-GitHub-Delivery", "steps-1")
        .header("X-Hub-Signature-256", signature)
        .header("Content-Type", "application/json")
        .body(delivery)
        .send()
        .expect("deliver")
        .status();
    assert_eq!(status.as_u16(), 202);
    let from_webhook = wait_for("the webhook's spans", || {
        let spans = setup.spans();
        (!spans.is_empty()).then_some(spans)
    });
    let types: Vec<String> = from_webhook
        .iter()
        .map(|s| attr(s, "ciotel.span.type").unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        ["queue"],
        "with api:, the webhook emits only the queue span"
    );

    setup.api.listed.store(true, Ordering::SeqCst);
    setup.steps();
    let mut by_id: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for span in setup.spans() {
        let id = span["spanId"].as_str().unwrap_or_default().to_owned();
        by_id.entry(id).or_default().push(span);
    }
    let queue = from_webhook[0]["spanId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        by_id[&queue].len(),
        2,
        "the poller emitted the queue span too"
    );
    for (id, copies) in &by_id {
        assert!(
            copies.windows(2).all(|w| w[0] == w[1]),
            "span {id} written with two contents: {copies:#?}"
        );
    }
}
