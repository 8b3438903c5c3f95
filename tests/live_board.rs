//! The live board against the real binary: signed `workflow_job` deliveries of queued and
//! running jobs, the GitHub API poller after a restart, and the GitLab poller's listing of
//! running pipelines (local servers with recorded-shape answers) make hung jobs visible while they
//! are hung — a WARN log record and the `ciotel.pipeline.task.hung` sum at a real OTLP/HTTP
//! backend, beside `cicd.pipeline.run.active` and `cicd.worker.count` — and nothing once they
//! completed. Thresholds are 30 min / 1 h against jobs the payloads say started years ago, so
//! a job is hung at the first check; nothing sleeps for it, every wait is on a condition.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value::Value};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point};
use prost::Message;
use serde_json::{Value as Json, json};
use support::{Daemon, TempDir, wait_for};

const SECRET: &str = "live-board-secret";
const REPO: &str = "Codertocat/Hello-World";

#[test]
fn a_queued_then_running_job_is_reported_hung_while_it_is_and_not_once_completed() {
    let backend = Backend::start();
    let dir = TempDir::new("live-hung");
    let daemon = Daemon::start(&dir, "ciotel", &config(&backend, None, &dir));
    let hook = Hook::of(&daemon);

    // A queued job has no spans yet (200), but it is on the board.
    assert_eq!(hook.post("q-1", &job_event("queued", 1001)), 200);
    let queued = wait_for("the queued job's hung record", || {
        backend.record_of("1001", "pending")
    });
    assert_eq!(queued.severity_text, "WARN");
    assert_eq!(queued.severity_number, 13, "SEVERITY_NUMBER_WARN");
    assert_eq!(queued.event_name, "ciotel.task.hung");
    let body = string(queued.body.as_ref().and_then(|b| b.value.as_ref()));
    assert!(
        body.contains("job `build`")
            && body.contains(REPO)
            && body.contains("has been queued")
            && body.contains("since 2021-09-13T02:21:13Z")
            && body.contains("queued_after 30m"),
        "{body}"
    );
    assert_eq!(
        attr(&queued.attributes, "ciotel.hung.rule"),
        Some("queued_after".into())
    );
    assert_eq!(
        attr(&queued.attributes, "cicd.pipeline.name"),
        Some("CodeQL".into())
    );
    assert_eq!(
        attr(&queued.attributes, "cicd.pipeline.run.id"),
        Some("2202229078".into())
    );
    assert_eq!(queued.trace_id.len(), 16, "the run's trace");
    let hung_queued = [
        ("cicd.pipeline.task.name", "build"),
        ("ciotel.task.state", "pending"),
    ];
    wait_for("ciotel.pipeline.task.hung = 1 for the queued job", || {
        (backend.latest("ciotel.pipeline.task.hung", &hung_queued) == Some(1)).then_some(())
    });

    assert_eq!(hook.post("r-1", &job_event("in_progress", 1001)), 202);
    let running = wait_for("the running job's hung record", || {
        backend.record_of("1001", "executing")
    });
    let body = string(running.body.as_ref().and_then(|b| b.value.as_ref()));
    assert!(
        body.contains("has been running on GitHub Actions 5") && body.contains("running_after 1h"),
        "{body}"
    );
    assert_eq!(
        attr(&running.attributes, "cicd.worker.name"),
        Some("GitHub Actions 5".into())
    );
    let hung_running = [
        ("cicd.pipeline.task.name", "build"),
        ("ciotel.task.state", "executing"),
    ];
    wait_for("the hung sum moves from queued to running", || {
        (backend.latest("ciotel.pipeline.task.hung", &hung_running) == Some(1)
            && backend.latest("ciotel.pipeline.task.hung", &hung_queued) == Some(0))
        .then_some(())
    });
    let busy = [("cicd.worker.state", "busy")];
    wait_for("one busy worker", || {
        (backend.latest("cicd.worker.count", &busy) == Some(1)).then_some(())
    });

    assert_eq!(hook.post("c-1", &job_event("completed", 1001)), 202);
    wait_for("the hung sum back to 0 once completed", || {
        (backend.latest("ciotel.pipeline.task.hung", &hung_running) == Some(0)).then_some(())
    });
    let records = backend.records_of("1001").len();
    // Another job keeps the board (and its metrics) going: two more checks come and go, and
    // no record of the completed job comes with them.
    assert_eq!(hook.post("q-1002", &job_event("queued", 1002)), 200);
    wait_for("the other job's record", || {
        backend.record_of("1002", "pending")
    });
    let exports = backend.metric_exports();
    wait_for("two more checks", || {
        (backend.metric_exports() >= exports + 2).then_some(())
    });
    assert_eq!(
        backend.records_of("1001").len(),
        records,
        "a completed job was logged"
    );
    assert_eq!(
        records, 2,
        "one record queued, one running (log_interval is 1h)"
    );
}

#[test]
fn a_late_queued_does_not_resurrect_a_job_and_redelivery_changes_nothing() {
    let backend = Backend::start();
    let dir = TempDir::new("live-order");
    let daemon = Daemon::start(&dir, "ciotel", &config(&backend, None, &dir));
    let hook = Hook::of(&daemon);

    // Completed first, then its late `queued`: the job never appears.
    assert_eq!(hook.post("c-2002", &job_event("completed", 2002)), 202);
    assert_eq!(hook.post("q-2002", &job_event("queued", 2002)), 200);
    assert_eq!(hook.post("q-2003", &job_event("queued", 2003)), 200);
    // The same `queued` again: once as a redelivery (same delivery id), once re-sent anew.
    assert_eq!(hook.post("q-2003", &job_event("queued", 2003)), 200);
    assert_eq!(hook.post("q-2003-again", &job_event("queued", 2003)), 200);
    let hung_queued = [
        ("cicd.pipeline.task.name", "build"),
        ("ciotel.task.state", "pending"),
    ];
    wait_for("job 2003's record", || backend.record_of("2003", "pending"));
    let exports = backend.metric_exports();
    wait_for("two more checks", || {
        (backend.metric_exports() >= exports + 2).then_some(())
    });
    assert_eq!(
        backend.latest("ciotel.pipeline.task.hung", &hung_queued),
        Some(1),
        "only 2003 is hung: 2002 stayed completed, 2003 counts once"
    );
    assert!(
        backend.records_of("2002").is_empty(),
        "the completed job came back"
    );
    assert_eq!(
        backend.records_of("2003").len(),
        1,
        "re-sending made a second record"
    );
}

#[test]
fn after_kill_9_the_poller_refills_the_board_with_what_runs_now() {
    let backend = Backend::start();
    let api = GithubApi::start();
    let dir = TempDir::new("live-restart");
    // The first run has no poller (so nothing but the webhook fills its board).
    let mut first = Daemon::start(&dir, "ciotel", &config(&backend, None, &dir));
    let hook = Hook::of(&first);
    assert_eq!(hook.post("r-3001", &job_event("in_progress", 3001)), 202);
    wait_for("the webhook's running job", || {
        backend.record_of("3001", "executing")
    });
    first.kill();

    // GitHub now says run 555 is in progress with job 7001 running on runner-9.
    api.set_live(true);
    let _second = Daemon::start(&dir, "ciotel", &config(&backend, Some(&api), &dir));
    let refilled = wait_for("the API's running job after the restart", || {
        backend.record_of("7001", "executing")
    });
    assert_eq!(
        attr(&refilled.attributes, "cicd.worker.name"),
        Some("runner-9".into())
    );
    assert_eq!(
        attr(&refilled.attributes, "cicd.pipeline.run.id"),
        Some("555".into())
    );
    assert!(api.asked("status=in_progress") && api.asked("/actions/runs/555/attempts/1/jobs"));
    let active = [
        ("cicd.pipeline.name", "Build"),
        ("cicd.pipeline.run.state", "executing"),
    ];
    wait_for("cicd.pipeline.run.active = 1 for the API's run", || {
        (backend.latest("cicd.pipeline.run.active", &active) == Some(1)).then_some(())
    });
}

#[test]
fn a_gitlab_poller_puts_the_running_pipelines_jobs_on_the_board_at_start() {
    let backend = Backend::start();
    let gitlab = GitlabApi::start();
    let dir = TempDir::new("live-gitlab");
    let config = format!(
        "receivers:
  gitlab:
    api:
      base_url: {api}
      token: test-token
      projects: [acme/app]
      interval: 1h
      lookback: 1h
      state_dir: {state}
    collection_interval: 100ms
    live:
      hung: {{queued_after: 30m, running_after: 1h, check_interval: 50ms, log_interval: 1h}}
exporters:
  otlphttp:
    endpoint: {url}
    compression: none
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [gitlab]
      exporters: [otlphttp]
    metrics:
      receivers: [gitlab]
      exporters: [otlphttp]
",
        api = gitlab.url,
        state = dir.join("state").display(),
        url = backend.url
    );
    let _daemon = Daemon::start(&dir, "ciotel", &config);
    let record = wait_for("the running GitLab job's hung record", || {
        backend.record_of("901", "executing")
    });
    assert_eq!(
        attr(&record.attributes, "cicd.pipeline.run.id"),
        Some("77".into())
    );
    assert_eq!(
        attr(&record.attributes, "cicd.pipeline.task.name"),
        Some("test".into())
    );
    assert_eq!(
        attr(&record.attributes, "cicd.worker.name"),
        Some("gitlab-runner-3".into())
    );
    let busy = [("cicd.worker.state", "busy")];
    wait_for("one busy GitLab runner", || {
        (backend.latest("cicd.worker.count", &busy) == Some(1)).then_some(())
    });
}

#[test]
fn a_job_the_api_no_longer_lists_leaves_the_board_though_its_completed_was_lost() {
    let backend = Backend::start();
    let api = GithubApi::start();
    api.set_live(true);
    let dir = TempDir::new("live-forget");
    let config = config(&backend, Some(&api), &dir).replace("interval: 1h", "interval: 200ms");
    let _daemon = Daemon::start(&dir, "ciotel", &config);
    wait_for("the API's running job", || {
        backend.record_of("7001", "executing")
    });
    let hung = [
        ("cicd.pipeline.task.name", "build"),
        ("ciotel.task.state", "executing"),
    ];
    wait_for("job 7001 counted hung", || {
        (backend.latest("ciotel.pipeline.task.hung", &hung) == Some(1)).then_some(())
    });
    // The job finished, and no `completed` came: GitHub simply stops listing run 555.
    api.set_live(false);
    wait_for("the next listing forgets it: hung back to 0", || {
        (backend.latest("ciotel.pipeline.task.hung", &hung) == Some(0)).then_some(())
    });
    let active = [
        ("cicd.pipeline.name", "Build"),
        ("cicd.pipeline.run.state", "executing"),
    ];
    assert_eq!(backend.latest("cicd.pipeline.run.active", &active), Some(0));
}

// ---- config and deliveries ----------------------------------------------------------------

fn config(backend: &Backend, api: Option<&GithubApi>, dir: &TempDir) -> String {
    let api = match api {
        Some(api) => format!(
            "    api:\n      base_url: {}\n      token: test-token\n      repositories: [acme/app]\n      \
             interval: 1h\n      lookback: 1h\n      state_dir: {}\n",
            api.url,
            dir.join("state").display()
        ),
        None => String::new(),
    };
    format!(
        "receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      secret: \"{SECRET}\"
{api}    collection_interval: 100ms
    live:
      hung:
        queued_after: 30m
        running_after: 1h
        p95_factor: 0
        check_interval: 50ms
        log_interval: 1h
exporters:
  nop:
  otlphttp:
    endpoint: {url}
    compression: none
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [github]
      exporters: [nop]
    logs:
      receivers: [github]
      exporters: [otlphttp]
    metrics:
      receivers: [github]
      exporters: [otlphttp]
",
        url = backend.url
    )
}

/// The fixture's `workflow_job` delivery with `action` (and status), job `id`, and the name
/// `build`. Its times are 2021's, so a queued or running copy is hung at once.
fn job_event(action: &str, id: u64) -> Vec<u8> {
    let mut event: Json =
        serde_json::from_slice(&fixture("github/webhooks/workflow_job.queued.json"))
            .expect("fixture JSON");
    event["action"] = json!(action);
    let job = &mut event["workflow_job"];
    job["id"] = json!(id);
    job["name"] = json!("build");
    job["status"] = json!(action);
    match action {
        "queued" => {
            job["started_at"] = Json::Null;
            job["runner_name"] = Json::Null;
        }
        "completed" => {
            job["conclusion"] = json!("success");
            job["completed_at"] = json!("2021-09-13T02:31:13Z");
        }
        _ => {}
    }
    serde_json::to_vec(&event).expect("JSON")
}

struct Hook {
    url: String,
}

impl Hook {
    fn of(daemon: &Daemon) -> Hook {
        Hook {
            url: format!(
                "http://{}/events/github",
                daemon.address("github", "webhook")
            ),
        }
    }

    fn post(&self, delivery: &str, body: &[u8]) -> u16 {
        reqwest::blocking::Client::new()
            .post(&self.url)
            .header("X-GitHub-Event", "workflow_job")
            .header("X-GitHub-Delivery", delivery)
            .header("Content-Type", "application/json")
            .header(
                "X-Hub-Signature-256",
                ciotel_github::receiver::sign_delivery(SECRET.as_bytes(), body),
            )
            .body(body.to_vec())
            .send()
            .expect("POST the delivery")
            .status()
            .as_u16()
    }
}

fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn string(v: Option<&Value>) -> String {
    match v {
        Some(Value::StringValue(s)) => s.clone(),
        other => panic!("not a string: {other:?}"),
    }
}

fn attr(attrs: &[KeyValue], key: &str) -> Option<String> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
        .map(|v| match v {
            Value::StringValue(s) => s.clone(),
            Value::IntValue(i) => i.to_string(),
            other => format!("{other:?}"),
        })
}

// ---- the OTLP/HTTP backend ----------------------------------------------------------------

/// A real OTLP/HTTP endpoint (`/v1/logs`, `/v1/metrics`, protobuf) that keeps what it got.
struct Backend {
    url: String,
    got: Arc<Mutex<Got>>,
    runtime: Option<tokio::runtime::Runtime>,
}

#[derive(Default)]
struct Got {
    records: Vec<LogRecord>,
    /// Per metric export, in arrival order.
    metric_exports: Vec<Vec<Point>>,
}

/// One data point as the backend got it: metric name, attributes, value.
type Point = (String, BTreeMap<String, String>, i64);

impl Backend {
    fn start() -> Backend {
        let got = Arc::new(Mutex::new(Got::default()));
        let (url, runtime) = serve(
            axum::Router::new()
                .route("/v1/logs", axum::routing::post(logs))
                .route("/v1/metrics", axum::routing::post(metrics))
                .with_state(got.clone()),
        );
        Backend {
            url,
            got,
            runtime: Some(runtime),
        }
    }

    fn records_of(&self, job_id: &str) -> Vec<LogRecord> {
        let got = self.got.lock().unwrap();
        got.records
            .iter()
            .filter(|r| attr(&r.attributes, "cicd.pipeline.task.run.id").as_deref() == Some(job_id))
            .cloned()
            .collect()
    }

    fn record_of(&self, job_id: &str, state: &str) -> Option<LogRecord> {
        self.records_of(job_id)
            .into_iter()
            .find(|r| attr(&r.attributes, "ciotel.task.state").as_deref() == Some(state))
    }

    fn metric_exports(&self) -> usize {
        self.got.lock().unwrap().metric_exports.len()
    }

    /// The value of `name` at the point with `attrs` in the latest export that has it.
    fn latest(&self, name: &str, attrs: &[(&str, &str)]) -> Option<i64> {
        let got = self.got.lock().unwrap();
        got.metric_exports.iter().rev().find_map(|export| {
            export
                .iter()
                .find(|(n, a, _)| {
                    n == name
                        && attrs
                            .iter()
                            .all(|(k, v)| a.get(*k).map(String::as_str) == Some(*v))
                })
                .map(|(_, _, v)| *v)
        })
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn logs(State(got): State<Arc<Mutex<Got>>>, body: Bytes) -> Response {
    let Ok(request) = ExportLogsServiceRequest::decode(body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let records = request
        .resource_logs
        .into_iter()
        .flat_map(|r| r.scope_logs)
        .flat_map(|s| s.log_records);
    got.lock().unwrap().records.extend(records);
    ok()
}

async fn metrics(State(got): State<Arc<Mutex<Got>>>, body: Bytes) -> Response {
    let Ok(request) = ExportMetricsServiceRequest::decode(body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut points = Vec::new();
    for metric in request
        .resource_metrics
        .into_iter()
        .flat_map(|r| r.scope_metrics)
        .flat_map(|s| s.metrics)
    {
        let Some(Data::Sum(sum)) = metric.data else {
            continue;
        };
        for p in sum.data_points {
            let attrs = p
                .attributes
                .iter()
                .filter_map(|kv| Some((kv.key.clone(), attr(&p.attributes, &kv.key)?)))
                .collect();
            if let Some(number_data_point::Value::AsInt(v)) = p.value {
                points.push((metric.name.clone(), attrs, v));
            }
        }
    }
    got.lock().unwrap().metric_exports.push(points);
    ok()
}

fn ok() -> Response {
    (
        StatusCode::OK,
        [("content-type", "application/x-protobuf")],
        Vec::<u8>::new(),
    )
        .into_response()
}

fn serve(router: axum::Router) -> (String, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    runtime.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, runtime)
}

// ---- the GitHub API -----------------------------------------------------------------------

/// GitHub's REST API for repository `acme/app`: no finished runs; once `set_live(true)`, run
/// 555 in progress (listed for `status=in_progress`) with job 7001 running on `runner-9`.
struct GithubApi {
    url: String,
    state: Arc<ApiState>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Default)]
struct ApiState {
    live: Mutex<bool>,
    asked: Mutex<Vec<String>>,
}

impl GithubApi {
    fn start() -> GithubApi {
        let state = Arc::new(ApiState::default());
        let (url, runtime) = serve(axum::Router::new().fallback(api).with_state(state.clone()));
        GithubApi {
            url,
            state,
            _runtime: runtime,
        }
    }

    fn set_live(&self, live: bool) {
        *self.state.live.lock().unwrap() = live;
    }

    fn asked(&self, part: &str) -> bool {
        self.state
            .asked
            .lock()
            .unwrap()
            .iter()
            .any(|u| u.contains(part))
    }
}

async fn api(
    State(state): State<Arc<ApiState>>,
    _headers: HeaderMap,
    request: Request,
) -> Response {
    let uri = request.uri().to_string();
    state.asked.lock().unwrap().push(uri.clone());
    let live = *state.live.lock().unwrap();
    let body = if uri.starts_with("/repos/acme/app/actions/runs/555/attempts/1/jobs") {
        jobs_page()
    } else if uri.starts_with("/repos/acme/app/actions/runs?") {
        if live && uri.contains("status=in_progress") {
            json!({"total_count": 1, "workflow_runs": [live_run()]})
        } else {
            json!({"total_count": 0, "workflow_runs": []})
        }
    } else {
        return (StatusCode::NOT_FOUND, "not in the test's GitHub").into_response();
    };
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The REST fixture's run as run 555 of `acme/app`, in progress since 2020.
fn live_run() -> Json {
    let page: Json = serde_json::from_slice(&fixture(
        "github/rest/actions-list-workflow-runs-for-repo.json",
    ))
    .expect("fixture JSON");
    let mut run = page["workflow_runs"][0].clone();
    run["id"] = json!(555);
    run["run_attempt"] = json!(1);
    run["status"] = json!("in_progress");
    run["conclusion"] = Json::Null;
    run["repository"]["full_name"] = json!("acme/app");
    run["repository"]["name"] = json!("app");
    run
}

/// The REST fixture's job as job 7001 of run 555, running on `runner-9` since 2020.
fn jobs_page() -> Json {
    let mut page: Json = serde_json::from_slice(&fixture(
        "github/rest/actions-list-jobs-for-workflow-run.json",
    ))
    .expect("fixture JSON");
    let job = &mut page["jobs"][0];
    job["id"] = json!(7001);
    job["run_id"] = json!(555);
    job["run_attempt"] = json!(1);
    job["status"] = json!("in_progress");
    job["conclusion"] = Json::Null;
    job["completed_at"] = Json::Null;
    job["runner_name"] = json!("runner-9");
    json!({"total_count": 1, "jobs": [page["jobs"][0].clone()]})
}

// ---- the GitLab API -----------------------------------------------------------------------

/// GitLab's REST API for project `acme/app` (id 42): no finished pipelines; pipeline 77
/// running (listed for `status=running`) with job 901 running on `gitlab-runner-3` since 2021.
struct GitlabApi {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl GitlabApi {
    fn start() -> GitlabApi {
        let (url, runtime) = serve(axum::Router::new().fallback(gitlab_api));
        GitlabApi {
            url,
            _runtime: runtime,
        }
    }
}

async fn gitlab_api(request: Request) -> Response {
    let uri = request.uri().to_string();
    let body = if uri == "/api/v4/projects/acme%2Fapp" {
        json!({"id": 42, "name": "app", "path_with_namespace": "acme/app",
               "web_url": "https://gitlab.example/acme/app"})
    } else if uri.starts_with("/api/v4/projects/42/pipelines/77/jobs") {
        json!([{
            "id": 901, "name": "test", "stage": "test", "status": "running",
            "created_at": "2021-05-01T10:00:00.000Z", "started_at": "2021-05-01T10:00:05.000Z",
            "web_url": "https://gitlab.example/acme/app/-/jobs/901",
            "runner": {"id": 3, "description": "gitlab-runner-3"},
            "pipeline": {"id": 77, "project_id": 42}
        }])
    } else if uri.starts_with("/api/v4/projects/42/pipelines?") && uri.contains("status=running") {
        json!([{
            "id": 77, "project_id": 42, "status": "running", "ref": "main", "sha": "abc123",
            "created_at": "2021-05-01T10:00:00.000Z", "updated_at": "2021-05-01T10:00:05.000Z",
            "web_url": "https://gitlab.example/acme/app/-/pipelines/77"
        }])
    } else if uri.starts_with("/api/v4/projects/42/pipelines?") {
        json!([])
    } else {
        return (StatusCode::NOT_FOUND, "not in the test's GitLab").into_response();
    };
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}
