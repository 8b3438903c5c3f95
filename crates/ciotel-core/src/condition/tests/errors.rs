//! What bad input is told, and where.

use crate::condition::{Condition, ConditionError, ContextKind};

fn error(text: &str, context: ContextKind) -> ConditionError {
    match Condition::new(text, context) {
        Ok(c) => panic!("{text} compiled: {c:?}"),
        Err(e) => e,
    }
}

fn span_error(text: &str) -> (usize, String) {
    let e = error(text, ContextKind::Span);
    (e.column, e.message)
}

#[test]
fn unknown_path_names_the_context_and_what_it_has() {
    let (column, message) = span_error(r#"name == "a" and severity_text == "x""#);
    assert_eq!(column, 17);
    assert!(
        message.starts_with("unknown path `severity_text` in span context"),
        "{message}"
    );
    assert!(message.contains("status.code"), "{message}");
    let e = error("kind == 1", ContextKind::Log);
    assert!(
        e.message.contains("unknown path `kind` in log context"),
        "{}",
        e.message
    );
    let e = error(r#"name == "x""#, ContextKind::Resource);
    assert!(e.message.contains("in resource context"), "{}", e.message);
    let e = error("attributes == nil", ContextKind::Span);
    assert!(e.message.contains("needs a key"), "{}", e.message);
}

#[test]
fn unbalanced_parentheses() {
    let (column, message) = span_error(r#"(name == "a" or kind == 1"#);
    assert_eq!(
        (column, message.as_str()),
        (1, "unbalanced `(`: no `)` closes it")
    );
    let (column, message) = span_error(r#"name == "a")"#);
    assert_eq!(
        (column, message.as_str()),
        (12, "unbalanced `)`: no `(` opens it")
    );
    let (column, message) = span_error(r#"attributes["k" == 1"#);
    assert_eq!(column, 16);
    assert!(message.starts_with("expected `]`"), "{message}");
}

#[test]
fn bad_regex_points_at_the_pattern() {
    let (column, message) = span_error(r#"IsMatch(name, "job(")"#);
    assert_eq!(column, 15);
    assert!(message.starts_with("invalid regex \"job(\""), "{message}");
}

#[test]
fn syntax_mistakes() {
    let cases = [
        (r#"name = "a""#, 6, "`=` is not an operator: write `==`"),
        (r#"name == "a"#, 9, "string is not closed: missing `\"`"),
        ("", 1, "the condition is empty"),
        (
            r#"name == "#,
            9,
            "expected a value or path, the condition ended",
        ),
        (
            r#"name"#,
            1,
            "`name` is not a condition: compare it (`== …`, `!= nil`) or use IsMatch",
        ),
        (
            r#"kind == SPAN_KIND_SERVR"#,
            9,
            "unknown constant `SPAN_KIND_SERVR`",
        ),
        (
            r#"Concat(name, "x") == "a""#,
            1,
            "unknown function `Concat` (ciotel knows only IsMatch)",
        ),
        (
            r#"name == "a" kind == 1"#,
            13,
            "unexpected `kind` after a complete condition (missing `and`/`or`?)",
        ),
        (
            r#"name == "a" and"#,
            16,
            "expected a value or path, the condition ended",
        ),
        (
            r#"name == "\q""#,
            10,
            "unknown escape `\\q` in a string (known: \\\" \\\\ \\n \\t)",
        ),
        ("name == 1 & 2", 11, "unexpected character `&`"),
    ];
    for (text, column, message) in cases {
        let (c, m) = span_error(text);
        assert_eq!((c, m.as_str()), (column, message), "{text}");
    }
}

#[test]
fn errors_display_with_their_column() {
    let e = error("name ==", ContextKind::Span);
    assert_eq!(
        e.to_string(),
        "column 8: expected a value or path, the condition ended"
    );
}

#[test]
fn context_names() {
    assert_eq!(
        ContextKind::parse("datapoint"),
        Some(ContextKind::DataPoint)
    );
    assert_eq!(ContextKind::parse("request"), None);
    assert_eq!(ContextKind::Log.to_string(), "log");
}
