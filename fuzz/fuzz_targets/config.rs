//! Config loading as `ciotel validate` and `ciotel run` do it: `${env:…}` substitution, the YAML
//! read with this build's component types (the binary's own `src/components.rs`, included here
//! by path so the fuzzer sees exactly what the binary parses), and the graph checks. Every
//! problem must name a line inside the text (or just past its end), counted as YAML counts
//! them.

#![no_main]

#[allow(dead_code)]
#[path = "../../src/components.rs"]
mod components;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lookup = |name: &str| match name {
        "PORT" => Some("4317".to_owned()),
        "HOST" => Some("127.0.0.1".to_owned()),
        "TOKEN" | "GITHUB_WEBHOOK_SECRET" | "GITLAB_TOKEN" => Some("s3cret".to_owned()),
        "EMPTY" => Some(String::new()),
        "MULTILINE" => Some("a\nb: [".to_owned()),
        _ => None,
    };
    if let Err(e) = ciotel_core::config::load::<
        components::ReceiverConfig,
        components::ProcessorConfig,
        components::ExporterConfig,
        components::ExtensionConfig,
    >("fuzz.yaml", text, lookup)
    {
        // `${env:MULTILINE}` adds a line, so allow one per reference; one more for the end.
        let lines = yaml_lines(text) + 1 + text.matches("${env:MULTILINE").count();
        for p in &e.problems {
            if let Some(line) = p.line {
                assert!(
                    (1..=lines).contains(&line),
                    "problem at line {line} of a {lines}-line text: {}",
                    p.message
                );
            }
        }
        let _ = e.to_string();
    }
});

/// Lines as the YAML reader counts them: `\r\n`, `\n` and a lone `\r` each end one, and so
/// do NEL, LS and PS (YAML 1.1 line breaks).
fn yaml_lines(text: &str) -> usize {
    1 + text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count()
}
