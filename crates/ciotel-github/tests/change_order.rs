//! The change trace does not depend on how deliveries arrive: the scenario's deliveries in
//! any order, some redelivered, through one receiver's delivery cache, give exactly the spans
//! of the in-order run — same ids, same content, none missing, none extra. (The scenario has
//! one merge: which *earlier* merges a deployment also delivers depends on what the cache saw
//! first, by design — see `ciotel_cicd::change::delivery`.)

mod common;
mod scenario;

use std::collections::BTreeMap;

use ciotel_cicd::change::ids::ChangeIds;
use ciotel_cicd::change::{ChangeNumber, DeliveryCache};
use ciotel_cicd::{IdRecipe, translate_changes};
use ciotel_github::map_change_webhook;
use opentelemetry_proto::tonic::trace::v1::Span;
use proptest::prelude::*;

/// Every span by (trace id, span id); a second, different copy of an id fails.
fn spans_of(order: &[scenario::Delivery]) -> BTreeMap<(Vec<u8>, Vec<u8>), Span> {
    let mut cache = DeliveryCache::new(64);
    let mut out: BTreeMap<(Vec<u8>, Vec<u8>), Span> = BTreeMap::new();
    for d in order {
        let batch = map_change_webhook(d.event, &d.body).expect("maps");
        let events = cache.resolve(batch.events, &batch.merges);
        for span in common::spans(&translate_changes(&events, IdRecipe::CheckRun)) {
            let key = (span.trace_id.clone(), span.span_id.clone());
            if let Some(before) = out.get(&key) {
                assert_eq!(
                    before, &span,
                    "span {} emitted twice, differently",
                    span.name
                );
            }
            out.insert(key, span);
        }
    }
    out
}

fn deliveries() -> Vec<scenario::Delivery> {
    scenario::deliveries(common::read)
}

#[test]
fn in_order_the_trace_is_the_whole_path() {
    let spans = spans_of(&deliveries());
    let ids = ChangeIds::new(
        "github",
        scenario::REPO_ID,
        &ChangeNumber::Number(scenario::NUMBER),
    );
    let mut names: Vec<&str> = spans.values().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "CHANGE Codertocat/Hello-World#2 Update the README with new information.",
            "DEPLOY production",
            "DEPLOY production",
            "DEPLOY staging",
            "MERGE master",
            "REVIEW approved by Codertocat",
            "RUN CI",
            "RUN CI",
            "approval requested: staging",
            "opened",
            "push ec26c3e",
        ]
    );
    assert!(
        spans
            .values()
            .all(|s| s.trace_id == ids.trace_id().0.to_vec())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_order_and_redeliveries_give_the_same_spans(
        order in Just((0..10usize).collect::<Vec<_>>()).prop_shuffle(),
        again in proptest::collection::vec(0..10usize, 0..6),
    ) {
        let all = deliveries();
        prop_assert_eq!(all.len(), 10);
        let expected = spans_of(&all);
        let mut shuffled: Vec<scenario::Delivery> = order.iter().map(|&i| all[i].clone()).collect();
        for (k, &i) in again.iter().enumerate() {
            let at = (k * 3) % (shuffled.len() + 1);
            shuffled.insert(at, all[i].clone());
        }
        let got = spans_of(&shuffled);
        let names = |m: &BTreeMap<(Vec<u8>, Vec<u8>), Span>| m.values().map(|s| s.name.clone()).collect::<Vec<_>>();
        let order_events: Vec<&str> = shuffled.iter().map(|d| d.event).collect();
        prop_assert_eq!(names(&got), names(&expected), "{:?}", order_events);
        prop_assert!(got == expected, "the spans differ for order {:?} + {:?}", order, again);
    }
}
