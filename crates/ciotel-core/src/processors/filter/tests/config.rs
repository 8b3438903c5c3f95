//! Config errors, with their lines.

use super::support::*;

#[test]
fn invalid_regex_is_a_config_error_naming_the_pattern_and_line() {
    let yaml = "spans:\n  exclude:\n    match_type: regexp\n    span_names: ['ok', 'build(']\n";
    let err = config_error(yaml);
    assert!(err.contains("invalid regexp `build(`"), "{err}");
    assert!(err.contains("spans.exclude"), "{err}");
    assert!(err.contains("line 3"), "{err}");

    let err = config_error(
        "logs: {include: {match_type: regexp, record_attributes: [{key: a, value: '[z-a]'}]}}",
    );
    assert!(err.contains("invalid regexp `[z-a]`"), "{err}");
}

#[test]
fn strict_patterns_are_not_regexes() {
    let mut batch = traces(vec![(None, vec![span("a(", vec![]), span("a", vec![])])]);
    filter("spans: {exclude: {match_type: strict, span_names: ['a(']}}").apply(&mut batch);
    assert_eq!(span_names(&batch), vec!["a"]);
}

#[test]
fn config_shape_errors() {
    let err = config_error("spans: {exclude: {match_type: glob, span_names: [a]}}");
    assert!(err.contains("unknown variant `glob`"), "{err}");
    let err = config_error("spans: {exclude: {span_names: [a]}}");
    assert!(err.contains("missing field `match_type`"), "{err}");
    let err = config_error("spans: {exclude: {match_type: strict}}");
    assert!(
        err.contains("span match gives no criteria: set at least one of span_names"),
        "{err}"
    );
    let err = config_error("spans: {exclude: {match_type: strict, bodies: [a]}}");
    assert!(err.contains("unknown field `bodies`"), "{err}");
    let err = config_error("traces: {spans: ['name == \"a\"']}");
    assert!(err.contains("unknown field `spans`"), "{err}");
}

#[test]
fn a_bad_condition_is_reported_at_its_own_line_with_its_column() {
    let yaml = "traces:\n  span:\n    - 'name == \"a\"'\n    - 'severity_text == \"x\"'\n";
    let err = config_error(yaml);
    assert!(
        err.contains(
            "invalid condition `severity_text == \"x\"`: column 1: unknown path `severity_text` in span context"
        ),
        "{err}"
    );
    assert!(err.contains("traces.span[1]"), "{err}");
    assert!(err.contains("line 4"), "{err}");
    let err = config_error("logs: {log_record: ['IsMatch(body, \"(\")']}");
    assert!(err.contains("column 15: invalid regex"), "{err}");
    let err = config_error("metrics: {datapoint: ['(name == \"a\"']}");
    assert!(err.contains("unbalanced `(`"), "{err}");
    let err = config_error("error_mode: loud");
    assert!(err.contains("unknown variant `loud`"), "{err}");
}

#[test]
fn conditions_and_include_exclude_of_one_signal_do_not_mix() {
    let config: FilterConfig = yaml_serde::from_str(
        "spans: {exclude: {match_type: strict, span_names: [a]}}\ntraces: {span: ['name == \"b\"']}",
    )
    .unwrap();
    let err = config.validate().unwrap_err();
    assert_eq!(
        err,
        "traces: use either conditions (traces.span, traces.spanevent) or include/exclude (spans), not both"
    );
    let config: FilterConfig = yaml_serde::from_str(
        "logs: {exclude: {match_type: strict, bodies: [a]}, log_record: ['body == \"b\"']}",
    )
    .unwrap();
    assert!(
        config
            .validate()
            .unwrap_err()
            .starts_with("logs: use either")
    );
    let config: FilterConfig = yaml_serde::from_str(
        "spans: {exclude: {match_type: strict, span_names: [a]}}\nlogs: {log_record: ['body == \"b\"']}",
    )
    .unwrap();
    assert_eq!(
        config.validate(),
        Ok(()),
        "different signals may use different shapes"
    );
}
