//! Metrics and data points: legacy include/exclude and conditions.

use super::support::*;

#[test]
fn datapoint_attributes_exclude_drops_points_of_every_metric_type() {
    let mut batch = metrics(None, every_metric_type());
    filter(
        "metrics: {exclude: {match_type: strict, datapoint_attributes: [{key: env, value: dev}]}}",
    )
    .apply(&mut batch);
    let left = vec!["prod/a".to_owned()];
    assert_eq!(
        metric_points(&batch),
        ["gauge", "sum", "histogram", "exp_histogram", "summary"]
            .map(|name| (name.to_owned(), left.clone()))
            .to_vec()
    );
    assert_eq!(batch.item_count(), 5);
}

#[test]
fn datapoint_attributes_apply_only_to_metrics_matching_the_names() {
    let mut batch = metrics(None, every_metric_type());
    let yaml = "
metrics:
  exclude:
    match_type: regexp
    metric_names: ['histogram$']
    datapoint_attributes: [{key: job, value: '^a$'}]
";
    filter(yaml).apply(&mut batch);
    let all = vec!["dev/a".to_owned(), "prod/a".to_owned(), "dev/b".to_owned()];
    let b_only = vec!["dev/b".to_owned()];
    assert_eq!(
        metric_points(&batch),
        vec![
            ("gauge".to_owned(), all.clone()),
            ("sum".to_owned(), all.clone()),
            ("histogram".to_owned(), b_only.clone()),
            ("exp_histogram".to_owned(), b_only),
            ("summary".to_owned(), all),
        ]
    );
}

#[test]
fn datapoint_include_drops_metrics_left_without_points() {
    let mut all = every_metric_type();
    all.push(Metric {
        name: "no_data".into(),
        ..Default::default()
    });
    let mut batch = metrics(None, all);
    filter("metrics: {include: {match_type: strict, datapoint_attributes: [{key: env, value: nowhere}]}}")
            .apply(&mut batch);
    assert_eq!(batch, Batch::Metrics(vec![]));
}

#[test]
fn metrics_by_name_and_resource() {
    let mut batch = metrics(
        resource(vec![kv("service.name", "ciotel")]),
        every_metric_type(),
    );
    filter("metrics: {include: {match_type: strict, metric_names: [sum, summary]}}")
        .apply(&mut batch);
    let names: Vec<String> = metric_points(&batch).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec!["sum", "summary"]);

    filter("metrics: {exclude: {match_type: strict, resource_attributes: [{key: service.name, value: ciotel}]}}")
            .apply(&mut batch);
    assert_eq!(batch, Batch::Metrics(vec![]));
}

#[test]
fn metric_and_datapoint_conditions() {
    let mut batch = metrics(None, every_metric_type());
    let before = metric_points(&batch);
    filter(
        r#"
metrics:
  metric: ['name == "gauge"']
  datapoint: ['attributes["env"] == "dev" and metric.name != "sum"']
"#,
    )
    .apply(&mut batch);
    let after = metric_points(&batch);
    assert!(before.iter().any(|(name, _)| name == "gauge"));
    assert!(!after.iter().any(|(name, _)| name == "gauge"), "{after:?}");
    for (name, envs) in &after {
        if name == "sum" {
            assert!(
                envs.iter().any(|e| e.starts_with("dev")),
                "sum keeps its dev points: {after:?}"
            );
        } else {
            assert!(
                !envs.iter().any(|e| e.starts_with("dev")),
                "{name}: {after:?}"
            );
        }
    }
}
