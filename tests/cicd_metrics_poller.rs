//! A run both the webhook and the API poller see counts once, black box: the real binary with
//! a `github` receiver that has `webhook:` and `api:` (pointing at a local server replaying
//! GitHub's REST shapes). The `workflow_run` delivery of the completed run is counted by the
//! webhook and handed to the poller, which fetches the attempt and its jobs page and maps the
//! run again; the `workflow_job` delivery brings the job the poller also fetched; the next
//! listing shows the run once more. The OTLP backend still receives each once.

mod support;

use axum::Router;
use axum::http::Uri;
use axum::routing::any;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use support::metrics_sink::{MetricsSink, Point};
use support::{Daemon, TempDir, wait_for};

const REPO: &str = "octo/metrics";
const RUN: u64 = 8001;
const SECRET: &str = "poller-metrics-secret";

/// The completed, failed run: created and started 2 minutes ago, completed 100 s later.
fn the_run(created: &str, completed: &str) -> Value {
    json!({
        "id": RUN, "name": "CI", "run_attempt": 1, "run_number": 3, "event": "push",
        "status": "completed", "conclusion": "failure", "workflow_id": 4,
        "path": ".github/workflows/ci.yml", "head_branch": "main",
        "head_sha": "c0ffee0000000000000000000000000000000002",
        "html_url": format!("https://github.com/{REPO}/actions/runs/{RUN}"),
        "created_at": created, "run_started_at": created, "updated_at": completed,
        "repository": {"id": 43, "name": "metrics", "full_name": REPO,
                       "html_url": format!("https://github.com/{REPO}")},
    })
}

/// Its one job: created with the run, 30 s in the queue.
fn the_job(created: &str, started: &str, completed: &str) -> Value {
    json!({
        "id": 9101, "run_id": RUN, "run_attempt": 1, "workflow_name": "CI",
        "head_sha": "c0ffee0000000000000000000000000000000002",
        "html_url": format!("https://github.com/{REPO}/actions/runs/{RUN}/job/9101"),
        "status": "completed", "conclusion": "failure", "name": "test",
        "created_at": created, "started_at": started, "completed_at": completed,
        "steps": [
            {"name": "Set up job", "status": "completed", "conclusion": "success", "number": 1,
             "started_at": started, "completed_at": started},
            {"name": "Run tests", "status": "completed", "conclusion": "failure", "number": 2,
             "started_at": started, "completed_at": completed}
        ],
        "labels": ["ubuntu-latest"], "runner_id": 1, "runner_name": "GitHub Actions 1",
    })
}

fn rfc3339(ago: u64) -> String {
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(ago);
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
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

#[test]
fn webhook_and_poller_count_a_run_and_its_job_once() {
    let (created, started, completed) = (rfc3339(120), rfc3339(90), rfc3339(20));
    let run = the_run(&created, &completed);
    let job = the_job(&created, &started, &completed);
    let asked: Arc<Mutex<Vec<String>>> = Arc::default();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let address = {
        let (run, job, asked) = (run.clone(), job.clone(), asked.clone());
        let router = Router::new().fallback(any(move |uri: Uri| {
            let (run, job, asked) = (run.clone(), job.clone(), asked.clone());
            async move {
                let path = uri.path().to_owned();
                asked.lock().unwrap().push(path.clone());
                let (status, body) = if path == format!("/repos/{REPO}/actions/runs") {
                    (200, json!({"total_count": 1, "workflow_runs": [run]}))
                } else if path == format!("/repos/{REPO}/actions/runs/{RUN}/attempts/1")
                    || path == format!("/repos/{REPO}/actions/runs/{RUN}")
                {
                    (200, run)
                } else if path == format!("/repos/{REPO}/actions/runs/{RUN}/attempts/1/jobs") {
                    (200, json!({"total_count": 1, "jobs": [job]}))
                } else {
                    (404, json!({"message": "Not Found"}))
                };
                axum::response::Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .expect("response")
            }
        }));
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let address = listener.local_addr().expect("address").to_string();
            tokio::spawn(async move {
                let _ = axum::serve(listener, router).await;
            });
            address
        })
    };
    let (sink, port) = MetricsSink::start();
    let dir = TempDir::new("cicd-metrics-poller");
    let config = format!(
        "receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      secret: {SECRET}
    api:
      base_url: http://{address}
      token: ghp_metrics_test_token_0001
      repositories: [{REPO}]
      interval: 300ms
      state_dir: {state}
    collection_interval: 100ms
exporters:
  nop:
  otlp/metrics:
    endpoint: http://127.0.0.1:{port}
    compression: none
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [github]
      exporters: [nop]
    metrics:
      receivers: [github]
      exporters: [otlp/metrics]
",
        state = dir.join("state").display()
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );
    for (event, id, body) in [
        (
            "workflow_run",
            "w-1",
            json!({"action": "completed", "workflow_run": run, "repository": run["repository"]}),
        ),
        (
            "workflow_job",
            "w-2",
            json!({"action": "completed", "workflow_job": job, "repository": run["repository"]}),
        ),
    ] {
        let body = body.to_string();
        let status = reqwest::blocking::Client::new()
            .post(&url)
            .header("X-GitHub-Event", event)
            .header("X-GitHub-Delivery", id)
            .header("Content-Type", "application/json")
            .header(
                "X-Hub-Signature-256",
                ciotel_github::receiver::sign_delivery(SECRET.as_bytes(), body.as_bytes()),
            )
            .body(body)
            .send()
            .expect("deliver")
            .status();
        assert_eq!(status.as_u16(), 202, "{id}");
    }
    // The poller fetched the handed-over attempt's jobs, and listed the run at least twice.
    let jobs_path = format!("/repos/{REPO}/actions/runs/{RUN}/attempts/1/jobs");
    let listing = format!("/repos/{REPO}/actions/runs");
    wait_for("the poller's fetches", || {
        let asked = asked.lock().unwrap();
        let listed = asked.iter().filter(|p| **p == listing).count();
        (asked.contains(&jobs_path) && listed >= 2).then_some(())
    });
    let seen = sink.requests();
    wait_for("two collections after that", || {
        (sink.requests() >= seen + 2).then_some(())
    });
    let count = |name: &str| -> Vec<u64> {
        sink.latest(name)
            .into_values()
            .map(|p| match p {
                Point::Histogram { count, .. } => count,
                Point::Sum { value, .. } => value as u64,
                Point::Gauge(v) => v as u64,
            })
            .collect()
    };
    assert_eq!(
        count("cicd.pipeline.run.errors"),
        [1],
        "the failed run, once"
    );
    // pending (0 s: created = started) and executing, once each.
    assert_eq!(count("cicd.pipeline.run.duration"), [1, 1]);
    assert_eq!(
        count("cicd.pipeline.task.run.time_in_queue"),
        [1],
        "the job, once"
    );
    let queue = sink.latest("cicd.pipeline.task.run.time_in_queue");
    let Some(Point::Histogram { sum, .. }) = queue.values().next() else {
        panic!("a histogram");
    };
    assert_eq!(*sum, 30.0);
}
