//! GitLab REST answers for the gate's tests, in the shapes of go-gitlab's recorded examples
//! (`../shared/fixtures/gitlab/go-gitlab/rest`: get_merge_request,
//! list_project_deployments) and GitLab's API documentation, trimmed to what matters: acme/shop
//! (project 42) !7 "Add cart", head HEAD, merged as MERGE.
#![allow(dead_code)]

use serde_json::{Value, json};

use super::fake_api::FakeApi;
use super::github::{HEAD, MERGE};
use super::support::TempDir;

pub const PROJECT: u64 = 42;

/// `/api/v4/projects/42/{rest}`.
pub fn path(rest: &str) -> String {
    format!("/api/v4/projects/{PROJECT}/{rest}")
}

/// A config with a `gitlab` receiver whose `api:` points at `api`.
pub fn config(dir: &TempDir, api: &FakeApi) -> std::path::PathBuf {
    let yaml = format!(
        "receivers:\n  gitlab:\n    api:\n      base_url: {}\n      token: ${{env:GATE_TOKEN}}\n      \
         projects: [acme/shop]\n      state_dir: {}\nexporters:\n  nop:\nservice:\n  pipelines:\n    \
         traces:\n      receivers: [gitlab]\n      exporters: [nop]\n",
        api.base(),
        dir.join("state").display()
    );
    let file = dir.join("gitlab.yaml");
    std::fs::write(&file, yaml).expect("write config");
    file
}

fn user(name: &str) -> Value {
    json!({"id": 1, "username": name, "name": name, "state": "active"})
}

pub fn merge_request(state: &str) -> Value {
    json!({
        "id": 700, "iid": 7, "project_id": PROJECT, "title": "Add cart", "state": state,
        "created_at": "2026-12-04T09:00:00.000Z", "updated_at": "2026-12-04T10:05:00.000Z",
        "merged_at": if state == "merged" { json!("2026-12-04T10:05:00.000Z") } else { Value::Null },
        "merge_user": if state == "merged" { user("bob") } else { Value::Null },
        "target_branch": "main", "source_branch": "cart", "author": user("ann"),
        "draft": false, "sha": HEAD, "merge_commit_sha": if state == "merged" { json!(MERGE) } else { Value::Null },
        "squash_commit_sha": null, "detailed_merge_status": "mergeable",
        "web_url": "https://gitlab.example/acme/shop/-/merge_requests/7",
        "head_pipeline": {"id": 3001, "iid": 12, "project_id": PROJECT, "sha": HEAD, "ref": "cart", "status": "success", "source": "merge_request_event"}
    })
}

pub fn pipeline(id: u64, status: &str) -> Value {
    json!({"id": id, "iid": 12, "project_id": PROJECT, "sha": HEAD, "ref": "cart",
           "status": status, "source": "merge_request_event",
           "created_at": "2026-12-04T09:10:00.000Z", "updated_at": "2026-12-04T09:20:00.000Z",
           "web_url": format!("https://gitlab.example/acme/shop/-/pipelines/{id}")})
}

pub fn deployment(id: u64, env: &str, tier: &str, status: &str, at: &str) -> Value {
    json!({
        "id": id, "iid": id, "ref": "main", "sha": MERGE, "status": status,
        "created_at": at, "updated_at": at, "user": user("deploy-bot"),
        "environment": {"id": id + 100, "name": env, "tier": tier,
                        "external_url": format!("https://{env}.shop.example")},
        "deployable": {"id": id + 1000, "status": status, "stage": "deploy", "name": format!("deploy {env}"),
                       "web_url": format!("https://gitlab.example/acme/shop/-/jobs/{}", id + 1000),
                       "pipeline": {"id": 4000 + id, "sha": MERGE, "ref": "main", "status": status}}
    })
}

fn deployments_path(env: &str) -> String {
    path(&format!(
        "deployments?environment={env}&order_by=id&sort=desc&per_page=100"
    ))
}

/// !7 merged, approved by bob, its pipeline green, deployed to integration and staging.
pub fn ready(api: &FakeApi) {
    api.set(
        "/api/v4/projects/acme%2Fshop",
        json!({"id": PROJECT, "name": "shop", "path_with_namespace": "acme/shop",
               "web_url": "https://gitlab.example/acme/shop"}),
    );
    api.set(&path("merge_requests/7"), merge_request("merged"));
    api.set(
        &path("merge_requests/7/approvals"),
        json!({"id": 700, "iid": 7, "project_id": PROJECT, "approved": true,
               "approvals_required": 1, "approvals_left": 0,
               "approved_by": [{"user": user("bob")}]}),
    );
    api.set(
        &path(&format!(
            "pipelines?sha={HEAD}&order_by=id&sort=desc&per_page=100"
        )),
        json!([pipeline(3001, "success")]),
    );
    api.set(
        &deployments_path("integration"),
        json!([deployment(
            11,
            "integration",
            "testing",
            "success",
            "2026-12-04T10:10:00.000Z"
        )]),
    );
    api.set(
        &deployments_path("staging"),
        json!([deployment(
            12,
            "staging",
            "staging",
            "success",
            "2026-12-04T10:20:00.000Z"
        )]),
    );
    api.set(&deployments_path("production"), json!([]));
}

/// Pipeline 3001 failed: its deploy job's runner failed (`runner_system_failure`).
pub fn failed_pipeline(api: &FakeApi) {
    api.set(
        &path(&format!(
            "pipelines?sha={HEAD}&order_by=id&sort=desc&per_page=100"
        )),
        json!([pipeline(3001, "failed")]),
    );
    let mut full = pipeline(3001, "failed");
    full["started_at"] = json!("2026-12-04T09:10:05.000Z");
    full["finished_at"] = json!("2026-12-04T09:19:00.000Z");
    full["user"] = user("ann");
    api.set(&path("pipelines/3001"), full);
    api.set(
        &path("pipelines/3001/jobs?include_retried=true&per_page=100"),
        json!([{
            "id": 9001, "name": "deploy", "stage": "deploy", "status": "failed",
            "created_at": "2026-12-04T09:10:06.000Z", "started_at": "2026-12-04T09:11:00.000Z",
            "finished_at": "2026-12-04T09:19:00.000Z", "duration": 480.0,
            "queued_duration": 54.0, "allow_failure": false,
            "failure_reason": "runner_system_failure",
            "web_url": "https://gitlab.example/acme/shop/-/jobs/9001",
            "runner": {"id": 8, "description": "shared-runner-8", "active": true, "is_shared": true},
            "pipeline": {"id": 3001, "project_id": PROJECT, "sha": HEAD, "ref": "cart", "status": "failed"},
            "user": user("ann")
        }]),
    );
    api.set(&path("pipelines/3001/bridges?per_page=100"), json!([]));
}
