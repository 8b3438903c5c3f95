//! Property test: any config text, most of all a shipped config with lines replaced, removed,
//! repeated or inserted, is loaded or refused with problems at lines of the text; never a
//! panic. The loader is the binary's own: `src/components.rs` (this build's component types)
//! is included by path, as the fuzz target `config` (fuzz/) does.

#[allow(dead_code)]
#[path = "../src/components.rs"]
mod components;

use proptest::collection::vec;
use proptest::prelude::*;

const SHIPPED: &[&str] = &[
    include_str!("../configs/default.yaml"),
    include_str!("../configs/gateway.yaml"),
    include_str!("../configs/sidecar.yaml"),
    include_str!("../configs/two-backends.yaml"),
];

/// Lines that YAML and the loader treat specially.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("receivers:".to_owned()),
        Just("  otlp:".to_owned()),
        Just("    protocols: {grpc: {endpoint: \"${env:HOST}:${env:PORT}\"}}".to_owned()),
        Just("  batch: {send_batch_size: -1, timeout: 1y}".to_owned()),
        Just("  pipelines: {traces: {receivers: [otlp], exporters: [nope]}}".to_owned()),
        Just("  unknown_key: 1".to_owned()),
        Just("anchor: &a [x, *a]".to_owned()),
        Just("<<: *missing".to_owned()),
        Just("  - ${env:UNSET}".to_owned()),
        Just("\t- tab".to_owned()),
        Just("key: !!binary AAAA".to_owned()),
        Just("---".to_owned()),
        Just("\"unterminated".to_owned()),
        Just("    endpoint: ${env:MULTILINE}".to_owned()),
        any::<String>(),
    ]
}

/// One edit of a config's lines.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, String),
    Remove(usize),
    Repeat(usize),
    Insert(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), line()).prop_map(|(n, l)| Edit::Replace(n, l)),
        any::<usize>().prop_map(Edit::Remove),
        any::<usize>().prop_map(Edit::Repeat),
        (any::<usize>(), line()).prop_map(|(n, l)| Edit::Insert(n, l)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for e in edits {
        let at = |n: usize| n % lines.len().max(1);
        match e {
            Edit::Replace(n, l) if !lines.is_empty() => {
                let i = at(*n);
                lines[i] = l.clone();
            }
            Edit::Remove(n) if !lines.is_empty() => {
                lines.remove(at(*n));
            }
            Edit::Repeat(n) if !lines.is_empty() => {
                let i = at(*n);
                lines.insert(i, lines[i].clone());
            }
            Edit::Insert(n, l) => {
                let i = if lines.is_empty() { 0 } else { at(*n) };
                lines.insert(i, l.clone());
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// Lines as the YAML reader counts them: `\r\n`, `\n` and a lone `\r` each end one, and so
/// do NEL, LS and PS (YAML 1.1 line breaks). Fuzzing found that counting `\n` alone is wrong.
fn yaml_lines(text: &str) -> usize {
    1 + text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count()
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let lookup = |name: &str| match name {
        "PORT" => Some("4317".to_owned()),
        "HOST" => Some("127.0.0.1".to_owned()),
        "MULTILINE" => Some("a\nb: [".to_owned()),
        _ => None,
    };
    if let Err(e) = ciotel_core::config::load::<
        components::ReceiverConfig,
        components::ProcessorConfig,
        components::ExporterConfig,
        components::ExtensionConfig,
    >("props.yaml", text, lookup)
    {
        // One line more per `${env:MULTILINE}`, and one for the end.
        let lines = yaml_lines(text) + 1 + text.matches("${env:MULTILINE").count();
        prop_assert!(!e.problems.is_empty(), "an error without problems");
        for p in &e.problems {
            if let Some(line) = p.line {
                prop_assert!(
                    (1..=lines).contains(&line),
                    "line {} of {}: {}\n{}",
                    line,
                    lines,
                    p.message,
                    text
                );
            }
        }
        let _ = e.to_string();
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(128) })]

    #[test]
    fn edited_shipped_configs_load_or_name_lines_of_the_text(
        config in prop::sample::select(SHIPPED),
        edits in vec(edit(), 1..5),
    ) {
        check(&apply(config, &edits))?;
    }

    #[test]
    fn any_text_loads_or_is_refused(text in any::<String>()) {
        check(&text)?;
    }
}
