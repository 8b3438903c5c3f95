//! Shared test helpers: where the shared fixtures live, and mapping a fixture the way the
//! webhook receiver or the REST poller would.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};

use ciotel_cicd::{CiEvent, IdRecipe, translate_all};
use ciotel_github::{map_rest_jobs, map_rest_runs, map_webhook};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};

/// `../shared/fixtures` next to the workspace. Fails loudly when it is missing: the golden
/// tests must never pass by finding nothing.
pub fn fixtures_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = workspace.join("../shared/fixtures");
    assert!(
        dir.join("github").is_dir() && dir.join("otel-contrib/githubreceiver").is_dir(),
        "../shared is missing: the GitHub fixtures are expected at {} (the `shared` folder next to \
         the workspace, which CI always provides). Fixtures are never copied into the project.",
        dir.display()
    );
    dir
}

/// Every GitHub fixture of a pipeline run or job, as paths relative to the fixtures folder,
/// sorted: those under `github/**/*.json` and `otel-contrib/githubreceiver/*.json` whose shape
/// [`run_source_of`] knows. The folder also holds events of other kinds (pull requests,
/// reviews, deployments, check suites, REST pages of other endpoints) that the run mapping
/// does not take; they are listed by [`other_fixtures`].
pub fn github_fixtures() -> Vec<String> {
    let mut out: Vec<String> = all_fixtures()
        .into_iter()
        .filter(|rel| is_run_fixture(rel))
        .collect();
    out.sort();
    assert!(
        out.len() >= 18,
        "expected at least 18 GitHub fixtures, found {}: {out:?}",
        out.len()
    );
    out
}

/// The GitHub fixtures that are not of a run or job (kept apart so that a new kind of run
/// fixture is never skipped silently: the golden tests assert how many run fixtures there are).
pub fn other_fixtures() -> Vec<String> {
    all_fixtures()
        .into_iter()
        .filter(|rel| !is_run_fixture(rel))
        .collect()
}

/// A run or job fixture: by its shape, and for the octokit deliveries under `github/webhooks`
/// (named `<event>.<example>.json`) by the event they were published for, since e.g. a
/// `deployment_review` delivery also carries a `workflow_run` object.
fn is_run_fixture(rel: &str) -> bool {
    let published_as = rel
        .strip_prefix("github/webhooks/")
        .and_then(|name| name.split('.').next());
    let event_ok = published_as.is_none_or(|e| e == "workflow_run" || e == "workflow_job");
    event_ok && run_source_of(&read(rel)).is_some()
}

fn all_fixtures() -> Vec<String> {
    let root = fixtures_dir();
    let mut out = Vec::new();
    collect_json(&root, &root.join("github"), true, &mut out);
    collect_json(
        &root,
        &root.join("otel-contrib/githubreceiver"),
        false,
        &mut out,
    );
    out.sort();
    out
}

fn collect_json(root: &Path, dir: &Path, recurse: bool, out: &mut Vec<String>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() && recurse {
            collect_json(root, &path, recurse, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let rel = path.strip_prefix(root).expect("under the fixtures folder");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The bytes of a fixture.
pub fn read(rel: &str) -> Vec<u8> {
    let path = fixtures_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// How a fixture reaches ciotel, told by its top-level keys (a webhook receiver gets the event
/// name from `X-GitHub-Event`; REST pages are told by their list key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A webhook delivery with this `X-GitHub-Event`.
    Webhook(&'static str),
    /// `GET …/actions/runs`.
    RestRuns,
    /// `GET …/runs/{id}/jobs`.
    RestJobs,
}

/// How a run or job fixture reaches ciotel; panics on any other fixture.
pub fn source_of(body: &[u8]) -> Source {
    run_source_of(body).expect("a workflow_run / workflow_job delivery or a runs / jobs REST page")
}

/// How a fixture reaches ciotel, when it is a run or a job: a `workflow_run` or
/// `workflow_job` delivery (told by its payload key; a `workflow_job` delivery also carries
/// `deployment` when it waits for one), or a REST page of runs or of jobs.
pub fn run_source_of(body: &[u8]) -> Option<Source> {
    let v: serde_json::Value = serde_json::from_slice(body).expect("fixture is JSON");
    // Deployment events carry `"workflow_run": null`: only an object is a run delivery.
    let object = |key: &str| v.get(key).is_some_and(serde_json::Value::is_object);
    if object("workflow_run") && v.get("deployment").is_none() {
        Some(Source::Webhook("workflow_run"))
    } else if object("workflow_job") {
        Some(Source::Webhook("workflow_job"))
    } else if v.get("workflow_runs").is_some() {
        Some(Source::RestRuns)
    } else if v.get("jobs").is_some() && v.get("total_count").is_some() {
        Some(Source::RestJobs)
    } else {
        None
    }
}

/// Maps a fixture to events, as the receiver or poller would.
pub fn events(rel: &str) -> Vec<CiEvent> {
    let body = read(rel);
    let mapped = match source_of(&body) {
        Source::Webhook(name) => map_webhook(name, &body).map(|e| e.into_iter().collect()),
        Source::RestRuns => map_rest_runs(&body),
        Source::RestJobs => map_rest_jobs(&body, None),
    };
    mapped.unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The spans of a fixture.
pub fn resource_spans(rel: &str, recipe: IdRecipe) -> Vec<ResourceSpans> {
    translate_all(&events(rel), recipe)
}

/// All spans, flattened in order.
pub fn spans(rs: &[ResourceSpans]) -> Vec<Span> {
    rs.iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| s.spans.iter().cloned())
        .collect()
}

/// The span with this hex id.
pub fn by_id<'a>(spans: &'a [Span], hex_id: &str) -> &'a Span {
    spans
        .iter()
        .find(|s| hex::encode(&s.span_id) == hex_id)
        .unwrap_or_else(|| {
            panic!(
                "no span {hex_id} among {:?}",
                spans
                    .iter()
                    .map(|s| (&s.name, hex::encode(&s.span_id)))
                    .collect::<Vec<_>>()
            )
        })
}

/// The string value of an attribute, if present.
pub fn attr_str<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        })
}

/// The int value of an attribute, if present.
pub fn attr_int(span: &Span, key: &str) -> Option<i64> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            Value::IntValue(i) => Some(*i),
            _ => None,
        })
}

/// Whether `ciotel.timing.adjusted = true` is set.
pub fn adjusted(span: &Span) -> bool {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    span.attributes.iter().any(|kv| {
        kv.key == "ciotel.timing.adjusted"
            && matches!(
                kv.value.as_ref().and_then(|v| v.value.as_ref()),
                Some(Value::BoolValue(true))
            )
    })
}

/// Nanoseconds of an RFC 3339 time, for assertions.
pub fn nanos(rfc3339: &str) -> u64 {
    ciotel_cicd::Timestamp::parse_rfc3339(rfc3339)
        .expect("test timestamp")
        .as_unix_nanos()
}

/// A fixture as JSON, changed by `edit`: for tests of one field's effect. The fixture file
/// itself is never changed or copied.
pub fn patched(rel: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&read(rel)).expect("fixture is JSON");
    edit(&mut v);
    serde_json::to_vec(&v).expect("JSON serializes")
}

/// Resource attribute as a string.
pub fn resource_str<'a>(rs: &'a ResourceSpans, key: &str) -> Option<&'a str> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    rs.resource
        .as_ref()?
        .attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        })
}

/// Status code and message of a span.
pub fn status(span: &Span) -> (i32, &str) {
    span.status
        .as_ref()
        .map_or((0, ""), |s| (s.code, s.message.as_str()))
}
