//! A receiver with both `webhook:` and `api:`: a completed `workflow_run` delivery is handed to
//! the poller, which fetches the attempt and its jobs from a local server replaying GitHub's
//! REST fixtures and emits run and jobs in one batch — the webhook emits nothing itself — and
//! remembers the attempt, so its next listing does not emit it again. A full hand-off queue
//! answers 503.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use ciotel_cicd::{CiEvent, IdRecipe, translate, translate_all};
use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::telemetry::Registry;
use ciotel_core::testing::CollectingConsumer;
use ciotel_core::{Batch, Signal};
use ciotel_github::payload::WorkflowRun;
use ciotel_github::poller::{Poller, Tuning, run_handoff, state_file};
use ciotel_github::receiver::{GithubReceiverConfig, sign_delivery, webhook_router};
use ciotel_github::workflow::{Lookup, Unavailable, describe};
use ciotel_github::{map_rest_jobs, map_rest_run};
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const SECRET: &str = "It's a Secret to Everybody";
const RUNS: &str = "github/rest/actions-list-workflow-runs-for-repo.json";
const JOBS: &str = "github/rest/actions-list-jobs-for-workflow-run.json";
/// The repository the fixtures' run names (`repository.full_name`).
const REPO: &str = "octocat/Hello-World";
/// The run of the jobs fixture.
const RUN: u64 = 29679449;
/// The run of the runs fixture, renumbered to `RUN`.
const FIXTURE_RUN: u64 = 30433642;

/// The runs fixture's run as `RUN`, attempt 1, completed and failed.
fn the_run() -> Value {
    let page: Value = serde_json::from_slice(&common::read(RUNS)).expect("runs fixture");
    let run = page["workflow_runs"][0].to_string();
    assert!(
        run.contains(&FIXTURE_RUN.to_string()),
        "the runs fixture changed"
    );
    let run = run.replace(&FIXTURE_RUN.to_string(), &RUN.to_string());
    let mut run: Value = serde_json::from_str(&run).expect("json");
    run["status"] = json!("completed");
    run["conclusion"] = json!("failure");
    run["run_attempt"] = json!(1);
    run
}

/// GitHub's REST API for `REPO`: `RUN` listed only once `listed` is set.
struct Replay {
    listed: AtomicBool,
    seen: Mutex<Vec<String>>,
}

async fn answer(State(replay): State<Arc<Replay>>, uri: Uri) -> (StatusCode, Vec<u8>) {
    let path = uri.path().to_string();
    replay.seen.lock().expect("lock").push(path.clone());
    let runs = format!("/repos/{REPO}/actions/runs");
    let attempt = format!("{runs}/{RUN}/attempts/1");
    let body = if path == runs {
        let listed: Vec<Value> = if replay.listed.load(Ordering::SeqCst) {
            vec![the_run()]
        } else {
            Vec::new()
        };
        json!({"total_count": listed.len(), "workflow_runs": listed}).to_string()
    } else if path == attempt {
        the_run().to_string()
    } else if path == format!("{attempt}/jobs") {
        String::from_utf8(common::read(JOBS)).expect("utf-8")
    } else {
        return (
            StatusCode::NOT_FOUND,
            br#"{"message":"Not Found"}"#.to_vec(),
        );
    };
    (StatusCode::OK, body.into_bytes())
}

impl Replay {
    fn count(&self, path: &str) -> usize {
        let seen = self.seen.lock().expect("lock");
        seen.iter().filter(|p| *p == path).count()
    }
}

/// A temporary `state_dir`, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!(
        "ciotel-handoff-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

fn fast() -> Tuning {
    Tuning {
        backoff_initial: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        max_attempts: 3,
        secondary_limit_wait: Duration::from_millis(200),
        max_rate_limit_wait: Duration::from_secs(5),
        refused_backoff_initial: Duration::from_millis(50),
        refused_backoff_max: Duration::from_millis(100),
        request_timeout: Duration::from_secs(5),
    }
}

/// A receiver with a signed webhook and, against `base`, an `api:` section.
fn config(base: &str, dir: &TempDir) -> GithubReceiverConfig {
    let yaml = format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{SECRET}\"\napi:\n  base_url: {base}\n  \
         token: test-token\n  repositories: [{REPO}]\n  interval: 150ms\n  lookback: 10years\n  \
         state_dir: {}\n",
        dir.0.display()
    );
    yaml_serde::from_str(&yaml).expect("test config")
}

/// Serves `router` on 127.0.0.1:0; its base URL.
async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// A completed `workflow_run` delivery of `RUN`, signed.
async fn deliver(url: &str, delivery: &str) -> (u16, String, Option<String>) {
    deliver_run(url, delivery, the_run()).await
}

/// A `workflow_run` delivery of `run`, signed.
async fn deliver_run(url: &str, delivery: &str, run: Value) -> (u16, String, Option<String>) {
    let body = json!({"action": "completed", "workflow_run": run, "repository": run["repository"]})
        .to_string();
    let response = reqwest::Client::new()
        .post(url)
        .header("X-GitHub-Event", "workflow_run")
        .header("X-GitHub-Delivery", delivery)
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            sign_delivery(SECRET.as_bytes(), body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .expect("request reaches the receiver");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, response.text().await.expect("body"), retry)
}

fn traces(sink: &CollectingConsumer) -> Vec<Vec<ResourceSpans>> {
    sink.batches
        .lock()
        .expect("lock")
        .iter()
        .map(|b| match b {
            Batch::Traces(rs) => rs.clone(),
            other => panic!("traces only, got {other:?}"),
        })
        .collect()
}

async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A receiver with both sections against the replay server, its poller running.
struct Both {
    replay: Arc<Replay>,
    sink: Arc<CollectingConsumer>,
    hook_url: String,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    dir: TempDir,
}

impl Both {
    async fn start(name: &str) -> Both {
        let replay = Arc::new(Replay {
            listed: AtomicBool::new(false),
            seen: Mutex::new(Vec::new()),
        });
        let api_base = serve(Router::new().fallback(answer).with_state(replay.clone())).await;
        let dir = temp_dir(name);
        let config = config(&api_base, &dir);
        let (webhook, api) = (
            config.webhook.clone().expect("webhook"),
            config.api.clone().expect("api"),
        );
        let sink = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        let registry = Registry::new();
        let (handoff, requests) = run_handoff(4);
        let hook_output = ReceiverOutput::new(inputs.clone(), &registry, "github", "webhook");
        let router = webhook_router(
            "github",
            &webhook,
            IdRecipe::CheckRun,
            hook_output,
            Some(handoff),
        );
        let hook_url = format!("{}{}", serve(router).await, webhook.path);
        let api_output = ReceiverOutput::new(inputs, &registry, "github", "api");
        let poller = Poller::new("github", &api, IdRecipe::CheckRun, api_output, fast())
            .expect("poller sets up")
            .with_requests(requests);
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(poller.run(shutdown.clone()));
        let listing = format!("/repos/{REPO}/actions/runs");
        eventually("a first (empty) listing", || replay.count(&listing) >= 1).await;
        Both {
            replay,
            sink,
            hook_url,
            shutdown,
            task,
            dir,
        }
    }

    async fn stop(self) -> TempDir {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("poller stops")
            .expect("no panic");
        self.dir
    }
}

#[tokio::test]
async fn a_run_the_poller_cannot_fetch_goes_alone() {
    let both = Both::start("fallback").await;
    let mut run = the_run();
    run["repository"]["full_name"] = json!("octocat/elsewhere");
    let (status, _, _) = deliver_run(&both.hook_url, "d-1", run.clone()).await;
    assert_eq!(status, 202);
    eventually(
        "the run's batch, from the webhook and again as the poller's fallback",
        || traces(&both.sink).len() >= 2,
    )
    .await;
    let delivery =
        json!({"action": "completed", "workflow_run": run, "repository": run["repository"]});
    let event = ciotel_github::map_webhook("workflow_run", delivery.to_string().as_bytes())
        .expect("maps")
        .expect("an event");
    let run_spans = translate(&event, IdRecipe::CheckRun);
    assert_eq!(traces(&both.sink), vec![run_spans.clone(), run_spans]);
    both.stop().await;
}

#[tokio::test]
async fn a_completed_run_delivered_by_webhook_is_emitted_with_its_jobs_by_the_poller() {
    let both = Both::start("emit").await;
    let (replay, sink, hook_url) = (
        both.replay.clone(),
        both.sink.clone(),
        both.hook_url.clone(),
    );
    let listing = format!("/repos/{REPO}/actions/runs");
    let (status, text, _) = deliver(&hook_url, "d-1").await;
    assert_eq!(
        (status, text.trim_end()),
        (202, "accepted; handed to the API poller for its jobs")
    );
    eventually("the handed-over run's batch", || traces(&sink).len() >= 2).await;

    // Two batches: the run's own spans, queued before the webhook answered, then the run and
    // its jobs exactly as the poller emits a run it lists (the same root span again).
    let run: WorkflowRun = serde_json::from_value(the_run()).expect("run");
    let run_spans = translate(&map_rest_run(&run).expect("maps"), IdRecipe::CheckRun);
    let mut expected = run_spans.clone();
    let mut jobs = map_rest_jobs(&common::read(JOBS), run.repository.as_ref()).expect("jobs map");
    assert!(!jobs.is_empty(), "the jobs fixture has jobs");
    // The replay serves no workflow file (404): each step says so.
    for job in &mut jobs {
        if let CiEvent::Job(job) = job {
            describe(job, &Lookup::Unavailable(Unavailable::NotFound));
        }
    }
    expected.extend(translate_all(&jobs, IdRecipe::CheckRun));
    assert_eq!(
        traces(&sink).len(),
        2,
        "{:?}",
        replay.seen.lock().expect("lock")
    );
    assert_eq!(traces(&sink), vec![run_spans, expected]);

    // A redelivery is a duplicate; the next listings, which now show the run, emit nothing.
    let (status, _, _) = deliver(&hook_url, "d-1").await;
    assert_eq!(status, 200);
    replay.listed.store(true, Ordering::SeqCst);
    let before = replay.count(&listing);
    eventually("two more listings", || replay.count(&listing) >= before + 2).await;
    assert_eq!(
        traces(&sink).len(),
        2,
        "the listed run is not emitted again"
    );
    let jobs_path = format!("/repos/{REPO}/actions/runs/{RUN}/attempts/1/jobs");
    assert_eq!(replay.count(&jobs_path), 1);

    let dir = both.stop().await;
    let cursor: Value =
        serde_json::from_slice(&std::fs::read(state_file(&dir.0, "github")).expect("cursor file"))
            .expect("json");
    let emitted = &cursor["repositories"][REPO]["emitted"];
    assert_eq!(emitted[0]["run_id"], json!(RUN), "{cursor}");
}

#[tokio::test]
async fn with_the_handoff_queue_full_the_run_is_still_safe_before_the_answer() {
    let dir = temp_dir("full");
    let config = config("http://127.0.0.1:9", &dir);
    let webhook = config.webhook.expect("webhook");
    let sink = Arc::new(CollectingConsumer::default());
    let mut inputs = PipelineInputs::new();
    inputs.add(Signal::Traces, sink.clone());
    let registry = Registry::new();
    // No poller reads the queue: one run fills it.
    let (handoff, _requests) = run_handoff(1);
    let output = ReceiverOutput::new(inputs, &registry, "github", "webhook");
    let router = webhook_router(
        "github",
        &webhook,
        IdRecipe::CheckRun,
        output,
        Some(handoff),
    );
    let url = format!("{}{}", serve(router).await, webhook.path);

    assert_eq!(deliver(&url, "d-1").await.0, 202);
    // The poller's queue is full now: the second run is answered 202 all the same, since its
    // spans were taken by the pipeline before the answer; only the jobs wait for the poller.
    let (status, text, _) = deliver(&url, "d-2").await;
    assert_eq!(status, 202, "{text}");
    assert_eq!(
        traces(&sink).len(),
        2,
        "each run's spans are in the pipeline"
    );
    // Remembered: a redelivery is a duplicate.
    assert_eq!(deliver(&url, "d-2").await.0, 200);
}
