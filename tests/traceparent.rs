//! `ciotel traceparent`, run as a CI job would run it: in a clean environment that holds only
//! what GitHub Actions or GitLab CI set. The value must point at the spans the receivers emit
//! for that job (checked against the GitHub fixture job translated by the real mapping), the
//! output forms must be usable as documented, and every missing or malformed variable must be
//! named, with exit code 2.

mod support;

use ciotel_cicd::IdRecipe;
use ciotel_cicd::ids::JobKey;
use opentelemetry_proto::tonic::trace::v1::Span;
use std::path::Path;
use std::process::{Command, Output};
use support::binary;

/// Run 14460881260, attempt 13, job "test (1.23)" with check-run id 40685651258.
const JOB_FIXTURE: &str = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
const RUN_ID: &str = "14460881260";
const ATTEMPT: &str = "13";
const JOB_ID: &str = "40685651258";

/// Runs `ciotel traceparent ARGS` with exactly `env` (plus PATH, for --exec).
fn traceparent(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(binary())
        .arg("traceparent")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .expect("run ciotel traceparent")
}

fn github_job() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_RUN_ID", RUN_ID),
        ("GITHUB_RUN_ATTEMPT", ATTEMPT),
        ("CIOTEL_JOB_ID", JOB_ID),
    ]
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The single line printed, after checking the command succeeded.
fn value(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", stderr(out));
    let text = stdout(out);
    assert!(
        text.ends_with('\n') && text.lines().count() == 1,
        "{text:?}"
    );
    text.trim_end().to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The spans the github receiver emits for the fixture job (same mapping, same translator).
fn receiver_spans(recipe: IdRecipe) -> Vec<Span> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(JOB_FIXTURE);
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let event = ciotel_github::map_webhook("workflow_job", &body)
        .expect("the fixture maps")
        .expect("the fixture is a job event");
    ciotel_cicd::translate(&event, recipe)
        .into_iter()
        .flat_map(|r| r.scope_spans)
        .flat_map(|s| s.spans)
        .collect()
}

fn expected(span: &Span) -> String {
    format!("00-{}-{}-01", hex(&span.trace_id), hex(&span.span_id))
}

#[test]
fn github_job_value_points_at_the_job_span_the_receiver_emits() {
    let spans = receiver_spans(IdRecipe::CheckRun);
    let job = spans
        .iter()
        .find(|s| s.name == "test (1.23)")
        .expect("job span");
    let out = traceparent(&[], &github_job());
    assert_eq!(value(&out), expected(job));
    assert_eq!(stderr(&out), "", "nothing to say when the job is known");
    // The same from --job-id, without CIOTEL_JOB_ID.
    let mut env = github_job();
    env.pop();
    assert_eq!(
        value(&traceparent(&["--job-id", JOB_ID], &env)),
        expected(job)
    );
}

#[test]
fn github_step_values_point_at_each_step_span_the_receiver_emits() {
    let spans = receiver_spans(IdRecipe::CheckRun);
    let job = spans.iter().find(|s| s.name == "test (1.23)").unwrap();
    let steps: Vec<&Span> = spans
        .iter()
        .filter(|s| s.parent_span_id == job.span_id && s.name != "queue")
        .collect();
    assert_eq!(steps.len(), 8);
    for step in steps {
        let out = traceparent(&["--step", &step.name], &github_job());
        assert_eq!(value(&out), expected(step), "step {}", step.name);
    }
}

#[test]
fn legacy_recipe_values_match_the_legacy_receiver_spans() {
    let spans = receiver_spans(IdRecipe::Legacy);
    let job = spans.iter().find(|s| s.name == "test (1.23)").unwrap();
    let step = spans.iter().find(|s| s.name == "Make test-all").unwrap();
    let mut env = github_job();
    env.pop();
    env.push(("CIOTEL_JOB_NAME", "test (1.23)"));
    let out = traceparent(&["--trace-id-recipe", "legacy"], &env);
    assert_eq!(value(&out), expected(job));
    let out = traceparent(
        &[
            "--trace-id-recipe",
            "legacy",
            "--step",
            "Make test-all",
            "--step-number",
            "4",
        ],
        &env,
    );
    assert_eq!(value(&out), expected(step));
}

#[test]
fn without_a_job_id_the_value_points_at_the_run_root_and_stderr_says_so() {
    let mut env = github_job();
    env.pop();
    let out = traceparent(&[], &env);
    assert_eq!(
        value(&out),
        "00-731ec8a47fd7450f753a812a4a8aa5a0-aba151af7cfbcf0f-01"
    );
    let note = stderr(&out);
    assert!(note.contains("no job id"), "{note}");
    assert!(note.contains("job.check_run_id"), "{note}");
    assert!(note.contains("root span"), "{note}");
}

#[test]
fn env_form_prints_an_assignment_for_github_env_or_a_dotenv_report() {
    let plain = value(&traceparent(&[], &github_job()));
    let out = traceparent(&["--env"], &github_job());
    assert_eq!(value(&out), format!("TRACEPARENT={plain}"));
}

#[test]
fn exec_runs_the_command_with_traceparent_set_and_returns_its_exit_code() {
    let plain = value(&traceparent(&[], &github_job()));
    let out = traceparent(
        &[
            "--exec",
            "--",
            "sh",
            "-c",
            "printf '%s' \"$TRACEPARENT\"; exit 7",
        ],
        &github_job(),
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert_eq!(stdout(&out), plain);
    let ok = traceparent(&["--exec", "--", "true"], &github_job());
    assert_eq!(ok.status.code(), Some(0));
    let missing = traceparent(&["--exec", "--", "no-such-command-ciotel"], &github_job());
    assert_eq!(missing.status.code(), Some(127));
    assert!(
        stderr(&missing).contains("no-such-command-ciotel"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn gitlab_job_value_uses_the_pipeline_and_job_ids() {
    // Pipeline 2366, job 1977 (the Collector's gitlabreceiver `job.success.json` fixture).
    let env = [
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_ID", "2366"),
        ("CI_JOB_ID", "1977"),
    ];
    let recipe = IdRecipe::Gitlab;
    let job = JobKey {
        run_id: "2366",
        run_attempt: 1,
        job_id: "1977",
        job_name: "",
    };
    let want = format!(
        "00-{}-{}-01",
        recipe.trace_id("2366", 1),
        recipe.job_span_id(&job)
    );
    assert_eq!(value(&traceparent(&[], &env)), want);
    // --platform gitlab needs no GITLAB_CI.
    assert_eq!(
        value(&traceparent(&["--platform", "gitlab"], &env[1..])),
        want
    );
}

/// Arguments, environment, and what stderr must say (empty: it must succeed).
type Case = (
    Vec<&'static str>,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

#[test]
fn missing_or_malformed_variables_exit_2_naming_them() {
    let cases: Vec<Case> = vec![
        (vec![], vec![], "neither GITHUB_ACTIONS nor GITLAB_CI"),
        (
            vec![],
            vec![("GITHUB_ACTIONS", "true"), ("GITHUB_RUN_ATTEMPT", "1")],
            "GITHUB_RUN_ID is not set",
        ),
        (
            vec!["--platform", "github"],
            vec![("GITHUB_RUN_ID", "5")],
            "GITHUB_RUN_ATTEMPT is not set",
        ),
        (
            vec![],
            vec![
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_RUN_ID", "5"),
                ("GITHUB_RUN_ATTEMPT", "1"),
                ("CIOTEL_JOB_ID", ""),
            ],
            "",
        ),
        (
            vec!["--job-id", "build"],
            vec![
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_RUN_ID", "5"),
                ("GITHUB_RUN_ATTEMPT", "1"),
            ],
            "--job-id=`build` is not a number",
        ),
        (
            vec![],
            vec![("GITLAB_CI", "true"), ("CI_JOB_ID", "3")],
            "CI_PIPELINE_ID is not set",
        ),
        (
            vec![],
            vec![("GITLAB_CI", "true"), ("CI_PIPELINE_ID", "3")],
            "CI_JOB_ID is not set",
        ),
        (vec!["--exec"], github_job(), "--exec needs a command"),
    ];
    for (args, env, message) in cases {
        let out = traceparent(&args, &env);
        if message.is_empty() {
            // An empty CIOTEL_JOB_ID (an unexpanded or unset expression) counts as no job id.
            assert!(out.status.success(), "{args:?} {env:?}: {}", stderr(&out));
            assert!(stderr(&out).contains("no job id"), "{}", stderr(&out));
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}");
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        assert!(
            stderr(&out).contains(message),
            "{args:?} {env:?}: expected {message:?} in {:?}",
            stderr(&out)
        );
    }
}
