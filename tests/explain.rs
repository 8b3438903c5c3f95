//! `ciotel explain`, black box: OTLP JSON lines made from the real CI payload fixtures in
//! `../shared/fixtures` (mapped and translated in-process with the receivers' own mappings,
//! then encoded as the `file` exporter writes them; GitLab runner phases, which no payload
//! carries, added as a receiver would emit them) or written by hand for Jenkins (no published
//! sample exists), given to the binary;
//! its output is checked against `tests/golden/explain/*`. For each pack: runs where the
//! platform failed and runs where the change failed; user rules overriding packs; `--run`,
//! `--format json`, stdin, colour; and the daemon's own file exporter output.
//!
//! To regenerate the goldens: `UPDATE_GOLDEN=1 cargo test --test explain`, then review the diff.

mod support;

use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_cicd::{CiEvent, CiResult, IdRecipe, Phase, Step, Timestamp, translate_all};
use ciotel_core::config::checked::checked_map;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use serde::Deserialize;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::TempDir;

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/explain")
}

fn fixture(path: &str) -> Value {
    let file = fixtures().join(path);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared fixtures are needed)", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A GitHub webhook body mapped as the `github` receiver maps it.
fn github(event: &str, body: &Value) -> CiEvent {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    match ciotel_github::map_webhook(event, &bytes) {
        Ok(Some(e)) => e,
        other => panic!("{event}: {other:?}"),
    }
}

/// One OTLP JSON line per batch of events, as the `file` exporter writes them.
fn otlp_lines(batches: &[Vec<CiEvent>], recipe: IdRecipe) -> String {
    batches
        .iter()
        .map(|events| {
            let req = ExportTraceServiceRequest {
                resource_spans: translate_all(events, recipe),
            };
            let mut line =
                String::from_utf8(ciotel_otlp::json::encode_traces(&req)).unwrap_or_default();
            line.push('\n');
            line
        })
        .collect()
}

/// Sets a step's result, as GitHub reports it: `Some(conclusion)` completed, `None` still
/// running when the job ended. Later steps get `later` (`skipped`, or `None`: never started).
fn step_result(job: &mut Value, step: &str, conclusion: Option<&str>, later: Option<&str>) {
    let steps = job["workflow_job"]["steps"].as_array_mut().expect("steps");
    let at = steps
        .iter()
        .position(|s| s["name"] == step)
        .unwrap_or_else(|| panic!("no step {step}"));
    for (i, s) in steps.iter_mut().enumerate() {
        if i == at {
            match conclusion {
                Some(c) => s["conclusion"] = json!(c),
                None => {
                    s["status"] = json!("in_progress");
                    s["conclusion"] = Value::Null;
                    s["completed_at"] = Value::Null;
                }
            }
        } else if i > at {
            match later {
                Some(c) => s["conclusion"] = json!(c),
                None => {
                    s["status"] = json!("queued");
                    s["conclusion"] = Value::Null;
                    s["started_at"] = Value::Null;
                    s["completed_at"] = Value::Null;
                }
            }
        }
    }
    job["workflow_job"]["conclusion"] = json!("failure");
}

/// Run 14460881260 attempt 13 (failed) and its job "test (1.23)" from the Collector's testdata,
/// the job edited by `edit`.
fn collector_run(edit: impl FnOnce(&mut Value)) -> String {
    let mut job = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    edit(&mut job);
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    // As GitHub delivers them: each job when it completes, the run last.
    otlp_lines(
        &[
            vec![github("workflow_job", &job)],
            vec![github("workflow_run", &run)],
        ],
        IdRecipe::CheckRun,
    )
}

/// octokit's failed "linters" job (run 2202229078), with its run: octokit's completed run
/// re-pointed at that run, its repository and its times, and failed.
fn octokit_run(edit: impl FnOnce(&mut Value)) -> String {
    let mut job = fixture("github/webhooks/workflow_job.completed.failure.with-organization.json");
    edit(&mut job);
    let mut run = fixture("github/webhooks/workflow_run.completed.json");
    run["workflow_run"]["id"] = job["workflow_job"]["run_id"].clone();
    run["workflow_run"]["name"] = json!("CodeQL");
    run["workflow_run"]["conclusion"] = json!("failure");
    run["workflow_run"]["repository"] = job["repository"].clone();
    run["workflow_run"]["run_started_at"] = job["workflow_job"]["created_at"].clone();
    run["workflow_run"]["updated_at"] = json!("2021-08-05T10:38:20Z");
    otlp_lines(
        &[
            vec![github("workflow_job", &job)],
            vec![github("workflow_run", &run)],
        ],
        IdRecipe::CheckRun,
    )
}

/// A GitLab webhook body mapped as the `gitlab` receiver maps it.
fn gitlab(event: &str, body: &Value) -> Vec<CiEvent> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    match ciotel_gitlab::map_webhook(event, &bytes) {
        Ok(Some(events)) => events,
        other => panic!("{event}: {other:?}"),
    }
}

/// One OTLP JSON line of GitLab events, translated as the `gitlab` receiver does.
fn gitlab_line(events: &[CiEvent]) -> String {
    let req = ExportTraceServiceRequest {
        resource_spans: ciotel_gitlab::translate(events),
    };
    let mut line = String::from_utf8(ciotel_otlp::json::encode_traces(&req)).unwrap_or_default();
    line.push('\n');
    line
}

/// The Collector's `pipeline.valid_with_jobs.json` (pipeline 1 of test/project: `build-job`
/// in stage build, `test-job` in stage test), failed, its builds edited by `edit`: one
/// Pipeline Hook, which lists its jobs, so run and jobs arrive in one batch.
fn gitlab_pipeline(edit: impl FnOnce(&mut Vec<Value>)) -> Vec<CiEvent> {
    let mut hook = fixture("otel-contrib/gitlabreceiver/pipeline.valid_with_jobs.json");
    hook["object_attributes"]["status"] = json!("failed");
    if let Some(builds) = hook["builds"].as_array_mut() {
        edit(builds);
    }
    gitlab("Pipeline Hook", &hook)
}

/// Marks a build failed with `reason`.
fn fail(build: &mut Value, reason: &str) {
    build["status"] = json!("failed");
    build["failure_reason"] = json!(reason);
}

/// Marks a build skipped: it never ran.
fn skip(build: &mut Value) {
    build["status"] = json!("skipped");
    for k in ["started_at", "finished_at", "runner", "queued_duration"] {
        build[k] = Value::Null;
    }
}

/// Adds GitLab Runner's phases to the job named `job`: step spans named after the runner's
/// build stages (the sections of a job log), as a receiver that knows them would emit them
/// (webhooks do not carry them). They fill the job's run from its start; `failing` failed and
/// those after it never ran.
fn with_runner_phases(events: &mut [CiEvent], job: &str, failing: &str) {
    let phases = [
        ("prepare_executor", 20),
        ("prepare_script", 5),
        ("get_sources", 15),
        ("restore_cache", 10),
        ("step_script", 400),
        ("archive_cache", 10),
        ("cleanup_file_variables", 5),
    ];
    let Some(CiEvent::Job(j)) = events
        .iter_mut()
        .find(|e| matches!(e, CiEvent::Job(j) if j.name == job))
    else {
        panic!("no job {job}");
    };
    let mut at = j.started_at.expect("a started job").as_unix_nanos();
    for (i, (name, secs)) in phases.iter().enumerate() {
        let failed = *name == failing;
        let end = at + secs * 1_000_000_000;
        j.steps.push(Step {
            name: (*name).into(),
            number: u32::try_from(i + 1).ok(),
            phase: Phase::Completed,
            result: Some(if failed {
                CiResult::Failure
            } else {
                CiResult::Success
            }),
            result_detail: Some(if failed { "failed" } else { "success" }.into()),
            started_at: Some(Timestamp::from_unix_nanos(at)),
            completed_at: Some(Timestamp::from_unix_nanos(end)),
            ..Step::default()
        });
        at = end;
        if failed {
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running `ciotel explain`
// ---------------------------------------------------------------------------------------------

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn explain(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(support::binary())
        .arg("explain")
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ciotel explain");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Output {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Writes `lines` to a file, runs `explain` on it with `args`, and checks stdout against the
/// golden `name`.
fn check(name: &str, lines: &str, args: &[&str]) -> String {
    let dir = TempDir::new("explain");
    let file = dir.join(&format!("{name}.jsonl"));
    std::fs::write(&file, lines).expect("write input");
    let mut all = vec![file.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    let out = explain(&all, None);
    assert!(out.ok, "explain {name} failed:\n{}", out.stderr);
    assert!(
        !out.stdout.contains('\x1b'),
        "no colour when not on a terminal"
    );
    golden(name, &out.stdout);
    out.stdout
}

fn golden(name: &str, actual: &str) {
    let ext = if name.ends_with(".json") { "" } else { ".txt" };
    let path = golden_dir().join(format!("{name}{ext}"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        actual,
        expected,
        "{} differs; actual:\n{actual}",
        path.display()
    );
}

fn verdict_line(text: &str) -> &str {
    text.lines()
        .find(|l| {
            [
                "FAILED",
                "FAILING",
                "PASSED",
                "CANCELLED",
                "SKIPPED",
                "NO RESULT",
            ]
            .iter()
            .any(|w| l.starts_with(w))
        })
        .unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions
// ---------------------------------------------------------------------------------------------

#[test]
fn github_the_change_failed_a_test_step() {
    let out = check(
        "github-change-failed",
        &collector_run(|j| step_result(j, "Make test-all", Some("failure"), Some("skipped"))),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — your change: job \"test (1.23)\" failed in \"Make test-all\""
    );
}

#[test]
fn github_the_change_failed_as_published() {
    // octokit's failed job as published: `Run yarn run format-check` failed.
    let out = check("github-octokit-change-failed", &octokit_run(|_| {}), &[]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — your change: job \"linters\" failed in \"Run yarn run format-check\""
    );
}

#[test]
fn github_the_platform_failed_setting_up_the_job() {
    let out = check(
        "github-setup-failed",
        &collector_run(|j| step_result(j, "Set up job", Some("failure"), Some("skipped"))),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"test (1.23)\" failed in \"Set up job\""
    );
}

#[test]
fn github_the_platform_failed_the_checkout() {
    let out = check(
        "github-checkout-failed",
        &collector_run(|j| {
            step_result(
                j,
                "Run actions/checkout@v4",
                Some("failure"),
                Some("skipped"),
            )
        }),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"test (1.23)\" failed in \"Run actions/checkout@v4\""
    );
}

#[test]
fn github_the_platform_failed_the_cache() {
    let out = check(
        "github-cache-failed",
        &octokit_run(|j| {
            // The cache step fails; the format check it hid never ran.
            step_result(j, "Run actions/cache@v2", Some("failure"), Some("skipped"));
        }),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"linters\" failed in \"Run actions/cache@v2\""
    );
}

#[test]
fn github_the_platform_lost_the_runner() {
    let out = check(
        "github-runner-lost",
        &collector_run(|j| step_result(j, "Make test-all", None, None)),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"test (1.23)\" stopped in \"Make test-all\" with no failing step"
    );
}

#[test]
fn github_stuck_in_the_queue_is_the_platform() {
    let out = check(
        "github-stuck-in-queue",
        &collector_run(|j| {
            let job = &mut j["workflow_job"];
            job["conclusion"] = json!("failure");
            job["steps"] = json!([]);
            job["labels"] = json!(["gpu-large"]);
            for k in [
                "runner_id",
                "runner_name",
                "runner_group_id",
                "runner_group_name",
            ] {
                job[k] = Value::Null;
            }
            job["started_at"] = job["completed_at"].clone();
        }),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"test (1.23)\" never got a runner"
    );
}

#[test]
fn github_a_failed_run_without_its_failed_jobs_is_unknown() {
    // As published: the run failed, the one job we have passed; its failed siblings are not
    // in the input.
    let out = check(
        "github-run-without-failed-jobs",
        &collector_run(|_| {}),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — unknown: no failed job seen (failure)"
    );
}

/// The processor with `yaml` as config, as the daemon would run it.
fn processor(yaml: &str) -> OwnershipProcessor {
    struct W(OwnershipConfig);
    impl<'de> Deserialize<'de> for W {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            checked_map(d, OwnershipConfig::validate).map(W)
        }
    }
    let config = yaml_serde::from_str::<W>(yaml).unwrap_or_else(|e| panic!("{e}"));
    OwnershipProcessor::new(config.0)
}

#[test]
fn github_user_rules_override_the_pack() {
    // `Make test-all` is a script: the pack says the application's. The user's rule makes it
    // (and `Set up …` steps) the platform's, with a team; explain shows the owners the
    // daemon's processor wrote (the file is what the `file` exporter would hold).
    let mut job = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    step_result(&mut job, "Make test-all", Some("failure"), Some("skipped"));
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    let p = processor(
        r#"
rules:
  - name: setup-steps-are-ours
    match: {name: ["glob:Set up *", "Make test-all"], attributes: {ciotel.span.type: step}}
    owner: platform
    team: ci-infra
"#,
    );
    let mut lines = String::new();
    for event in [github("workflow_job", &job), github("workflow_run", &run)] {
        let mut groups = translate_all(&[event], IdRecipe::CheckRun);
        p.process(&mut groups);
        let req = ExportTraceServiceRequest {
            resource_spans: groups,
        };
        lines.push_str(
            &String::from_utf8(ciotel_otlp::json::encode_traces(&req)).unwrap_or_default(),
        );
        lines.push('\n');
    }
    let out = check("github-user-rule", &lines, &[]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"test (1.23)\" failed in \"Make test-all\""
    );
    assert!(out.contains("platform (ci-infra)"), "{out}");

    // Without the rule, the pack's verdict: the change.
    let plain =
        collector_run(|j| step_result(j, "Make test-all", Some("failure"), Some("skipped")));
    let dir = TempDir::new("explain-plain");
    let file = dir.join("plain.jsonl");
    std::fs::write(&file, plain).expect("write");
    let out = explain(&[file.to_str().expect("path")], None);
    assert_eq!(
        verdict_line(&out.stdout),
        "FAILED — your change: job \"test (1.23)\" failed in \"Make test-all\""
    );
}

// ---------------------------------------------------------------------------------------------
// GitLab
// ---------------------------------------------------------------------------------------------

#[test]
fn gitlab_script_failure_of_a_job_hook_is_the_change() {
    // The Collector's job.failed.json as published: a Job Hook alone, the pipeline not (yet)
    // reported.
    let hook = fixture("otel-contrib/gitlabreceiver/job.failed.json");
    let out = check(
        "gitlab-job-hook-script-failure",
        &gitlab_line(&gitlab("Job Hook", &hook)),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILING — your change: job \"build-job\" failed (script_failure)"
    );
}

#[test]
fn gitlab_script_failure_is_the_change() {
    let events = gitlab_pipeline(|b| fail(&mut b[1], "script_failure"));
    let out = check("gitlab-script-failure", &gitlab_line(&events), &[]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — your change: job \"test-job\" failed (script_failure)"
    );
}

#[test]
fn gitlab_script_failure_with_runner_phases_names_the_script() {
    let mut events = gitlab_pipeline(|b| fail(&mut b[1], "script_failure"));
    with_runner_phases(&mut events, "test-job", "step_script");
    let out = check("gitlab-script-failure-phases", &gitlab_line(&events), &[]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — your change: job \"test-job\" failed in \"step_script\" (script_failure)"
    );
}

#[test]
fn gitlab_runner_system_failure_is_the_platform() {
    let mut events = gitlab_pipeline(|b| {
        fail(&mut b[0], "runner_system_failure");
        skip(&mut b[1]);
    });
    with_runner_phases(&mut events, "build-job", "get_sources");
    let out = check("gitlab-runner-system-failure", &gitlab_line(&events), &[]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"build-job\" failed in \"get_sources\" (runner_system_failure)"
    );
}

#[test]
fn gitlab_stuck_or_timeout_is_the_platform() {
    let events = gitlab_pipeline(|b| {
        fail(&mut b[0], "stuck_or_timeout_failure");
        for k in ["started_at", "runner", "queued_duration"] {
            b[0][k] = Value::Null;
        }
        b[0]["finished_at"] = json!("2022-01-01 13:00:00 UTC");
        skip(&mut b[1]);
    });
    let out = check("gitlab-stuck", &gitlab_line(&events), &[]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"build-job\" failed in \"queue\" (stuck_or_timeout_failure)"
    );
}

#[test]
fn gitlab_mixed_failures() {
    // Two jobs of one stage: one lost to GitLab's API, one to its script.
    let events = gitlab_pipeline(|b| {
        fail(&mut b[0], "api_failure");
        fail(&mut b[1], "script_failure");
        b[1]["stage"] = json!("build");
    });
    let out = check("gitlab-mixed", &gitlab_line(&events), &[]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — mixed: 1 job failed on the platform, 1 job by your change"
    );
}

// ---------------------------------------------------------------------------------------------
// Jenkins (hand-written, shaped as the Jenkins OpenTelemetry plugin sends its spans)
// ---------------------------------------------------------------------------------------------

fn jenkins_input(name: &str) -> String {
    let path = golden_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn jenkins_a_failing_step_is_the_change() {
    let out = check(
        "jenkins-step-failed",
        &jenkins_input("jenkins-step-failed.otlp.jsonl"),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — your change: \"BUILD my-pipeline\" failed in \"release-script\" (hudson.AbortException: script returned exit code 2)"
    );
}

#[test]
fn jenkins_no_agent_is_the_platform() {
    let out = check(
        "jenkins-agent-allocation-failed",
        &jenkins_input("jenkins-agent-allocation-failed.otlp.jsonl"),
        &[],
    );
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: \"BUILD my-pipeline\" failed in \"Agent Allocation\" (FlowInterruptedException:ExceededTimeout:Timeout has been exceeded)"
    );
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

fn two_runs() -> String {
    let mut lines =
        collector_run(|j| step_result(j, "Make test-all", Some("failure"), Some("skipped")));
    lines.push_str(&octokit_run(|_| {}));
    lines
}

#[test]
fn json_format_prints_the_verdicts() {
    let out = check("two-runs.json", &two_runs(), &["--format", "json"]);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    assert_eq!(v[1]["verdict"]["owner"], "application");
    assert_eq!(v[1]["run_id"], "14460881260");
}

#[test]
fn run_selects_one_run_by_id_or_trace_id() {
    let dir = TempDir::new("explain-run");
    let file = dir.join("two.jsonl");
    std::fs::write(&file, two_runs()).expect("write");
    let path = file.to_str().expect("path");
    let out = explain(&[path, "--run", "2202229078"], None);
    assert!(out.ok, "{}", out.stderr);
    assert_eq!(out.stdout.matches("FAILED").count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains("job \"linters\""), "{}", out.stdout);

    // The trace id of run 14460881260 attempt 13 (ciotel-cicd's README test vector).
    let out = explain(&[path, "--run", "731ec8a47fd7450f753a812a4a8aa5a0"], None);
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("test (1.23)"), "{}", out.stdout);
    assert!(!out.stdout.contains("linters"), "{}", out.stdout);

    let out = explain(&[path, "--run", "42"], None);
    assert!(!out.ok);
    assert!(out.stderr.contains("no run 42"), "{}", out.stderr);
}

#[test]
fn stdin_and_bad_input() {
    let lines =
        collector_run(|j| step_result(j, "Make test-all", Some("failure"), Some("skipped")));
    let out = explain(&["-"], Some(&lines));
    assert!(out.ok, "{}", out.stderr);
    golden("github-change-failed", &out.stdout);

    // A half-written last line is skipped with a warning naming it.
    let truncated = format!("{lines}{{\"resourceSpans\":[{{\"resou");
    let out = explain(&["-", "--no-color"], Some(&truncated));
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stderr.contains("-:3: line skipped"), "{}", out.stderr);

    let out = explain(&["-"], Some("not json\n"));
    assert!(!out.ok);
    assert!(out.stderr.contains("no spans found"), "{}", out.stderr);

    let out = explain(&["/nonexistent/ciotel.jsonl"], None);
    assert!(!out.ok);
    assert!(
        out.stderr.contains("cannot read /nonexistent/ciotel.jsonl"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// The daemon's own output
// ---------------------------------------------------------------------------------------------

#[test]
fn the_daemons_file_output_explains_itself() {
    // github webhook receiver → cicd_ownership (a user rule) → file exporter; then explain.
    let dir = TempDir::new("explain-daemon");
    let out_file = dir.join("traces.jsonl");
    let config = format!(
        r#"
receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      insecure: true
processors:
  cicd_ownership:
    rules:
      - name: make-is-ops
        match: {{name: "Make test-all"}}
        owner: platform
        team: build-infra
exporters:
  file:
    path: {}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [github]
      processors: [cicd_ownership]
      exporters: [file]
"#,
        out_file.display()
    );
    let mut daemon = support::Daemon::start(&dir, "explain-daemon", &config);
    let address = daemon.address("github", "webhook");
    let mut job = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    step_result(&mut job, "Make test-all", Some("failure"), Some("skipped"));
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    let client = reqwest::blocking::Client::new();
    for (event, body) in [("workflow_job", &job), ("workflow_run", &run)] {
        let r = client
            .post(format!("http://{address}/events/github"))
            .header("X-GitHub-Event", event)
            .header("X-GitHub-Delivery", format!("delivery-{event}"))
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(body).unwrap_or_default())
            .send()
            .expect("post webhook");
        assert!(r.status().is_success(), "{event}: {}", r.status());
    }
    support::wait_for("both batches in the file", || {
        (support::read_json_lines(&out_file).len() >= 2).then_some(())
    });
    daemon.terminate();
    let out = explain(&[out_file.to_str().expect("path")], None);
    assert!(out.ok, "{}", out.stderr);
    assert_eq!(
        verdict_line(&out.stdout),
        "FAILED — platform: job \"test (1.23)\" failed in \"Make test-all\"",
        "the run was judged from the cache of the job's verdict:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("platform (build-infra)"),
        "{}",
        out.stdout
    );
}

#[test]
fn invalid_ownership_rules_are_config_errors_with_file_and_line() {
    let dir = TempDir::new("explain-validate");
    let path = dir.join("bad.yaml");
    let config = "receivers:\n  otlp:\nprocessors:\n  cicd_ownership:\n    rules:\n      - name: gpu\n        match: {attributes: {cicd.worker.name: \"regex:^gpu-(\"}}\n        owner: platform\nexporters:\n  debug:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [cicd_ownership]\n      exporters: [debug]\n";
    std::fs::write(&path, config).expect("write config");
    let out = Command::new(support::binary())
        .args(["validate", "--config"])
        .arg(&path)
        .output()
        .expect("run validate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("bad.yaml:7:48: processors.cicd_ownership.rules[0].match.attributes.cicd.worker.name: invalid regex `^gpu-(`"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// --config: the daemon config's own cicd_ownership rules
// ---------------------------------------------------------------------------------------------

/// A daemon config with two `cicd_ownership` processors: `cicd_ownership/ours` (a rule making
/// `Set up …` steps the platform's, team ci-infra) in the traces pipeline, and
/// `cicd_ownership/plain` (no rules), defined but unused.
const TWO_OWNERSHIP_PROCESSORS: &str = r#"
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:0}
processors:
  cicd_ownership/ours:
    rules:
      - name: make-is-ours
        match: {name: "Make test-all", attributes: {ciotel.span.type: step}}
        owner: platform
        team: ci-infra
  cicd_ownership/plain:
    default_owner: application
exporters:
  debug: {}
service:
  pipelines:
    traces: {receivers: [otlp], processors: [cicd_ownership/ours], exporters: [debug]}
"#;

#[test]
fn config_applies_the_daemons_own_ownership_rules() {
    // A file written without cicd_ownership (untagged), failed in `Make test-all`: the pack
    // alone says the change; the config's rule, in its traces pipeline, says the platform.
    let lines =
        collector_run(|j| step_result(j, "Make test-all", Some("failure"), Some("skipped")));
    let dir = TempDir::new("explain-config");
    let config = dir.join("ciotel.yaml");
    std::fs::write(&config, TWO_OWNERSHIP_PROCESSORS).expect("write config");
    let config = config.to_str().expect("utf-8 path");
    let out = check("github-config-rule", &lines, &["--config", config]);
    assert_eq!(
        verdict_line(&out),
        "FAILED — platform: job \"test (1.23)\" failed in \"Make test-all\""
    );
    assert!(out.contains("platform (ci-infra)"), "{out}");

    // The other processor, by id: no rule, the change.
    let file = dir.join("in.jsonl");
    std::fs::write(&file, &lines).expect("write");
    let file = file.to_str().expect("utf-8 path");
    let plain = explain(
        &[
            file,
            "--config",
            config,
            "--processor",
            "cicd_ownership/plain",
        ],
        None,
    );
    assert!(plain.ok, "{}", plain.stderr);
    assert_eq!(
        verdict_line(&plain.stdout),
        "FAILED — your change: job \"test (1.23)\" failed in \"Make test-all\""
    );

    // A processor the file does not have: exit 1, naming what it has.
    let wrong = explain(
        &[
            file,
            "--config",
            config,
            "--processor",
            "cicd_ownership/nope",
        ],
        None,
    );
    assert!(!wrong.ok);
    assert!(
        wrong
            .stderr
            .contains("no cicd_ownership processor `cicd_ownership/nope`")
            && wrong
                .stderr
                .contains("cicd_ownership/ours, cicd_ownership/plain"),
        "{}",
        wrong.stderr
    );

    // Both in traces pipelines: which one is ambiguous.
    let ambiguous = dir.join("ambiguous.yaml");
    std::fs::write(
        &ambiguous,
        TWO_OWNERSHIP_PROCESSORS.replace(
            "processors: [cicd_ownership/ours]",
            "processors: [cicd_ownership/ours, cicd_ownership/plain]",
        ),
    )
    .expect("write config");
    let out = explain(
        &[file, "--config", ambiguous.to_str().expect("utf-8 path")],
        None,
    );
    assert!(!out.ok);
    assert!(
        out.stderr.contains("pick one with --processor ID"),
        "{}",
        out.stderr
    );
}
