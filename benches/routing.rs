//! Criterion benches of the condition language and the routing connector: one compiled
//! condition evaluated on a span, and a 1,000-span request routed by owner, mixed (split per
//! span) and going one way (handed on whole); with the archive route every span is also copied
//! once, without it each span goes to one pipeline only (the split's own cost). Timings include
//! dropping what the destinations get.
//!
//! Run: `cargo bench --bench routing`.

use ciotel_core::condition::context::{Item, Subject};
use ciotel_core::condition::{Condition, ContextKind};
use ciotel_core::connectors::routing::{Router, RoutingConfig, RoutingConnector};
use ciotel_core::{Batch, ConsumeError, Consumer, NextConsumer};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::hint::black_box;
use std::sync::Arc;

fn attr(k: &str, v: &str) -> KeyValue {
    KeyValue {
        key: k.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    }
}

/// A CI span: a dozen attributes, then its owner (the last one, the worst case for lookups).
fn span(i: usize, owner: &str) -> Span {
    let mut attributes: Vec<KeyValue> = (0..12)
        .map(|a| attr(&format!("test.attr.{a}"), "some value of moderate length"))
        .collect();
    attributes.push(attr("ciotel.owner", owner));
    Span {
        trace_id: vec![7; 16],
        span_id: (i as u64).to_be_bytes().to_vec(),
        name: format!("job:test_{i}"),
        attributes,
        ..Default::default()
    }
}

fn request(spans: usize, owner: impl Fn(usize) -> &'static str) -> Batch {
    Batch::Traces(vec![ResourceSpans {
        resource: Some(Resource {
            attributes: vec![attr("vcs.repository.name", "api")],
            ..Default::default()
        }),
        scope_spans: vec![ScopeSpans {
            spans: (0..spans).map(|i| span(i, owner(i))).collect(),
            ..Default::default()
        }],
        ..Default::default()
    }])
}

/// A pipeline end that takes everything and keeps nothing.
struct Discard;

impl Consumer for Discard {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        black_box(batch);
        Ok(())
    }
}

fn condition(c: &mut Criterion) {
    let condition = Condition::new(
        r#"attributes["ciotel.owner"] == "platform" and IsMatch(name, "^job:")"#,
        ContextKind::Span,
    )
    .expect("compiles");
    let s = span(1, "platform");
    let subject = Subject::resource(None).with(Item::Span(&s));
    let mut group = c.benchmark_group("condition");
    group.throughput(Throughput::Elements(1));
    group.bench_function("owner_and_name_regex", |b| {
        b.iter(|| black_box(condition.matches(black_box(&subject))))
    });
    group.finish();
}

fn routing(c: &mut Criterion) {
    let config: RoutingConfig = yaml_serde::from_str(
        r#"
default_pipelines: [traces/archive]
table:
  - context: span
    condition: 'attributes["ciotel.owner"] == "platform"'
    pipelines: [traces/ops, traces/archive]
  - context: span
    condition: 'attributes["ciotel.owner"] == "application"'
    pipelines: [traces/dev, traces/archive]
"#,
    )
    .expect("routing config");
    let one_each: RoutingConfig = yaml_serde::from_str(
        r#"
default_pipelines: [traces/archive]
table:
  - {context: span, condition: 'attributes["ciotel.owner"] == "platform"', pipelines: [traces/ops]}
  - {context: span, condition: 'attributes["ciotel.owner"] == "application"', pipelines: [traces/dev]}
"#,
    )
    .expect("routing config");
    let sink: NextConsumer = Arc::new(Discard);
    let connector =
        RoutingConnector::new(Router::new(&config, |_| Some(sink.clone())).expect("router"));
    let one_each =
        RoutingConnector::new(Router::new(&one_each, |_| Some(sink.clone())).expect("router"));
    let owners = ["platform", "application", "none"];
    let mixed = request(1000, |i| owners[i % 3]);
    let one_way = request(1000, |_| "platform");
    let mut group = c.benchmark_group("routing");
    group.throughput(Throughput::Elements(1000));
    for (name, connector, batch) in [
        ("mixed_with_archive_copy", &connector, &mixed),
        ("one_way_with_archive_copy", &connector, &one_way),
        ("mixed_one_pipeline_each", &one_each, &mixed),
        ("one_way_one_pipeline", &one_each, &one_way),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || batch.clone(),
                |batch| connector.consume(batch),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, condition, routing);
criterion_main!(benches);
