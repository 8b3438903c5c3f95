//! `ciotel can-i-deploy` black-box: the real binary against a scripted GitHub (and GitLab)
//! REST API on loopback, answering in the platforms' own shapes. What a user checks: the exit
//! code, each `blocked — <side>: …` line, the path printed, and that the token never shows.

#[path = "gate/fake_api.rs"]
mod fake_api;
#[path = "gate/github.rs"]
mod github;
#[path = "gate/gitlab.rs"]
mod gitlab;
mod support;

use fake_api::{FakeApi, Reply};
use github::{HEAD, MERGE, path};
use serde_json::json;
use support::{TempDir, binary};

/// The token the configs read from the environment; it must appear in no output.
const TOKEN: &str = "ghp_gateTestToken0123456789abcdef";

/// What a run of the command gave.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn blocked(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("blocked — "))
            .collect()
    }
}

/// A config with a `github` receiver whose `api:` points at `api`.
fn github_config(dir: &TempDir, api: &FakeApi, extra: &str) -> std::path::PathBuf {
    let yaml = format!(
        "receivers:\n  github:\n    api:\n      base_url: {}\n      token: ${{env:GATE_TOKEN}}\n      \
         repositories: [acme/shop]\n      state_dir: {}\n{extra}exporters:\n  nop:\nservice:\n  \
         pipelines:\n    traces:\n      receivers: [github]\n      exporters: [nop]\n",
        api.base(),
        dir.join("state").display()
    );
    let file = dir.join("ciotel.yaml");
    std::fs::write(&file, yaml).expect("write config");
    file
}

fn can_i_deploy(config: &std::path::Path, args: &[&str]) -> Ran {
    can_i_deploy_in(config, args, &[])
}

/// As [`can_i_deploy`], with `env` set (a CI job's variables).
fn can_i_deploy_in(config: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let out = std::process::Command::new(binary())
        .arg("can-i-deploy")
        .arg("--config")
        .arg(config)
        .args(args)
        .env("GATE_TOKEN", TOKEN)
        .env_remove("GITHUB_RUN_ID")
        .env_remove("CI_PIPELINE_ID")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .output()
        .expect("run ciotel");
    let ran = Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for text in [&ran.stdout, &ran.stderr] {
        assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
        assert!(
            !text.contains("gateTestToken"),
            "part of the token leaked:\n{text}"
        );
    }
    ran
}

fn github_ready() -> (TempDir, FakeApi, std::path::PathBuf) {
    let dir = TempDir::new("gate");
    let api = FakeApi::start();
    github::ready(&api);
    let config = github_config(&dir, &api, "");
    (dir, api, config)
}

#[test]
fn a_ready_change_may_go_to_production() {
    let (_dir, api, config) = github_ready();
    let ran = can_i_deploy(
        &config,
        &["--repo", "acme/shop", "--pr", "7", "--to", "production"],
    );
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let out = &ran.stdout;
    for line in [
        "acme/shop#7 \"Add cart\" → production (revision e5bd391)",
        "CHANGE   #7 Add cart — merged, by ann, head cart 6dcb09b into main",
        "CHECKS   on 6dcb09b",
        "REVIEW   ✓ approved by bob",
        "MERGE    ✓ merged 2026-12-04T10:05:00Z by bob as e5bd391",
        "DEPLOY   integration → staging → production",
        "  · production    not deployed (the target)",
        "YES — e5bd391 may go to production",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "no line {line:?} in:\n{out}"
        );
    }
    assert!(out.contains("✓ run \"CI\" 101, attempt 1"), "{out}");
    assert!(out.contains("✓ check \"codecov/patch\""), "{out}");
    assert!(
        !out.contains("check \"test\""),
        "Actions jobs are counted with their run:\n{out}"
    );
    assert!(out.contains("✓ integration   success"), "{out}");
    assert!(ran.blocked().is_empty());
    // The token went to GitHub on every request, as `Bearer`.
    let seen = api.seen();
    assert!(!seen.is_empty());
    let bearer = format!("Bearer {TOKEN}");
    assert!(
        seen.iter()
            .all(|s| s.credentials.as_deref() == Some(bearer.as_str()))
    );
    // The receiver's only repository is the default.
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "staging"]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
}

#[test]
fn a_run_failed_on_the_platform_blocks_and_says_so() {
    let (_dir, api, config) = github_ready();
    api.set(
        &path(&format!("actions/runs?head_sha={HEAD}&per_page=100")),
        github::runs_page(vec![
            github::run(101, "CI", 1, "completed", Some("success")),
            github::run(102, "Deploy", 2, "completed", Some("failure")),
        ]),
    );
    api.set(
        &path("actions/runs/102/attempts/2/jobs?per_page=100"),
        github::jobs_page(vec![{
            let mut job = github::job(
                102,
                7001,
                "deploy",
                "failure",
                vec![github::step(1, "Set up job", "failure")],
            );
            job["run_attempt"] = json!(2);
            job
        }]),
    );
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "production"]);
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(
        ran.blocked(),
        [
            "blocked — platform: job \"deploy\" failed in \"Set up job\" — run \"Deploy\" 102, attempt 2"
        ]
    );
    assert!(
        ran.stdout.contains("NO — e5bd391 may not go to production"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .lines()
            .any(|l| l.starts_with("  ✗ run \"Deploy\" 102, attempt 2 ")
                && l.ends_with(" failed — platform: job \"deploy\" failed in \"Set up job\"")),
        "{}",
        ran.stdout
    );
}

#[test]
fn a_failing_test_is_the_changes_side() {
    let (_dir, api, config) = github_ready();
    api.set(
        &path(&format!("actions/runs?head_sha={HEAD}&per_page=100")),
        github::runs_page(vec![github::run(
            103,
            "Tests",
            1,
            "completed",
            Some("failure"),
        )]),
    );
    api.set(
        &path("actions/runs/103/attempts/1/jobs?per_page=100"),
        github::jobs_page(vec![github::job(
            103,
            7002,
            "test",
            "failure",
            vec![
                github::step(1, "Set up job", "success"),
                github::step(2, "Run actions/checkout@v4", "success"),
                github::step(3, "Run pytest", "failure"),
            ],
        )]),
    );
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "integration"]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(
        ran.blocked(),
        [
            "blocked — your change: job \"test\" failed in \"Run pytest\" — run \"Tests\" 103, attempt 1"
        ]
    );
}

#[test]
fn unmerged_unapproved_undeployed_each_say_why() {
    let (_dir, api, config) = github_ready();
    api.set(&path("pulls/7"), github::pull(false));
    api.set(
        &path("pulls/7/reviews?per_page=100"),
        json!([
            github::review("bob", "APPROVED", "2026-12-04T09:40:00Z"),
            github::review("cy", "CHANGES_REQUESTED", "2026-12-04T09:45:00Z")
        ]),
    );
    // Not merged: the revision is the head, which nothing deployed.
    api.set(
        &path(&format!("deployments?sha={HEAD}&per_page=100")),
        json!([]),
    );
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "production"]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(
        ran.blocked(),
        [
            "blocked — your change: #7 is not merged yet",
            "blocked — your change: #7 is not approved: changes requested by cy",
            "blocked — waiting: 6dcb09b is not deployed to integration yet",
            "blocked — waiting: 6dcb09b is not deployed to staging yet",
        ]
    );
    assert_eq!(
        api.count(&path(&format!("deployments?sha={HEAD}&per_page=100"))),
        1
    );
}

#[test]
fn a_failed_staging_deployment_is_judged_by_its_run() {
    let (_dir, api, config) = github_ready();
    github::deployed(
        &api,
        12,
        "staging",
        &[
            ("failure", "2026-12-04T10:25:00Z"),
            ("in_progress", "2026-12-04T10:21:00Z"),
        ],
    );
    // The status's log URL names run 912, whose deploy job lost its runner mid-step.
    api.set(
        &path("actions/runs/912"),
        github::run(912, "Deploy", 1, "completed", Some("failure")),
    );
    let mut lost = github::step(2, "Run ./deploy.sh staging", "failure");
    lost["conclusion"] = json!(null);
    lost["status"] = json!("in_progress");
    api.set(
        &path("actions/runs/912/attempts/1/jobs?per_page=100"),
        github::jobs_page(vec![github::job(
            912,
            7003,
            "deploy",
            "failure",
            vec![github::step(1, "Set up job", "success"), lost],
        )]),
    );
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "production"]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(
        ran.blocked(),
        [
            "blocked — platform: job \"deploy\" stopped in \"Run ./deploy.sh staging\" with no failing step — deployment 12 of e5bd391 to staging"
        ]
    );
    // Staging itself may still take it: integration succeeded.
    assert_eq!(
        can_i_deploy(&config, &["--pr", "7", "--to", "staging"]).code,
        0
    );
}

#[test]
fn pages_are_followed() {
    let (_dir, api, config) = github_ready();
    let first = path(&format!("actions/runs?head_sha={HEAD}&per_page=100"));
    let second = path(&format!("actions/runs?head_sha={HEAD}&per_page=100&page=2"));
    api.script(
        &first,
        vec![
            Reply::json(&github::runs_page(vec![github::run(
                101,
                "CI",
                1,
                "completed",
                Some("success"),
            )]))
            .header(
                "link",
                &format!(
                    "<{}{second}>; rel=\"next\", <{}{second}>; rel=\"last\"",
                    api.base(),
                    api.base()
                ),
            ),
        ],
    );
    api.set(
        &second,
        github::runs_page(vec![github::run(104, "Lint", 1, "in_progress", None)]),
    );
    let reviews2 = path("pulls/7/reviews?per_page=100&page=2");
    api.script(
        &path("pulls/7/reviews?per_page=100"),
        vec![
            Reply::json(&json!([github::review(
                "bob",
                "APPROVED",
                "2026-12-04T09:40:00Z"
            )]))
            .header("link", &format!("<{}{reviews2}>; rel=\"next\"", api.base())),
        ],
    );
    api.set(
        &reviews2,
        json!([github::review("bob", "DISMISSED", "2026-12-04T09:50:00Z")]),
    );
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "integration"]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(
        ran.blocked(),
        [
            "blocked — waiting: run \"Lint\" 104, attempt 1 is still running",
            "blocked — your change: #7 is not approved: no approving review",
        ]
    );
    assert_eq!(api.count(&second), 1);
    assert_eq!(api.count(&reviews2), 1);
}

#[test]
fn a_revision_finds_its_pull_request() {
    let (_dir, api, config) = github_ready();
    api.set(
        &path("commits/main"),
        json!({"sha": MERGE, "commit": {"message": "Add cart (#7)"}}),
    );
    api.set(
        &path(&format!("commits/{MERGE}/pulls?per_page=100")),
        json!([github::pull(true)]),
    );
    let ran = can_i_deploy(&config, &["--sha", "main", "--to", "production"]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("acme/shop#7 \"Add cart\""),
        "{}",
        ran.stdout
    );
    // A commit no request carried: nothing reviewed it.
    api.set(&path("commits/abc1234"), json!({"sha": MERGE}));
    api.set(
        &path(&format!("commits/{MERGE}/pulls?per_page=100")),
        json!([]),
    );
    api.set(
        &path(&format!("actions/runs?head_sha={MERGE}&per_page=100")),
        github::runs_page(vec![github::run(
            105,
            "CI",
            1,
            "completed",
            Some("success"),
        )]),
    );
    api.set(
        &path(&format!(
            "commits/{MERGE}/check-runs?filter=latest&per_page=100"
        )),
        json!({"total_count": 0, "check_runs": []}),
    );
    let ran = can_i_deploy(&config, &["--sha", "abc1234", "--to", "production"]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(
        ran.blocked(),
        [
            "blocked — your change: no pull / merge request carried e5bd391: nothing reviewed or merged it"
        ]
    );
    // An unknown revision is no answer.
    let ran = can_i_deploy(&config, &["--sha", "nope", "--to", "production"]);
    assert_eq!(ran.code, 2, "{}", ran.stdout);
    assert!(
        ran.stderr.contains("acme/shop has no commit `nope`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn json_output_carries_the_answer_and_the_path() {
    let (_dir, api, config) = github_ready();
    api.set(&path("pulls/7"), github::pull(false));
    api.set(
        &path(&format!("deployments?sha={HEAD}&per_page=100")),
        json!([]),
    );
    let ran = can_i_deploy(
        &config,
        &["--pr", "7", "--to", "staging", "--output", "json"],
    );
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    let answer: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(answer["deployable"], json!(false));
    assert_eq!(answer["target"], json!("staging"));
    assert_eq!(answer["revision"], json!(HEAD));
    assert_eq!(answer["blockers"][0]["side"], json!("your change"));
    assert_eq!(answer["blockers"][0]["text"], json!("#7 is not merged yet"));
    assert_eq!(answer["path"]["change"]["state"], json!("open"));
    assert_eq!(answer["path"]["checks"][0]["status"], json!("passed"));
}

#[test]
fn api_errors_exit_2_with_a_clear_message_and_no_token() {
    let (_dir, api, config) = github_ready();
    api.script(
        &path("pulls/7"),
        vec![Reply::status(
            401,
            &json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
        )],
    );
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "production"]);
    assert_eq!(ran.code, 2, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    assert!(
        ran.stderr.contains("ciotel can-i-deploy: GitHub API:")
            && ran.stderr.contains("/repos/acme/shop/pulls/7 answered 401")
            && ran.stderr.contains("Bad credentials")
            && ran.stderr.contains("check the token"),
        "{}",
        ran.stderr
    );
    // A PR that does not exist.
    let ran = can_i_deploy(&config, &["--pr", "8", "--to", "production"]);
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("pulls/8 answered 404"),
        "{}",
        ran.stderr
    );
    // Nothing listening.
    drop(api);
    let ran = can_i_deploy(
        &config,
        &["--pr", "7", "--to", "production", "--timeout", "20"],
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("no answer after retries"),
        "{}",
        ran.stderr
    );
}

#[test]
fn rate_limits_are_waited_out_or_give_up_at_the_timeout() {
    let (_dir, api, config) = github_ready();
    // A secondary rate limit with Retry-After: waited out, then answered.
    api.script(
        &path("pulls/7"),
        vec![
            Reply::status(
                403,
                &json!({"message": "You have exceeded a secondary rate limit."}),
            )
            .header("retry-after", "1"),
            Reply::json(&github::pull(true)),
        ],
    );
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "production"]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stderr.contains("GitHub asks to wait"), "{}", ran.stderr);
    assert_eq!(api.count(&path("pulls/7")), 2);

    // The primary limit spent for the next hour: no answer within --timeout.
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() + 3600)
        .unwrap_or_default();
    api.script(
        &path("pulls/7"),
        vec![
            Reply::status(
                403,
                &json!({"message": "API rate limit exceeded for user ID 1."}),
            )
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset.to_string()),
        ],
    );
    let ran = can_i_deploy(
        &config,
        &["--pr", "7", "--to", "production", "--timeout", "2"],
    );
    assert_eq!(ran.code, 2, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr
            .contains("GitHub API: no answer within 2s (rate limited"),
        "{}",
        ran.stderr
    );
}

#[test]
fn usage_mistakes_exit_2() {
    let (dir, api, config) = github_ready();
    let ran = can_i_deploy(&config, &["--pr", "7", "--to", "prodution"]);
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("environment `prodution` is not in the promotion order (integration, staging, production)"),
        "{}",
        ran.stderr
    );
    assert!(
        api.seen().is_empty(),
        "nothing asked before the question is sound"
    );
    let ran = can_i_deploy(
        &config,
        &["--pr", "7", "--sha", MERGE, "--to", "production"],
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let ran = can_i_deploy(&config, &["--to", "production"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let ran = can_i_deploy(
        &config,
        &["--repo", "shop", "--pr", "7", "--to", "production"],
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("not written OWNER/REPO"),
        "{}",
        ran.stderr
    );

    // The environments policy comes from the receiver.
    let custom = github_config(
        &dir,
        &api,
        "    environments:\n      promotion: [qa, live]\n      production: [live]\n",
    );
    let ran = can_i_deploy(&custom, &["--pr", "7", "--to", "production"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("(qa, live)"), "{}", ran.stderr);
    let ran = can_i_deploy(&custom, &["--pr", "7", "--to", "live"]);
    assert_eq!(ran.code, 1);
    assert_eq!(
        ran.blocked(),
        ["blocked — waiting: e5bd391 is not deployed to qa yet"]
    );

    // A config without an api: section cannot answer.
    let plain = dir.join("plain.yaml");
    std::fs::write(
        &plain,
        "receivers:\n  otlp:\n    protocols:\n      http:\nexporters:\n  nop:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [nop]\n",
    )
    .expect("write");
    let ran = can_i_deploy(&plain, &["--pr", "7", "--to", "production"]);
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr
            .contains("no github or gitlab receiver with an `api:` section"),
        "{}",
        ran.stderr
    );
}

#[test]
fn gitlab_merge_requests_are_asked_of_gitlab() {
    let dir = TempDir::new("gate-gitlab");
    let api = FakeApi::start();
    gitlab::ready(&api);
    let config = gitlab::config(&dir, &api);
    let ran = can_i_deploy(
        &config,
        &["--repo", "acme/shop", "--mr", "7", "--to", "production"],
    );
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("YES — e5bd391 may go to production"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("REVIEW   ✓ approved by bob"),
        "{}",
        ran.stdout
    );
    assert!(
        api.seen()
            .iter()
            .all(|s| s.credentials.as_deref() == Some(TOKEN))
    );

    // The pipeline failed: a runner system failure is the platform's.
    gitlab::failed_pipeline(&api);
    let ran = can_i_deploy(&config, &["--mr", "7", "--to", "production"]);
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(
        ran.blocked(),
        [
            "blocked — platform: job \"deploy\" failed (runner_system_failure) — run \"pipeline on cart\" 3001"
        ]
    );
}

#[test]
fn the_gates_own_run_is_left_out() {
    let (_dir, api, config) = github_ready();
    api.set(
        &path(&format!("actions/runs?head_sha={HEAD}&per_page=100")),
        github::runs_page(vec![
            github::run(101, "CI", 1, "completed", Some("success")),
            github::run(106, "Deploy", 1, "in_progress", None),
        ]),
    );
    let args = ["--pr", "7", "--to", "production"];
    let ran = can_i_deploy(&config, &args);
    assert_eq!(
        ran.blocked(),
        ["blocked — waiting: run \"Deploy\" 106, attempt 1 is still running"]
    );
    // Inside run 106 of acme/shop itself, the gate does not wait for itself…
    let inside = [("GITHUB_REPOSITORY", "acme/shop"), ("GITHUB_RUN_ID", "106")];
    let ran = can_i_deploy_in(&config, &args, &inside);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    // … but a run of another repository with the same id is not this one.
    let elsewhere = [
        ("GITHUB_REPOSITORY", "acme/other"),
        ("GITHUB_RUN_ID", "106"),
    ];
    assert_eq!(can_i_deploy_in(&config, &args, &elsewhere).code, 1);
}

#[test]
fn gitlab_pages_and_rate_limits() {
    let dir = TempDir::new("gate-gitlab-pages");
    let api = FakeApi::start();
    gitlab::ready(&api);
    let config = gitlab::config(&dir, &api);
    // Staging's newest page holds another revision's deployment; the success is on page 2.
    let first = gitlab::path("deployments?environment=staging&order_by=id&sort=desc&per_page=100");
    let second = format!("{first}&page=2");
    let mut other = gitlab::deployment(
        13,
        "staging",
        "staging",
        "success",
        "2026-12-04T11:00:00.000Z",
    );
    other["sha"] = json!("1111111111111111111111111111111111111111");
    api.script(
        &first,
        vec![Reply::json(&json!([other])).header("x-next-page", "2")],
    );
    api.set(
        &second,
        json!([gitlab::deployment(
            12,
            "staging",
            "staging",
            "success",
            "2026-12-04T10:20:00.000Z"
        )]),
    );
    // GitLab's 429 with Retry-After on the merge request: waited out.
    api.script(
        &gitlab::path("merge_requests/7"),
        vec![
            Reply::status(429, &json!({"message": "Retry later"})).header("retry-after", "1"),
            Reply::json(&gitlab::merge_request("merged")),
        ],
    );
    let ran = can_i_deploy(&config, &["--mr", "7", "--to", "production"]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stderr.contains("GitLab asks to wait"), "{}", ran.stderr);
    assert_eq!(api.count(&second), 1);
    assert_eq!(api.count(&gitlab::path("merge_requests/7")), 2);
    // A token GitLab refuses: 2, with GitLab's hint and no token.
    api.script(
        &gitlab::path("merge_requests/7"),
        vec![Reply::status(401, &json!({"message": "401 Unauthorized"}))],
    );
    let ran = can_i_deploy(&config, &["--mr", "7", "--to", "production"]);
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("GitLab API:")
            && ran.stderr.contains("answered 401")
            && ran.stderr.contains("check the token"),
        "{}",
        ran.stderr
    );
}
