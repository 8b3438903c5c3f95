//! In-job telemetry joins the pipeline trace, end to end with real clients:
//!
//! ```text
//! GitHub / GitLab webhook fixtures ──▶ ciotel ──▶ run, job, queue and step spans ─┐
//! pytest + pytest-otel, Ansible    ──OTLP gRPC──▶ ciotel ─ cicd_hierarchy ──────────┴─▶ file
//!    inside an environment that looks like the fixture's job
//! ```
//!
//! - with `TRACEPARENT` from `ciotel traceparent` (`--exec`, or its printed value), the tools'
//!   root spans arrive as children of the job span the webhook produced, in the run's trace;
//! - without it, with the run and job ids in `OTEL_RESOURCE_ATTRIBUTES`, the `cicd_hierarchy`
//!   processor re-homes them to the same place;
//! - GitLab the same with `CI_PIPELINE_ID` / `CI_JOB_ID`, under the job span the gitlab
//!   receiver made from the fixture's Job Hook;
//! - spans shaped like the Jenkins plugin's keep their trace and gain `cicd.*` attributes;
//! - spans without CI identity pass unchanged.

mod support;

use ciotel_cicd::IdRecipe;
use ciotel_cicd::ids::{JobKey, trace_id};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{Daemon, TempDir, binary, python, read_json_lines, run_client, spans_in, wait_for};

/// The fixture run: run 14460881260, attempt 13, job "test (1.23)" = check run 40685651258.
const RUN_FIXTURE: &str = "otel-contrib/githubreceiver/workflow-run-completed.b985387c.json";
const JOB_FIXTURE: &str = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
const RUN_ID: &str = "14460881260";
const ATTEMPT: &str = "13";
const JOB_ID: &str = "40685651258";
const JOB_NAME: &str = "test (1.23)";
const SECRET: &str = "in-job-telemetry-test-secret";

/// GitLab pipeline 2366, job 1977 "test" (the Collector's gitlabreceiver `job.success.json`).
const GITLAB_JOB_FIXTURE: &str = "otel-contrib/gitlabreceiver/job.success.json";
const PIPELINE_ID: &str = "2366";
const GITLAB_JOB_ID: &str = "1977";

/// A running ciotel with the github and gitlab webhooks, OTLP in, `cicd_hierarchy`, and a
/// file out.
struct Ciotel {
    dir: TempDir,
    daemon: Daemon,
}

impl Ciotel {
    fn start(label: &str) -> Ciotel {
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
    fn otlp_endpoint(&self) -> String {
        format!("http://{}", self.daemon.address("otlp", "grpc"))
    }

    fn spans(&self) -> Vec<Value> {
        spans_in(&read_json_lines(&self.dir.join("traces.jsonl")))
    }

    /// Waits for a span matching `pick`.
    fn span(&self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        wait_for(what, || self.spans().into_iter().find(|s| pick(s)))
    }

    /// Posts the fixture run's signed `workflow_run` and `workflow_job` deliveries and returns
    /// the job span the receiver emitted.
    fn github_run(&self) -> Value {
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
    fn gitlab_job(&self) -> Value {
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

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(path)
}

fn client(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

/// The environment of a GitHub Actions job of the fixture run (what the runner sets, plus the
/// `CIOTEL_JOB_ID: ${{ job.check_run_id }}` a workflow adds).
fn github_job_env() -> Vec<(&'static str, String)> {
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
fn gitlab_job_env() -> Vec<(&'static str, String)> {
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
fn tool(program: impl AsRef<std::ffi::OsStr>, ciotel: &Ciotel, env: &[(&str, String)]) -> Command {
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

/// The arguments of a pytest session on the sample suite, with pytest-otel naming its session
/// span `session`.
fn pytest_args(session: &str) -> Vec<String> {
    vec![
        "-m".into(),
        "pytest".into(),
        client("in_job_pytest_suite.py").display().to_string(),
        "-q".into(),
        "-p".into(),
        "no:cacheprovider".into(),
        "--otel-service-name=ciotel-in-job-tests".into(),
        format!("--otel-session-name={session}"),
    ]
}

fn check(out: Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs pytest as a job step would, optionally through `ciotel traceparent --exec`.
fn run_pytest(ciotel: &Ciotel, env: &[(&str, String)], session: &str, via_traceparent: bool) {
    let out = if via_traceparent {
        tool(binary(), ciotel, env)
            .args(["traceparent", "--exec", "--"])
            .arg(python())
            .args(pytest_args(session))
            .output()
    } else {
        tool(python(), ciotel, env)
            .args(pytest_args(session))
            .output()
    };
    check(out.expect("run pytest"), "pytest with pytest-otel");
}

fn parent(span: &Value) -> &str {
    span["parentSpanId"].as_str().unwrap_or("")
}

fn attr(span: &Value, key: &str) -> Option<String> {
    attr_in(&span["attributes"], key)
}

fn resource_attr(span: &Value, key: &str) -> Option<String> {
    attr_in(&span["_resource"]["attributes"], key)
}

fn attr_in(attrs: &Value, key: &str) -> Option<String> {
    let kv = attrs.as_array()?.iter().find(|kv| kv["key"] == key)?;
    let value = &kv["value"];
    value["stringValue"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| value["intValue"].as_str().map(str::to_owned))
        .or_else(|| value["intValue"].as_i64().map(|i| i.to_string()))
}

/// Waits for pytest-otel's session span `session` and its three test spans; checks they form
/// one tree whose root hangs under `trace`/`parent_span`, and returns the session span.
fn pytest_tree(ciotel: &Ciotel, session: &str, trace: &str, parent_span: &str) -> Value {
    let root = ciotel.span(session, |s| s["name"] == session);
    let id = root["spanId"].as_str().unwrap_or_default().to_owned();
    let tests = wait_for("the three test spans", || {
        let tests: Vec<Value> = ciotel
            .spans()
            .into_iter()
            .filter(|s| parent(s) == id)
            .collect();
        (tests.len() == 3).then_some(tests)
    });
    assert_eq!(
        root["traceId"], trace,
        "the session span is in the run's trace"
    );
    assert_eq!(
        parent(&root),
        parent_span,
        "the session span hangs under the job"
    );
    let mut names: Vec<&str> = tests.iter().filter_map(|s| s["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Running test_arithmetic",
            "Running test_lists",
            "Running test_strings"
        ]
    );
    for test in &tests {
        assert_eq!(test["traceId"], trace, "{}", test["name"]);
    }
    assert_eq!(
        resource_attr(&root, "service.name").as_deref(),
        Some("ciotel-in-job-tests")
    );
    root
}

#[test]
fn github_pytest_spans_with_traceparent_land_under_the_job_span() {
    let ciotel = Ciotel::start("in-job-gh-tp");
    let job = ciotel.github_run();
    run_pytest(&ciotel, &github_job_env(), "pytest (traceparent)", true);
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();
    let root = pytest_tree(&ciotel, "pytest (traceparent)", trace, job_span);
    assert_eq!(
        attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID),
        None,
        "TRACEPARENT put it in place: nothing was moved"
    );
}

#[test]
fn github_pytest_spans_with_resource_attributes_are_rehomed_under_the_job_span() {
    let ciotel = Ciotel::start("in-job-gh-res");
    let job = ciotel.github_run();
    let mut env = github_job_env();
    env.push((
        "OTEL_RESOURCE_ATTRIBUTES",
        format!("github.run.id={RUN_ID},github.run.attempt={ATTEMPT},github.job.id={JOB_ID}"),
    ));
    run_pytest(&ciotel, &env, "pytest (resource attributes)", false);
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();
    let root = pytest_tree(&ciotel, "pytest (resource attributes)", trace, job_span);
    let original = attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID)
        .expect("a moved span keeps its original trace id");
    assert_eq!(original.len(), 32);
    assert_ne!(original, trace);
    assert_eq!(
        resource_attr(&root, "github.job.id").as_deref(),
        Some(JOB_ID)
    );
}

#[test]
fn gitlab_pytest_spans_land_under_the_job_span_both_ways() {
    let ciotel = Ciotel::start("in-job-gitlab");
    let job = ciotel.gitlab_job();
    let trace = job["traceId"].as_str().unwrap().to_owned();
    let job_span = job["spanId"].as_str().unwrap().to_owned();

    run_pytest(&ciotel, &gitlab_job_env(), "gitlab (traceparent)", true);
    pytest_tree(&ciotel, "gitlab (traceparent)", &trace, &job_span);

    let mut env = gitlab_job_env();
    env.push((
        "OTEL_RESOURCE_ATTRIBUTES",
        format!("gitlab.pipeline.id={PIPELINE_ID},gitlab.job.id={GITLAB_JOB_ID}"),
    ));
    run_pytest(&ciotel, &env, "gitlab (resource attributes)", false);
    pytest_tree(&ciotel, "gitlab (resource attributes)", &trace, &job_span);

    // The same session outside any CI job: no identity, so nothing is moved.
    run_pytest(&ciotel, &[], "no ci", false);
    let root = ciotel.span("no ci", |s| s["name"] == "no ci");
    assert_eq!(parent(&root), "", "still a root");
    assert_ne!(root["traceId"], trace.as_str());
    assert_eq!(attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID), None);
}

#[test]
fn ansible_playbook_with_traceparent_lands_under_the_job_span() {
    let ciotel = Ciotel::start("in-job-ansible");
    let job = ciotel.github_run();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();

    // `export TRACEPARENT=$(ciotel traceparent)`, as a job step would.
    let out = tool(binary(), &ciotel, &github_job_env())
        .arg("traceparent")
        .output()
        .expect("run ciotel traceparent");
    let value = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    check(out, "ciotel traceparent");
    assert_eq!(value, format!("00-{trace}-{job_span}-01"));

    let playbook = ciotel.dir.join("deploy.yml");
    std::fs::write(
        &playbook,
        "- name: deploy\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - name: say hello\n      ansible.builtin.debug:\n        msg: hello from the job\n",
    )
    .expect("write playbook");
    let python = python();
    let ansible_playbook = python
        .parent()
        .expect("python's directory")
        .join("ansible-playbook");
    let home = ciotel.dir.join("ansible-home");
    let mut env = github_job_env();
    env.extend([
        ("TRACEPARENT", value),
        ("OTEL_SERVICE_NAME", "ansible-deploy".into()),
        (
            "ANSIBLE_CALLBACKS_ENABLED",
            "community.general.opentelemetry".into(),
        ),
        ("ANSIBLE_HOME", home.display().to_string()),
        ("ANSIBLE_LOCAL_TEMP", home.join("tmp").display().to_string()),
        ("ANSIBLE_NOCOLOR", "true".into()),
        ("ANSIBLE_HOST_KEY_CHECKING", "false".into()),
        ("LC_ALL", "C.UTF-8".into()),
        ("LANG", "C.UTF-8".into()),
    ]);
    let out = tool(&ansible_playbook, &ciotel, &env)
        .args(["-i", "localhost,", "-e"])
        .arg(format!("ansible_python_interpreter={}", python.display()))
        .arg(&playbook)
        .output()
        .expect("run ansible-playbook");
    check(out, "ansible-playbook with the opentelemetry callback");

    let root = ciotel.span("the playbook span", |s| s["name"] == "deploy.yml");
    assert_eq!(root["traceId"], trace);
    assert_eq!(parent(&root), job_span, "the playbook hangs under the job");
    assert_eq!(
        resource_attr(&root, "service.name").as_deref(),
        Some("ansible-deploy")
    );
    let root_id = root["spanId"].as_str().unwrap_or_default().to_owned();
    let task = ciotel.span("the task span", |s| parent(s) == root_id);
    assert_eq!(task["traceId"], trace);
    assert!(
        task["name"].as_str().unwrap_or("").contains("say hello"),
        "{}",
        task["name"]
    );
}

#[test]
fn jenkins_shaped_spans_keep_their_trace_and_gain_cicd_attributes() {
    let ciotel = Ciotel::start("in-job-jenkins");
    let endpoint = ciotel.otlp_endpoint();
    let printed = run_client("send_jenkins_spans.py", &[&endpoint], &[]);
    let trace = printed.trim().lines().last().unwrap_or_default().to_owned();
    assert_eq!(trace.len(), 32, "{printed}");

    let spans = wait_for("the four Jenkins spans", || {
        let spans = ciotel.spans();
        (spans.len() == 4).then_some(spans)
    });
    let by_name = |name: &str| {
        spans
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no span {name}"))
    };
    let root = by_name("BUILD my-team/my-app/main");
    let expected = [
        ("cicd.pipeline.name", "my-team » my-app » main"),
        ("cicd.pipeline.run.id", "my-team/my-app/main#42"),
        (
            "cicd.pipeline.run.url.full",
            "https://jenkins.example.com/job/my-team/job/my-app/job/main/42/",
        ),
        ("cicd.pipeline.result", "failure"),
        ("cicd.worker.id", "linux-agent-7"),
        ("ciotel.run.actor", "ada"),
        // The originals stay.
        ("ci.pipeline.id", "my-team/my-app/main"),
        ("ci.pipeline.run.number", "42"),
        ("ci.pipeline.run.result", "UNSTABLE"),
    ];
    for (key, value) in expected {
        assert_eq!(attr(root, key).as_deref(), Some(value), "{key}");
    }
    for span in &spans {
        assert_eq!(
            span["traceId"],
            trace.as_str(),
            "{} stays in its trace",
            span["name"]
        );
        assert_eq!(attr(span, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID), None);
    }
    assert_eq!(parent(root), "", "the build span is still the root");
    let step = by_name("sh");
    assert_eq!(
        attr(step, "cicd.pipeline.name"),
        None,
        "steps carry no ci.pipeline.*"
    );
    assert_eq!(
        attr(step, "jenkins.pipeline.step.type").as_deref(),
        Some("sh")
    );
}
