//! `ciotel validate` on configs with connectors, black box: each mistake in a routing table or
//! in how pipelines are joined is an error naming `FILE:LINE` and the key; an unused connector
//! and a pipeline no route leads to are warnings.

mod support;

use std::process::Command;
use support::{TempDir, binary};

/// A valid config the cases edit: traces/in → routing → traces/a | traces/b.
const VALID: &str = r#"receivers:
  otlp:
exporters:
  debug:
  debug/b:
connectors:
  routing:
    default_pipelines: [traces/b]
    table:
      - context: span
        condition: 'attributes["ciotel.owner"] == "platform"'
        pipelines: [traces/a]
service:
  pipelines:
    traces/in:
      receivers: [otlp]
      exporters: [routing]
    traces/a:
      receivers: [routing]
      exporters: [debug]
    traces/b:
      receivers: [routing]
      exporters: [debug/b]
"#;

struct Outcome {
    path: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    _dir: TempDir,
}

impl Outcome {
    fn assert_problem(&self, line: usize, fragments: &[&str]) {
        assert_eq!(
            self.code,
            Some(1),
            "a broken config must exit 1:\n{}",
            self.stderr
        );
        let at = format!("{}:{line}:", self.path);
        let named = self
            .stderr
            .lines()
            .any(|l| l.contains(&at) && fragments.iter().all(|f| l.contains(f)));
        assert!(
            named,
            "expected a line with `{at}` and {fragments:?}:\n{}",
            self.stderr
        );
    }

    fn assert_warning(&self, line: usize, fragments: &[&str]) {
        assert_eq!(self.code, Some(0), "warnings do not fail:\n{}", self.stderr);
        let at = format!("{}:{line}:", self.path);
        let named = self.stderr.lines().any(|l| {
            l.starts_with("warning") && l.contains(&at) && fragments.iter().all(|f| l.contains(f))
        });
        assert!(
            named,
            "expected a warning at `{at}` with {fragments:?}:\n{}",
            self.stderr
        );
    }
}

fn validate(name: &str, yaml: &str) -> Outcome {
    let dir = TempDir::new(&format!("validate-routing-{name}"));
    let path = dir.join("ciotel.yaml");
    std::fs::write(&path, yaml).expect("write config");
    let output = Command::new(binary())
        .args(["validate", "--config"])
        .arg(&path)
        .output()
        .expect("run ciotel validate");
    Outcome {
        path: path.display().to_string(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        _dir: dir,
    }
}

/// The 1-based line of the `nth` (0-based) line of `yaml` containing `needle`.
fn line_of(yaml: &str, needle: &str, nth: usize) -> usize {
    yaml.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth)
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("`{needle}` not in the config"))
}

#[test]
fn the_valid_config_passes_and_counts_its_connector() {
    let out = validate("valid", VALID);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("1 connector(s)"), "{}", out.stdout);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

#[test]
fn a_route_to_an_undefined_pipeline() {
    let yaml = VALID.replace(
        "pipelines: [traces/a]",
        "pipelines: [traces/a, traces/nowhere]",
    );
    let out = validate("undefined-pipeline", &yaml);
    out.assert_problem(
        line_of(&yaml, "traces/nowhere", 0),
        &[
            "connectors.routing.table[0].pipelines",
            "`traces/nowhere` is not defined under service.pipelines",
        ],
    );
}

#[test]
fn a_route_to_a_pipeline_of_another_signal() {
    let yaml = VALID
        .replace(
            "default_pipelines: [traces/b]",
            "default_pipelines: [logs/b]",
        )
        .replace("    traces/b:\n", "    logs/b:\n");
    let out = validate("other-signal", &yaml);
    out.assert_problem(
        line_of(&yaml, "default_pipelines", 0),
        &[
            "connectors.routing.default_pipelines",
            "`logs/b` is a logs pipeline, but `routing` routes traces",
        ],
    );
    out.assert_problem(
        line_of(&yaml, "receivers: [routing]", 1),
        &[
            "service.pipelines.logs/b.receivers",
            "connector `routing` carries traces (from `traces/in`), not logs",
        ],
    );
}

#[test]
fn a_route_to_a_pipeline_the_connector_does_not_feed() {
    let yaml = format!("{VALID}    traces/c:\n      receivers: [otlp]\n      exporters: [debug]\n")
        .replace("pipelines: [traces/a]", "pipelines: [traces/a, traces/c]");
    let out = validate("not-fed", &yaml);
    out.assert_problem(
        line_of(&yaml, "traces/c]", 0),
        &[
            "connectors.routing.table[0].pipelines",
            "`traces/c` does not receive from `routing`: add `routing` to service.pipelines.traces/c.receivers",
        ],
    );
}

#[test]
fn a_connector_used_only_as_an_exporter_or_only_as_a_receiver() {
    let only_exporter = VALID.replace("receivers: [routing]", "receivers: [otlp]");
    let out = validate("only-exporter", &only_exporter);
    out.assert_problem(
        line_of(&only_exporter, "  routing:", 0),
        &[
            "connectors.routing",
            "list `routing` as a receiver of some pipeline too (it is only an exporter)",
        ],
    );
    let only_receiver = VALID.replace("exporters: [routing]", "exporters: [debug]");
    let out = validate("only-receiver", &only_receiver);
    out.assert_problem(
        line_of(&only_receiver, "  routing:", 0),
        &[
            "connectors.routing",
            "as an exporter of some pipeline too (it is only a receiver)",
        ],
    );
}

#[test]
fn pipelines_that_cycle_through_connectors() {
    let yaml = VALID
        .replace(
            "      receivers: [routing]\n      exporters: [debug]\n",
            "      receivers: [routing]\n      exporters: [routing/back]\n",
        )
        .replace(
            "      receivers: [otlp]\n      exporters: [routing]\n",
            "      receivers: [otlp, routing/back]\n      exporters: [routing]\n",
        )
        .replace(
            "connectors:\n",
            "connectors:\n  routing/back:\n    table: [{condition: 'true', pipelines: [traces/in]}]\n",
        );
    let out = validate("cycle", &yaml);
    out.assert_problem(
        line_of(&yaml, "traces/a:", 0),
        &[
            "service.pipelines: pipelines form a cycle through connectors",
            "traces/a → routing/back → traces/in → routing → traces/a",
        ],
    );
}

#[test]
fn a_route_context_of_another_signal() {
    let yaml = VALID.replace("      - context: span\n", "      - context: log\n");
    let out = validate("context-signal", &yaml);
    out.assert_problem(
        line_of(&yaml, "context: log", 0),
        &["connectors.routing.table[0]: context `log` needs a logs pipeline, but `routing` routes traces"],
    );
}

#[test]
fn bad_conditions_are_reported_at_their_line() {
    let owner = r#"attributes["ciotel.owner"] == "platform""#;
    let yaml = VALID.replace(owner, &format!(r#"{owner} and severity_text == "x""#));
    let out = validate("unknown-path", &yaml);
    out.assert_problem(
        line_of(&yaml, "- context: span", 0),
        &[
            "connectors.routing.table[0]",
            "column 46: unknown path `severity_text` in span context",
        ],
    );
    let yaml = VALID.replace(owner, &format!("({owner}"));
    let out = validate("unbalanced", &yaml);
    out.assert_problem(
        line_of(&yaml, "condition:", 0),
        &[
            "connectors.routing.table[0].condition",
            "column 1: unbalanced `(`",
        ],
    );
    let yaml = VALID.replace(
        "default_pipelines: [traces/b]",
        "default_pipelines: [traces/b]\n    match_once: true",
    );
    let out = validate("match-once", &yaml);
    out.assert_problem(
        line_of(&yaml, "match_once", 0),
        &["connectors.routing", "unknown field `match_once`"],
    );
    let yaml = VALID
        .replace("  routing:\n", "  forward:\n")
        .replace("[routing]", "[forward]");
    let out = validate("unknown-type", &yaml);
    out.assert_problem(
        line_of(&yaml, "forward:", 0),
        &["unknown connector type `forward`", "known: routing"],
    );
}

#[test]
fn a_filter_condition_is_reported_at_its_line() {
    let yaml = "receivers:\n  otlp:\nprocessors:\n  filter:\n    traces:\n      span:\n        - 'name == \"a\"'\n        - 'IsMatch(name, \"job(\")'\nexporters:\n  debug:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [filter]\n      exporters: [debug]\n";
    let out = validate("filter", yaml);
    out.assert_problem(
        8,
        &[
            "processors.filter.traces.span[1]",
            "column 15: invalid regex",
        ],
    );
}

#[test]
fn an_unused_connector_and_an_unrouted_pipeline_are_warnings() {
    let yaml = VALID.replace(
        "connectors:\n",
        "connectors:\n  routing/spare:\n    table: [{condition: 'true', pipelines: [traces/a]}]\n",
    );
    let out = validate("unused", &yaml);
    out.assert_warning(
        line_of(&yaml, "routing/spare", 0),
        &["connectors.routing/spare: defined but used in no pipeline"],
    );
    let yaml = VALID.replace("    default_pipelines: [traces/b]\n", "");
    let out = validate("unrouted", &yaml);
    out.assert_warning(
        line_of(&yaml, "receivers: [routing]", 1),
        &["service.pipelines.traces/b.receivers: `routing` routes nothing to this pipeline"],
    );
}

#[test]
fn a_repeated_route_is_a_warning() {
    let route = "      - context: span\n        condition: 'attributes[\"ciotel.owner\"] == \"platform\"'\n        pipelines: [traces/a]\n";
    let yaml = VALID.replace(
        route,
        &format!("{route}{}", route.replace("traces/a", "traces/b")),
    );
    let out = validate("repeated", &yaml);
    out.assert_warning(
        line_of(&yaml, "table:", 0),
        &["connectors.routing.table[1]: the same context and condition as table[0]"],
    );
}
