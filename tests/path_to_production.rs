//! The scenario, black-box: acme/shop#7 is opened, pushed twice (checks on each; the
//! second push's run fails on the platform, is re-run and passes), approved, merged, deployed to
//! integration, staging and production (production fails once, then succeeds) — as signed
//! GitHub webhook deliveries to the real daemon, while a scripted GitHub API advances with the
//! story. Out comes one change trace holding every stage in order under its root, the runs
//! linked to their own traces; the DORA metrics of the story with exact values; and
//! `ciotel can-i-deploy --to production` answers right before and after each step.
//!
//! The deliveries are GitHub's own examples from `../shared/fixtures/github/webhooks`, edited
//! to tell this one story.

#[path = "gate/fake_api.rs"]
mod fake_api;
#[path = "gate/github.rs"]
mod github;
mod support;

use fake_api::FakeApi;
use github::{HEAD, MERGE, path};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::metrics_sink::{MetricsSink, Point, histogram};
use support::{Daemon, TempDir, binary, read_json_lines, spans_in, wait_for};

const SECRET: &str = "path-to-production-secret";
const TOKEN: &str = "ghp_pathToProductionToken0123";
/// The first push's head.
const FIRST: &str = "aaaa1111bbbb2222cccc3333dddd4444eeee5555";

fn fixture(rel: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/github/webhooks")
        .join(rel);
    assert!(
        file.is_file(),
        "../shared is absent: this scenario edits GitHub's example deliveries from {}",
        file.display()
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Sets `pointer` (`/a/b/0/c`) in `v`.
fn set(v: &mut Value, pointer: &str, value: Value) {
    match v.pointer_mut(pointer) {
        Some(slot) => *slot = value,
        None => panic!("no {pointer} in the fixture"),
    }
}

/// The fixture's repository becomes acme/shop (id 99).
fn acme(v: &mut Value, at: &str) {
    set(v, &format!("{at}/id"), json!(99));
    set(v, &format!("{at}/name"), json!("shop"));
    set(v, &format!("{at}/full_name"), json!("acme/shop"));
    set(
        v,
        &format!("{at}/html_url"),
        json!("https://github.com/acme/shop"),
    );
    set(v, &format!("{at}/owner/login"), json!("acme"));
}

fn pull_request(action: &str, file: &str, head: &str, at: &str) -> Value {
    let mut v = fixture(file);
    set(&mut v, "/action", json!(action));
    set(&mut v, "/number", json!(7));
    set(&mut v, "/pull_request/number", json!(7));
    set(&mut v, "/pull_request/title", json!("Add cart"));
    set(&mut v, "/pull_request/head/sha", json!(head));
    set(&mut v, "/pull_request/head/ref", json!("cart"));
    set(&mut v, "/pull_request/base/ref", json!("main"));
    set(
        &mut v,
        "/pull_request/created_at",
        json!("2026-12-04T09:00:00Z"),
    );
    set(&mut v, "/pull_request/updated_at", json!(at));
    set(&mut v, "/pull_request/user/login", json!("ann"));
    acme(&mut v, "/repository");
    v
}

fn opened() -> Value {
    pull_request(
        "opened",
        "pull_request.opened.json",
        FIRST,
        "2026-12-04T09:00:00Z",
    )
}

fn pushed() -> Value {
    let mut v = pull_request(
        "synchronize",
        "pull_request.synchronize.json",
        HEAD,
        "2026-12-04T09:10:00Z",
    );
    set(&mut v, "/before", json!(FIRST));
    set(&mut v, "/after", json!(HEAD));
    v
}

fn merged() -> Value {
    let mut v = pull_request(
        "closed",
        "pull_request.closed.json",
        HEAD,
        "2026-12-04T10:05:00Z",
    );
    set(&mut v, "/pull_request/state", json!("closed"));
    set(&mut v, "/pull_request/merged", json!(true));
    set(
        &mut v,
        "/pull_request/merged_at",
        json!("2026-12-04T10:05:00Z"),
    );
    set(
        &mut v,
        "/pull_request/closed_at",
        json!("2026-12-04T10:05:00Z"),
    );
    set(&mut v, "/pull_request/merge_commit_sha", json!(MERGE));
    v
}

fn approved() -> Value {
    let mut v = fixture("pull_request_review.submitted.json");
    set(&mut v, "/review/state", json!("approved"));
    set(
        &mut v,
        "/review/submitted_at",
        json!("2026-12-04T09:30:00Z"),
    );
    set(&mut v, "/review/user/login", json!("bob"));
    set(&mut v, "/review/commit_id", json!(HEAD));
    set(&mut v, "/pull_request/number", json!(7));
    set(&mut v, "/pull_request/title", json!("Add cart"));
    set(&mut v, "/pull_request/head/sha", json!(HEAD));
    acme(&mut v, "/repository");
    v
}

/// A completed `workflow_run` of run `id`, attempt `attempt`, on `head`, for #7.
fn run(id: u64, attempt: u32, head: &str, conclusion: &str, start: &str, end: &str) -> Value {
    let mut v = fixture("workflow_run.completed.with-pull-requests.json");
    let r = "/workflow_run";
    set(&mut v, &format!("{r}/id"), json!(id));
    set(&mut v, &format!("{r}/name"), json!("CI"));
    set(&mut v, &format!("{r}/run_attempt"), json!(attempt));
    set(&mut v, &format!("{r}/conclusion"), json!(conclusion));
    set(&mut v, &format!("{r}/status"), json!("completed"));
    set(&mut v, &format!("{r}/head_sha"), json!(head));
    set(&mut v, &format!("{r}/head_branch"), json!("cart"));
    set(&mut v, &format!("{r}/event"), json!("pull_request"));
    set(&mut v, &format!("{r}/created_at"), json!(start));
    set(&mut v, &format!("{r}/run_started_at"), json!(start));
    set(&mut v, &format!("{r}/updated_at"), json!(end));
    set(&mut v, &format!("{r}/pull_requests/0/number"), json!(7));
    set(
        &mut v,
        &format!("{r}/pull_requests/0/head/sha"),
        json!(head),
    );
    set(
        &mut v,
        &format!("{r}/pull_requests/0/head/ref"),
        json!("cart"),
    );
    set(
        &mut v,
        &format!("{r}/pull_requests/0/base/ref"),
        json!("main"),
    );
    set(
        &mut v,
        &format!("{r}/pull_requests/0/head/repo/id"),
        json!(99),
    );
    set(
        &mut v,
        &format!("{r}/pull_requests/0/base/repo/id"),
        json!(99),
    );
    acme(&mut v, &format!("{r}/repository"));
    acme(&mut v, "/repository");
    v
}

/// A final `deployment_status` of deployment `id` of MERGE to `env`.
fn deployment_status(id: u64, env: &str, state: &str, created: &str, done: &str) -> Value {
    let mut v = fixture("deployment_status.created.json");
    set(&mut v, "/deployment_status/state", json!(state));
    set(&mut v, "/deployment_status/environment", json!(env));
    set(&mut v, "/deployment_status/created_at", json!(done));
    set(&mut v, "/deployment_status/updated_at", json!(done));
    set(&mut v, "/deployment/id", json!(id));
    set(&mut v, "/deployment/sha", json!(MERGE));
    set(&mut v, "/deployment/ref", json!("main"));
    set(&mut v, "/deployment/environment", json!(env));
    set(&mut v, "/deployment/created_at", json!(created));
    set(&mut v, "/deployment/updated_at", json!(done));
    acme(&mut v, "/repository");
    v
}

/// The story as the API tells it after each step.
struct Story<'a> {
    api: &'a FakeApi,
    runs: Vec<Value>,
    deployments: Vec<Value>,
}

impl Story<'_> {
    fn pull(&self, merged: bool, head: &str) {
        let mut p = github::pull(merged);
        p["head"]["sha"] = json!(head);
        self.api.set(&path("pulls/7"), p);
        if head != HEAD {
            self.api
                .set(&path("pulls/7/reviews?per_page=100"), json!([]));
        }
    }

    fn runs_on(&self, head: &str) {
        let runs: Vec<Value> = self
            .runs
            .iter()
            .filter(|r| r["head_sha"] == head)
            .cloned()
            .collect();
        self.api.set(
            &path(&format!("actions/runs?head_sha={head}&per_page=100")),
            github::runs_page(runs),
        );
        self.api.set(
            &path(&format!(
                "commits/{head}/check-runs?filter=latest&per_page=100"
            )),
            json!({"total_count": 0, "check_runs": []}),
        );
    }

    fn deployments(&self, sha: &str) {
        self.api.set(
            &path(&format!("deployments?sha={sha}&per_page=100")),
            json!(self.deployments),
        );
    }
}

fn can_i_deploy(config: &Path) -> (i32, String) {
    let out = std::process::Command::new(binary())
        .args([
            "can-i-deploy",
            "--pr",
            "7",
            "--to",
            "production",
            "--config",
        ])
        .arg(config)
        .env("GATE_TOKEN", TOKEN)
        .env_remove("GITHUB_RUN_ID")
        .env_remove("RUST_LOG")
        .output()
        .expect("run can-i-deploy");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "token leaked"
    );
    (out.status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

fn blocked(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.starts_with("blocked — "))
        .collect()
}

fn deliver(url: &str, event: &str, n: usize, body: &Value) {
    let bytes = body.to_string().into_bytes();
    let response = reqwest::blocking::Client::new()
        .post(url)
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", format!("path-{n}"))
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            ciotel_github::receiver::sign_delivery(SECRET.as_bytes(), &bytes),
        )
        .body(bytes)
        .send()
        .expect("deliver");
    let status = response.status().as_u16();
    let text = response.text().unwrap_or_default();
    assert!(
        matches!(status, 200 | 202 | 204),
        "{event} delivery {n}: {status} {text}"
    );
}

fn attr<'a>(span: &'a Value, key: &str) -> Option<&'a str> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .and_then(|a| a["value"]["stringValue"].as_str())
}

#[test]
fn from_pull_request_to_production() {
    let dir = TempDir::new("path-to-production");
    let traces = dir.join("traces.jsonl");
    let (sink, sink_port) = MetricsSink::start();
    let daemon_config = format!(
        "receivers:\n  github:\n    webhook:\n      endpoint: 127.0.0.1:0\n      secret: \"{SECRET}\"\n\
         \x20   collection_interval: 100ms\n\
         exporters:\n  file:\n    path: {}\n  otlp/metrics:\n    endpoint: http://127.0.0.1:{sink_port}\n\
         \x20   compression: none\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      \
         receivers: [github]\n      exporters: [file]\n    metrics:\n      receivers: [github]\n      \
         exporters: [otlp/metrics]\n",
        traces.display()
    );
    let daemon = Daemon::start(&dir, "ciotel", &daemon_config);
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );

    let api = FakeApi::start();
    let gate_config: PathBuf = dir.join("gate.yaml");
    std::fs::write(
        &gate_config,
        format!(
            "receivers:\n  github:\n    api:\n      base_url: {}\n      token: ${{env:GATE_TOKEN}}\n      \
             repositories: [acme/shop]\n      state_dir: {}\nexporters:\n  nop:\nservice:\n  \
             pipelines:\n    traces:\n      receivers: [github]\n      exporters: [nop]\n",
            api.base(),
            dir.join("gate-state").display()
        ),
    )
    .expect("write gate config");
    let mut story = Story {
        api: &api,
        runs: Vec::new(),
        deployments: Vec::new(),
    };
    let mut n = 0;
    let mut step = |event: &str, body: Value| {
        n += 1;
        deliver(&url, event, n, &body);
    };

    // 1. Opened, and its checks pass on the first head.
    step("pull_request", opened());
    let mut first = github::run(201, "CI", 1, "completed", Some("success"));
    first["head_sha"] = json!(FIRST);
    story.runs.push(first);
    step(
        "workflow_run",
        run(
            201,
            1,
            FIRST,
            "success",
            "2026-12-04T09:01:00Z",
            "2026-12-04T09:05:00Z",
        ),
    );
    story.pull(false, FIRST);
    story.runs_on(FIRST);
    story.deployments(FIRST);
    let (code, out) = can_i_deploy(&gate_config);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        blocked(&out),
        [
            "blocked — your change: #7 is not merged yet",
            "blocked — your change: #7 is not approved: no approving review",
            "blocked — waiting: aaaa111 is not deployed to integration yet",
            "blocked — waiting: aaaa111 is not deployed to staging yet",
        ]
    );

    // 2. Pushed again; that run fails on the platform ("Set up job").
    step("pull_request", pushed());
    story
        .runs
        .push(github::run(202, "CI", 1, "completed", Some("failure")));
    step(
        "workflow_run",
        run(
            202,
            1,
            HEAD,
            "failure",
            "2026-12-04T09:11:00Z",
            "2026-12-04T09:14:00Z",
        ),
    );
    story.pull(false, HEAD);
    story
        .api
        .set(&path("pulls/7/reviews?per_page=100"), json!([]));
    story.runs_on(HEAD);
    story.deployments(HEAD);
    api.set(
        &path("actions/runs/202/attempts/1/jobs?per_page=100"),
        github::jobs_page(vec![github::job(
            202,
            8001,
            "build",
            "failure",
            vec![github::step(1, "Set up job", "failure")],
        )]),
    );
    let (code, out) = can_i_deploy(&gate_config);
    assert_eq!(code, 1, "{out}");
    assert!(
        blocked(&out).contains(
            &"blocked — platform: job \"build\" failed in \"Set up job\" — run \"CI\" 202, attempt 1"
        ),
        "{out}"
    );

    // 3. Re-run: attempt 2 passes.
    story.runs.pop();
    story
        .runs
        .push(github::run(202, "CI", 2, "completed", Some("success")));
    step(
        "workflow_run",
        run(
            202,
            2,
            HEAD,
            "success",
            "2026-12-04T09:16:00Z",
            "2026-12-04T09:20:00Z",
        ),
    );
    story.runs_on(HEAD);
    let (code, out) = can_i_deploy(&gate_config);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("blocked — platform"), "{out}");

    // 4. Approved.
    step("pull_request_review", approved());
    api.set(
        &path("pulls/7/reviews?per_page=100"),
        json!([github::review("bob", "APPROVED", "2026-12-04T09:30:00Z")]),
    );
    let (code, out) = can_i_deploy(&gate_config);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("not approved"), "{out}");

    // 5. Merged: now the merge commit must go through integration and staging.
    step("pull_request", merged());
    story.pull(true, HEAD);
    story.deployments(MERGE);
    let (code, out) = can_i_deploy(&gate_config);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        blocked(&out),
        [
            "blocked — waiting: e5bd391 is not deployed to integration yet",
            "blocked — waiting: e5bd391 is not deployed to staging yet",
        ]
    );

    // 6–9. Deployed to integration, staging, production (fails), production again.
    let deploys = [
        (
            11,
            "integration",
            "success",
            "2026-12-04T10:10:00Z",
            "2026-12-04T10:12:00Z",
            1,
        ),
        (
            12,
            "staging",
            "success",
            "2026-12-04T10:20:00Z",
            "2026-12-04T10:22:00Z",
            0,
        ),
        (
            13,
            "production",
            "failure",
            "2026-12-04T10:30:00Z",
            "2026-12-04T10:33:00Z",
            0,
        ),
        (
            14,
            "production",
            "success",
            "2026-12-04T10:40:00Z",
            "2026-12-04T10:43:00Z",
            0,
        ),
    ];
    for (id, env, state, created, done, want) in deploys {
        step(
            "deployment_status",
            deployment_status(id, env, state, created, done),
        );
        story
            .deployments
            .insert(0, github::deployment(id, env, created));
        story.deployments(MERGE);
        github::deployed(&api, id, env, &[(state, done)]);
        let (code, out) = can_i_deploy(&gate_config);
        assert_eq!(code, want, "after {env} {state}:\n{out}");
    }

    // One change trace holding every stage, in order, under its root.
    let spans = wait_for("the change root and the last deployment", || {
        let spans = spans_in(&read_json_lines(&traces));
        let root = spans
            .iter()
            .any(|s| attr(s, "ciotel.span.type") == Some("change"));
        let last = spans
            .iter()
            .filter(|s| attr(s, "ciotel.span.type") == Some("deployment"))
            .count()
            >= 4;
        (root && last).then_some(spans)
    });
    let root = spans
        .iter()
        .find(|s| attr(s, "ciotel.span.type") == Some("change"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(root["name"], "CHANGE acme/shop#7 Add cart");
    let trace = root["traceId"].as_str().unwrap_or_default().to_owned();
    let mut stages: Vec<&Value> = spans
        .iter()
        .filter(|s| s["traceId"] == trace.as_str() && s["spanId"] != root["spanId"])
        .collect();
    stages.sort_by_key(|s| {
        s["startTimeUnixNano"]
            .as_str()
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or_default()
    });
    for s in &stages {
        assert_eq!(s["parentSpanId"], root["spanId"], "{}", s["name"]);
    }
    let kinds: Vec<String> = stages
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                attr(s, "ciotel.span.type").unwrap_or("?"),
                s["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "opened opened",
            "change_run RUN CI",
            "push push 6dcb09b",
            "change_run RUN CI",
            "change_run RUN CI",
            "review REVIEW approved by bob",
            "merge MERGE main",
            "deployment DEPLOY integration",
            "deployment DEPLOY staging",
            "deployment DEPLOY production",
            "deployment DEPLOY production",
        ],
        "{stages:#?}"
    );
    // Each run stage links to its run's own trace.
    for (stage, (run_id, attempt)) in stages
        .iter()
        .filter(|s| attr(s, "ciotel.span.type") == Some("change_run"))
        .zip([("201", "1"), ("202", "1"), ("202", "2")])
    {
        let run_root = spans
            .iter()
            .find(|s| {
                s["traceId"] != trace.as_str()
                    && attr(s, "cicd.pipeline.run.id") == Some(run_id)
                    && s["parentSpanId"].as_str().unwrap_or_default().is_empty()
                    && s["name"] == "RUN CI"
                    && run_root_attempt(s) == Some(attempt)
            })
            .unwrap_or_else(|| panic!("no run trace for {run_id}/{attempt}"));
        assert_eq!(
            stage["links"][0]["traceId"], run_root["traceId"],
            "{run_id}/{attempt}"
        );
    }
    // Each deployment spans created → its final status, in the trace of the change it
    // delivered (learnt from the merge seen).
    let nanos = |t: &str| -> String {
        let secs = |hms: &str| -> u64 {
            let p: Vec<u64> = hms.split(':').filter_map(|x| x.parse().ok()).collect();
            p.first().copied().unwrap_or_default() * 3600
                + p.get(1).copied().unwrap_or_default() * 60
                + p.get(2).copied().unwrap_or_default()
        };
        // 2026-12-04T00:00:00Z is 1796342400.
        let time = t.trim_start_matches("2026-12-04T").trim_end_matches('Z');
        format!("{}000000000", 1_796_342_400 + secs(time))
    };
    let deployed: Vec<&&Value> = stages
        .iter()
        .filter(|s| attr(s, "ciotel.span.type") == Some("deployment"))
        .collect();
    for (span, (_, env, _, created, done, _)) in deployed.iter().zip(deploys) {
        assert_eq!(span["name"], format!("DEPLOY {env}"));
        assert_eq!(span["startTimeUnixNano"], nanos(created), "{env} start");
        assert_eq!(span["endTimeUnixNano"], nanos(done), "{env} end");
    }
    assert_eq!(
        deployed[2]["status"]["code"], 2,
        "the failed production deployment is an error"
    );
    // The root spans opened → merged.
    assert_eq!(root["startTimeUnixNano"], "1796374800000000000");
    assert_eq!(root["endTimeUnixNano"], "1796378700000000000");

    // DORA, from the same deliveries: four deployments, one failed in production and restored
    // 10 minutes later (10:33 → 10:43), the change's lead times to its successful production
    // deployment (opened 09:00 → 10:43, merged 10:05 → 10:43).
    let env = |name: &str, extra: &[(&str, &str)]| -> BTreeMap<String, String> {
        std::iter::once(("deployment.environment.name", name))
            .chain(extra.iter().copied())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let sum = |value| Point::Sum {
        value,
        cumulative: true,
        monotonic: true,
    };
    let deployments = |name, result, production| {
        (
            env(
                name,
                &[
                    ("ciotel.deployment.result", result),
                    ("ciotel.deployment.production", production),
                ],
            ),
            sum(1),
        )
    };
    let expected: BTreeMap<&str, BTreeMap<BTreeMap<String, String>, Point>> = BTreeMap::from([
        (
            "ciotel.dora.deployments",
            BTreeMap::from([
                deployments("integration", "success", "false"),
                deployments("staging", "success", "false"),
                deployments("production", "failure", "true"),
                deployments("production", "success", "true"),
            ]),
        ),
        (
            "ciotel.dora.change_failures",
            BTreeMap::from([(
                env("production", &[("ciotel.deployment.result", "failure")]),
                sum(1),
            )]),
        ),
        (
            "ciotel.dora.time_to_restore",
            BTreeMap::from([(env("production", &[]), histogram(&[600.0]))]),
        ),
        (
            "ciotel.dora.lead_time",
            BTreeMap::from([
                (
                    env("production", &[("ciotel.dora.lead_time.from", "opened")]),
                    histogram(&[6180.0]),
                ),
                (
                    env("production", &[("ciotel.dora.lead_time.from", "merged")]),
                    histogram(&[2280.0]),
                ),
            ]),
        ),
    ]);
    let observed = || -> BTreeMap<&str, BTreeMap<BTreeMap<String, String>, Point>> {
        expected
            .keys()
            .map(|name| {
                let points = sink
                    .latest(name)
                    .into_iter()
                    .filter(|((service, _), _)| service == "acme/shop")
                    .map(|((_, attrs), p)| (attrs, p))
                    .collect();
                (*name, points)
            })
            .collect()
    };
    let deadline = std::time::Instant::now() + support::PATIENCE;
    while observed() != expected && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(observed(), expected);
    assert!(
        sink.latest("ciotel.dora.rework").is_empty(),
        "nothing was deployed twice or reverted"
    );
}

fn run_root_attempt(span: &Value) -> Option<&str> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == "ciotel.run.attempt")
        .and_then(|a| {
            a["value"]["intValue"]
                .as_str()
                .or_else(|| a["value"]["stringValue"].as_str())
        })
}
