//! Log records: legacy include/exclude and conditions.

use super::support::*;

#[test]
fn logs_by_body_severity_and_attributes() {
    let batch = || {
        logs(vec![
            (
                resource(vec![kv("host", "a")]),
                vec![
                    record("GET /health 200", "INFO", vec![]),
                    record("build failed", "ERROR", vec![kv("job", "build")]),
                    record("cache miss", "DEBUG", vec![kv("job", "test")]),
                ],
            ),
            (
                resource(vec![kv("host", "b")]),
                vec![record("disk full", "ERROR", vec![])],
            ),
        ])
    };

    let mut b = batch();
    filter("logs: {exclude: {match_type: regexp, bodies: ['/health'], severity_texts: [INFO]}}")
        .apply(&mut b);
    assert_eq!(bodies(&b), vec!["build failed", "cache miss", "disk full"]);

    let mut b = batch();
    filter("logs: {include: {match_type: strict, severity_texts: [ERROR, WARN]}}").apply(&mut b);
    assert_eq!(bodies(&b), vec!["build failed", "disk full"]);

    let mut b = batch();
    let yaml = "
logs:
  include: {match_type: strict, resource_attributes: [{key: host, value: a}]}
  exclude: {match_type: strict, record_attributes: [{key: job}]}
";
    filter(yaml).apply(&mut b);
    assert_eq!(bodies(&b), vec!["GET /health 200"]);
    let Batch::Logs(rl) = &b else {
        panic!("not logs")
    };
    assert_eq!(rl.len(), 1, "the emptied resource group is removed");
}

#[test]
fn log_record_conditions_drop_any_match() {
    let mut quiet = record("debug detail", "DEBUG", vec![]);
    quiet.severity_number = 5;
    let mut loud = record("disk full", "ERROR", vec![kv("job", "build")]);
    loud.severity_number = 17;
    let mut noisy = record("heartbeat", "INFO", vec![]);
    noisy.severity_number = 9;
    let mut batch = logs(vec![(None, vec![quiet, loud, noisy])]);
    filter(
        r#"logs: {log_record: ['severity_number < SEVERITY_NUMBER_INFO', 'body == "heartbeat"']}"#,
    )
    .apply(&mut batch);
    assert_eq!(bodies(&batch), vec!["disk full"]);
}
