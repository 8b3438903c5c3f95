//! `ciotel validate --config F` on small broken files, black box: each problem makes it exit 1
//! and print `F:LINE` with the key (or variable) at fault; warnings (a component no pipeline
//! uses) and valid files exit 0. Nothing is started, so these run in milliseconds.

mod support;

use std::process::Command;
use support::{TempDir, binary};

/// A valid config the cases below edit: OTLP in, batch, debug out.
const VALID: &str = "\
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
      http:
        endpoint: 127.0.0.1:4318
processors:
  batch:
    timeout: 200ms
exporters:
  debug:
    verbosity: basic
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
";

#[test]
fn a_valid_file_exits_zero_with_a_one_line_summary() {
    let out = validate("valid", VALID, &[]);
    assert_eq!(out.code, Some(0), "{out}");
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "expected a one-line summary on stdout: {out}"
    );
    assert!(
        !out.stderr.to_lowercase().contains("warning"),
        "a clean file has no warnings: {out}"
    );
}

#[test]
fn an_unknown_key_names_the_component_and_the_key() {
    let yaml = VALID.replace(
        "    timeout: 200ms\n",
        "    timeout: 200ms\n    send_batch_sise: 100\n",
    );
    let out = validate("unknown-key", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "send_batch_sise"),
        &["processors.batch", "unknown field", "send_batch_sise"],
    );
}

#[test]
fn an_unknown_component_type_is_named() {
    let yaml = VALID.replace(
        "exporters:\n  debug:\n",
        "exporters:\n  kafka/prod:\n    brokers: [localhost:9092]\n  debug:\n",
    );
    let out = validate("unknown-type", &yaml, &[]);
    out.assert_problem(line_of(&yaml, "kafka/prod"), &["exporter", "kafka"]);
}

#[test]
fn a_pipeline_naming_an_undefined_exporter_is_an_error() {
    let yaml = VALID.replace("exporters: [debug]", "exporters: [debug, otlp/missing]");
    let out = validate("undefined-exporter", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "otlp/missing"),
        &["service.pipelines.traces.exporters", "otlp/missing"],
    );
}

#[test]
fn a_pipeline_naming_an_undefined_receiver_is_an_error() {
    let yaml = VALID.replace("receivers: [otlp]", "receivers: [otlp, otlp/nowhere]");
    let out = validate("undefined-receiver", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "otlp/nowhere"),
        &["service.pipelines.traces.receivers", "otlp/nowhere"],
    );
}

#[test]
fn a_pipeline_naming_an_undefined_processor_is_an_error() {
    let yaml = VALID.replace(
        "processors: [batch]",
        "processors: [batch, attributes/missing]",
    );
    let out = validate("undefined-processor", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "attributes/missing"),
        &["service.pipelines.traces.processors", "attributes/missing"],
    );
}

#[test]
fn an_invalid_endpoint_is_named_with_its_key() {
    let yaml = VALID.replace(
        "endpoint: 127.0.0.1:4317",
        "endpoint: localhost-without-port",
    );
    let out = validate("bad-endpoint", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "localhost-without-port"),
        &[
            "receivers.otlp.protocols.grpc.endpoint",
            "localhost-without-port",
        ],
    );
}

#[test]
fn a_negative_size_is_named_with_its_key() {
    let yaml = VALID.replace(
        "endpoint: 127.0.0.1:4318\n",
        "endpoint: 127.0.0.1:4318\n        max_request_body_size: -1\n",
    );
    let out = validate("negative-size", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "max_request_body_size"),
        &["max_request_body_size", "-1"],
    );
}

#[test]
fn a_bad_duration_is_named_with_its_key() {
    let yaml = VALID.replace("timeout: 200ms", "timeout: soon");
    let out = validate("bad-duration", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "timeout: soon"),
        &["processors.batch.timeout", "soon"],
    );
}

#[test]
fn an_unset_variable_without_default_is_named() {
    let yaml = VALID.replace(
        "endpoint: 127.0.0.1:4317",
        "endpoint: ${env:CIOTEL_TEST_UNSET_VARIABLE}:4317",
    );
    let out = validate("unset-env", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "CIOTEL_TEST_UNSET_VARIABLE"),
        &["CIOTEL_TEST_UNSET_VARIABLE"],
    );
}

/// The parse stops at the first unset variable, yet every one is listed, each at its line,
/// bare `${NAME}` (the Collector's other spelling) included.
#[test]
fn every_unset_variable_is_listed_at_its_line() {
    let yaml = VALID
        .replace(
            "endpoint: 127.0.0.1:4317",
            "endpoint: ${env:CIOTEL_TEST_UNSET_VARIABLE}:4317",
        )
        .replace("timeout: 200ms", "timeout: \"${CIOTEL_TEST_HOST}\"");
    let out = validate("unset-twice", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "CIOTEL_TEST_UNSET_VARIABLE"),
        &["receivers.otlp", "CIOTEL_TEST_UNSET_VARIABLE", "not set"],
    );
    out.assert_problem(
        line_of(&yaml, "CIOTEL_TEST_HOST"),
        &["processors.batch.timeout", "CIOTEL_TEST_HOST", "not set"],
    );
}

/// A number where one is expected comes from a variable too, and a bare `${NAME}` is expanded.
#[test]
fn a_number_from_a_variable_is_a_number() {
    let yaml = VALID.replace(
        "    timeout: 200ms\n",
        "    timeout: 200ms\n    send_batch_size: ${CIOTEL_TEST_PORT}\n",
    );
    let out = validate("env-number", &yaml, &[("CIOTEL_TEST_PORT", "512")]);
    assert_eq!(out.code, Some(0), "{out}");
    let out = validate("env-not-a-number", &yaml, &[("CIOTEL_TEST_PORT", "many")]);
    out.assert_problem(
        line_of(&yaml, "send_batch_size"),
        &["processors.batch.send_batch_size", "invalid type"],
    );
}

/// After a first error the other components are parsed again one by one to list their problems
/// too; a number from a variable is a number there as well, not a spurious second problem.
#[test]
fn variables_are_expanded_when_other_components_are_checked_again() {
    let yaml = VALID
        .replace(
            "        endpoint: 127.0.0.1:4318\n",
            "        endpoint: 127.0.0.1:4318\n        max_body: 1\n",
        )
        .replace(
            "    timeout: 200ms\n",
            "    timeout: 200ms\n    send_batch_size: ${CIOTEL_TEST_PORT}\n",
        );
    let out = validate("env-recheck", &yaml, &[("CIOTEL_TEST_PORT", "512")]);
    out.assert_problem(line_of(&yaml, "max_body"), &["max_body"]);
    assert_eq!(
        out.stderr.lines().filter(|l| l.contains(&out.path)).count(),
        1,
        "only the one real problem: {out}"
    );
}

/// A default fills an unset variable and a set variable is used: proven by making the result
/// invalid on purpose and reading the substituted value back in the error.
#[test]
fn variables_with_defaults_and_set_variables_are_substituted() {
    let yaml = VALID.replace(
        "endpoint: 127.0.0.1:4317",
        "endpoint: ${env:CIOTEL_TEST_HOST:-127.0.0.1}:${env:CIOTEL_TEST_PORT}",
    );
    let out = validate("env-ok", &yaml, &[("CIOTEL_TEST_PORT", "4317")]);
    assert_eq!(out.code, Some(0), "{out}");
    let out = validate("env-visible", &yaml, &[("CIOTEL_TEST_PORT", "99999")]);
    out.assert_problem(line_of(&yaml, "CIOTEL_TEST_PORT"), &["127.0.0.1:99999"]);
}

#[test]
fn two_problems_in_one_file_are_both_listed() {
    let yaml = VALID
        .replace(
            "endpoint: 127.0.0.1:4317",
            "endpoint: localhost-without-port",
        )
        .replace(
            "    timeout: 200ms\n",
            "    timeout: 200ms\n    send_batch_sise: 100\n",
        );
    let out = validate("two-problems", &yaml, &[]);
    out.assert_problem(
        line_of(&yaml, "localhost-without-port"),
        &["localhost-without-port"],
    );
    out.assert_problem(line_of(&yaml, "send_batch_sise"), &["send_batch_sise"]);
}

#[test]
fn several_pipeline_problems_are_all_listed() {
    let yaml = VALID
        .replace("exporters: [debug]", "exporters: [otlp/missing]")
        .replace("processors: [batch]", "processors: [filter/missing]");
    let out = validate("two-graph-problems", &yaml, &[]);
    out.assert_problem(line_of(&yaml, "otlp/missing"), &["otlp/missing"]);
    out.assert_problem(line_of(&yaml, "filter/missing"), &["filter/missing"]);
}

#[test]
fn a_component_used_in_no_pipeline_is_a_warning() {
    let yaml = VALID
        .replace(
            "receivers:\n  otlp:\n",
            "receivers:\n  otlp/unused:\n    protocols:\n      grpc:\n  otlp:\n",
        )
        .replace(
            "exporters:\n  debug:\n",
            "exporters:\n  debug/unused:\n  debug:\n",
        );
    let out = validate("unused", &yaml, &[]);
    assert_eq!(
        out.code,
        Some(0),
        "an unused component is only a warning: {out}"
    );
    for name in ["otlp/unused", "debug/unused"] {
        let at = format!("{}:{}", out.path, line_of(&yaml, &format!("{name}:")));
        let warned = out
            .stderr
            .lines()
            .any(|l| l.to_lowercase().contains("warn") && l.contains(name) && l.contains(&at));
        assert!(warned, "expected a warning at {at} naming `{name}`: {out}");
    }
    assert_eq!(
        out.stdout.lines().filter(|l| !l.trim().is_empty()).count(),
        1,
        "still the one-line summary: {out}"
    );
}

// ---- running validate ----------------------------------------------------------------------

struct Outcome {
    path: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    _dir: TempDir,
}

impl Outcome {
    /// Exit code 1, and one stderr line pointing at `FILE:line` that contains every fragment.
    fn assert_problem(&self, line: usize, fragments: &[&str]) {
        assert_eq!(self.code, Some(1), "a broken config must exit 1: {self}");
        let at = format!("{}:{line}:", self.path);
        let named = self
            .stderr
            .lines()
            .any(|l| l.contains(&at) && fragments.iter().all(|f| l.contains(f)));
        assert!(
            named,
            "expected a line with `{at}` and {fragments:?}: {self}"
        );
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Writes `yaml` to a fresh file and runs `ciotel validate --config` on it with `env` set (and
/// the test's variables otherwise unset).
fn validate(name: &str, yaml: &str, env: &[(&str, &str)]) -> Outcome {
    let dir = TempDir::new(&format!("validate-{name}"));
    let path = dir.join("ciotel.yaml");
    std::fs::write(&path, yaml).unwrap();
    let mut command = Command::new(binary());
    command.args(["validate", "--config"]).arg(&path);
    for var in [
        "CIOTEL_TEST_UNSET_VARIABLE",
        "CIOTEL_TEST_HOST",
        "CIOTEL_TEST_PORT",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("run ciotel validate");
    Outcome {
        path: path.display().to_string(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        _dir: dir,
    }
}

/// The 1-based line of the first line of `yaml` containing `needle`.
fn line_of(yaml: &str, needle: &str) -> usize {
    yaml.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the config"))
        + 1
}
