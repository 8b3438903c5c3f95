//! `ciotel can-i-deploy` over the platforms' own example responses in
//! `../shared/fixtures` (GitHub's REST description, go-gitlab's recorded bodies), served as
//! they are where they lie; only the answers they lack (reviews, approvals, a project) are
//! written here. Fails with a clear message when `../shared` is absent.

#[path = "gate/fake_api.rs"]
mod fake_api;
mod support;

use fake_api::{FakeApi, Reply};
use serde_json::json;
use std::path::PathBuf;
use support::{TempDir, binary};

const TOKEN: &str = "glpat-sharedFixtureToken42";

fn shared(rel: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        root.is_dir(),
        "../shared is absent: these tests read the platforms' example responses from {} (the \
         `shared` folder next to the checkout)",
        root.display()
    );
    let file = root.join(rel);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()))
}

/// Serves the file as it is.
fn raw(body: String) -> Vec<Reply> {
    vec![Reply {
        status: 200,
        headers: Vec::new(),
        body,
    }]
}

fn run(config: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(binary())
        .arg("can-i-deploy")
        .arg("--config")
        .arg(config)
        .args(args)
        .env("GATE_TOKEN", TOKEN)
        .env_remove("RUST_LOG")
        .output()
        .expect("run ciotel");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "token leaked"
    );
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn config(dir: &TempDir, kind: &str, api: &FakeApi, list: &str) -> PathBuf {
    let yaml = format!(
        "receivers:\n  {kind}:\n    api:\n      base_url: {}\n      token: ${{env:GATE_TOKEN}}\n      \
         {list}\n      state_dir: {}\nexporters:\n  nop:\nservice:\n  pipelines:\n    traces:\n      \
         receivers: [{kind}]\n      exporters: [nop]\n",
        api.base(),
        dir.join("state").display()
    );
    let file = dir.join(&format!("{kind}.yaml"));
    std::fs::write(&file, yaml).expect("write config");
    file
}

fn blocked(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("blocked — "))
        .collect()
}

#[test]
fn githubs_own_examples() {
    let dir = TempDir::new("gate-shared-gh");
    let api = FakeApi::start();
    let repo = "/repos/octocat/Hello-World";
    let head = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    // pulls-get: #1347, open, `merged: false` though `merged_at` is set: not merged.
    api.script(
        &format!("{repo}/pulls/1347"),
        raw(shared("github/rest/pulls-get.json")),
    );
    api.set(
        &format!("{repo}/pulls/1347/reviews?per_page=100"),
        json!([]),
    );
    api.script(
        &format!("{repo}/actions/runs?head_sha={head}&per_page=100"),
        raw(shared(
            "github/rest/actions-list-workflow-runs-for-repo.json",
        )),
    );
    api.script(
        &format!("{repo}/commits/{head}/check-runs?filter=latest&per_page=100"),
        raw(shared("github/rest/checks-list-for-ref.json")),
    );
    api.script(
        &format!("{repo}/deployments?sha={head}&per_page=100"),
        raw(shared("github/rest/repos-list-deployments.json")),
    );
    api.script(
        &format!("{repo}/deployments/1/statuses?per_page=100"),
        raw(shared("github/rest/repos-list-deployment-statuses.json")),
    );
    let config = config(&dir, "github", &api, "repositories: [octocat/Hello-World]");
    let (code, out, err) = run(&config, &["--pr", "1347", "--to", "production"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("octocat/Hello-World#1347 \"Amazing new feature\" → production"),
        "{out}"
    );
    assert!(out.contains("CHANGE   #1347 Amazing new feature — open, by octocat, head new-topic 6dcb09b into master"), "{out}");
    assert!(out.contains("✓ check \"mighty_readme\""), "{out}");
    assert!(
        out.lines().any(
            |l| l.starts_with("  ✓ production    success      deployment 1 ")
                && l.ends_with("(the target)")
        ),
        "{out}"
    );
    assert_eq!(
        blocked(&out),
        [
            "blocked — your change: #1347 is not merged yet",
            "blocked — waiting: run \"Build\" 30433642, attempt 1 has not finished (queued)",
            "blocked — your change: #1347 is not approved: no approving review",
            "blocked — waiting: 6dcb09b is not deployed to integration yet",
            "blocked — waiting: 6dcb09b is not deployed to staging yet",
        ]
    );
}

#[test]
fn go_gitlabs_recorded_bodies() {
    let dir = TempDir::new("gate-shared-gl");
    let api = FakeApi::start();
    let root = "/api/v4/projects/278964";
    api.set(
        "/api/v4/projects/gitlab-org%2Fgitlab",
        json!({"id": 278964, "path_with_namespace": "gitlab-org/gitlab"}),
    );
    // get_merge_request: !14656, a draft, its head pipeline green.
    api.script(
        &format!("{root}/merge_requests/14656"),
        raw(shared("gitlab/go-gitlab/rest/get_merge_request.json")),
    );
    api.set(
        &format!("{root}/merge_requests/14656/approvals"),
        json!({"approved": false, "approvals_required": 1, "approvals_left": 1, "approved_by": []}),
    );
    let head = "8e0b45049b6253b8984cde9241830d2851168142";
    api.set(
        &format!("{root}/pipelines?sha={head}&order_by=id&sort=desc&per_page=100"),
        json!([{"id": 77056819, "sha": head, "ref": "delete-designs-v2", "status": "success",
                "source": "push"}]),
    );
    // list_project_deployments: deployment 41 of 99d0367 to production, `created`.
    let deployed = "99d03678b90d914dbb1b109132516d71a4a03ea8";
    for env in ["integration", "staging"] {
        api.set(
            &format!("{root}/deployments?environment={env}&order_by=id&sort=desc&per_page=100"),
            json!([]),
        );
    }
    api.script(
        &format!("{root}/deployments?environment=production&order_by=id&sort=desc&per_page=100"),
        raw(shared(
            "gitlab/go-gitlab/rest/list_project_deployments.deployments_test.json",
        )),
    );
    let config = config(&dir, "gitlab", &api, "projects: [gitlab-org/gitlab]");
    let (code, out, err) = run(&config, &["--mr", "14656", "--to", "staging"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("✓ run \"pipeline on delete-designs-v2\" 77056819"),
        "{out}"
    );
    assert_eq!(
        blocked(&out),
        [
            "blocked — your change: #14656 is a draft, not merged",
            "blocked — your change: #14656 is not approved: 1 more approval(s) needed",
            "blocked — waiting: 8e0b450 is not deployed to integration yet",
        ]
    );

    // The deployed revision, asked by SHA: no merge request carried it; its production
    // deployment is only `created`.
    api.set(
        &format!("{root}/repository/commits/{deployed}"),
        json!({"id": deployed}),
    );
    api.set(
        &format!("{root}/repository/commits/{deployed}/merge_requests"),
        json!([]),
    );
    api.set(
        &format!("{root}/pipelines?sha={deployed}&order_by=id&sort=desc&per_page=100"),
        json!([{"id": 36, "sha": deployed, "ref": "main", "status": "success", "source": "push"}]),
    );
    let (code, out, err) = run(&config, &["--sha", deployed, "--to", "production"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("  · production    pending      deployment 41 ")),
        "{out}"
    );
}
