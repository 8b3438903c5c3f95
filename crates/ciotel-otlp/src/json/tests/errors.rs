//! Errors say what is wrong and where: bad ids, wrong types, out-of-range numbers, unknown enum
//! names, bad base64, malformed and truncated JSON.

use crate::json::{JsonError, decode_logs, decode_metrics, decode_traces};

fn traces_error(json: &str) -> JsonError {
    decode_traces(json.as_bytes()).expect_err("must be rejected")
}

fn span(members: &str) -> String {
    format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{{members}}}]}}]}}]}}"#)
}

#[test]
fn short_trace_id() {
    let json = span(r#""traceId":"7d1e0b9a5c3f4e2a8b6c0d1e2f3a4b""#);
    let err = traces_error(&json);
    assert!(matches!(err, JsonError::Invalid(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid traceId: expected 32 hex characters at line 1 column 86"
    );
    // The column is that of the offending value's last character.
    assert_eq!((err.line(), err.column()), (1, 86));
}

#[test]
fn non_hex_span_id() {
    let err = traces_error(&span(r#""spanId":"a1b2c3d4e5f6071z""#));
    assert_eq!(
        err.to_string(),
        "invalid spanId: expected 16 hex characters at line 1 column 71"
    );
    let err = traces_error(&span(r#""parentSpanId":"a1b2c3d4e5f60718a1""#));
    assert!(
        err.to_string()
            .starts_with("invalid parentSpanId: expected 16 hex characters at line 1"),
        "{err}"
    );
    let links = span(r#""links":[{"traceId":"xyz"}]"#);
    assert!(
        traces_error(&links)
            .to_string()
            .starts_with("invalid traceId: expected 32 hex characters")
    );
    let logs = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"spanId":"0102"}]}]}]}"#;
    let err = decode_logs(logs.as_bytes()).expect_err("must be rejected");
    assert!(
        err.to_string()
            .starts_with("invalid spanId: expected 16 hex characters"),
        "{err}"
    );
    let exemplar = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"exemplars":[{"traceId":"00"}]}]}}]}]}]}"#;
    let err = decode_metrics(exemplar.as_bytes()).expect_err("must be rejected");
    assert!(
        err.to_string()
            .starts_with("invalid traceId: expected 32 hex characters"),
        "{err}"
    );
}

#[test]
fn wrong_types_name_the_field() {
    let err = traces_error(&span(r#""name":5"#));
    assert_eq!(
        err.to_string(),
        "invalid type: integer `5`, expected a string for `name` at line 1 column 52"
    );
    let err = traces_error(&span(r#""attributes":{"key":"a"}"#));
    assert!(
        err.to_string()
            .starts_with("invalid type: map, expected an array for `attributes` at line 1"),
        "{err}"
    );
    let err = traces_error(&span(r#""status":"ERROR""#));
    assert!(
        err.to_string()
            .starts_with(r#"invalid type: string "ERROR", expected an object for `status`"#),
        "{err}"
    );
    let err = traces_error(&span(r#""startTimeUnixNano":true"#));
    assert!(
        err.to_string().starts_with("invalid type: boolean `true`, expected an integer or a decimal string for `startTimeUnixNano`"),
        "{err}"
    );
    let err = traces_error("[]");
    assert!(
        err.to_string().starts_with(
            "invalid type: sequence, expected an object for `ExportTraceServiceRequest`"
        ),
        "{err}"
    );
    let metrics =
        r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":5}]}]}]}"#;
    let err =
        decode_metrics(metrics.as_bytes()).expect_err("a bad gauge must not be dropped silently");
    assert!(
        err.to_string()
            .starts_with("invalid type: integer `5`, expected an object for `gauge`"),
        "{err}"
    );
}

#[test]
fn bad_numbers_name_the_field() {
    let err = traces_error(&span(r#""droppedAttributesCount":-1"#));
    assert!(
        err.to_string()
            .starts_with("invalid droppedAttributesCount: -1 is out of range for u32 at line 1"),
        "{err}"
    );
    let err = traces_error(&span(r#""endTimeUnixNano":"12x""#));
    assert!(
        err.to_string()
            .starts_with(r#"invalid endTimeUnixNano: expected an integer, got "12x""#),
        "{err}"
    );
    let err = traces_error(&span(r#""endTimeUnixNano":1.5"#));
    assert!(
        err.to_string()
            .starts_with("invalid value: floating point `1.5`, expected an integer"),
        "{err}"
    );
    let metrics = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asInt":"9223372036854775808"}]}}]}]}]}"#;
    let err = decode_metrics(metrics.as_bytes()).expect_err("must be rejected");
    assert!(
        err.to_string()
            .starts_with("invalid asInt: 9223372036854775808 is out of range for i64"),
        "{err}"
    );
    let metrics = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asDouble":"lots"}]}}]}]}]}"#;
    let err = decode_metrics(metrics.as_bytes()).expect_err("must be rejected");
    assert!(
        err.to_string().starts_with(
            r#"invalid asDouble: expected a number, "NaN", "Infinity" or "-Infinity", got "lots""#
        ),
        "{err}"
    );
}

#[test]
fn unknown_enum_name() {
    let err = traces_error(&span(r#""kind":"SPAN_KIND_SIDEWAYS""#));
    assert!(
        err.to_string()
            .starts_with(r#"invalid kind: unknown enum value "SPAN_KIND_SIDEWAYS" at line 1"#),
        "{err}"
    );
}

#[test]
fn bad_base64() {
    let json = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"b","value":{"bytesValue":"no*pe"}}]}}]}"#;
    let err = traces_error(json);
    assert!(
        err.to_string()
            .starts_with("invalid bytesValue: not base64"),
        "{err}"
    );
}

#[test]
fn long_bad_strings_are_not_echoed_whole() {
    let long = "9".repeat(10_000) + "x";
    let err = traces_error(&span(&format!(r#""endTimeUnixNano":"{long}""#)));
    assert!(err.to_string().len() < 200, "{err}");
}

#[test]
fn truncated_json() {
    let json = span(r#""name":"cut"#);
    let err = traces_error(&json[..json.len() - 10]);
    assert!(matches!(err, JsonError::Truncated(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("truncated JSON: EOF while parsing"),
        "{err}"
    );
    assert!(matches!(traces_error(""), JsonError::Truncated(_)));
}

#[test]
fn malformed_json_with_line_and_column() {
    let err = traces_error("{\n  \"resourceSpans\": [\n    {,}\n  ]\n}");
    assert!(matches!(err, JsonError::Syntax(_)), "{err:?}");
    assert_eq!((err.line(), err.column()), (3, 6));
    assert!(
        err.to_string()
            .starts_with("malformed JSON: key must be a string at line 3 column 6"),
        "{err}"
    );
    let err = traces_error("{} {}");
    assert!(
        err.to_string()
            .starts_with("malformed JSON: trailing characters"),
        "{err}"
    );
    assert!(matches!(
        decode_traces(b"{\"resourceSpans\":[{\"schemaUrl\":\"\xff\"}]}"),
        Err(JsonError::Syntax(_))
    ));
}

#[test]
fn nesting_depth_is_limited() {
    let deep = format!(
        r#"{{"resourceLogs":[{{"scopeLogs":[{{"logRecords":[{{"body":{}{}}}]}}]}}]}}"#,
        r#"{"arrayValue":{"values":["#.repeat(200),
        "]}}".repeat(200)
    );
    let err = decode_logs(deep.as_bytes()).expect_err("must be rejected, not overflow the stack");
    assert!(
        err.to_string().contains("recursion limit exceeded"),
        "{err}"
    );
}
