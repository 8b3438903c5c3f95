//! Property tests: Pipeline Hooks, Job Hooks and REST replays shaped like GitLab's (a shared
//! fixture or a replay from tests/data, with arbitrary edits: any node replaced by any JSON
//! value, or removed) never panic the mapping or the translator; they map, or fail with a typed
//! error. The fuzz target `gitlab` (fuzz/) does the same from arbitrary bytes.

mod common;
#[path = "../../ciotel-cicd/tests/support/payload_edits.rs"]
mod payload_edits;

use payload_edits::edit;

use ciotel_gitlab::payload::{Project, RestJob, RestPipeline, SourcePipeline};
use ciotel_gitlab::{EVENT_JOB_HOOK, EVENT_PIPELINE_HOOK, map_rest_pipeline, map_webhook};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::LazyLock;

/// The shared webhook fixtures, then the poller's REST replays as one document each.
static DOCUMENTS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let mut docs: Vec<Value> = common::gitlab_fixtures()
        .iter()
        .map(|rel| serde_json::from_slice(&common::read(rel)).expect("fixture is JSON"))
        .collect();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let read = |dir: &str, file: &str| -> Value {
        let text = std::fs::read(data.join(dir).join(file)).expect("replay file");
        serde_json::from_slice(&text).expect("replay file is JSON")
    };
    docs.push(json!({
        "project": read("valid_with_jobs", "project.json"),
        "pipeline": read("valid_with_jobs", "pipeline.json"),
        "jobs": read("valid_with_jobs", "jobs.json"),
        "bridges": read("valid_with_jobs", "bridges.json"),
    }));
    docs.push(json!({
        "project": read("multi_pipeline", "child-project.json"),
        "pipeline": read("multi_pipeline", "child-pipeline.json"),
        "upstream": {"project": {"id": 123, "path_with_namespace": "test/parent-project"}, "pipeline_id": 1, "job_id": 99},
    }));
    docs.push(json!({
        "project": read("multi_pipeline", "parent-project.json"),
        "pipeline": read("multi_pipeline", "parent-pipeline.json"),
        "bridges": read("multi_pipeline", "parent-bridges.json"),
    }));
    docs
});

/// The REST answers the poller combines for one pipeline.
#[derive(Deserialize)]
struct RestReplay {
    project: Project,
    pipeline: RestPipeline,
    #[serde(default)]
    jobs: Vec<RestJob>,
    #[serde(default)]
    bridges: Vec<RestJob>,
    upstream: Option<SourcePipeline>,
}

/// Values GitLab's fields could plausibly hold, and ones they should not.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!("")),
        Just(json!("2024-02-29T23:59:59Z")),
        Just(json!("9999-12-31T23:59:59.999999999+14:00")),
        Just(json!("1969-12-31T23:59:59Z")),
        Just(json!("stuck_or_timeout_failure")),
        Just(json!("success")),
        Just(json!("failure")),
        Just(json!("2024-01-01 10:00:00 UTC")),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            proptest::collection::btree_map("[a-z_]{1,12}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every event `body` maps to, by every route a GitLab body can take into ciotel.
fn all_events(body: &[u8]) -> Vec<ciotel_cicd::CiEvent> {
    let mut events = Vec::new();
    for name in [EVENT_PIPELINE_HOOK, EVENT_JOB_HOOK, "Push Hook"] {
        if let Ok(Some(mut e)) = map_webhook(name, body) {
            events.append(&mut e);
        }
    }
    if let Ok(r) = serde_json::from_slice::<RestReplay>(body)
        && let Ok(mut e) = map_rest_pipeline(
            &r.project,
            &r.pipeline,
            &r.jobs,
            &r.bridges,
            r.upstream.as_ref(),
        )
    {
        events.append(&mut e);
    }
    events
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(128) })]

    #[test]
    fn edited_payloads_map_or_fail_cleanly(
        document in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<usize>(), proptest::option::of(value())), 1..6),
    ) {
        let mut doc = document.get(&DOCUMENTS).clone();
        for (n, v) in edits {
            edit(&mut doc, n, v);
        }
        let body = serde_json::to_vec(&doc).expect("a Value serialises");
        for rs in ciotel_gitlab::translate(&all_events(&body)) {
            for span in rs.scope_spans.iter().flat_map(|s| &s.spans) {
                prop_assert_eq!(span.trace_id.len(), 16);
                prop_assert_eq!(span.span_id.len(), 8);
            }
        }
    }

    #[test]
    fn any_bytes_never_panic_the_mapping(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = ciotel_gitlab::translate(&all_events(&body));
    }
}

/// The replays the edits start from map as they are (a run, and its jobs or bridges where the
/// replay has them), so the edits start from real pipelines.
#[test]
fn unedited_rest_replays_map_to_runs_and_jobs() {
    for (doc, least) in DOCUMENTS[DOCUMENTS.len() - 3..].iter().zip([2, 1, 2]) {
        let body = serde_json::to_vec(doc).expect("a Value serialises");
        let events = all_events(&body);
        assert!(
            events.len() >= least,
            "{events:?} from {}",
            String::from_utf8_lossy(&body)
        );
    }
}
