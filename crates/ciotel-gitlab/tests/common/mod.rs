//! Shared test helpers: where the shared fixtures live, mapping a fixture the way the webhook
//! receiver would, and reading spans and attributes.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};

use ciotel_cicd::CiEvent;
use ciotel_gitlab::{EVENT_JOB_HOOK, EVENT_PIPELINE_HOOK, map_webhook};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};

/// The fixture folders with GitLab payloads, relative to `../shared/fixtures`.
pub const FIXTURE_DIRS: [&str; 2] = ["gitlab/go-gitlab", "otel-contrib/gitlabreceiver"];

/// `../shared/fixtures` next to the workspace. Fails loudly when it is missing: the golden
/// tests must never pass by finding nothing.
pub fn fixtures_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = workspace.join("../shared/fixtures");
    assert!(
        FIXTURE_DIRS.iter().all(|d| dir.join(d).is_dir()),
        "../shared is missing: the GitLab fixtures are expected at {} ({}), the `shared` folder \
         next to the workspace, which CI always provides. Fixtures are never copied into the \
         project.",
        dir.display(),
        FIXTURE_DIRS.join(", ")
    );
    dir
}

/// Every GitLab fixture of a pipeline or a job, relative to the fixtures folder, sorted. The
/// folders also hold other hooks (merge requests, deployments, releases) and REST pages the
/// run mapping does not take; [`is_run_fixture`] tells them apart.
pub fn gitlab_fixtures() -> Vec<String> {
    let mut out: Vec<String> = all_fixtures()
        .into_iter()
        .filter(|rel| is_run_fixture(&read(rel)))
        .collect();
    out.sort();
    assert!(
        out.len() >= 12,
        "expected at least 12 GitLab pipeline and job fixtures, found {}: {out:?}",
        out.len()
    );
    out
}

/// Whether a body is a Pipeline Hook or a Job Hook: `object_kind` says so where present (some
/// hand-written fixtures have none; then `object_attributes` or `build_id` tell).
pub fn is_run_fixture(body: &[u8]) -> bool {
    let v: serde_json::Value = serde_json::from_slice(body).expect("fixture is JSON");
    match v.get("object_kind").and_then(|k| k.as_str()) {
        Some(kind) => kind == "pipeline" || kind == "build",
        None => v.get("object_attributes").is_some() || v.get("build_id").is_some(),
    }
}

fn all_fixtures() -> Vec<String> {
    let root = fixtures_dir();
    let mut out = Vec::new();
    for dir in FIXTURE_DIRS {
        let entries = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("reading {}: {e}", root.join(dir).display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                let rel = path.strip_prefix(&root).expect("under the fixtures folder");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// The bytes of a fixture.
pub fn read(rel: &str) -> Vec<u8> {
    let path = fixtures_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The `X-Gitlab-Event` GitLab sends with this body: told by `object_attributes` (pipelines;
/// some hand-written fixtures have no `object_kind`) or `build_id` (jobs).
pub fn event_of(body: &[u8]) -> &'static str {
    let v: serde_json::Value = serde_json::from_slice(body).expect("fixture is JSON");
    if v.get("object_attributes").is_some() {
        EVENT_PIPELINE_HOOK
    } else if v.get("build_id").is_some() {
        EVENT_JOB_HOOK
    } else {
        panic!("unrecognised GitLab fixture shape")
    }
}

/// Maps a body as the webhook receiver would.
pub fn events_of(body: &[u8]) -> Vec<CiEvent> {
    map_webhook(event_of(body), body)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("a pipeline or job event")
}

/// Maps a fixture as the webhook receiver would.
pub fn events(rel: &str) -> Vec<CiEvent> {
    events_of(&read(rel))
}

/// The spans of a fixture.
pub fn resource_spans(rel: &str) -> Vec<ResourceSpans> {
    ciotel_gitlab::translate(&events(rel))
}

/// What the webhook receiver emits for a fixture delivered alone: the run spans, then the
/// change-trace spans (a merge-request pipeline's run in its change's trace).
pub fn delivered_spans(rel: &str) -> Vec<ResourceSpans> {
    let body = read(rel);
    let mut out = resource_spans(rel);
    let change = ciotel_gitlab::map_change_webhook(event_of(&body), &body)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    let events =
        ciotel_cicd::change::DeliveryCache::default().resolve(change.events, &change.merges);
    out.extend(ciotel_cicd::translate_changes(
        &events,
        ciotel_gitlab::ID_RECIPE,
    ));
    out
}

/// All spans, flattened in order.
pub fn spans(rs: &[ResourceSpans]) -> Vec<Span> {
    rs.iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| s.spans.iter().cloned())
        .collect()
}

/// The spans of a body, flattened.
pub fn spans_of(body: &[u8]) -> Vec<Span> {
    spans(&ciotel_gitlab::translate(&events_of(body)))
}

/// The span with this name.
pub fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans.iter().find(|s| s.name == name).unwrap_or_else(|| {
        panic!(
            "no span {name:?} among {:?}",
            spans.iter().map(|s| &s.name).collect::<Vec<_>>()
        )
    })
}

fn value<'a>(span: &'a Span, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
}

/// The string value of an attribute, if present.
pub fn attr_str<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    match value(span, key)? {
        Value::StringValue(s) => Some(s.as_str()),
        _ => None,
    }
}

/// The int value of an attribute, if present.
pub fn attr_int(span: &Span, key: &str) -> Option<i64> {
    match value(span, key)? {
        Value::IntValue(i) => Some(*i),
        _ => None,
    }
}

/// The bool value of an attribute, if present.
pub fn attr_bool(span: &Span, key: &str) -> Option<bool> {
    match value(span, key)? {
        Value::BoolValue(b) => Some(*b),
        _ => None,
    }
}

/// The string-array value of an attribute, if present.
pub fn attr_strs(span: &Span, key: &str) -> Option<Vec<String>> {
    match value(span, key)? {
        Value::ArrayValue(a) => Some(
            a.values
                .iter()
                .filter_map(|v| match v.value.as_ref()? {
                    Value::StringValue(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Resource attribute as a string.
pub fn resource_str<'a>(rs: &'a ResourceSpans, key: &str) -> Option<&'a str> {
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

/// Nanoseconds of an RFC 3339 time, for assertions.
pub fn nanos(rfc3339: &str) -> u64 {
    ciotel_cicd::Timestamp::parse_rfc3339(rfc3339)
        .expect("test timestamp")
        .as_unix_nanos()
}

/// Start and end of a span, as RFC 3339, for readable assertions.
pub fn times(span: &Span) -> (String, String) {
    let t = |n| ciotel_cicd::Timestamp::from_unix_nanos(n).to_rfc3339();
    (t(span.start_time_unix_nano), t(span.end_time_unix_nano))
}

/// Status code and message of a span.
pub fn status(span: &Span) -> (i32, &str) {
    span.status
        .as_ref()
        .map_or((0, ""), |s| (s.code, s.message.as_str()))
}

/// A fixture as JSON, changed by `edit`: for tests of one field's effect. The fixture file
/// itself is never changed or copied.
pub fn patched(rel: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&read(rel)).expect("fixture is JSON");
    edit(&mut v);
    serde_json::to_vec(&v).expect("JSON serializes")
}
