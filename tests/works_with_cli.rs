//! Works with the span CLIs a job script calls, end to end with the real binary:
//!
//! ```text
//! GitHub / GitLab webhook fixtures ──▶ ciotel ──▶ run and job spans ────────────┐
//! otel (PyPI otel-cli, the Python SDK 1.14 inside) ──OTLP gRPC──▶ ciotel ────────┤
//! tracepusher's requests (tests/clients/tracepusher_requests.py) ──OTLP/HTTP JSON┴─▶ file
//! ```
//!
//! - otel-cli: `otel span --tp "$(ciotel traceparent)"` puts the span under the job span, with
//!   its typed attributes, status, message and times; a second span parented with
//!   `--tp 00-{trace}-{span}-01` (the CLI's multi-span recipe) hangs under the first; without
//!   `--tp`, `OTEL_RESOURCE_ATTRIBUTES` with the GitLab ids lets `cicd_hierarchy` move it;
//! - tracepusher (no package here: its requests as its source builds them): `--trace-id` and
//!   `--parent-span-id` from the job's `TRACEPARENT` join the job; upper-case hex ids,
//!   snake_case times, enum names, string-typed attribute values, `--time-shift`,
//!   `--duration-type ms`, events and `--start-time` dates all arrive as meant; the one shape
//!   OTLP/JSON does not allow (`=boolValue` sends a string) is refused with 400 naming it.

mod support;

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Output;
use std::time::{SystemTime, UNIX_EPOCH};
use support::in_job::{
    Ciotel, GITLAB_JOB_ID, PIPELINE_ID, attr, attr_value, check, client, github_job_env,
    gitlab_job_env, parent, resource_attr, tool, traceparent,
};
use support::python;

/// The Python otel-cli's `otel` command (scripts/test.sh installs it into .venv-otel-cli).
fn otel_cli() -> PathBuf {
    let path = std::env::var_os("CIOTEL_TEST_OTEL_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-otel-cli/bin/otel")
        });
    assert!(
        path.exists(),
        "the Python otel-cli is not installed at {}: run `bash scripts/test.sh` once (it creates \
         .venv-otel-cli from tests/clients/otel_cli_requirements.txt), or set CIOTEL_TEST_OTEL_CLI",
        path.display()
    );
    path
}

/// Runs `otel span ARGS` in a job with `env`, exporting to ciotel over gRPC.
fn otel_span(ciotel: &Ciotel, env: &[(&str, String)], args: &[&str]) {
    let out = tool(otel_cli(), ciotel, env)
        .arg("span")
        .args(args)
        .output()
        .expect("run otel span");
    check(out, "otel span");
}

fn nanos(span: &Value, field: &str) -> u128 {
    span[field]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{field} of {span}"))
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

#[test]
fn otel_cli_spans_with_tp_land_under_the_job_span() {
    let ciotel = Ciotel::start("works-otel-cli-tp");
    let job = ciotel.github_run();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();
    let tp = traceparent(&ciotel, &github_job_env());
    assert_eq!(tp, format!("00-{trace}-{job_span}-01"));

    let deploy_id = "5fb397be34d26b51";
    otel_span(
        &ciotel,
        &github_job_env(),
        &[
            "--tp",
            &tp,
            "--span-id",
            deploy_id,
            "--service",
            "shop-deploy",
            "-a",
            "deploy.env=staging",
            "-a",
            "int:deploy.replicas=3",
            "-a",
            "bool:deploy.canary=yes",
            "--status",
            "ERROR",
            "--message",
            "rollout stalled",
            "--start",
            "1700000000000000000",
            "--end",
            "1700000042000000000",
            "deploy",
        ],
    );
    // A step inside it, by the CLI's own recipe: TRACEPARENT built from the parent's ids.
    let inner = format!("00-{trace}-{deploy_id}-01");
    otel_span(
        &ciotel,
        &github_job_env(),
        &["--tp", &inner, "--status", "OK", "migrate database"],
    );

    let deploy = ciotel.span("the deploy span", |s| s["name"] == "deploy");
    assert_eq!(deploy["traceId"], trace, "in the run's trace");
    assert_eq!(deploy["spanId"], deploy_id, "the id given with --span-id");
    assert_eq!(parent(&deploy), job_span, "under the job span");
    assert_eq!(
        deploy["status"],
        json!({"code": 2, "message": "rollout stalled"})
    );
    assert_eq!(deploy["startTimeUnixNano"], "1700000000000000000");
    assert_eq!(deploy["endTimeUnixNano"], "1700000042000000000");
    let typed = [
        ("deploy.env", json!({"stringValue": "staging"})),
        ("deploy.replicas", json!({"intValue": "3"})),
        ("deploy.canary", json!({"boolValue": true})),
    ];
    for (key, value) in typed {
        assert_eq!(attr_value(&deploy, key), Some(value), "{key}");
    }
    assert_eq!(
        resource_attr(&deploy, "service.name").as_deref(),
        Some("shop-deploy")
    );
    assert_eq!(deploy["_scope"]["name"], "otel-cli-python");
    assert_eq!(
        attr(&deploy, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID),
        None
    );

    let migrate = ciotel.span("the inner span", |s| s["name"] == "migrate database");
    assert_eq!(migrate["traceId"], trace);
    assert_eq!(parent(&migrate), deploy_id, "under the deploy span");
    assert_eq!(migrate["status"]["code"], 1);
}

#[test]
fn otel_cli_span_with_gitlab_resource_attributes_is_rehomed_under_the_job_span() {
    let ciotel = Ciotel::start("works-otel-cli-res");
    let job = ciotel.gitlab_job();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();

    let mut env = gitlab_job_env();
    env.push((
        "OTEL_RESOURCE_ATTRIBUTES",
        format!("gitlab.pipeline.id={PIPELINE_ID},gitlab.job.id={GITLAB_JOB_ID}"),
    ));
    otel_span(
        &ciotel,
        &env,
        &["--status", "OK", "-a", "package.format=deb", "package"],
    );

    let span = ciotel.span("the package span", |s| s["name"] == "package");
    assert_eq!(span["traceId"], trace, "moved into the pipeline's trace");
    assert_eq!(parent(&span), job_span, "under the job span");
    let original = attr(&span, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID)
        .expect("a moved span keeps its original trace id");
    assert_ne!(original, trace);
    assert_eq!(attr(&span, "package.format").as_deref(), Some("deb"));
    assert_eq!(
        resource_attr(&span, "gitlab.job.id").as_deref(),
        Some(GITLAB_JOB_ID)
    );
}

/// Runs the tracepusher model against ciotel's OTLP/HTTP endpoint; returns its output.
fn tracepusher(ciotel: &Ciotel, args: &[&str]) -> Output {
    tool(python(), ciotel, &[])
        .arg(client("tracepusher_requests.py"))
        .args(["--endpoint", &ciotel.otlp_http_endpoint()])
        .args(args)
        .output()
        .expect("run the tracepusher requests")
}

/// What the tracepusher model printed about the span it sent.
fn pushed(out: Output, what: &str) -> Value {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    check(out, what);
    serde_json::from_str(text.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{what} printed {text:?}: {e}"))
}

#[test]
fn tracepusher_spans_join_the_job_with_trace_and_parent_span_ids() {
    let ciotel = Ciotel::start("works-tracepusher");
    let job = ciotel.github_run();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();
    // A job script splits TRACEPARENT into tracepusher's --trace-id and --parent-span-id.
    let tp = traceparent(&ciotel, &github_job_env());
    let parts: Vec<&str> = tp.split('-').collect();
    let (tp_trace, tp_span) = (parts[1].to_ascii_uppercase(), parts[2].to_ascii_uppercase());

    // The step's span, pushed once the step is done: --time-shift makes it end now. Ids in
    // upper case, as its docs make them with hexdump.
    let before = now_nanos();
    let main = pushed(
        tracepusher(
            &ciotel,
            &[
                "--service-name",
                "shop-ci",
                "--span-name",
                "build and test",
                "--duration",
                "5",
                "--time-shift",
                "True",
                "--trace-id",
                &tp_trace,
                "--parent-span-id",
                &tp_span,
                "--span-id",
                "A1B2C3D4E5F60718",
                "--span-kind",
                "SERVER",
                "--span-attributes",
                "build.tool=make",
                "build.jobs=4=intValue",
                "build.ratio=0.5=doubleValue",
                "malformed",
            ],
        ),
        "tracepusher: the step span",
    );
    let after = now_nanos();
    // A sub span of 1500 ms that failed, with an event 100 ms in.
    let sub = pushed(
        tracepusher(
            &ciotel,
            &[
                "--service-name",
                "shop-ci",
                "--span-name",
                "unit tests",
                "--duration",
                "1500",
                "--duration-type",
                "ms",
                "--trace-id",
                &tp_trace,
                "--parent-span-id",
                "A1B2C3D4E5F60718",
                "--span-status",
                "ERROR",
                "--span-events",
                "100=tests collected=tests.count=12=intValue",
            ],
        ),
        "tracepusher: the sub span",
    );
    // A span with a --start-time date, which tracepusher sends as a string of nanoseconds.
    pushed(
        tracepusher(
            &ciotel,
            &[
                "--service-name",
                "shop-ci",
                "--span-name",
                "nightly window",
                "--duration",
                "2",
                "--trace-id",
                &tp_trace,
                "--parent-span-id",
                &tp_span,
                "--start-time",
                "2023-11-26T03:05:16.844Z",
            ],
        ),
        "tracepusher: a span with a start date",
    );

    let step = ciotel.span("the step span", |s| s["name"] == "build and test");
    assert_eq!(
        step["traceId"], trace,
        "in the run's trace (ids lower-cased)"
    );
    assert_eq!(step["spanId"], "a1b2c3d4e5f60718");
    assert_eq!(parent(&step), job_span, "under the job span");
    assert_eq!(step["kind"], 2, "SPAN_KIND_SERVER by name");
    assert_eq!(step["status"]["code"], 1, "OK, tracepusher's default");
    assert_eq!(step["droppedAttributesCount"], 1, "the malformed attribute");
    let typed = [
        ("build.tool", json!({"stringValue": "make"})),
        ("build.jobs", json!({"intValue": "4"})),
        ("build.ratio", json!({"doubleValue": 0.5})),
    ];
    for (key, value) in typed {
        assert_eq!(attr_value(&step, key), Some(value), "{key}");
    }
    assert_eq!(
        resource_attr(&step, "service.name").as_deref(),
        Some("shop-ci")
    );
    assert_eq!(step["_scope"]["name"], "manual-test");
    let (start, end) = (
        nanos(&step, "startTimeUnixNano"),
        nanos(&step, "endTimeUnixNano"),
    );
    assert_eq!(start, main["start"].as_u64().unwrap_or_default() as u128);
    assert_eq!(end - start, 5_000_000_000, "--duration 5");
    assert!(
        (before..=after).contains(&end),
        "--time-shift: the span ends when it was pushed, not 5 s later"
    );

    let unit = ciotel.span("the sub span", |s| s["name"] == "unit tests");
    assert_eq!(unit["traceId"], trace);
    assert_eq!(unit["spanId"], sub["spanId"]);
    assert_eq!(parent(&unit), "a1b2c3d4e5f60718", "under the step span");
    assert_eq!(unit["kind"], 1, "SPAN_KIND_INTERNAL, the default");
    assert_eq!(unit["status"]["code"], 2);
    let start = nanos(&unit, "startTimeUnixNano");
    assert_eq!(nanos(&unit, "endTimeUnixNano") - start, 1_500_000_000);
    let event = &unit["events"][0];
    assert_eq!(event["name"], "tests collected");
    assert_eq!(
        nanos(event, "timeUnixNano") - start,
        100_000_000,
        "100 ms in"
    );
    assert_eq!(
        event["attributes"][0],
        json!({"key": "tests.count", "value": {"intValue": "12"}})
    );

    let nightly = ciotel.span("the dated span", |s| s["name"] == "nightly window");
    assert_eq!(nightly["startTimeUnixNano"], "1700967916844000000");
    assert_eq!(nightly["endTimeUnixNano"], "1700967918844000000");
    assert_eq!(parent(&nightly), job_span);
}

#[test]
fn tracepusher_bool_attributes_sent_as_strings_are_refused_by_name() {
    let ciotel = Ciotel::start("works-tracepusher-bool");
    let out = tracepusher(
        &ciotel,
        &[
            "--service-name",
            "shop-ci",
            "--span-name",
            "flagged",
            "--duration",
            "1",
            "--span-attributes",
            "release.canary=true=boolValue",
        ],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("\"status\": 400"), "{text}");
    assert!(
        text.contains("`boolValue`"),
        "the error names the field: {text}"
    );
    // The daemon keeps serving: the same span with a string attribute goes through.
    pushed(
        tracepusher(
            &ciotel,
            &[
                "--service-name",
                "shop-ci",
                "--span-name",
                "flagged",
                "--duration",
                "1",
                "--span-attributes",
                "release.canary=true",
            ],
        ),
        "tracepusher: a string attribute",
    );
    let span = ciotel.span("the accepted span", |s| s["name"] == "flagged");
    assert_eq!(attr(&span, "release.canary").as_deref(), Some("true"));
}
