//! The CI job that in-job telemetry joins, for the black-box tests of tools that run inside a
//! job (tests/in_job_telemetry.rs, tests/works_with_*.rs): a ciotel with the github and gitlab
//! webhooks, OTLP in, `cicd_hierarchy` and a file out; the fixture run's webhooks; the
//! environment a GitHub Actions or GitLab CI job gives its tools; span and attribute readers.

use super::{Daemon, TempDir, binary, read_json_lines, run_client, spans_in, wait_for};
use ciotel_cicd::IdRecipe;
use ciotel_cicd::ids::{JobKey, trace_id};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture run: run 14460881260, attempt 13, job "test (1.23)" = check run 40685651258.
pub const RUN_FIXTURE: &str = "otel-contrib/githubreceiver/workflow-run-completed.b985387c.json";
pub const JOB_FIXTURE: &str = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
pub const RUN_ID: &str = "14460881260";
pub const ATTEMPT: &str = "13";
pub const JOB_ID: &str = "40685651258";
pub const JOB_NAME: &str = "test (1.23)";
pub const SECRET: &str = "in-job-telemetry-test-secret";

/// GitLab pipeline 2366, job 1977 "test" (the Collector's gitlabreceiver `job.success.json`).
pub const GITLAB_JOB_FIXTURE: &str = "otel-contrib/gitlabreceiver/job.success.json";
pub const PIPELINE_ID: &str = "2366";
pub const GITLAB_JOB_ID: &str = "1977";

/// A running ciotel with the github and gitlab webhooks, OTLP in, `cicd_hierarchy`, and a
/// file out.
pub struct Ciotel {
    pub dir: TempDir,
    pub daemon: Daemon,
}

impl Ciotel {
    pub fn start(label: &str) -> Ciotel {
        let dir = TempDir::new(label);
        let traces = dir.join("traces.jsonl");
        let config = format!(
            "receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
      http:
        endpoint: 127.0.0.1:0
  github:
    webhook:
      endpoint: 127.0.0.1:0
      path: /events/github
      secret: {SECRET}
  gitlab:
    webhook:
      endpoint: 127.0.0.1:0
      path: /events/gitlab
      secret: {SECRET}
processors:
  cicd_hierarchy:
exporters:
  file:
    path: {}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp, github, gitlab]
      processors: [cicd_hierarchy]
      exporters: [file]
",
            traces.display()
        );
        let daemon = Daemon::start(&dir, label, &config);
        Ciotel { dir, daemon }
    }

    /// The OTLP gRPC endpoint, as a tool's `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub fn otlp_endpoint(&self) -> String {
        format!("http://{}", self.daemon.address("otlp", "grpc"))
    }

    /// The OTLP/HTTP base URL (without `/v1/traces`).
    pub fn otlp_http_endpoint(&self) -> String {
        format!("http://{}", self.daemon.address("otlp", "http"))
    }

    pub fn spans(&self) -> Vec<Value> {
        spans_in(&read_json_lines(&self.dir.join("traces.jsonl")))
    }

    /// Waits for a span matching `pick`.
    pub fn span(&self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        wait_for(what, || self.spans().into_iter().find(|s| pick(s)))
    }

    /// Posts the fixture run's signed `workflow_run` and `workflow_job` deliveries and returns
    /// the job span the receiver emitted.
    pub fn github_run(&self) -> Value {
        let url = format!(
            "http://{}/events/github",
            self.daemon.address("github", "webhook")
        );
        let run = format!("workflow_run={}", fixture(RUN_FIXTURE).display());
        let job = format!("workflow_job={}", fixture(JOB_FIXTURE).display());
        run_client(
            "post_webhooks.py",
            &["github", &url, SECRET, &run, &job],
            &[],
        );
        let job = self.span("the job span", |s| s["name"] == JOB_NAME);
        // The job span is the one the id recipe names: nothing moved it.
        let recipe = IdRecipe::CheckRun;
        let key = JobKey {
            run_id: RUN_ID,
            run_attempt: 13,
            job_id: JOB_ID,
            job_name: JOB_NAME,
        };
        assert_eq!(job["traceId"], trace_id(RUN_ID, 13).to_string());
        assert_eq!(job["spanId"], recipe.job_span_id(&key).to_string());
        self.span("the run span", |s| s["name"] == "RUN build-and-test");
        job
    }

    /// Posts the GitLab fixture's Job Hook and returns the job span the receiver emitted.
    pub fn gitlab_job(&self) -> Value {
        let url = format!(
            "http://{}/events/gitlab",
            self.daemon.address("gitlab", "webhook")
        );
        let job = format!("Job Hook={}", fixture(GITLAB_JOB_FIXTURE).display());
        run_client("post_webhooks.py", &["gitlab", &url, SECRET, &job], &[]);
        let recipe = IdRecipe::Gitlab;
        let trace = recipe.trace_id(PIPELINE_ID, 1).to_string();
        let job = self.span("the GitLab job span", |s| {
            s["name"] == "test" && s["traceId"] == trace.as_str()
        });
        // The receiver's job span is the one the documented recipe names.
        let key = JobKey {
            run_id: PIPELINE_ID,
            run_attempt: 1,
            job_id: GITLAB_JOB_ID,
            job_name: "test",
        };
        assert_eq!(job["spanId"], recipe.job_span_id(&key).to_string());
        job
    }
}

/// A file of the shared CI fixtures.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(path)
}

/// A client script under tests/clients.
pub fn client(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

/// The environment of a GitHub Actions job of the fixture run (what the runner sets, plus the
/// `CIOTEL_JOB_ID: ${{ job.check_run_id }}` a workflow adds).
pub fn github_job_env() -> Vec<(&'static str, String)> {
    vec![
        ("CI", "true".into()),
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_RUN_ID", RUN_ID.into()),
        ("GITHUB_RUN_ATTEMPT", ATTEMPT.into()),
        ("GITHUB_JOB", "test".into()),
        (
            "GITHUB_REPOSITORY",
            "open-telemetry/opentelemetry-collector-contrib".into(),
        ),
        ("CIOTEL_JOB_ID", JOB_ID.into()),
    ]
}

/// The environment of GitLab CI job 1977 of pipeline 2366.
pub fn gitlab_job_env() -> Vec<(&'static str, String)> {
    vec![
        ("CI", "true".into()),
        ("GITLAB_CI", "true".into()),
        ("CI_PIPELINE_ID", PIPELINE_ID.into()),
        ("CI_JOB_ID", GITLAB_JOB_ID.into()),
        ("CI_JOB_NAME", "test".into()),
    ]
}

/// A command with the test's own OpenTelemetry variables removed and `env` and the tool's
/// exporter settings added.
pub fn tool(
    program: impl AsRef<std::ffi::OsStr>,
    ciotel: &Ciotel,
    env: &[(&str, String)],
) -> Command {
    let mut cmd = Command::new(program);
    for var in [
        "TRACEPARENT",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_SERVICE_NAME",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_TRACES_EXPORTER",
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "CIOTEL_JOB_ID",
    ] {
        cmd.env_remove(var);
    }
    cmd.current_dir(ciotel.dir.path())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", ciotel.otlp_endpoint())
        .env("OTEL_EXPORTER_OTLP_INSECURE", "true")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd
}

/// Panics with the command's output unless it succeeded.
pub fn check(out: Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ciotel traceparent` run in a job with `env`, as `export TRACEPARENT=$(ciotel traceparent)`
/// would: the printed value.
pub fn traceparent(ciotel: &Ciotel, env: &[(&str, String)]) -> String {
    let out = tool(binary(), ciotel, env)
        .arg("traceparent")
        .output()
        .expect("run ciotel traceparent");
    let value = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    check(out, "ciotel traceparent");
    value
}

/// A span's parent span id (empty for a root).
pub fn parent(span: &Value) -> &str {
    span["parentSpanId"].as_str().unwrap_or("")
}

/// A span attribute as text (string or integer values).
pub fn attr(span: &Value, key: &str) -> Option<String> {
    attr_in(&span["attributes"], key)
}

/// A resource attribute of the span's resource as text.
pub fn resource_attr(span: &Value, key: &str) -> Option<String> {
    attr_in(&span["_resource"]["attributes"], key)
}

/// A span attribute's OTLP/JSON `AnyValue`, whatever its type.
pub fn attr_value(span: &Value, key: &str) -> Option<Value> {
    let attrs = span["attributes"].as_array()?;
    Some(attrs.iter().find(|kv| kv["key"] == key)?["value"].clone())
}

/// The attribute `key` in an OTLP/JSON attribute list, as text.
pub fn attr_in(attrs: &Value, key: &str) -> Option<String> {
    let kv = attrs.as_array()?.iter().find(|kv| kv["key"] == key)?;
    let value = &kv["value"];
    value["stringValue"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| value["intValue"].as_str().map(str::to_owned))
        .or_else(|| value["intValue"].as_i64().map(|i| i.to_string()))
}
