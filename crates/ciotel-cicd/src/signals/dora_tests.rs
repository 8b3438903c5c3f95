//! [`DoraMetrics`] over a sequence of change events, with the exact figures it must give:
//! a change opened, merged, deployed to staging, failed in production, restored; a revert
//! change deployed; a rollback to an earlier revision; a production environment known by the
//! receiver's config; redeliveries counting nothing again.

use super::MetricsConfig;
use super::dora::{DoraMetrics, FIRST_COMMIT_AT};
use crate::change::{
    ChangeAction, ChangeEvent, ChangeNumber, ChangeRef, ChangeUpdate, Deployment, DeploymentState,
    RefRevision,
};
use crate::environments::EnvironmentsConfig;
use crate::event::{Attribute, Vcs};
use crate::time::Timestamp;
use ciotel_core::pipeline::signals::MetricSource;
use opentelemetry_proto::tonic::common::v1::any_value::Value as V;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use std::collections::BTreeMap;

fn at(s: u64) -> Option<Timestamp> {
    Some(Timestamp::from_unix_nanos(s * 1_000_000_000))
}

fn repo() -> Vcs {
    Vcs {
        provider: Some("github".into()),
        repository_full_name: Some("acme/shop".into()),
        ..Vcs::default()
    }
}

fn change(n: u64) -> ChangeRef {
    ChangeRef {
        provider: "github".into(),
        repository_id: "1".into(),
        number: ChangeNumber::Number(n),
        repository: repo(),
    }
}

fn update(n: u64, action: ChangeAction, title: &str, head: &str, times: (u64, u64)) -> ChangeEvent {
    let merged = action == ChangeAction::Merged;
    ChangeEvent::Update(ChangeUpdate {
        change: change(n),
        action,
        at: at(if merged { times.1 } else { times.0 }),
        title: Some(title.into()),
        head: RefRevision {
            name: Some(head.into()),
            revision: None,
        },
        opened_at: at(times.0),
        merged_at: merged.then(|| at(times.1)).flatten(),
        attributes: vec![Attribute::new(FIRST_COMMIT_AT, "1970-01-01T00:08:20Z")],
        ..ChangeUpdate::default()
    })
}

fn deploy(
    id: &str,
    env: &str,
    state: DeploymentState,
    time: u64,
    rev: &str,
    changes: &[u64],
) -> ChangeEvent {
    ChangeEvent::Deployment(Deployment {
        provider: "github".into(),
        repository_id: "1".into(),
        repository: repo(),
        id: id.into(),
        environment: env.into(),
        production: Some(env == "production"),
        revision: Some(rev.into()),
        state,
        created_at: at(time - 10),
        state_at: at(time),
        changes: changes.iter().map(|&n| change(n)).collect(),
        ..Deployment::default()
    })
}

/// `metric → attributes as text → (count or value, sum)`.
type Figures = BTreeMap<String, BTreeMap<String, (u64, f64)>>;

fn figures(m: &DoraMetrics) -> Figures {
    let mut out = Figures::new();
    for metric in m
        .collect(1)
        .iter()
        .flat_map(|rm| &rm.scope_metrics)
        .flat_map(|s| &s.metrics)
    {
        let series = out.entry(metric.name.clone()).or_default();
        let text = |attrs: &[opentelemetry_proto::tonic::common::v1::KeyValue]| {
            attrs
                .iter()
                .map(|kv| {
                    let v = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                        Some(V::StringValue(s)) => s.clone(),
                        Some(V::BoolValue(b)) => b.to_string(),
                        _ => String::new(),
                    };
                    format!("{}={v}", kv.key)
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        match &metric.data {
            Some(metric::Data::Sum(s)) => {
                for p in &s.data_points {
                    let Some(number_data_point::Value::AsInt(v)) = p.value else {
                        panic!("an int sum");
                    };
                    series.insert(text(&p.attributes), (v as u64, 0.0));
                }
            }
            Some(metric::Data::Histogram(h)) => {
                for p in &h.data_points {
                    series.insert(text(&p.attributes), (p.count, p.sum.unwrap_or(0.0)));
                }
            }
            _ => {}
        }
    }
    out
}

/// One metric's expected series: attributes as text → (count or value, sum).
type Expected<'a> = (&'a str, &'a [(&'a str, (u64, f64))]);

fn expect(pairs: &[Expected<'_>]) -> Figures {
    pairs
        .iter()
        .map(|(name, series)| {
            (
                name.to_string(),
                series.iter().map(|(a, v)| (a.to_string(), *v)).collect(),
            )
        })
        .collect()
}

#[test]
fn a_path_to_production_gives_the_four_keys_exactly() {
    let environments = EnvironmentsConfig {
        production: vec!["production".into(), "prod-eu".into()],
        ..EnvironmentsConfig::default()
    };
    let m = DoraMetrics::new(&MetricsConfig::default(), environments, 0);
    use ChangeAction::{Merged, Opened};
    use DeploymentState::{Cancelled, Failure, Success};
    let sequence = vec![
        // Change #1: first commit at 500 (the mapping says so), opened at 1000, merged at 2000.
        update(1, Opened, "Add cart", "cart", (1000, 0)),
        update(1, Merged, "Add cart", "cart", (1000, 2000)),
        deploy("d1", "staging", Success, 2100, "m1", &[1]),
        // Production fails at 2500, and is restored at 3100.
        deploy("d2", "production", Failure, 2500, "m1", &[1]),
        deploy("d3", "production", Success, 3100, "m1", &[1]),
        // A redelivery of both counts nothing again.
        deploy("d2", "production", Failure, 2500, "m1", &[1]),
        deploy("d3", "production", Success, 3100, "m1", &[1]),
        // Change #2 reverts it: opened 3200, merged 3300, deployed at 3400.
        update(2, Opened, "Revert \"Add cart\"", "revert-1-cart", (3200, 0)),
        update(
            2,
            Merged,
            "Revert \"Add cart\"",
            "revert-1-cart",
            (3200, 3300),
        ),
        deploy("d4", "production", Success, 3400, "m2", &[2]),
        // Back to m1, deployed before and not the last: a rollback.
        deploy("d5", "production", Success, 3600, "m1", &[]),
        // Cancelled: a deployment, no failure.
        deploy("d6", "production", Cancelled, 3700, "m3", &[]),
        // Production by the receiver's `environments.production`, not by the platform.
        deploy("d7", "prod-eu", Success, 3800, "m1", &[1]),
    ];
    m.record(&sequence);
    let want = expect(&[
        (
            "ciotel.dora.change_failures",
            &[(
                "deployment.environment.name=production,ciotel.deployment.result=failure",
                (1, 0.0),
            )],
        ),
        (
            "ciotel.dora.deployments",
            &[
                (
                    "deployment.environment.name=prod-eu,ciotel.deployment.result=success,ciotel.deployment.production=true",
                    (1, 0.0),
                ),
                (
                    "deployment.environment.name=production,ciotel.deployment.result=cancellation,ciotel.deployment.production=true",
                    (1, 0.0),
                ),
                (
                    "deployment.environment.name=production,ciotel.deployment.result=failure,ciotel.deployment.production=true",
                    (1, 0.0),
                ),
                (
                    "deployment.environment.name=production,ciotel.deployment.result=success,ciotel.deployment.production=true",
                    (3, 0.0),
                ),
                (
                    "deployment.environment.name=staging,ciotel.deployment.result=success,ciotel.deployment.production=false",
                    (1, 0.0),
                ),
            ],
        ),
        (
            "ciotel.dora.lead_time",
            &[
                // Both changes' first commits were at 500: #1 reached production at 3100, #2 at 3400.
                (
                    "deployment.environment.name=production,ciotel.dora.lead_time.from=first_commit",
                    (2, 2600.0 + 2900.0),
                ),
                // 2100 s (#1) and 200 s (#2) from opening; 1100 s and 100 s from the merge.
                (
                    "deployment.environment.name=production,ciotel.dora.lead_time.from=merged",
                    (2, 1100.0 + 100.0),
                ),
                (
                    "deployment.environment.name=production,ciotel.dora.lead_time.from=opened",
                    (2, 2100.0 + 200.0),
                ),
                // prod-eu, at 3800: the same change's first delivery there.
                (
                    "deployment.environment.name=prod-eu,ciotel.dora.lead_time.from=first_commit",
                    (1, 3300.0),
                ),
                (
                    "deployment.environment.name=prod-eu,ciotel.dora.lead_time.from=merged",
                    (1, 1800.0),
                ),
                (
                    "deployment.environment.name=prod-eu,ciotel.dora.lead_time.from=opened",
                    (1, 2800.0),
                ),
            ],
        ),
        (
            "ciotel.dora.rework",
            &[
                (
                    "deployment.environment.name=production,ciotel.dora.rework.kind=revert",
                    (1, 0.0),
                ),
                (
                    "deployment.environment.name=production,ciotel.dora.rework.kind=rollback",
                    (1, 0.0),
                ),
            ],
        ),
        (
            "ciotel.dora.time_to_restore",
            &[("deployment.environment.name=production", (1, 600.0))],
        ),
    ]);
    assert_eq!(figures(&m), want);
}

#[test]
fn a_deployment_seen_before_and_after_its_changes_are_attributed_counts_once() {
    let m = DoraMetrics::new(&MetricsConfig::default(), EnvironmentsConfig::default(), 0);
    m.record(&[update(1, ChangeAction::Merged, "Fix", "fix", (1000, 2000))]);
    // As the receiver sees it: first as delivered (no change named), then attributed.
    m.record(&[deploy(
        "d1",
        "production",
        DeploymentState::Success,
        2600,
        "m1",
        &[],
    )]);
    m.record(&[deploy(
        "d1",
        "production",
        DeploymentState::Success,
        2600,
        "m1",
        &[1],
    )]);
    m.record(&[deploy(
        "d1",
        "production",
        DeploymentState::Success,
        2600,
        "m1",
        &[1],
    )]);
    let got = figures(&m);
    assert_eq!(
        got["ciotel.dora.deployments"]
            .values()
            .map(|v| v.0)
            .sum::<u64>(),
        1
    );
    assert_eq!(
        got["ciotel.dora.lead_time"]["deployment.environment.name=production,ciotel.dora.lead_time.from=merged"],
        (1, 600.0)
    );
}
