//! The REST API poller against a local server replaying GitHub's REST fixtures from
//! `../shared/fixtures/github/rest`: pages linked with `Link: rel="next"`, ETags answered with
//! 304, a secondary rate limit (403 + `Retry-After: 1`), a spent primary window
//! (`X-RateLimit-Remaining: 0`), a 502, and GitHub App token exchange. The spans collected must
//! be those of the webhook path for the same runs and jobs, and a restart must emit nothing new.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciotel_cicd::{CiEvent, IdRecipe, Timestamp, translate, translate_all};
use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::telemetry::Registry;
use ciotel_core::testing::CollectingConsumer;
use ciotel_core::{Batch, Signal};
use ciotel_github::payload::{Repository, WorkflowRun};
use ciotel_github::poller::{Poller, Tuning, state_file};
use ciotel_github::receiver::{ApiConfig, GithubReceiverConfig};
use ciotel_github::workflow::{Lookup, Unavailable, describe};
use ciotel_github::{map_rest_jobs, map_rest_run, map_webhook};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const RUNS: &str = "github/rest/actions-list-workflow-runs-for-repo.json";
const JOBS: &str = "github/rest/actions-list-jobs-for-workflow-run.json";
const REPO: &str = "octo-org/octo-repo";
/// The run of the runs fixture, made completed: the newest, on page 1.
const RUN_NEW: u64 = 30433642;
/// The run the jobs fixture belongs to, listed as an older run on page 2.
const RUN_OLD: u64 = 29679449;
/// The job of the jobs fixture.
const JOB_OLD: u64 = 399444496;
/// The job given to `RUN_NEW` (the fixture's job, renumbered).
const JOB_NEW: u64 = 399444497;
const TOKEN: &str = "test-token";
const INSTALLATION_TOKEN: &str = "ghs_test_installation";

// ---------------------------------------------------------------------------------------------
// The replay server

/// What a test wants the server to do wrong, once each.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// The first runs listing answers 502.
    bad_gateway: bool,
    /// The first jobs request answers 403 secondary rate limit with `Retry-After: 1`.
    secondary_limit: bool,
    /// The first page-2 answer says the primary window is spent until the next second.
    spent_window: bool,
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    at: Instant,
    method: Method,
    path: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    status: u16,
}

/// GitHub's REST API as far as the poller uses it, from the fixtures.
struct Replay {
    base: OnceLock<String>,
    /// Runs of `REPO`, newest first, served one per page.
    runs: Vec<Value>,
    /// The attempt `RUN_NEW` is listed at.
    new_attempt: u32,
    faults: Mutex<Faults>,
    seen: Mutex<Vec<Seen>>,
}

impl Replay {
    /// Serves on 127.0.0.1:0, `RUN_NEW` listed at attempt `new_attempt`; returns the server
    /// and its base URL.
    async fn start(faults: Faults, new_attempt: u32) -> (Arc<Replay>, String) {
        let replay = Arc::new(Replay {
            base: OnceLock::new(),
            runs: listed_runs(new_attempt),
            new_attempt,
            faults: Mutex::new(faults),
            seen: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        replay.base.set(base.clone()).expect("set once");
        let router = Router::new().fallback(answer).with_state(replay.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (replay, base)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    fn count(&self, pred: impl Fn(&Seen) -> bool) -> usize {
        self.seen().iter().filter(|s| pred(s)).count()
    }

    fn respond(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let path = uri.path();
        let mut faults = self.faults.lock().expect("lock");
        let mut out = HeaderMap::new();
        if method == Method::POST && path == "/app/installations/42/access_tokens" {
            let expires = SystemTime::now() + Duration::from_secs(3600);
            let expires = Timestamp::from_unix_nanos(nanos(expires)).to_rfc3339();
            let body = json!({"token": INSTALLATION_TOKEN, "expires_at": expires});
            return (StatusCode::CREATED, out, body.to_string().into_bytes());
        }
        if method != Method::GET {
            return (StatusCode::METHOD_NOT_ALLOWED, out, Vec::new());
        }
        let body = match path {
            "/orgs/octo-org/repos" => {
                return (
                    StatusCode::NOT_FOUND,
                    out,
                    br#"{"message":"Not Found"}"#.to_vec(),
                );
            }
            "/users/octo-org/repos" => json!([
                {"full_name": REPO, "archived": false, "disabled": false},
                {"full_name": "octo-org/attic", "archived": true},
            ])
            .to_string()
            .into_bytes(),
            p if p == format!("/repos/{REPO}/actions/runs") => {
                if std::mem::take(&mut faults.bad_gateway) {
                    return (StatusCode::BAD_GATEWAY, out, b"<html>502</html>".to_vec());
                }
                let query = query(uri);
                let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let matching: Vec<&Value> = self
                    .runs
                    .iter()
                    .filter(|r| created_matches(r, query.get("created")))
                    .collect();
                if page < matching.len() {
                    let next = self.page_url(uri, page + 1);
                    out.insert(
                        "link",
                        hv(&format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\"")),
                    );
                }
                if page == 2 && std::mem::take(&mut faults.spent_window) {
                    let reset = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs())
                        + 1;
                    out.insert("x-ratelimit-remaining", hv("0"));
                    out.insert("x-ratelimit-reset", hv(&reset.to_string()));
                }
                let runs: Vec<&Value> = matching.into_iter().skip(page - 1).take(1).collect();
                json!({"total_count": self.runs.iter().filter(|r| created_matches(r, query.get("created"))).count(), "workflow_runs": runs})
                    .to_string()
                    .into_bytes()
            }
            p => match (jobs_path(p), attempt_path(p)) {
                (Some((run, attempt)), _) if self.has(run, attempt) => {
                    if std::mem::take(&mut faults.secondary_limit) {
                        out.insert("retry-after", hv("1"));
                        let msg = br#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
                        return (StatusCode::FORBIDDEN, out, msg.to_vec());
                    }
                    jobs_body(run, attempt)
                }
                (_, Some((run, attempt))) if run == RUN_NEW && attempt < self.new_attempt => {
                    earlier_attempt(attempt, self.new_attempt)
                        .to_string()
                        .into_bytes()
                }
                _ => {
                    return (
                        StatusCode::NOT_FOUND,
                        out,
                        br#"{"message":"Not Found"}"#.to_vec(),
                    );
                }
            },
        };
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..16]);
        out.insert("etag", hv(&etag));
        if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            return (StatusCode::NOT_MODIFIED, out, Vec::new());
        }
        out.insert("content-type", hv("application/json; charset=utf-8"));
        (StatusCode::OK, out, body)
    }

    /// Whether attempt `attempt` of run `run` exists.
    fn has(&self, run: u64, attempt: u32) -> bool {
        match run {
            RUN_NEW => (1..=self.new_attempt).contains(&attempt),
            RUN_OLD => attempt == 1,
            _ => false,
        }
    }

    /// The request's URL with `page` set.
    fn page_url(&self, uri: &Uri, page: usize) -> String {
        let base = self.base.get().expect("base set");
        let mut url = reqwest::Url::parse(&format!("{base}{uri}")).expect("url");
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("page", &page.to_string());
        url.into()
    }
}

async fn answer(
    State(replay): State<Arc<Replay>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (status, out, body) = replay.respond(&method, &uri, &headers);
    replay.seen.lock().expect("lock").push(Seen {
        at: Instant::now(),
        method,
        path: uri.path().to_string(),
        query: query(&uri),
        headers,
        status: status.as_u16(),
    });
    (status, out, body).into_response()
}

fn hv(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("header value")
}

fn query(uri: &Uri) -> HashMap<String, String> {
    let url = reqwest::Url::parse(&format!("http://x{uri}")).expect("url");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `/repos/{REPO}/actions/runs/{id}/attempts/{n}/jobs` → run id and attempt.
fn jobs_path(path: &str) -> Option<(u64, u32)> {
    attempt_path(path.strip_suffix("/jobs")?)
}

/// `/repos/{REPO}/actions/runs/{id}/attempts/{n}` → run id and attempt.
fn attempt_path(path: &str) -> Option<(u64, u32)> {
    let rest = path.strip_prefix(&format!("/repos/{REPO}/actions/runs/"))?;
    let (id, attempt) = rest.split_once("/attempts/")?;
    Some((id.parse().ok()?, attempt.parse().ok()?))
}

/// GitHub's `created` filter: `>=T` or `A..B`, as the poller sends it.
fn created_matches(run: &Value, filter: Option<&String>) -> bool {
    let created = ts(run["created_at"].as_str().expect("created_at"));
    let Some(filter) = filter else { return true };
    if let Some(since) = filter.strip_prefix(">=") {
        return created >= ts(since);
    }
    match filter.split_once("..") {
        Some((a, b)) => ts(a) <= created && created <= ts(b),
        None => panic!("unexpected created filter {filter}"),
    }
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap_or_else(|e| panic!("{e}"))
}

fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

// ---------------------------------------------------------------------------------------------
// The fixtures as served

/// The runs fixture's run, completed, at attempt `new_attempt` (page 1), and the same run
/// renumbered as the run of the jobs fixture and created half an hour earlier (page 2).
fn listed_runs(new_attempt: u32) -> Vec<Value> {
    let page: Value = serde_json::from_slice(&common::read(RUNS)).expect("runs fixture");
    let run = page["workflow_runs"][0].clone();
    assert_eq!(run["id"], json!(RUN_NEW), "the runs fixture changed");
    let mut newer = run.clone();
    newer["status"] = json!("completed");
    newer["conclusion"] = json!("success");
    if new_attempt > 1 {
        newer["run_attempt"] = json!(new_attempt);
        newer["previous_attempt_url"] = json!(format!(
            "https://api.github.com/repos/{REPO}/actions/runs/{RUN_NEW}/attempts/{}",
            new_attempt - 1
        ));
    }
    let text = run
        .to_string()
        .replace(&RUN_NEW.to_string(), &RUN_OLD.to_string());
    let mut older: Value = serde_json::from_str(&text).expect("json");
    older["status"] = json!("completed");
    older["conclusion"] = json!("failure");
    older["created_at"] = json!("2020-01-22T19:03:08Z");
    older["run_started_at"] = json!("2020-01-22T19:03:10Z");
    vec![newer, older]
}

/// `GET …/runs/{RUN_NEW}/attempts/{attempt}` for an attempt before the listed one: failed,
/// which is why it was re-run.
fn earlier_attempt(attempt: u32, listed: u32) -> Value {
    let mut run = listed_runs(listed)[0].clone();
    run["run_attempt"] = json!(attempt);
    run["conclusion"] = json!("failure");
    run["updated_at"] = json!("2020-01-22T19:40:00Z");
    run
}

/// The run attempts the poller emits, in order: earlier attempts of a run before the listed
/// one.
fn emitted_runs(new_attempt: u32) -> Vec<Value> {
    let listed = listed_runs(new_attempt);
    let mut out: Vec<Value> = (1..new_attempt)
        .map(|a| earlier_attempt(a, new_attempt))
        .collect();
    out.extend(listed);
    out
}

/// The jobs page of an attempt: the jobs fixture (moved to `RUN_NEW`, its job renumbered
/// `JOB_NEW`, for that run), with `run_attempt` set after the first attempt.
fn jobs_body(run: u64, attempt: u32) -> Vec<u8> {
    let text = String::from_utf8(common::read(JOBS)).expect("utf-8");
    assert!(text.contains(&JOB_OLD.to_string()) && text.contains(&RUN_OLD.to_string()));
    let text = if run == RUN_NEW {
        text.replace(&JOB_OLD.to_string(), &JOB_NEW.to_string())
            .replace(&RUN_OLD.to_string(), &RUN_NEW.to_string())
    } else {
        text
    };
    if attempt == 1 {
        return text.into_bytes();
    }
    let mut page: Value = serde_json::from_str(&text).expect("jobs json");
    for job in page["jobs"].as_array_mut().expect("jobs") {
        job["run_attempt"] = json!(attempt);
    }
    page.to_string().into_bytes()
}

/// What the poller must emit: per run attempt, `translate` of `map_rest_run` and of
/// `map_rest_jobs` (with the run's repository).
fn expected_rest(new_attempt: u32) -> Vec<ResourceSpans> {
    let mut out = Vec::new();
    for run in emitted_runs(new_attempt) {
        let run: WorkflowRun = serde_json::from_value(run).expect("run");
        out.extend(translate(
            &map_rest_run(&run).expect("run maps"),
            IdRecipe::CheckRun,
        ));
        let repo: Option<&Repository> = run.repository.as_ref();
        let attempt = run.run_attempt.unwrap_or(1);
        let jobs = map_rest_jobs(&jobs_body(run.id, attempt), repo).expect("jobs map");
        out.extend(translate_all(&described(jobs), IdRecipe::CheckRun));
    }
    out
}

/// `events` with their steps described as the poller describes them when the workflow file
/// cannot be read (the replay serves none: its contents requests answer 404).
fn described(mut events: Vec<CiEvent>) -> Vec<CiEvent> {
    for event in &mut events {
        if let CiEvent::Job(job) = event {
            if !job.steps.is_empty() {
                describe(job, &Lookup::Unavailable(Unavailable::NotFound));
            }
        }
    }
    events
}

/// The same runs and jobs delivered as `workflow_run` / `workflow_job` webhooks, their steps
/// described by the same (unreadable) workflow file: what the workflow file adds to a step is
/// the one thing the webhook alone cannot know, which is why, with `api:`, job and step spans
/// are the poller's alone.
fn expected_webhook() -> Vec<ResourceSpans> {
    let mut out = Vec::new();
    for run in listed_runs(1) {
        let id = run["id"].as_u64().expect("id");
        let repository = run["repository"].clone();
        let delivery =
            json!({"action": "completed", "workflow_run": run, "repository": repository});
        let event = map_webhook("workflow_run", delivery.to_string().as_bytes()).expect("maps");
        out.extend(event.iter().flat_map(|e| translate(e, IdRecipe::CheckRun)));
        let page: Value = serde_json::from_slice(&jobs_body(id, 1)).expect("jobs json");
        for job in page["jobs"].as_array().expect("jobs") {
            let delivery =
                json!({"action": "completed", "workflow_job": job, "repository": repository});
            let event = map_webhook("workflow_job", delivery.to_string().as_bytes()).expect("maps");
            let events = described(event.into_iter().collect());
            out.extend(events.iter().flat_map(|e| translate(e, IdRecipe::CheckRun)));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The poller under test

/// A temporary `state_dir`, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "ciotel-poller-{name}-{}-{}",
            std::process::id(),
            nanos(SystemTime::now())
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits short enough for a test to take seconds.
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

/// The `api:` section for `base`, with `credentials` (`token: …` or `app: …`) and `repos`
/// (`repositories: …` or `owner: …`); a lookback reaching the fixtures' 2020 runs.
fn config(base: &str, dir: &Path, credentials: &str, repos: &str) -> ApiConfig {
    let yaml = format!(
        "api:\n  base_url: {base}\n  {credentials}\n  {repos}\n  interval: 150ms\n  \
         lookback: 10years\n  state_dir: {}\n",
        dir.display()
    );
    let parsed: GithubReceiverConfig = yaml_serde::from_str(&yaml).expect("test config");
    parsed.api.expect("api section")
}

/// A running poller and what its pipeline collected.
struct Running {
    sink: Arc<CollectingConsumer>,
    registry: Registry,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl Running {
    fn start(config: &ApiConfig) -> Running {
        let sink = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        let registry = Registry::new();
        let output = ReceiverOutput::new(inputs, &registry, "github", "api");
        let poller = Poller::new("github", config, IdRecipe::CheckRun, output, fast())
            .expect("poller sets up");
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(poller.run(shutdown.clone()));
        Running {
            sink,
            registry,
            shutdown,
            task,
        }
    }

    fn collected(&self) -> Vec<ResourceSpans> {
        let batches = self.sink.batches.lock().expect("lock");
        batches
            .iter()
            .flat_map(|b| match b {
                Batch::Traces(rs) => rs.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("poller stops promptly on shutdown")
            .expect("poller task does not panic");
    }
}

/// Polls `cond` every 20 ms for up to 15 s.
async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn is_runs_listing(s: &Seen) -> bool {
    s.path == format!("/repos/{REPO}/actions/runs")
}

fn is_jobs(s: &Seen) -> bool {
    jobs_path(&s.path).is_some()
}

fn sha(input: &str) -> [u8; 32] {
    Sha256::digest(input.as_bytes()).into()
}

fn span<'a>(spans: &'a [Span], id: &[u8]) -> &'a Span {
    spans
        .iter()
        .find(|s| s.span_id == id)
        .unwrap_or_else(|| panic!("no span {}", hex::encode(id)))
}

fn cursor_file(dir: &Path) -> Value {
    let path = state_file(dir, "github");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("cursor file is JSON")
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn poller_spans_equal_the_webhook_spans_through_pages_etags_and_faults() {
    let faults = Faults {
        bad_gateway: true,
        secondary_limit: true,
        spent_window: true,
    };
    let (server, base) = Replay::start(faults, 1).await;
    let dir = TempDir::new("replay");
    let config = config(
        &base,
        &dir.0,
        &format!("token: {TOKEN}"),
        &format!("repositories: [{REPO}]"),
    );
    let poller = Running::start(&config);
    let expected = expected_rest(1);
    eventually("both runs' spans", || {
        poller.collected().len() >= expected.len()
    })
    .await;
    eventually("a 304 to a conditional listing", || {
        server.count(|s| is_runs_listing(s) && s.status == 304) > 0
    })
    .await;
    let collected = poller.collected();
    poller.stop().await;

    // The poller's spans are those of the shared mapping, and those of the webhook path.
    assert_eq!(collected, expected, "poller spans = translate(map_rest_*)");
    assert_eq!(
        collected,
        expected_webhook(),
        "poller spans = webhook spans"
    );

    // Key ids, recomputed from the recipe: trace and root from run id + attempt, job from its id.
    let spans = common::spans(&collected);
    for (run, job) in [(RUN_NEW, JOB_NEW), (RUN_OLD, JOB_OLD)] {
        let trace = &sha(&format!("{run}1t"))[..16];
        let root = span(&spans, &sha(&format!("{run}1s"))[8..16]);
        let job = span(&spans, &sha(&format!("{job}-j"))[8..16]);
        assert_eq!(
            (root.trace_id.as_slice(), job.trace_id.as_slice()),
            (trace, trace)
        );
        assert_eq!(
            common::attr_str(root, "cicd.pipeline.run.id"),
            Some(run.to_string().as_str())
        );
        assert_eq!(
            job.parent_span_id, root.span_id,
            "job {} under its run",
            job.name
        );
    }

    let seen = server.seen();
    // Every request authenticated, with GitHub's headers.
    for s in &seen {
        let h = |name: &str| {
            s.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        assert_eq!(h("authorization"), format!("Bearer {TOKEN}"), "{}", s.path);
        assert_eq!(h("accept"), "application/vnd.github+json");
        assert_eq!(h("x-github-api-version"), "2022-11-28");
        assert!(
            h("user-agent").starts_with("ciotel/"),
            "{}",
            h("user-agent")
        );
    }
    // The first listing backfills the lookback; a 502 was retried, not skipped.
    let listings: Vec<&Seen> = seen.iter().filter(|s| is_runs_listing(s)).collect();
    assert_eq!(listings[0].status, 502);
    assert_eq!(listings[1].status, 200);
    assert_eq!(
        listings[0].query.get("per_page").map(String::as_str),
        Some("100")
    );
    let since = listings[0]
        .query
        .get("created")
        .and_then(|c| c.strip_prefix(">="))
        .expect("created>=");
    assert!(
        ts(since) < ts("2020-01-22T19:03:08Z"),
        "backfill since {since}"
    );
    // Page 2 came from the Link header.
    assert!(
        listings
            .iter()
            .any(|s| s.query.get("page").map(String::as_str) == Some("2"))
    );
    // The secondary limit was waited out (Retry-After: 1), then the same request succeeded.
    let jobs: Vec<&Seen> = seen.iter().filter(|s| is_jobs(s)).collect();
    assert_eq!((jobs[0].status, jobs[1].status), (403, 200));
    assert_eq!(jobs[0].path, jobs[1].path);
    assert!(
        jobs[1].at - jobs[0].at >= Duration::from_millis(950),
        "{:?}",
        jobs[1].at - jobs[0].at
    );
    // The spent window (remaining 0 on page 2) held the next request until the reset.
    let page2 = seen
        .iter()
        .position(|s| s.query.get("page").map(String::as_str) == Some("2"))
        .expect("page 2");
    let after = &seen[page2 + 1];
    let reset_wait = after.at - seen[page2].at;
    assert!(
        reset_wait >= Duration::from_millis(950),
        "request after a spent window came {reset_wait:?} later"
    );
    // Each attempt's jobs fetched once: later polls find nothing new.
    assert_eq!(jobs.iter().filter(|s| s.status == 200).count(), 2);
    // A 304 answered a request that carried the ETag of the same listing.
    let not_modified = listings.iter().find(|s| s.status == 304).expect("a 304");
    assert!(not_modified.headers.contains_key("if-none-match"));

    // The cursor: since trails the newest run by the settle margin; the older run fell behind.
    let cursor = cursor_file(&dir.0);
    let repo = &cursor["repositories"][REPO];
    assert_eq!(repo["since"], json!("2020-01-22T19:28:08Z"));
    let emitted: Vec<u64> = repo["emitted"]
        .as_array()
        .expect("emitted")
        .iter()
        .filter_map(|e| e["run_id"].as_u64())
        .collect();
    assert_eq!(emitted, [RUN_NEW]);
}

#[tokio::test]
async fn a_restart_with_the_same_state_emits_nothing_new() {
    let (server, base) = Replay::start(Faults::default(), 1).await;
    let dir = TempDir::new("restart");
    let config = config(
        &base,
        &dir.0,
        &format!("token: {TOKEN}"),
        &format!("repositories: [{REPO}]"),
    );
    let first = Running::start(&config);
    let expected = expected_rest(1);
    eventually("both runs' spans", || {
        first.collected().len() >= expected.len()
    })
    .await;
    // Let it finish its pass (the cursor is written once the listing is complete).
    eventually("a second listing", || server.count(is_runs_listing) >= 3).await;
    first.stop().await;
    let before = cursor_file(&dir.0);
    let requests = server.seen().len();

    let second = Running::start(&config);
    eventually("two polls after the restart", || {
        server.seen()[requests..]
            .iter()
            .filter(|s| is_runs_listing(s))
            .count()
            >= 2
    })
    .await;
    let collected = second.collected();
    second.stop().await;
    assert!(
        collected.is_empty(),
        "nothing emitted again after a restart"
    );
    let after: Vec<Seen> = server.seen()[requests..].to_vec();
    assert_eq!(
        after.iter().filter(|s| is_jobs(s)).count(),
        0,
        "no run fetched again"
    );
    // The restart listed from the saved cursor, not from the lookback.
    let since = after[0].query.get("created").cloned().unwrap_or_default();
    assert_eq!(since, ">=2020-01-22T19:28:08Z");
    assert_eq!(cursor_file(&dir.0), before);
}

#[tokio::test]
async fn refused_spans_are_offered_again_and_the_cursor_waits() {
    let (server, base) = Replay::start(Faults::default(), 1).await;
    let dir = TempDir::new("refused");
    let config = config(
        &base,
        &dir.0,
        &format!("token: {TOKEN}"),
        &format!("repositories: [{REPO}]"),
    );
    let poller = Running::start(&config);
    poller.sink.refuse.store(true, Ordering::Relaxed);
    let labels = [("receiver", "github"), ("transport", "api")];
    let refused = |r: &Registry| {
        r.value("ciotel_receiver_refused_spans", &labels)
            .unwrap_or(0)
    };
    eventually("a refusal", || refused(&poller.registry) > 0).await;
    let first = refused(&poller.registry);
    eventually("the same spans offered again", || {
        refused(&poller.registry) > first
    })
    .await;
    // Stuck on the first run: its jobs fetched once, no later run touched, cursor not moved.
    assert_eq!(server.count(is_jobs), 1);
    assert!(poller.collected().is_empty());
    let path = state_file(&dir.0, "github");
    if path.exists() {
        assert_eq!(
            cursor_file(&dir.0)["repositories"][REPO]["emitted"],
            json!([])
        );
    }
    poller.sink.refuse.store(false, Ordering::Relaxed);
    let expected = expected_rest(1);
    eventually("the spans once the pipeline takes them", || {
        poller.collected().len() >= expected.len()
    })
    .await;
    eventually("a further poll", || {
        server.count(|s| is_runs_listing(s) && s.status == 304) > 0
    })
    .await;
    assert_eq!(poller.collected(), expected, "every span once, in order");
    poller.stop().await;
}

#[tokio::test]
async fn a_github_app_buys_an_installation_token_with_a_signed_jwt() {
    let dir = TempDir::new("app");
    let key = dir.0.join("app.pem");
    let made = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .expect("this test needs the `openssl` command to make a throwaway RSA key");
    assert!(
        made.status.success(),
        "openssl genrsa: {}",
        String::from_utf8_lossy(&made.stderr)
    );

    let (server, base) = Replay::start(Faults::default(), 1).await;
    let app = format!(
        "app: {{app_id: 12345, installation_id: 42, private_key_file: {}}}",
        key.display()
    );
    let config = config(&base, &dir.0, &app, &format!("repositories: [{REPO}]"));
    let poller = Running::start(&config);
    let expected = expected_rest(1);
    eventually("both runs' spans", || {
        poller.collected().len() >= expected.len()
    })
    .await;
    eventually("a few polls", || server.count(is_runs_listing) >= 4).await;
    poller.stop().await;

    let seen = server.seen();
    let token_requests: Vec<&Seen> = seen.iter().filter(|s| s.method == Method::POST).collect();
    assert_eq!(
        token_requests.len(),
        1,
        "one installation token, reused until near expiry"
    );
    assert_eq!(
        token_requests[0].path,
        "/app/installations/42/access_tokens"
    );
    assert_eq!(seen[0].method, Method::POST, "the token comes first");
    let auth = token_requests[0]
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let jwt = auth.strip_prefix("Bearer ").expect("bearer JWT");
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let decode = |p: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("base64url")).expect("json")
    };
    assert_eq!(decode(parts[0])["alg"], json!("RS256"));
    let claims = decode(parts[1]);
    assert_eq!(claims["iss"], json!("12345"));
    let (iat, exp) = (
        claims["iat"].as_u64().expect("iat"),
        claims["exp"].as_u64().expect("exp"),
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    assert!(
        iat <= now && exp > now && exp - iat <= 600,
        "iat {iat} exp {exp} now {now}"
    );
    // The signature checks out against the key's public half.
    let pem = std::fs::read(&key).expect("key");
    let der = {
        use rustls_pki_types::PrivateKeyDer;
        use rustls_pki_types::pem::PemObject;
        match PrivateKeyDer::from_pem_slice(&pem).expect("pem") {
            PrivateKeyDer::Pkcs1(k) => k.secret_pkcs1_der().to_vec(),
            _ => panic!("openssl -traditional writes PKCS#1"),
        }
    };
    let pair = ring::signature::RsaKeyPair::from_der(&der).expect("rsa key");
    let public = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        ring::signature::KeyPair::public_key(&pair)
            .as_ref()
            .to_vec(),
    );
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("signature");
    public
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("JWT signature verifies");
    // API requests carry the installation token, never the JWT.
    for s in seen.iter().filter(|s| s.method == Method::GET) {
        let auth = s.headers.get("authorization").and_then(|v| v.to_str().ok());
        assert_eq!(
            auth,
            Some(format!("Bearer {INSTALLATION_TOKEN}").as_str()),
            "{}",
            s.path
        );
    }
}

#[tokio::test]
async fn an_owner_is_polled_through_its_repository_list() {
    let (server, base) = Replay::start(Faults::default(), 1).await;
    let dir = TempDir::new("owner");
    let config = config(&base, &dir.0, &format!("token: {TOKEN}"), "owner: octo-org");
    let poller = Running::start(&config);
    let expected = expected_rest(1);
    eventually("both runs' spans", || {
        poller.collected().len() >= expected.len()
    })
    .await;
    eventually("a 304 for the repository list", || {
        server.count(|s| s.path == "/users/octo-org/repos" && s.status == 304) > 0
    })
    .await;
    let collected = poller.collected();
    poller.stop().await;
    assert_eq!(collected, expected);
    let seen = server.seen();
    // `octo-org` is a user here: the organisation endpoint answered 404 once, then never asked.
    assert_eq!(server.count(|s| s.path == "/orgs/octo-org/repos"), 1);
    assert!(
        seen.iter().all(|s| !s.path.contains("attic")),
        "archived repositories are skipped"
    );
}

#[tokio::test]
async fn an_earlier_attempt_never_seen_is_fetched_by_number() {
    // Attempt 1 finished and attempt 2 started between two polls: the listing shows only
    // attempt 2, and attempt 1 must not be lost.
    let (server, base) = Replay::start(Faults::default(), 2).await;
    let dir = TempDir::new("attempts");
    let config = config(
        &base,
        &dir.0,
        &format!("token: {TOKEN}"),
        &format!("repositories: [{REPO}]"),
    );
    let poller = Running::start(&config);
    let expected = expected_rest(2);
    eventually("three attempts' spans", || {
        poller.collected().len() >= expected.len()
    })
    .await;
    eventually("a further poll", || {
        server.count(|s| is_runs_listing(s) && s.status == 304) > 0
    })
    .await;
    let collected = poller.collected();
    poller.stop().await;
    assert_eq!(collected, expected);
    let spans = common::spans(&collected);
    for attempt in [1, 2] {
        let root = span(&spans, &sha(&format!("{RUN_NEW}{attempt}s"))[8..16]);
        assert_eq!(root.trace_id, &sha(&format!("{RUN_NEW}{attempt}t"))[..16]);
    }
    let attempt_1 = format!("/repos/{REPO}/actions/runs/{RUN_NEW}/attempts/1");
    assert_eq!(server.count(|s| s.path == attempt_1), 1);
    assert_eq!(server.count(|s| s.path == format!("{attempt_1}/jobs")), 1);
}
