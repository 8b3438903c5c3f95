//! Property tests: webhook deliveries and REST pages shaped like GitHub's (a shared fixture
//! with arbitrary edits: any node replaced by any JSON value, or removed) never panic the
//! mapping or the translator; they map, or fail with a typed error. The fuzz target `github`
//! (fuzz/) does the same from arbitrary bytes.

mod common;
#[path = "../../ciotel-cicd/tests/support/payload_edits.rs"]
mod payload_edits;

use payload_edits::edit;

use ciotel_cicd::{IdRecipe, translate_all};
use ciotel_github::{
    EVENT_WORKFLOW_JOB, EVENT_WORKFLOW_RUN, map_rest_jobs, map_rest_runs, map_webhook,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::LazyLock;

static FIXTURES: LazyLock<Vec<Value>> = LazyLock::new(|| {
    common::github_fixtures()
        .iter()
        .map(|rel| serde_json::from_slice(&common::read(rel)).expect("fixture is JSON"))
        .collect()
});

/// Values GitHub's fields could plausibly hold, and ones they should not.
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
        Just(json!("completed")),
        Just(json!("failure")),
        Just(json!("https://github.com/o/r/actions/runs/1/job/2")),
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

/// Every event `body` maps to, by every route a GitHub body can take into ciotel.
fn all_events(body: &[u8]) -> Vec<ciotel_cicd::CiEvent> {
    let mut events = Vec::new();
    for name in [EVENT_WORKFLOW_RUN, EVENT_WORKFLOW_JOB] {
        if let Ok(Some(e)) = map_webhook(name, body) {
            events.push(e);
        }
    }
    events.extend(map_rest_runs(body).unwrap_or_default());
    events.extend(map_rest_jobs(body, None).unwrap_or_default());
    events
}

/// The fixtures the edits start from map as they are: the runs, jobs and their REST pages.
#[test]
fn unedited_fixtures_map_to_events() {
    let mapped = FIXTURES
        .iter()
        .filter(|doc| !all_events(&serde_json::to_vec(doc).expect("serialises")).is_empty())
        .count();
    assert!(
        mapped >= 10,
        "only {mapped} of {} fixtures map",
        FIXTURES.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(128) })]

    #[test]
    fn edited_payloads_map_or_fail_cleanly(
        fixture in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<usize>(), proptest::option::of(value())), 1..6),
    ) {
        let mut doc = fixture.get(&FIXTURES).clone();
        for (n, v) in edits {
            edit(&mut doc, n, v);
        }
        let body = serde_json::to_vec(&doc).expect("a Value serialises");
        let events = all_events(&body);
        for recipe in [IdRecipe::CheckRun, IdRecipe::Legacy] {
            for rs in translate_all(&events, recipe) {
                for span in rs.scope_spans.iter().flat_map(|s| &s.spans) {
                    prop_assert_eq!(span.trace_id.len(), 16);
                    prop_assert_eq!(span.span_id.len(), 8);
                }
            }
        }
    }

    #[test]
    fn any_bytes_never_panic_the_mapping(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        for name in [EVENT_WORKFLOW_RUN, EVENT_WORKFLOW_JOB, "ping"] {
            let _ = map_webhook(name, &body);
        }
        let _ = map_rest_runs(&body);
        let _ = map_rest_jobs(&body, None);
    }
}
