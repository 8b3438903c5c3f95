//! GitHub REST answers for the gate's tests, in the shapes of GitHub's own examples
//! (`../shared/fixtures/github/rest`: pulls-get, checks-list-for-ref, repos-list-deployments,
//! repos-list-deployment-statuses, actions-list-*), trimmed to the fields that matter and
//! filled with one change's story: acme/shop#7 "Add cart", head HEAD, merged as MERGE.
#![allow(dead_code)]

use serde_json::{Value, json};

use super::fake_api::FakeApi;

pub const REPO: &str = "acme/shop";
pub const HEAD: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
pub const MERGE: &str = "e5bd3914e2e596debea16f433f57875b5b90bcd6";

/// `GET /repos/acme/shop/{rest}`.
pub fn path(rest: &str) -> String {
    format!("/repos/{REPO}/{rest}")
}

fn user(login: &str) -> Value {
    json!({"login": login, "id": 1, "type": "User", "site_admin": false})
}

/// `pulls/7`: merged (or not) PR #7.
pub fn pull(merged: bool) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/{REPO}/pulls/7"),
        "id": 1, "number": 7, "state": if merged { "closed" } else { "open" },
        "locked": false, "title": "Add cart", "user": user("ann"),
        "body": "Adds a cart.", "created_at": "2026-12-04T09:00:00Z",
        "updated_at": "2026-12-04T10:05:00Z",
        "closed_at": if merged { json!("2026-12-04T10:05:00Z") } else { Value::Null },
        "merged_at": if merged { json!("2026-12-04T10:05:00Z") } else { Value::Null },
        "merge_commit_sha": MERGE,
        "html_url": format!("https://github.com/{REPO}/pull/7"),
        "head": {"label": "ann:cart", "ref": "cart", "sha": HEAD, "user": user("ann")},
        "base": {"label": "acme:main", "ref": "main", "sha": "0000000000000000000000000000000000000001", "user": user("acme")},
        "draft": false, "merged": merged,
        "merged_by": if merged { user("bob") } else { Value::Null },
        "mergeable": true, "mergeable_state": "clean", "commits": 2
    })
}

pub fn review(login: &str, state: &str, at: &str) -> Value {
    json!({"id": 80, "node_id": "MDE3", "user": user(login), "body": "", "state": state,
           "html_url": format!("https://github.com/{REPO}/pull/7#pullrequestreview-80"),
           "commit_id": HEAD, "submitted_at": at, "author_association": "MEMBER"})
}

/// A workflow run on HEAD.
pub fn run(id: u64, name: &str, attempt: u32, status: &str, conclusion: Option<&str>) -> Value {
    json!({
        "id": id, "name": name, "node_id": "MDEx", "head_branch": "cart", "head_sha": HEAD,
        "path": format!(".github/workflows/{}.yml", name.to_lowercase()),
        "display_title": "Add cart", "run_number": id % 1000, "event": "pull_request",
        "status": status, "conclusion": conclusion, "workflow_id": id * 10,
        "url": format!("https://api.github.com/repos/{REPO}/actions/runs/{id}"),
        "html_url": format!("https://github.com/{REPO}/actions/runs/{id}"),
        "pull_requests": [], "created_at": "2026-12-04T09:10:00Z",
        "updated_at": "2026-12-04T09:20:00Z", "run_attempt": attempt,
        "run_started_at": "2026-12-04T09:10:05Z", "actor": user("ann"),
        "triggering_actor": user("ann"),
        "repository": {"id": 99, "name": "shop", "full_name": REPO,
                       "html_url": format!("https://github.com/{REPO}"), "owner": user("acme")}
    })
}

pub fn runs_page(runs: Vec<Value>) -> Value {
    json!({"total_count": runs.len(), "workflow_runs": runs})
}

/// A step that ran from `start` to `end` seconds after 09:11:00.
pub fn step(n: u32, name: &str, conclusion: &str) -> Value {
    json!({"name": name, "status": "completed", "conclusion": conclusion, "number": n,
           "started_at": format!("2026-12-04T09:11:{:02}Z", n * 2),
           "completed_at": format!("2026-12-04T09:11:{:02}Z", n * 2 + 1)})
}

/// A completed job of run `run_id` with `steps`.
pub fn job(run_id: u64, id: u64, name: &str, conclusion: &str, steps: Vec<Value>) -> Value {
    json!({
        "id": id, "run_id": run_id, "run_attempt": 1, "name": name, "workflow_name": "CI",
        "head_branch": "cart", "head_sha": HEAD, "status": "completed", "conclusion": conclusion,
        "run_url": format!("https://api.github.com/repos/{REPO}/actions/runs/{run_id}"),
        "html_url": format!("https://github.com/{REPO}/actions/runs/{run_id}/job/{id}"),
        "created_at": "2026-12-04T09:10:10Z", "started_at": "2026-12-04T09:11:00Z",
        "completed_at": "2026-12-04T09:12:00Z", "steps": steps, "labels": ["ubuntu-latest"],
        "runner_id": 5, "runner_name": "GitHub Actions 5", "runner_group_id": 2,
        "runner_group_name": "GitHub Actions"
    })
}

pub fn jobs_page(jobs: Vec<Value>) -> Value {
    json!({"total_count": jobs.len(), "jobs": jobs})
}

/// A check run by another App (`app_slug`), or an Actions job (`github-actions`).
pub fn check_run(id: u64, name: &str, app_slug: &str, conclusion: &str) -> Value {
    json!({"id": id, "head_sha": HEAD, "name": name, "status": "completed",
           "conclusion": conclusion, "started_at": "2026-12-04T09:10:00Z",
           "completed_at": "2026-12-04T09:12:00Z",
           "html_url": format!("https://github.com/{REPO}/runs/{id}"),
           "app": {"id": 3, "slug": app_slug, "name": app_slug},
           "check_suite": {"id": 5}, "pull_requests": []})
}

pub fn deployment(id: u64, env: &str, at: &str) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/{REPO}/deployments/{id}"),
        "id": id, "sha": MERGE, "ref": "main", "task": "deploy", "payload": {},
        "original_environment": env, "environment": env, "creator": user("deploy-bot"),
        "created_at": at, "updated_at": at,
        "statuses_url": format!("https://api.github.com/repos/{REPO}/deployments/{id}/statuses"),
        "transient_environment": false, "production_environment": env == "production"
    })
}

pub fn status(state: &str, env: &str, at: &str, log_url: &str) -> Value {
    json!({"id": 1, "state": state, "creator": user("deploy-bot"),
           "description": format!("Deployment {state}"), "environment": env,
           "target_url": log_url, "log_url": log_url, "created_at": at, "updated_at": at})
}

/// PR #7 merged, approved by bob, CI green (and a neutral check by another App), deployed to
/// integration and staging: it may go to production.
pub fn ready(api: &FakeApi) {
    api.set(&path("pulls/7"), pull(true));
    api.set(
        &path("pulls/7/reviews?per_page=100"),
        json!([
            review("cy", "COMMENTED", "2026-12-04T09:30:00Z"),
            review("bob", "APPROVED", "2026-12-04T09:40:00Z")
        ]),
    );
    api.set(
        &path(&format!("actions/runs?head_sha={HEAD}&per_page=100")),
        runs_page(vec![run(101, "CI", 1, "completed", Some("success"))]),
    );
    api.set(
        &path(&format!(
            "commits/{HEAD}/check-runs?filter=latest&per_page=100"
        )),
        json!({"total_count": 2, "check_runs": [
            check_run(501, "test", "github-actions", "success"),
            check_run(502, "codecov/patch", "codecov", "neutral"),
        ]}),
    );
    api.set(
        &path(&format!("deployments?sha={MERGE}&per_page=100")),
        json!([
            deployment(12, "staging", "2026-12-04T10:20:00Z"),
            deployment(11, "integration", "2026-12-04T10:10:00Z")
        ]),
    );
    deployed(
        api,
        11,
        "integration",
        &[("success", "2026-12-04T10:12:00Z")],
    );
    deployed(api, 12, "staging", &[("success", "2026-12-04T10:22:00Z")]);
}

/// Deployment `id`'s statuses, newest first as GitHub lists them.
pub fn deployed(api: &FakeApi, id: u64, env: &str, states: &[(&str, &str)]) {
    let log = format!("https://github.com/{REPO}/actions/runs/9{id}/job/1");
    let statuses: Vec<Value> = states
        .iter()
        .map(|(s, at)| status(s, env, at, &log))
        .collect();
    api.set(
        &path(&format!("deployments/{id}/statuses?per_page=100")),
        json!(statuses),
    );
}
