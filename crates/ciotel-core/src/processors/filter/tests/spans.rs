//! Spans: legacy include/exclude and conditions.

use super::support::*;

#[test]
fn regexp_exclude_drops_exactly_the_matching_spans() {
    let mut batch = traces(vec![(
        None,
        vec![
            span("healthcheck", vec![]),
            span("build", vec![]),
            span("GET /healthcheck", vec![]),
            span("test", vec![]),
            span("Healthcheck", vec![]),
        ],
    )]);
    filter("spans: {exclude: {match_type: regexp, span_names: ['^health', 'test$']}}")
        .apply(&mut batch);
    assert_eq!(
        span_names(&batch),
        vec!["build", "GET /healthcheck", "Healthcheck"]
    );
}

#[test]
fn strict_include_keeps_only_exact_names() {
    let mut batch = traces(vec![(
        None,
        vec![
            span("build", vec![]),
            span("build-2", vec![]),
            span("deploy", vec![]),
        ],
    )]);
    filter("spans: {include: {match_type: strict, span_names: [build, deploy]}}").apply(&mut batch);
    assert_eq!(span_names(&batch), vec!["build", "deploy"]);
}

#[test]
fn include_and_exclude_together() {
    let owned = |who| vec![kv("ciotel.owner", who)];
    let mut batch = traces(vec![(
        None,
        vec![
            span("job:build", owned("dev")),
            span("job:lint", owned("dev")),
            span("job:setup", owned("ops")),
            span("step:checkout", owned("dev")),
        ],
    )]);
    let yaml = "
spans:
  include:
    match_type: regexp
    span_names: ['^job:']
  exclude:
    match_type: strict
    attributes: [{key: ciotel.owner, value: ops}]
";
    filter(yaml).apply(&mut batch);
    assert_eq!(span_names(&batch), vec!["job:build", "job:lint"]);
}

#[test]
fn all_attributes_must_match_and_absent_value_means_present() {
    let mut batch = traces(vec![(
        None,
        vec![
            span("a", vec![kv("env", "dev"), kv("debug", "x")]),
            span("b", vec![kv("env", "dev")]),
            span("c", vec![kv("env", "prod"), kv("debug", "")]),
            span("d", vec![kv_int("http.status_code", 503), kv("debug", "1")]),
        ],
    )]);
    filter("spans: {exclude: {match_type: strict, attributes: [{key: env, value: dev}, {key: debug}]}}")
            .apply(&mut batch);
    assert_eq!(span_names(&batch), vec!["b", "c", "d"]);

    // A YAML integer matches the string form of an integer attribute.
    filter(
        "spans: {exclude: {match_type: strict, attributes: [{key: http.status_code, value: 503}]}}",
    )
    .apply(&mut batch);
    assert_eq!(span_names(&batch), vec!["b", "c"]);
}

#[test]
fn resource_attributes_select_whole_groups_and_empty_groups_are_removed() {
    let mut batch = traces(vec![
        (
            resource(vec![kv("service.name", "runner-7")]),
            vec![span("a", vec![])],
        ),
        (
            resource(vec![kv("service.name", "api")]),
            vec![span("b", vec![])],
        ),
        (None, vec![span("c", vec![])]),
    ]);
    filter("spans: {exclude: {match_type: regexp, resource_attributes: [{key: service.name, value: '^runner-\\d+$'}]}}")
            .apply(&mut batch);
    let Batch::Traces(rs) = &batch else {
        panic!("not traces")
    };
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0].resource, resource(vec![kv("service.name", "api")]));
    assert_eq!(span_names(&batch), vec!["b", "c"]);

    filter("spans: {include: {match_type: strict, span_names: [nothing]}}").apply(&mut batch);
    assert_eq!(batch, Batch::Traces(vec![]));
}

#[test]
fn rules_of_other_signals_leave_a_batch_alone() {
    let mut batch = traces(vec![(None, vec![span("a", vec![])])]);
    let before = batch.clone();
    filter("logs: {exclude: {match_type: strict, bodies: [a]}}").apply(&mut batch);
    filter("{}").apply(&mut batch);
    assert_eq!(batch, before);
}

#[test]
fn span_conditions_drop_any_match() {
    let owned = |who| vec![kv("ciotel.owner", who)];
    let mut batch = traces(vec![
        (
            resource(vec![kv("vcs.repository.name", "api")]),
            vec![
                span("queue", owned("platform")),
                span("job:build", owned("application")),
                span("job:lint", owned("platform")),
            ],
        ),
        (
            resource(vec![kv("vcs.repository.name", "web")]),
            vec![span("queue", owned("platform"))],
        ),
    ]);
    filter(
        r#"
traces:
  span:
    - 'attributes["ciotel.owner"] == "platform" and name == "queue" and resource.attributes["vcs.repository.name"] == "web"'
    - 'IsMatch(name, "lint$")'
"#,
    )
    .apply(&mut batch);
    assert_eq!(span_names(&batch), vec!["queue", "job:build"]);
    let Batch::Traces(rs) = &batch else { panic!() };
    assert_eq!(rs.len(), 1, "the resource left without spans is removed");
}

#[test]
fn spanevent_conditions_drop_events_and_keep_the_span() {
    use opentelemetry_proto::tonic::trace::v1::span::Event;
    let mut s = span("job:test", vec![]);
    s.events = vec![
        Event {
            name: "exception".into(),
            ..Default::default()
        },
        Event {
            name: "retry".into(),
            ..Default::default()
        },
    ];
    let mut batch = traces(vec![(None, vec![s])]);
    filter(r#"traces: {spanevent: ['name == "exception" and span.name == "job:test"']}"#)
        .apply(&mut batch);
    let Batch::Traces(rs) = &batch else { panic!() };
    let events: Vec<&str> = rs[0].scope_spans[0].spans[0]
        .events
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(events, vec!["retry"]);
}
