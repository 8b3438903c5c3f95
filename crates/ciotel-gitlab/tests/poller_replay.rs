//! The REST API poller against a local server replaying GitLab REST answers (`tests/data/`,
//! written after GitLab's documented shapes for the pipelines of webhook fixtures): pages by
//! `X-Next-Page` (jobs), by `Link` (bridges, group projects) or both (pipelines), a 502, a 429
//! with `Retry-After: 1`, a spent `RateLimit-Remaining: 0` window, the token header. The spans
//! collected must be those of `map_rest_pipeline` for the same answers, and those of the
//! webhook path for the matching Pipeline Hook but for what REST does not carry; the cursor
//! must be written, and a restart must emit nothing new.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ciotel_cicd::Timestamp;
use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::telemetry::Registry;
use ciotel_core::testing::CollectingConsumer;
use ciotel_core::{Batch, Signal};
use ciotel_gitlab::payload::{Project, RestJob, RestPipeline, SourcePipeline};
use ciotel_gitlab::poller::{Poller, Tuning, state_file};
use ciotel_gitlab::receiver::{ApiConfig, GitlabReceiverConfig};
use ciotel_gitlab::{EVENT_PIPELINE_HOOK, map_rest_pipeline, map_webhook};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "glpat-test-token";
/// The Pipeline Hook the `valid_with_jobs` answers describe.
const HOOK: &str = "otel-contrib/gitlabreceiver/pipeline.valid_with_jobs.json";
/// The Pipeline Hook of the child pipeline of `multi_pipeline`.
const CHILD_HOOK: &str = "otel-contrib/gitlabreceiver/pipeline.multi_pipeline.json";
/// Fields of a pipeline in `GET /projects/:id/pipelines` (the detail has more).
const LIST_FIELDS: [&str; 11] = [
    "id",
    "iid",
    "project_id",
    "sha",
    "ref",
    "status",
    "source",
    "created_at",
    "updated_at",
    "web_url",
    "name",
];

// ---------------------------------------------------------------------------------------------
// The answers

/// A file of `tests/data`.
fn data(rel: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What the server knows: projects, pipelines (their details), jobs and bridges by pipeline.
#[derive(Clone, Default)]
struct World {
    projects: Vec<Value>,
    pipelines: Vec<Value>,
    jobs: HashMap<u64, Vec<Value>>,
    bridges: HashMap<u64, Vec<Value>>,
}

impl World {
    /// Project 123 `test/project` with pipeline 1 of `pipeline.valid_with_jobs.json`.
    fn valid_with_jobs() -> World {
        World {
            projects: vec![data("valid_with_jobs/project.json")],
            pipelines: vec![data("valid_with_jobs/pipeline.json")],
            jobs: HashMap::from([(1, array(data("valid_with_jobs/jobs.json")))]),
            bridges: HashMap::from([(1, array(data("valid_with_jobs/bridges.json")))]),
        }
    }

    /// Child pipeline 2 (project 124) of `pipeline.multi_pipeline.json`, and its parent
    /// pipeline 1 (project 123) whose bridge 99 started it.
    fn multi_pipeline() -> World {
        World {
            projects: vec![
                data("multi_pipeline/parent-project.json"),
                data("multi_pipeline/child-project.json"),
            ],
            pipelines: vec![
                data("multi_pipeline/parent-pipeline.json"),
                data("multi_pipeline/child-pipeline.json"),
            ],
            jobs: HashMap::new(),
            bridges: HashMap::from([(1, array(data("multi_pipeline/parent-bridges.json")))]),
        }
    }

    fn pipeline(&self, id: u64) -> &Value {
        self.pipelines
            .iter()
            .find(|p| p["id"] == json!(id))
            .unwrap_or_else(|| panic!("no pipeline {id}"))
    }

    fn project(&self, id: u64) -> &Value {
        self.projects
            .iter()
            .find(|p| p["id"] == json!(id))
            .unwrap_or_else(|| panic!("no project {id}"))
    }

    /// `translate(map_rest_pipeline(…))` of pipeline `id` as these answers describe it.
    fn expected(&self, id: u64, upstream: Option<&SourcePipeline>) -> Vec<ResourceSpans> {
        let pipeline: RestPipeline = serde_json::from_value(self.pipeline(id).clone()).unwrap();
        let project_id = pipeline.project_id.expect("project_id");
        let project: Project = serde_json::from_value(self.project(project_id).clone()).unwrap();
        let list = |m: &HashMap<u64, Vec<Value>>| -> Vec<RestJob> {
            m.get(&id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|v| serde_json::from_value(v).expect("job"))
                .collect()
        };
        let events = map_rest_pipeline(
            &project,
            &pipeline,
            &list(&self.jobs),
            &list(&self.bridges),
            upstream,
        )
        .expect("maps");
        ciotel_gitlab::translate(&events)
    }
}

fn array(v: Value) -> Vec<Value> {
    v.as_array().cloned().expect("a JSON array")
}

/// Pipeline 3 of project 123: pipeline 1 renumbered (its jobs 31 and 32), created after it,
/// and running.
fn running_pipeline(world: &mut World) {
    let mut p = world.pipeline(1).clone();
    p["id"] = json!(3);
    p["iid"] = json!(3);
    p["web_url"] = json!("https://gitlab.example.com/test/project/-/pipelines/3");
    p["created_at"] = json!("2022-01-01T13:05:00.000Z");
    p["started_at"] = json!("2022-01-01T13:05:10.000Z");
    p["updated_at"] = json!("2022-01-01T13:06:00.000Z");
    p["status"] = json!("running");
    p["finished_at"] = json!(null);
    world.pipelines.push(p);
    let jobs = world.jobs[&1]
        .iter()
        .map(|j| {
            let mut j = j.clone();
            let id = j["id"].as_u64().expect("id") + 30;
            j["id"] = json!(id);
            j["pipeline"]["id"] = json!(3);
            j["web_url"] = json!(format!(
                "https://gitlab.example.com/test/project/-/jobs/{id}"
            ));
            j
        })
        .collect();
    world.jobs.insert(3, jobs);
    world.bridges.insert(3, Vec::new());
}

// ---------------------------------------------------------------------------------------------
// The replay server

/// What a test wants the server to do wrong, once each.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// The first pipelines listing answers 502.
    bad_gateway: bool,
    /// The first jobs request answers 429 with `Retry-After: 1`.
    too_many_requests: bool,
    /// The first pipeline detail says the window is spent until the next second.
    spent_window: bool,
}

/// How a listing names its next page.
#[derive(Clone, Copy)]
enum Paging {
    /// `X-Next-Page` only (and the other `X-` headers of offset pagination).
    NextPage,
    /// `Link` only, as keyset pagination answers.
    Link,
    /// Both, as offset pagination answers.
    Both,
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    at: Instant,
    /// The path as sent, percent-encoding kept.
    path: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    status: u16,
}

/// GitLab's REST API as far as the poller uses it. Every listing has one item per page, so
/// two items already make two pages.
struct Replay {
    base: OnceLock<String>,
    /// The header that must carry `TOKEN`, and its expected value.
    auth: (&'static str, String),
    /// A group whose projects are all of `world`'s.
    group: &'static str,
    world: Mutex<World>,
    faults: Mutex<Faults>,
    seen: Mutex<Vec<Seen>>,
}

impl Replay {
    /// Serves `world` on 127.0.0.1:0; returns the server and its base URL (without `/api/v4`).
    async fn start(
        world: World,
        faults: Faults,
        auth: (&'static str, String),
    ) -> (Arc<Self>, String) {
        let replay = Arc::new(Replay {
            base: OnceLock::new(),
            auth,
            group: "test",
            world: Mutex::new(world),
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

    fn respond(&self, uri: &Uri, headers: &HeaderMap) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut out = HeaderMap::new();
        out.insert("content-type", hv("application/json"));
        let (name, want) = &self.auth;
        if headers.get(*name).and_then(|v| v.to_str().ok()) != Some(want.as_str()) {
            return (
                StatusCode::UNAUTHORIZED,
                out,
                br#"{"message":"401 Unauthorized"}"#.to_vec(),
            );
        }
        let world = self.world.lock().expect("lock").clone();
        let mut faults = self.faults.lock().expect("lock");
        let path = uri.path().strip_prefix("/api/v4/").unwrap_or("");
        let segments: Vec<String> = path.split('/').map(decode).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let not_found = || {
            (
                StatusCode::NOT_FOUND,
                HeaderMap::new(),
                br#"{"message":"404 Not Found"}"#.to_vec(),
            )
        };
        let body = match segments.as_slice() {
            ["projects", id] => match world
                .projects
                .iter()
                .find(|p| is_id(&p["id"], id) || p["path_with_namespace"] == json!(id))
            {
                Some(p) => p.to_string().into_bytes(),
                None => return not_found(),
            },
            ["groups", group, "projects"] if *group == self.group => {
                return self.page(uri, world.projects.clone(), Paging::Link, out);
            }
            ["projects", project, "pipelines"] => {
                if std::mem::take(&mut faults.bad_gateway) {
                    return (StatusCode::BAD_GATEWAY, out, b"<html>502</html>".to_vec());
                }
                let since = query(uri)
                    .get("updated_after")
                    .map(|t| ts(t))
                    .unwrap_or(Timestamp::from_unix_nanos(0));
                let mut listed: Vec<Value> = world
                    .pipelines
                    .iter()
                    .filter(|p| is_id(&p["project_id"], project))
                    .filter(|p| ts(p["updated_at"].as_str().expect("updated_at")) >= since)
                    .map(|p| {
                        let fields = LIST_FIELDS.iter().map(|f| (f.to_string(), p[f].clone()));
                        Value::Object(fields.collect())
                    })
                    .collect();
                listed.sort_by_key(|p| {
                    (
                        ts(p["updated_at"].as_str().expect("updated_at")),
                        p["id"].as_u64(),
                    )
                });
                return self.page(uri, listed, Paging::Both, out);
            }
            ["projects", _, "pipelines", id] => {
                let Some(p) = world.pipelines.iter().find(|p| is_id(&p["id"], id)) else {
                    return not_found();
                };
                if std::mem::take(&mut faults.spent_window) {
                    out.insert("ratelimit-limit", hv("2000"));
                    out.insert("ratelimit-remaining", hv("0"));
                    out.insert("ratelimit-reset", hv(&(unix_now() + 1).to_string()));
                }
                p.to_string().into_bytes()
            }
            ["projects", _, "pipelines", id, "jobs"] => {
                if std::mem::take(&mut faults.too_many_requests) {
                    out.insert("retry-after", hv("1"));
                    return (StatusCode::TOO_MANY_REQUESTS, out, b"Retry later".to_vec());
                }
                let jobs = id
                    .parse()
                    .ok()
                    .and_then(|id: u64| world.jobs.get(&id).cloned());
                return self.page(uri, jobs.unwrap_or_default(), Paging::NextPage, out);
            }
            ["projects", _, "pipelines", id, "bridges"] => {
                let bridges = id
                    .parse()
                    .ok()
                    .and_then(|id: u64| world.bridges.get(&id).cloned());
                return self.page(uri, bridges.unwrap_or_default(), Paging::Link, out);
            }
            _ => return not_found(),
        };
        (StatusCode::OK, out, body)
    }

    /// Page `page` (from 1) of `items`, one item per page, its next page named as `paging`
    /// says.
    fn page(
        &self,
        uri: &Uri,
        items: Vec<Value>,
        paging: Paging,
        mut out: HeaderMap,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let page: usize = query(uri)
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let total = items.len().max(1);
        let has_next = page < items.len();
        let next = if has_next {
            (page + 1).to_string()
        } else {
            String::new()
        };
        if matches!(paging, Paging::NextPage | Paging::Both) {
            out.insert("x-page", hv(&page.to_string()));
            out.insert("x-per-page", hv("1"));
            out.insert("x-total", hv(&items.len().to_string()));
            out.insert("x-total-pages", hv(&total.to_string()));
            out.insert("x-next-page", hv(&next));
            let prev = if page > 1 {
                (page - 1).to_string()
            } else {
                String::new()
            };
            out.insert("x-prev-page", hv(&prev));
        }
        if matches!(paging, Paging::Link | Paging::Both) {
            let mut links = Vec::new();
            if has_next {
                links.push(format!("<{}>; rel=\"next\"", self.page_url(uri, page + 1)));
            }
            links.push(format!("<{}>; rel=\"first\"", self.page_url(uri, 1)));
            links.push(format!("<{}>; rel=\"last\"", self.page_url(uri, total)));
            out.insert("link", hv(&links.join(", ")));
        }
        let body: Vec<&Value> = items.iter().skip(page - 1).take(1).collect();
        (StatusCode::OK, out, json!(body).to_string().into_bytes())
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

async fn answer(State(replay): State<Arc<Replay>>, uri: Uri, headers: HeaderMap) -> Response {
    let (status, out, body) = replay.respond(&uri, &headers);
    replay.seen.lock().expect("lock").push(Seen {
        at: Instant::now(),
        path: uri.path().to_string(),
        query: query(&uri),
        headers,
        status: status.as_u16(),
    });
    (status, out, body).into_response()
}

/// Whether a JSON id is the number in a path segment.
fn is_id(value: &Value, segment: &str) -> bool {
    value.as_u64().is_some_and(|n| segment.parse() == Ok(n))
}

fn hv(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("header value")
}

/// `%2F` → `/` and the like, for the server's routing.
fn decode(segment: &str) -> String {
    let url = reqwest::Url::parse(&format!("http://x/?s={segment}")).expect("url");
    url.query_pairs()
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn query(uri: &Uri) -> HashMap<String, String> {
    let url = reqwest::Url::parse(&format!("http://x{uri}")).expect("url");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap_or_else(|e| panic!("{e}"))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// ---------------------------------------------------------------------------------------------
// The poller under test

/// A temporary `state_dir`, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "ciotel-gitlab-poller-{name}-{}-{nanos}",
            std::process::id()
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

/// The `api:` section for `base` with `extra` lines (`projects: …`, `auth: …`); a lookback
/// reaching the answers' 2022 pipelines.
fn config(base: &str, dir: &Path, extra: &str) -> ApiConfig {
    let yaml = format!(
        "api:\n  base_url: {base}\n  token: {TOKEN}\n  {extra}\n  interval: 150ms\n  \
         lookback: 10years\n  state_dir: {}\n",
        dir.display()
    );
    let parsed: GitlabReceiverConfig = yaml_serde::from_str(&yaml).expect("test config");
    parsed.api.expect("api section")
}

fn private_token() -> (&'static str, String) {
    ("private-token", TOKEN.to_string())
}

/// A running poller and what its pipeline collected.
struct Running {
    sink: Arc<CollectingConsumer>,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl Running {
    fn start(config: &ApiConfig) -> Running {
        let sink = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        let output = ReceiverOutput::new(inputs, &Registry::new(), "gitlab", "api");
        let poller = Poller::new("gitlab", config, output, fast()).expect("poller sets up");
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(poller.run(shutdown.clone()));
        Running {
            sink,
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

fn is_listing(s: &Seen) -> bool {
    s.path.ends_with("/pipelines")
}

fn is_jobs(s: &Seen) -> bool {
    s.path.ends_with("/jobs")
}

fn is_detail(s: &Seen, pipeline: u64) -> bool {
    s.path.ends_with(&format!("/pipelines/{pipeline}"))
}

fn cursor_file(dir: &Path) -> Value {
    let path = state_file(dir, "gitlab");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("cursor file is JSON")
}

/// Spans by id; fails if one id was emitted with two different contents.
fn by_id(rs: &[ResourceSpans]) -> BTreeMap<Vec<u8>, Span> {
    let mut out = BTreeMap::new();
    for s in common::spans(rs) {
        if let Some(seen) = out.insert(s.span_id.clone(), s.clone()) {
            assert_eq!(seen, s, "span {} emitted twice, differently", s.name);
        }
    }
    out
}

/// The spans of a Pipeline Hook fixture, as the webhook receiver emits them.
fn webhook(rel: &str) -> Vec<ResourceSpans> {
    let events = map_webhook(EVENT_PIPELINE_HOOK, &common::read(rel))
        .expect("maps")
        .expect("a pipeline");
    ciotel_gitlab::translate(&events)
}

/// Removes attribute `key` from `span`, returning its value.
fn take(span: &mut Span, key: &str) -> Option<AnyValue> {
    let i = span.attributes.iter().position(|kv| kv.key == key)?;
    span.attributes.remove(i).value.and_then(|v| v.value)
}

/// Poller spans against webhook spans of the same pipeline: the same ids, resources and
/// spans, but for what REST does not carry. REST has no runner tags (`ciotel.worker.labels`
/// on job spans; a job's `tag_list` is what it asked for, not what its runner has), and no
/// `retries_count` (not in these hooks either). The hand-written hooks have no `iid`, which
/// every REST pipeline has (`gitlab.pipeline.iid` on the pipeline span): checked, then set
/// aside. Returns how many webhook spans had runner tags.
fn assert_same_as_webhook(polled: &[ResourceSpans], hook: &[ResourceSpans], iid: i64) -> usize {
    let resources = |rs: &[ResourceSpans]| -> Vec<_> {
        let mut r: Vec<_> = rs.iter().map(|r| format!("{:?}", r.resource)).collect();
        r.dedup();
        r
    };
    assert_eq!(resources(polled), resources(hook), "resources");
    let mut polled = by_id(polled);
    let mut hook = by_id(hook);
    for span in polled.values_mut() {
        assert!(
            take(span, "ciotel.worker.labels").is_none(),
            "REST has no runner tags"
        );
        if span.name.starts_with("RUN ") {
            assert_eq!(
                take(span, "gitlab.pipeline.iid"),
                Some(AnyValue::IntValue(iid))
            );
        }
    }
    let mut tagged = 0;
    for span in hook.values_mut() {
        tagged += usize::from(take(span, "ciotel.worker.labels").is_some());
        assert!(take(span, "gitlab.job.retries_count").is_none());
    }
    assert_eq!(
        polled.keys().collect::<Vec<_>>(),
        hook.keys().collect::<Vec<_>>(),
        "same span ids"
    );
    for (id, span) in &hook {
        assert_eq!(polled.get(id), Some(span), "{}", span.name);
    }
    tagged
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn poller_spans_equal_the_webhook_spans_through_pages_and_faults() {
    let faults = Faults {
        bad_gateway: true,
        too_many_requests: true,
        spent_window: true,
    };
    let mut world = World::valid_with_jobs();
    running_pipeline(&mut world);
    let (server, base) = Replay::start(world.clone(), faults, private_token()).await;
    let dir = TempDir::new("replay");
    let poller = Running::start(&config(&base, &dir.0, "projects: [test/project]"));
    eventually("pipeline 1's spans", || !poller.collected().is_empty()).await;
    eventually("a further poll", || {
        server.count(|s| is_listing(s) && s.status == 200) >= 6
    })
    .await;
    let collected = poller.collected();
    poller.stop().await;

    // The poller's spans are those of the shared mapping of the same answers, once …
    assert_eq!(
        collected,
        world.expected(1, None),
        "poller spans = translate(map_rest_pipeline)"
    );
    // … and those of the webhook path for the matching Pipeline Hook, but for what REST lacks.
    let tagged = assert_same_as_webhook(&collected, &webhook(HOOK), 1);
    assert_eq!(tagged, 4, "the two jobs' spans and their queue spans");

    let seen = server.seen();
    // Every request carried the token in GitLab's header, and nothing else.
    for s in &seen {
        assert_eq!(
            s.headers.get("private-token").and_then(|v| v.to_str().ok()),
            Some(TOKEN),
            "{}",
            s.path
        );
        assert!(!s.headers.contains_key("authorization"));
        assert_ne!(s.status, 401, "{}", s.path);
    }
    // The project was looked up by its URL-encoded path, then addressed by id.
    assert_eq!(seen[0].path, "/api/v4/projects/test%2Fproject");
    // The first listing backfilled the lookback, by update, oldest first; a 502 was retried.
    let listings: Vec<&Seen> = seen.iter().filter(|s| is_listing(s)).collect();
    assert_eq!(listings[0].path, "/api/v4/projects/123/pipelines");
    assert_eq!((listings[0].status, listings[1].status), (502, 200));
    let q = &listings[1].query;
    assert_eq!(q.get("order_by").map(String::as_str), Some("updated_at"));
    assert_eq!(q.get("sort").map(String::as_str), Some("asc"));
    assert_eq!(q.get("per_page").map(String::as_str), Some("100"));
    let since = q.get("updated_after").expect("updated_after");
    assert!(
        ts(since) < ts("2022-01-01T13:00:01Z"),
        "backfill since {since}"
    );
    // Past page 1, the listing was asked again from the newest update handled, and the next
    // page followed where that did not move (the answers have one pipeline per page).
    assert!(
        listings
            .iter()
            .any(|s| s.query.get("updated_after").map(String::as_str)
                == Some("2022-01-01T13:00:01Z")
                && !s.query.contains_key("page"))
    );
    assert!(
        listings
            .iter()
            .any(|s| s.query.get("page").map(String::as_str) == Some("2"))
    );
    // The pipeline's detail said the window is spent: the next request waited for the reset.
    let detail = seen.iter().position(|s| is_detail(s, 1)).expect("detail");
    assert!(seen[detail + 1].at - seen[detail].at >= Duration::from_millis(950));
    // The jobs: a 429 waited out (Retry-After: 1), then two pages by X-Next-Page.
    let jobs: Vec<&Seen> = seen.iter().filter(|s| is_jobs(s)).collect();
    assert_eq!(jobs.len(), 3, "429, page 1, page 2");
    assert_eq!(
        (jobs[0].status, jobs[1].status, jobs[2].status),
        (429, 200, 200)
    );
    assert!(jobs[1].at - jobs[0].at >= Duration::from_millis(950));
    assert_eq!(jobs[1].path, "/api/v4/projects/123/pipelines/1/jobs");
    assert_eq!(
        jobs[1].query.get("include_retried").map(String::as_str),
        Some("true")
    );
    assert_eq!(jobs[2].query.get("page").map(String::as_str), Some("2"));
    // Bridges asked for; the running pipeline 3 never fetched, only listed.
    assert_eq!(
        server.count(|s| s.path.ends_with("/pipelines/1/bridges")),
        1
    );
    assert_eq!(server.count(|s| s.path.contains("/pipelines/3")), 0);

    // The cursor: the newest update seen (running pipeline 3's) less SETTLE; pipeline 1 fell
    // behind it, so it is no longer listed, nor remembered.
    let cursor = cursor_file(&dir.0);
    let project = &cursor["projects"]["123"];
    assert_eq!(project["path"], json!("test/project"));
    assert_eq!(project["updated_after"], json!("2022-01-01T13:01:00Z"));
    assert_eq!(project["emitted"], json!([]));
}

#[tokio::test]
async fn a_restart_with_the_same_state_emits_nothing_new() {
    let world = World::valid_with_jobs();
    let (server, base) = Replay::start(world.clone(), Faults::default(), private_token()).await;
    let dir = TempDir::new("restart");
    let config = config(&base, &dir.0, "projects: [test/project]");
    let first = Running::start(&config);
    eventually("pipeline 1's spans", || !first.collected().is_empty()).await;
    eventually("a further poll", || server.count(is_listing) >= 3).await;
    first.stop().await;
    let before = cursor_file(&dir.0);
    assert_eq!(
        before["projects"]["123"]["updated_after"],
        json!("2022-01-01T12:55:01Z")
    );
    assert_eq!(
        before["projects"]["123"]["emitted"],
        json!([{"pipeline_id": 1, "updated_at": "2022-01-01T13:00:01Z"}])
    );
    let requests = server.seen().len();

    let second = Running::start(&config);
    eventually("two polls after the restart", || {
        server.seen()[requests..]
            .iter()
            .filter(|s| is_listing(s))
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
        after
            .iter()
            .filter(|s| is_detail(s, 1) || is_jobs(s))
            .count(),
        0,
        "no pipeline fetched again"
    );
    // The restart listed from the saved cursor, not from the lookback.
    let listing = after.iter().find(|s| is_listing(s)).expect("a listing");
    assert_eq!(
        listing.query.get("updated_after").map(String::as_str),
        Some("2022-01-01T12:55:01Z")
    );
    assert_eq!(cursor_file(&dir.0), before);
}

#[tokio::test]
async fn bearer_auth_and_a_groups_projects() {
    let world = World::valid_with_jobs();
    let auth = ("authorization", format!("Bearer {TOKEN}"));
    let (server, base) = Replay::start(world.clone(), Faults::default(), auth).await;
    let dir = TempDir::new("bearer");
    // Job logs are not part of this replay (tests/job_logs.rs serves them).
    let poller = Running::start(&config(
        &base,
        &dir.0,
        "groups: [test]\n  auth: bearer\n  logs: {enabled: false}",
    ));
    eventually("pipeline 1's spans", || !poller.collected().is_empty()).await;
    eventually("a further poll", || server.count(is_listing) >= 3).await;
    let collected = poller.collected();
    poller.stop().await;
    assert_eq!(collected, world.expected(1, None));
    for s in server.seen() {
        assert_eq!(s.status, 200, "{}: the bearer token was accepted", s.path);
        assert!(!s.headers.contains_key("private-token"));
    }
    let groups: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|s| s.path == "/api/v4/groups/test/projects")
        .collect();
    assert!(groups.len() >= 2, "listed again at every poll");
    assert_eq!(
        groups[0].query.get("include_subgroups").map(String::as_str),
        Some("true")
    );
}

#[tokio::test]
async fn a_pipeline_listed_while_running_is_emitted_once_it_finished() {
    let mut world = World::valid_with_jobs();
    running_pipeline(&mut world);
    let (server, base) = Replay::start(world.clone(), Faults::default(), private_token()).await;
    let dir = TempDir::new("running");
    let poller = Running::start(&config(&base, &dir.0, "projects: [\"123\"]"));
    eventually("pipeline 1's spans", || !poller.collected().is_empty()).await;
    eventually("a further poll", || server.count(is_listing) >= 6).await;
    assert_eq!(server.count(|s| s.path.contains("/pipelines/3")), 0);

    // Pipeline 3 finishes: its `updated_at` moves, so it is listed again.
    {
        let mut w = server.world.lock().expect("lock");
        let p = w
            .pipelines
            .iter_mut()
            .find(|p| p["id"] == json!(3))
            .expect("pipeline 3");
        p["status"] = json!("failed");
        p["finished_at"] = json!("2022-01-01T13:19:00.000Z");
        p["updated_at"] = json!("2022-01-01T13:20:00.000Z");
        world = w.clone();
    }
    let mut expected = world.expected(1, None);
    expected.extend(world.expected(3, None));
    eventually("pipeline 3's spans", || {
        poller.collected().len() >= expected.len()
    })
    .await;
    let listings = server.count(is_listing);
    eventually("a further poll", || {
        server.count(is_listing) >= listings + 2
    })
    .await;
    let collected = poller.collected();
    poller.stop().await;
    assert_eq!(
        collected, expected,
        "each pipeline once, in order of update"
    );
    assert_eq!(server.count(|s| is_detail(s, 3)), 1);
    // `projects: ["123"]`: looked up by id.
    assert_eq!(server.seen()[0].path, "/api/v4/projects/123");
}

#[tokio::test]
async fn a_child_pipeline_links_to_the_bridge_of_a_parent_polled_first() {
    let world = World::multi_pipeline();
    let (server, base) = Replay::start(world.clone(), Faults::default(), private_token()).await;
    let dir = TempDir::new("child");
    let poller = Running::start(&config(
        &base,
        &dir.0,
        "projects: [test/parent-project, test/child-project]",
    ));
    eventually("both pipelines", || {
        server.count(|s| is_detail(s, 2)) > 0 && poller.collected().len() >= 2
    })
    .await;
    let collected = poller.collected();
    poller.stop().await;
    let upstream = SourcePipeline {
        project: serde_json::from_value(json!({
            "id": 123,
            "path_with_namespace": "test/parent-project",
            "web_url": "https://gitlab.example.com/test/parent-project",
        }))
        .ok(),
        pipeline_id: Some(1),
        job_id: Some(99),
    };
    let mut expected = world.expected(1, None);
    expected.extend(world.expected(2, Some(&upstream)));
    assert_eq!(collected, expected);
    // The child's spans are its Pipeline Hook's: linked to trigger job 99 of pipeline 1.
    let child: Vec<ResourceSpans> = collected[collected.len() - 1..].to_vec();
    assert_eq!(assert_same_as_webhook(&child, &webhook(CHILD_HOOK), 2), 0);
    let child_span = &common::spans(&child)[0];
    let all = common::spans(&collected);
    let bridge = common::named(&all, "trigger-child");
    assert_eq!(child_span.links.len(), 1);
    assert_eq!(child_span.links[0].trace_id, bridge.trace_id);
    assert_eq!(child_span.links[0].span_id, bridge.span_id);
}
