//! Criterion benches of the CI half of the pipeline: a GitHub `workflow_job` webhook body (8
//! steps) to spans (ciotel_github mapping + ciotel_cicd translate), and the CI processors
//! (`cicd_ownership` rule matching, `cicd_hierarchy`) over one run's spans and over 512 plain
//! OTLP spans that carry no CI identity (the cost every non-CI span pays in the CI pipeline).
//!
//! Timed in thread CPU time ([`cpu_time`]), so other work on a shared machine does not count;
//! the setup and the drop of the output are outside the timing.
//!
//! Run: `cargo bench --bench cicd` (`--save-baseline before` / `--baseline before` to compare).

#[path = "cpu_time.rs"]
mod cpu_time;
#[path = "load/webhook.rs"]
mod webhook;

use ciotel_cicd::hierarchy::{HierarchyConfig, HierarchyProcessor};
use ciotel_cicd::ownership::OwnershipConfig;
use ciotel_cicd::ownership::processor::OwnershipProcessor;
use ciotel_cicd::{IdRecipe, translate};
use ciotel_core::Batch;
use ciotel_core::processors::Transform;
use cpu_time::iter_cpu;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::hint::black_box;

const STEPS: usize = 8;

/// Body → event → spans, as the webhook receiver does after the signature check.
fn job_spans(body: &[u8]) -> Vec<ResourceSpans> {
    match ciotel_github::map_webhook(ciotel_github::EVENT_WORKFLOW_JOB, body) {
        Ok(Some(event)) => translate(&event, IdRecipe::default()),
        other => panic!("the bench payload did not map: {other:?}"),
    }
}

/// The spans of one run: its four jobs' deliveries, translated.
fn run_spans() -> Vec<ResourceSpans> {
    (0..4)
        .flat_map(|seq| job_spans(webhook::workflow_job(seq, STEPS).as_bytes()))
        .collect()
}

fn span_count(groups: &[ResourceSpans]) -> u64 {
    groups
        .iter()
        .flat_map(|g| &g.scope_spans)
        .map(|s| s.spans.len() as u64)
        .sum()
}

/// 512 spans of a tool outside CI: a service name and four attributes, no CI identity.
fn plain_spans() -> Vec<ResourceSpans> {
    let attr = |k: String, v: &str| KeyValue {
        key: k,
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    };
    let spans = (0..512u64)
        .map(|i| Span {
            trace_id: (i / 8 + 1).to_be_bytes().repeat(2),
            span_id: (i + 1).to_be_bytes().to_vec(),
            name: format!("op-{}", i % 8),
            start_time_unix_nano: 1_700_000_000_000_000_000,
            end_time_unix_nano: 1_700_000_000_500_000_000,
            attributes: (0..4)
                .map(|a| attr(format!("app.attr.{a}"), "value"))
                .collect(),
            ..Default::default()
        })
        .collect();
    vec![ResourceSpans {
        resource: Some(Resource {
            attributes: vec![attr("service.name".into(), "checkout")],
            ..Default::default()
        }),
        scope_spans: vec![ScopeSpans {
            spans,
            ..Default::default()
        }],
        ..Default::default()
    }]
}

fn webhook_to_spans(c: &mut Criterion) {
    let body = webhook::workflow_job(1, STEPS);
    let mut group = c.benchmark_group("github_workflow_job_8_steps");
    group.throughput(Throughput::Elements(1));
    group.bench_function("map_and_translate", |b| {
        iter_cpu(b, || (), |()| job_spans(black_box(body.as_bytes())))
    });
    group.finish();
}

fn processors(c: &mut Criterion) {
    let ownership = OwnershipProcessor::new(OwnershipConfig::default());
    let hierarchy = HierarchyProcessor::new(HierarchyConfig::default());
    for (name, spans) in [("one_run", run_spans()), ("512_plain_spans", plain_spans())] {
        let mut group = c.benchmark_group(format!("cicd_processors_{name}"));
        group.throughput(Throughput::Elements(span_count(&spans)));
        group.bench_function("ownership", |b| {
            iter_cpu(
                b,
                || spans.clone(),
                |mut groups| {
                    ownership.process(&mut groups);
                    groups
                },
            )
        });
        group.bench_function("hierarchy", |b| {
            iter_cpu(
                b,
                || Batch::Traces(spans.clone()),
                |mut batch| {
                    hierarchy.apply(&mut batch);
                    batch
                },
            )
        });
        group.finish();
    }
}

criterion_group!(benches, webhook_to_spans, processors);
criterion_main!(benches);
