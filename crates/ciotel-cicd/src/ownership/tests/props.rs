//! Property tests: arbitrary rules (any text as an exact, `regex:` or `glob:` pattern, on names,
//! attributes, resource attributes and scopes) over arbitrary span trees (any attribute map with
//! any value kinds, parents that may be missing, repeated or cyclic) never panic the processor;
//! every span comes out with an owner (its own, or one a rule gave). The fuzz target `ownership`
//! (fuzz/) does the same from arbitrary config text and protobuf spans.

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use crate::ownership::matcher::SpanMatch;
use crate::ownership::names;
use crate::ownership::pattern::Pattern;
use crate::ownership::rule::Rule;
use crate::ownership::span_view::{Origin, find};
use crate::ownership::{Owner, VerdictCacheConfig};
use crate::ownership::{OwnershipConfig, OwnershipProcessor, PackName};
use crate::semconv;

/// Keys the packs and the verdicts read, and one they do not.
const KEYS: &[&str] = &[
    semconv::CIOTEL_SPAN_TYPE,
    semconv::CICD_PIPELINE_TASK_RUN_RESULT,
    semconv::CICD_PIPELINE_RESULT,
    semconv::CICD_PIPELINE_TASK_NAME,
    semconv::CICD_WORKER_NAME,
    semconv::CIOTEL_STEP_NAME,
    semconv::CIOTEL_STEP_RESULT,
    semconv::CIOTEL_WORKER_LABELS,
    semconv::ERROR_TYPE,
    semconv::VCS_PROVIDER_NAME,
    names::OWNER,
    names::FAILURE_OWNER,
    names::FAILURE_REASON,
    "gitlab.job.failure_reason",
    "other",
];

/// Values those keys hold, and others.
fn value() -> impl Strategy<Value = AnyValue> {
    let text = prop_oneof![
        Just("job".to_owned()),
        Just("step".to_owned()),
        Just("queue".to_owned()),
        Just("run".to_owned()),
        Just("failure".to_owned()),
        Just("timeout".to_owned()),
        Just("platform".to_owned()),
        Just("runner_system_failure".to_owned()),
        Just("Set up job".to_owned()),
        any::<String>(),
    ];
    let leaf = prop_oneof![
        text.prop_map(Value::StringValue),
        any::<bool>().prop_map(Value::BoolValue),
        any::<i64>().prop_map(Value::IntValue),
        any::<f64>().prop_map(Value::DoubleValue),
        vec(any::<u8>(), 0..4).prop_map(Value::BytesValue),
    ];
    let leaf = option::of(leaf).prop_map(|value| AnyValue { value });
    leaf.prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(|values| AnyValue {
                value: Some(Value::ArrayValue(ArrayValue { values })),
            }),
            vec(inner, 0..2).prop_map(|vs| AnyValue {
                value: Some(Value::KvlistValue(KeyValueList {
                    values: vs
                        .into_iter()
                        .map(|v| KeyValue {
                            key: "k".into(),
                            value: Some(v),
                            ..Default::default()
                        })
                        .collect(),
                })),
            }),
        ]
    })
}

fn attributes() -> impl Strategy<Value = Vec<KeyValue>> {
    vec(
        (prop::sample::select(KEYS), option::of(value())).prop_map(|(key, value)| KeyValue {
            key: key.to_owned(),
            value,
            ..Default::default()
        }),
        0..6,
    )
}

/// A short 8-byte id from a small set, so parents and duplicates are common.
fn span_id() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(Vec::new()), (0u8..6).prop_map(|n| vec![n; 8])]
}

fn span() -> impl Strategy<Value = Span> {
    let ids = ((0u8..2).prop_map(|n| vec![n; 16]), span_id(), span_id());
    let times = (0u64..10, 0u64..10, 0i32..4);
    (ids, times, "[A-Za-z ]{0,10}", attributes()).prop_map(
        |((trace_id, span_id, parent_span_id), (start, end, code), name, attributes)| Span {
            trace_id,
            span_id,
            parent_span_id,
            name,
            start_time_unix_nano: start,
            end_time_unix_nano: end,
            attributes,
            status: Some(Status {
                code,
                message: String::new(),
            }),
            ..Default::default()
        },
    )
}

fn groups() -> impl Strategy<Value = Vec<ResourceSpans>> {
    let scope = prop_oneof![Just("ciotel-cicd"), Just("io.jenkins"), Just("my-tests")];
    let group = (attributes(), scope, vec(span(), 0..8)).prop_map(|(resource, scope, spans)| {
        ResourceSpans {
            resource: Some(Resource {
                attributes: resource,
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: scope.to_owned(),
                    ..Default::default()
                }),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }
    });
    vec(group, 0..3)
}

/// Any text, behind any of the prefixes a pattern may have; invalid regexes are dropped, as
/// the config reader refuses them.
fn pattern() -> impl Strategy<Value = Pattern> {
    let prefix = prop_oneof![Just(""), Just("regex:"), Just("glob:"), Just("exact:")];
    let body = prop_oneof!["[a-z*?. ^$()|\\[\\]-]{0,8}", any::<String>()];
    (prefix, body).prop_map(|(p, b)| {
        Pattern::parse(&format!("{p}{b}")).unwrap_or_else(|_| Pattern::exact(&b))
    })
}

fn rule() -> impl Strategy<Value = (SpanMatch, bool)> {
    let criteria = (
        vec(pattern(), 0..2),
        vec((prop::sample::select(KEYS), pattern()), 0..2),
        vec((prop::sample::select(KEYS), pattern()), 0..2),
        option::of(pattern()),
        option::of(prop_oneof![Just(Origin::Platform), Just(Origin::Job)]),
    );
    (criteria, any::<bool>()).prop_map(|((names, attrs, resource, scope, origin), platform)| {
        let mut m = SpanMatch::default().names(names);
        for (k, p) in attrs {
            m = m.attribute(k, p);
        }
        for (k, p) in resource {
            m = m.resource_attribute(k, p);
        }
        if let Some(s) = scope {
            m = m.scope(s);
        }
        if let Some(o) = origin {
            m = m.origin(o);
        }
        (m, platform)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(128) })]

    #[test]
    fn any_rules_over_any_spans_tag_every_span(
        rules in vec(rule(), 0..4),
        mut groups in groups(),
        packs in any::<bool>(),
        cache in any::<bool>(),
    ) {
        let config = OwnershipConfig {
            packs: if packs { PackName::all() } else { Vec::new() },
            rules: rules
                .into_iter()
                .enumerate()
                .map(|(i, (m, platform))| {
                    let owner = if platform { Owner::Platform } else { Owner::Application };
                    Rule::new(&format!("r{i}"), m, owner)
                })
                .collect(),
            verdict_cache: if cache {
                VerdictCacheConfig::default()
            } else {
                VerdictCacheConfig { max_runs: 0, max_jobs_per_run: 0 }
            },
            ..OwnershipConfig::default()
        };
        let processor = OwnershipProcessor::new(config);
        processor.process(&mut groups);
        processor.process(&mut groups);
        for span in groups.iter().flat_map(|g| &g.scope_spans).flat_map(|s| &s.spans) {
            prop_assert!(find(&span.attributes, names::OWNER).is_some(), "no owner on {:?}", span.name);
        }
    }
}
