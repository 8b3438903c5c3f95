//! The board → OTLP metrics, as of one collection: what is active now, per repository
//! ([`LiveMetrics`], a source the receiver's `collection_interval` collects).
//!
//! | metric | instrument | unit | attributes | what |
//! |---|---|---|---|---|
//! | `cicd.pipeline.run.active` | UpDownCounter | `{run}` | `cicd.pipeline.name`, `cicd.pipeline.run.state` (`pending`, `executing`) | runs on the board (semconv) |
//! | `cicd.worker.count` | UpDownCounter | `{count}` | `cicd.worker.state` (`busy`) | distinct runners running a job of the repository (semconv; `available` and `offline` are not told by events) |
//! | `ciotel.pipeline.task.hung` | UpDownCounter | `{task}` | `cicd.pipeline.name`, `cicd.pipeline.task.name`, `ciotel.task.state`, `ciotel.hung.rule` | jobs hung now (not in semconv, hence `ciotel.*`) |
//!
//! Each is a cumulative, non-monotonic sum whose value is the count at collection (the OTLP
//! shape of an asynchronous UpDownCounter). A series that was reported and is now gone is
//! reported once more as 0, so a backend does not keep its last count. The resource is the
//! repository's (`service.name`, `vcs.provider.name`), as on its run traces; a runner runs one
//! job at a time, so busy workers summed over repositories is the total.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use ciotel_core::pipeline::signals::MetricSource;

use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
    metric::Data, number_data_point,
};

use super::board::LiveBoard;
use super::entry::{EntryKind, LiveEntry, LiveState};
use super::hung::HungJob;
use super::logs::{HUNG_RULE, TASK_STATE};
use super::otlp::{repository_resource, scope, str_kv};
use crate::semconv;
use crate::time::Timestamp;

/// `cicd.pipeline.run.active`.
pub const RUN_ACTIVE: &str = "cicd.pipeline.run.active";
/// `cicd.worker.count`.
pub const WORKER_COUNT: &str = "cicd.worker.count";
/// `ciotel.pipeline.task.hung`.
pub const TASK_HUNG: &str = "ciotel.pipeline.task.hung";

/// `cicd.pipeline.name` where the platform gave none (the attribute is required).
const UNNAMED: &str = "unknown";

/// The board's gauges, as a metric source of the receiver's signals.
///
/// Exists so the live gauges leave with the receiver's other metrics, on its one
/// `collection_interval` timer; it remembers which series it reported, to report a gone one
/// once as 0.
pub struct LiveMetrics {
    board: LiveBoard,
    start: Timestamp,
    reported: Mutex<BTreeSet<Series>>,
}

impl LiveMetrics {
    /// The gauges of `board`, counted from now.
    pub fn new(board: LiveBoard) -> Self {
        LiveMetrics {
            board,
            start: Timestamp::now(),
            reported: Mutex::default(),
        }
    }

    /// The points at `now`.
    pub fn at(&self, now: Timestamp) -> Vec<ResourceMetrics> {
        let counts = Counts::of(&self.board.snapshot(None).entries, &self.board.hung(now));
        let mut reported = self.reported.lock().unwrap_or_else(|p| p.into_inner());
        let series = counts.series();
        let out = counts.with_zeros_for(&reported).to_otlp(self.start, now);
        *reported = series;
        out
    }
}

impl MetricSource for LiveMetrics {
    fn collect(&self, now_unix_nano: u64) -> Vec<ResourceMetrics> {
        self.at(Timestamp::from_unix_nanos(now_unix_nano))
    }
}

/// One time series: where (provider, repository), which metric, which attributes.
pub(super) type Series = (
    String,
    Option<String>,
    &'static str,
    Vec<(&'static str, String)>,
);

/// One repository's data points, by metric name.
type PointsByMetric = BTreeMap<&'static str, Vec<NumberDataPoint>>;

/// The counts of one check, before they become OTLP.
#[derive(Debug, Default)]
pub(super) struct Counts(BTreeMap<Series, i64>);

impl Counts {
    /// Counts the runs and busy runners of `entries`, and the jobs of `hung`.
    pub fn of(entries: &[LiveEntry], hung: &[HungJob]) -> Self {
        let mut counts = Counts::default();
        let mut busy: BTreeSet<(String, Option<String>, String)> = BTreeSet::new();
        for e in entries {
            let pipeline = e.pipeline_name.clone().unwrap_or_else(|| UNNAMED.into());
            match e.key.kind {
                EntryKind::Run => counts.add(
                    e,
                    RUN_ACTIVE,
                    vec![
                        (semconv::CICD_PIPELINE_NAME, pipeline),
                        (semconv::CICD_PIPELINE_RUN_STATE, e.state.as_str().into()),
                    ],
                ),
                EntryKind::Job => {
                    if let (LiveState::Executing, Some(runner)) = (e.state, &e.runner_name) {
                        busy.insert((e.key.provider.clone(), e.repository.clone(), runner.clone()));
                    }
                }
            }
        }
        for (provider, repo, _) in busy {
            let series = (
                provider,
                repo,
                WORKER_COUNT,
                vec![(semconv::CICD_WORKER_STATE, "busy".to_owned())],
            );
            *counts.0.entry(series).or_default() += 1;
        }
        for h in hung {
            let e = &h.entry;
            counts.add(
                e,
                TASK_HUNG,
                vec![
                    (
                        semconv::CICD_PIPELINE_NAME,
                        e.pipeline_name.clone().unwrap_or_else(|| UNNAMED.into()),
                    ),
                    (
                        semconv::CICD_PIPELINE_TASK_NAME,
                        e.job_name.clone().unwrap_or_default(),
                    ),
                    (TASK_STATE, e.state.as_str().into()),
                    (HUNG_RULE, h.rule.key().into()),
                ],
            );
        }
        counts
    }

    fn add(&mut self, e: &LiveEntry, metric: &'static str, attrs: Vec<(&'static str, String)>) {
        let series = (e.key.provider.clone(), e.repository.clone(), metric, attrs);
        *self.0.entry(series).or_default() += 1;
    }

    /// The series counted (to report as 0 at the next check if they are gone then).
    pub fn series(&self) -> BTreeSet<Series> {
        self.0.keys().cloned().collect()
    }

    /// Adds a 0 for every series of `before` not counted now.
    pub fn with_zeros_for(mut self, before: &BTreeSet<Series>) -> Self {
        for s in before {
            self.0.entry(s.clone()).or_insert(0);
        }
        self
    }

    /// As OTLP: one `ResourceMetrics` per repository; `start` is when counting began.
    pub fn to_otlp(&self, start: Timestamp, now: Timestamp) -> Vec<ResourceMetrics> {
        let mut by_repo: BTreeMap<(&str, Option<&str>), PointsByMetric> = BTreeMap::new();
        for ((provider, repo, metric, attrs), value) in &self.0 {
            by_repo
                .entry((provider.as_str(), repo.as_deref()))
                .or_default()
                .entry(metric)
                .or_default()
                .push(NumberDataPoint {
                    attributes: attrs.iter().map(|(k, v)| str_kv(k, v)).collect(),
                    start_time_unix_nano: start.as_unix_nanos(),
                    time_unix_nano: now.as_unix_nanos(),
                    value: Some(number_data_point::Value::AsInt(*value)),
                    ..Default::default()
                });
        }
        by_repo
            .into_iter()
            .map(|((provider, repo), metrics)| ResourceMetrics {
                resource: Some(repository_resource(provider, repo)),
                scope_metrics: vec![ScopeMetrics {
                    scope: scope(),
                    metrics: metrics
                        .into_iter()
                        .map(|(name, data_points)| metric(name, data_points))
                        .collect(),
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect()
    }
}

fn metric(name: &'static str, data_points: Vec<NumberDataPoint>) -> Metric {
    let (unit, description) = match name {
        RUN_ACTIVE => (
            "{run}",
            "The number of pipeline runs currently active in the system by state.",
        ),
        WORKER_COUNT => (
            "{count}",
            "The number of workers on the CI/CD system by state.",
        ),
        _ => (
            "{task}",
            "The number of jobs queued or running longer than a live.hung rule allows.",
        ),
    };
    Metric {
        name: name.to_owned(),
        description: description.to_owned(),
        unit: unit.to_owned(),
        data: Some(Data::Sum(Sum {
            data_points,
            aggregation_temporality: AggregationTemporality::Cumulative as i32,
            is_monotonic: false,
        })),
        ..Default::default()
    }
}
