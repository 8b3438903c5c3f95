//! Verdicts from job logs and GitLab runner phases, through the real binary: its GitHub and
//! GitLab pollers ask a local HTTP server that answers as the platforms' REST APIs do (runs,
//! jobs, pipelines, the GitHub job-log 302 to a signed URL served with `Range`, the GitLab
//! job trace with section markers); the spans go through `cicd_ownership` into a file.
//!
//! - a GitLab job → one step span per runner phase, at the sections' exact times, owned as
//!   the GitLab pack says; the failed job's verdict comes from its log (`log:pytest`);
//! - a failed GitHub job whose log says "No space left on device" → a platform verdict with
//!   that line as evidence, the token in the line masked, the verdict span owned by platform;
//! - a GitHub job whose log cannot be fetched → the spans' verdict, saying it fell back;
//! - `ciotel explain` of the output shows the evidence line.

mod support;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};

/// A secret printed in the failing line; it must not reach the spans.
const LEAKED: &str = "ghs_Zq9XtL2mB7vR4nW8yK3pD6fH1jC5aE0s";

const STEP_SCRIPT_START: i64 = 1_714_557_610;

fn github_runs(port: u16) -> Value {
    let run = |id: u64, job_started: &str| {
        json!({
            "id": id, "name": "CI", "run_number": id, "run_attempt": 1,
            "event": "push", "status": "completed", "conclusion": "failure",
            "head_branch": "main", "head_sha": "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
            "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T10:05:00Z",
            "run_started_at": job_started,
            "html_url": format!("http://127.0.0.1:{port}/octo/hello/actions/runs/{id}"),
            "path": ".github/workflows/ci.yml",
            "repository": {
                "id": 9, "name": "hello", "full_name": "octo/hello",
                "html_url": "https://github.com/octo/hello", "owner": {"login": "octo"}
            }
        })
    };
    json!({"total_count": 2, "workflow_runs": [
        run(1001, "2024-05-01T10:00:00Z"),
        run(1002, "2024-05-01T10:00:00Z"),
    ]})
}

fn github_jobs(run: u64) -> Value {
    let job = run * 10 + 1;
    let step = |n: u32, name: &str, conclusion: &str, from: &str, to: &str| {
        json!({"name": name, "status": "completed", "conclusion": conclusion, "number": n,
               "started_at": from, "completed_at": to})
    };
    json!({"total_count": 1, "jobs": [{
        "id": job, "run_id": run, "run_attempt": 1, "name": "build",
        "status": "completed", "conclusion": "failure",
        "created_at": "2024-05-01T10:00:01Z", "started_at": "2024-05-01T10:00:05Z",
        "completed_at": "2024-05-01T10:04:00Z",
        "html_url": format!("https://github.com/octo/hello/actions/runs/{run}/job/{job}"),
        "labels": ["ubuntu-latest"], "runner_id": 4, "runner_name": "GitHub Actions 4",
        "steps": [
            step(1, "Set up job", "success", "2024-05-01T10:00:05Z", "2024-05-01T10:00:07Z"),
            step(2, "Run make", "failure", "2024-05-01T10:00:07Z", "2024-05-01T10:03:58Z"),
            step(3, "Complete job", "success", "2024-05-01T10:03:58Z", "2024-05-01T10:04:00Z"),
        ]
    }]})
}

/// The downloaded log of GitHub job 10011: timestamped lines, the failing one last but two.
fn github_log() -> String {
    let mut log = String::new();
    for i in 0..400 {
        log.push_str(&format!(
            "2024-05-01T10:01:{:02}.0000000Z cc -c src/module_{i}.c -o build/module_{i}.o\n",
            i % 60
        ));
    }
    log.push_str(&format!(
        "2024-05-01T10:03:57.1000000Z fatal error: cannot write build/big.o: No space left on device (upload token={LEAKED})\n"
    ));
    log.push_str("2024-05-01T10:03:57.2000000Z make: *** [Makefile:12: build/big.o] Error 1\n");
    log.push_str("2024-05-01T10:03:57.3000000Z ##[error]Process completed with exit code 2.\n");
    log
}

fn gitlab_pipeline() -> Value {
    json!({
        "id": 100, "iid": 5, "project_id": 7, "ref": "main", "tag": false,
        "sha": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b", "source": "push",
        "status": "failed", "created_at": "2024-05-01T10:00:00.000Z",
        "started_at": "2024-05-01T10:00:02.000Z", "finished_at": "2024-05-01T10:01:30.000Z",
        "updated_at": "2024-05-01T10:01:31.000Z", "duration": 88, "queued_duration": 2,
        "web_url": "https://gitlab.example/group/project/-/pipelines/100",
        "user": {"id": 1, "username": "dev", "name": "Dev"}
    })
}

fn gitlab_jobs() -> Value {
    json!([{
        "id": 500, "name": "pytest", "stage": "test", "status": "failed",
        "created_at": "2024-05-01T10:00:00.000Z", "started_at": "2024-05-01T10:00:05.000Z",
        "finished_at": "2024-05-01T10:01:30.000Z", "duration": 85.0, "queued_duration": 3.0,
        "allow_failure": false, "failure_reason": "script_failure",
        "web_url": "https://gitlab.example/group/project/-/jobs/500",
        "runner": {"id": 12, "description": "shared-runner-12", "runner_type": "instance_type"},
        "pipeline": {"id": 100, "project_id": 7}, "retried": false,
        "user": {"id": 1, "username": "dev", "name": "Dev"}
    }])
}

/// GitLab's trace of job 500: runner phases in section markers, a pytest failure.
fn gitlab_trace() -> String {
    let clear = "\x1b[0K";
    let start =
        |ts: i64, name: &str| format!("{clear}section_start:{ts}:{name}[collapsed=true]\r{clear}");
    let end = |ts: i64, name: &str| format!("{clear}section_end:{ts}:{name}\r{clear}");
    let t = STEP_SCRIPT_START;
    [
        "Running with gitlab-runner 17.5.0 (3ed42b4b)\n".to_owned(),
        start(t - 5, "prepare_executor"),
        "\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m\n".to_owned(),
        end(t - 3, "prepare_executor"),
        start(t - 3, "get_sources"),
        "Fetching changes with git depth set to 20...\n".to_owned(),
        end(t - 1, "get_sources"),
        start(t, "step_script"),
        "$ pytest -q\n".to_owned(),
        "FAILED tests/test_api.py::test_login - AssertionError: assert 401 == 200\n".to_owned(),
        "========================= 1 failed, 41 passed in 12.31s =========================\n"
            .to_owned(),
        end(t + 70, "step_script"),
        start(t + 70, "upload_artifacts_on_failure"),
        "Uploading artifacts for failed job\n".to_owned(),
        end(t + 72, "upload_artifacts_on_failure"),
        start(t + 72, "cleanup_file_variables"),
        end(t + 73, "cleanup_file_variables"),
        "ERROR: Job failed: exit code 1\n".to_owned(),
    ]
    .concat()
}

#[derive(Default)]
struct Seen {
    /// (path, Authorization or PRIVATE-TOKEN header present, Range header)
    requests: Vec<(String, bool, Option<String>)>,
}

type Shared = Arc<(u16, Mutex<Seen>)>;

async fn answer(State(state): State<Shared>, request: Request) -> Response {
    let (port, seen) = (&state.0, &state.1);
    let path = request.uri().path().to_owned();
    let headers: &HeaderMap = request.headers();
    let authed =
        headers.contains_key(header::AUTHORIZATION) || headers.contains_key("private-token");
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Ok(mut s) = seen.lock() {
        s.requests.push((path.clone(), authed, range.clone()));
    }
    let json_ok = |v: Value| {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            v.to_string(),
        )
            .into_response()
    };
    match path.as_str() {
        "/gh/repos/octo/hello/actions/runs" => json_ok(github_runs(*port)),
        "/gh/repos/octo/hello/actions/runs/1001/attempts/1/jobs" => json_ok(github_jobs(1001)),
        "/gh/repos/octo/hello/actions/runs/1002/attempts/1/jobs" => json_ok(github_jobs(1002)),
        "/gh/repos/octo/hello/actions/jobs/10011/logs" => (
            StatusCode::FOUND,
            [(
                header::LOCATION,
                format!(
                    "http://localhost:{port}/blob/jobs/10011/signedlogcontent?urlSignature=abc"
                ),
            )],
        )
            .into_response(),
        "/gh/repos/octo/hello/actions/jobs/10021/logs" => {
            (StatusCode::SERVICE_UNAVAILABLE, "try later").into_response()
        }
        "/blob/jobs/10011/signedlogcontent" => {
            let log = github_log().into_bytes();
            let n = range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes=-"))
                .and_then(|n| n.parse::<usize>().ok());
            match n {
                Some(n) => {
                    let from = log.len().saturating_sub(n);
                    (StatusCode::PARTIAL_CONTENT, log[from..].to_vec()).into_response()
                }
                None => (StatusCode::OK, log).into_response(),
            }
        }
        "/api/v4/projects/group%2Fproject" | "/api/v4/projects/group/project" => json_ok(json!({
            "id": 7, "name": "project", "path_with_namespace": "group/project",
            "web_url": "https://gitlab.example/group/project"
        })),
        "/api/v4/projects/7/pipelines" => json_ok(json!([gitlab_pipeline()])),
        "/api/v4/projects/7/pipelines/100" => json_ok(gitlab_pipeline()),
        "/api/v4/projects/7/pipelines/100/jobs" => json_ok(gitlab_jobs()),
        "/api/v4/projects/7/pipelines/100/bridges" => json_ok(json!([])),
        "/api/v4/projects/7/jobs/500/trace" => (StatusCode::OK, gitlab_trace()).into_response(),
        _ => (StatusCode::NOT_FOUND, "{\"message\":\"404 Not Found\"}").into_response(),
    }
}

fn attr(span: &Value, key: &str) -> Option<String> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .and_then(|a| {
            let v = &a["value"];
            v["stringValue"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| v["intValue"].as_str().map(str::to_owned))
                .or_else(|| v["intValue"].as_i64().map(|i| i.to_string()))
        })
}

fn nanos(span: &Value, key: &str) -> u64 {
    span[key]
        .as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| span[key].as_u64())
        .unwrap_or_default()
}

#[test]
fn phases_and_verdicts_from_the_logs_through_the_binary() {
    let dir = TempDir::new("log-verdicts");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let state: Shared = Arc::new((port, Mutex::new(Seen::default())));
    let app = Router::new().fallback(answer).with_state(state.clone());
    rt.spawn(async move { axum::serve(listener, app).await });
    let traces = dir.join("traces.jsonl");
    let config = format!(
        "receivers:
  github:
    api:
      base_url: http://127.0.0.1:{port}/gh
      token: test-token-gh
      repositories: [octo/hello]
      interval: 1h
      lookback: 100000h
      state_dir: {state}/github
  gitlab:
    api:
      base_url: http://127.0.0.1:{port}
      token: test-token-gl
      projects: [group/project]
      interval: 1h
      lookback: 100000h
      state_dir: {state}/gitlab
processors:
  cicd_ownership:
exporters:
  file:
    path: {traces}
service:
  pipelines:
    traces:
      receivers: [github, gitlab]
      processors: [cicd_ownership]
      exporters: [file]
",
        state = dir.path().display(),
        traces = traces.display(),
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let spans = wait_for("both platforms' verdict spans", || {
        let spans = spans_in(&read_json_lines(&traces));
        let verdicts = spans.iter().filter(|s| s["name"] == "verdict").count();
        (verdicts >= 3).then_some(spans)
    });
    drop(daemon);

    // GitLab: one step span per runner phase, at the sections' times, owned by the pack.
    let phase = |name: &str| {
        spans
            .iter()
            .find(|s| s["name"] == name && attr(s, "ciotel.span.type").as_deref() == Some("step"))
            .unwrap_or_else(|| panic!("no phase {name}"))
    };
    let t = STEP_SCRIPT_START as u64 * 1_000_000_000;
    let s = 1_000_000_000;
    for (name, start, end, owner) in [
        ("prepare_executor", t - 5 * s, t - 3 * s, "platform"),
        ("get_sources", t - 3 * s, t - s, "platform"),
        ("step_script", t, t + 70 * s, "application"),
        (
            "upload_artifacts_on_failure",
            t + 70 * s,
            t + 72 * s,
            "platform",
        ),
        ("cleanup_file_variables", t + 72 * s, t + 73 * s, "platform"),
    ] {
        let p = phase(name);
        assert_eq!(
            (nanos(p, "startTimeUnixNano"), nanos(p, "endTimeUnixNano")),
            (start, end),
            "{name}"
        );
        assert_eq!(attr(p, "ciotel.owner").as_deref(), Some(owner), "{name}");
        assert_eq!(attr(p, "ciotel.step.source").as_deref(), Some("job_log"));
    }
    let gl_job = spans
        .iter()
        .find(|s| s["name"] == "pytest")
        .expect("gitlab job");
    assert_eq!(phase("step_script")["parentSpanId"], gl_job["spanId"]);
    let verdict_under = |run_id: &str| {
        let root = spans
            .iter()
            .find(|s| {
                attr(s, "ciotel.span.type").as_deref() == Some("run")
                    && attr(s, "cicd.pipeline.run.id").as_deref() == Some(run_id)
            })
            .unwrap_or_else(|| panic!("no run {run_id}"));
        let v: Vec<&Value> = spans
            .iter()
            .filter(|s| s["name"] == "verdict" && s["parentSpanId"] == root["spanId"])
            .collect();
        assert_eq!(v.len(), 1, "run {run_id}: {v:?}");
        v[0].clone()
    };
    let gl = verdict_under("100");
    assert_eq!(
        attr(&gl, "ciotel.failure.owner").as_deref(),
        Some("application")
    );
    assert_eq!(
        attr(&gl, "ciotel.failure.rule").as_deref(),
        Some("log:pytest")
    );
    assert_eq!(
        attr(&gl, "ciotel.failure.evidence").as_deref(),
        Some("========================= 1 failed, 41 passed in 12.31s =========================")
    );

    // GitHub: the disk filled up — the platform's, with the line as evidence, masked.
    let disk = verdict_under("1001");
    assert_eq!(
        attr(&disk, "ciotel.failure.owner").as_deref(),
        Some("platform")
    );
    assert_eq!(
        attr(&disk, "ciotel.failure.rule").as_deref(),
        Some("log:disk-full")
    );
    assert_eq!(
        attr(&disk, "ciotel.failure.log").as_deref(),
        Some("matched")
    );
    assert_eq!(
        attr(&disk, "ciotel.failure.evidence").as_deref(),
        Some("fatal error: cannot write build/big.o: No space left on device (upload token=***)")
    );
    assert_eq!(attr(&disk, "ciotel.owner").as_deref(), Some("platform"));
    // The job span itself says what the job's event says: its failing step's owner.
    let job = spans
        .iter()
        .find(|s| {
            s["name"] == "build" && attr(s, "cicd.pipeline.task.run.id").as_deref() == Some("10011")
        })
        .expect("job 10011");
    assert_eq!(attr(job, "ciotel.failure.evidence"), None);

    // GitHub: the log could not be fetched — today's verdict, saying so.
    let fallback = verdict_under("1002");
    assert_eq!(
        attr(&fallback, "ciotel.failure.log").as_deref(),
        Some("unavailable")
    );
    assert_eq!(
        attr(&fallback, "ciotel.failure.rule").as_deref(),
        Some("jobs")
    );
    assert_eq!(
        attr(&fallback, "ciotel.failure.owner").as_deref(),
        Some("application"),
        "the failing step \"Run make\" is the change's by the spans"
    );
    assert_eq!(attr(&fallback, "ciotel.failure.evidence"), None);

    // `ciotel explain` of the same file shows the deciding line under the verdict.
    let explained = std::process::Command::new(support::binary())
        .args(["explain", "--no-color", "--run", "1001"])
        .arg(&traces)
        .output()
        .expect("ciotel explain");
    let out = String::from_utf8_lossy(&explained.stdout);
    assert!(
        out.contains("FAILED — platform")
            && out.contains("evidence (log:disk-full): fatal error: cannot write build/big.o: No space left on device (upload token=***)"),
        "{out}"
    );

    // Nothing carries the secret or the log transport spans; the signed URL got no token
    // and only the tail was asked for.
    let text = std::fs::read_to_string(&traces).expect("traces");
    assert!(!text.contains(LEAKED), "the secret reached the spans");
    assert!(
        spans
            .iter()
            .all(|s| attr(s, "ciotel.span.type").as_deref() != Some("job_log"))
    );
    let seen = state.1.lock().expect("seen");
    let blob = seen
        .requests
        .iter()
        .find(|(p, _, _)| p.starts_with("/blob/"))
        .expect("the signed URL was fetched");
    assert!(!blob.1, "no credentials to the signed URL");
    assert_eq!(blob.2.as_deref(), Some("bytes=-65536"));
}
