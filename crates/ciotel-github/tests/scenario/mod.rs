//! One pull request's path to production as GitHub webhook deliveries, built from the real
//! octokit fixtures in `../shared/fixtures` with only ids, times and states changed: PR 2 of
//! Codertocat/Hello-World (repository 186853002) is opened, pushed to, checked (run 7001
//! fails on attempt 1, passes on attempt 2), approved, merged as `MERGE_SHA`, deployed to
//! staging (after waiting for an approval), then to production (fails once, then succeeds).
//!
//! Shared by the order/redelivery property test (`change_order.rs`) and the black-box test
//! of the binary (`tests/change_trace.rs` at the workspace root, by `#[path]`).
#![allow(dead_code)]

use serde_json::{Value, json};

/// The repository's id and the pull request's number.
pub const REPO_ID: &str = "186853002";
/// The pull request.
pub const NUMBER: u64 = 2;
/// The run that checks the change.
pub const RUN_ID: &str = "7001";
/// The merge commit, which every deployment deploys.
pub const MERGE_SHA: &str = "c4295bd74fb0f4fda03689c3df3f2803b658fd85";
/// The head the push moved the change to.
pub const HEAD_SHA: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/// One delivery: `X-GitHub-Event`, `X-GitHub-Delivery`, body.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The event name.
    pub event: &'static str,
    /// The delivery id.
    pub id: String,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// The deliveries in the order GitHub would send them. `fixture` reads a fixture by its path
/// under `../shared/fixtures`.
pub fn deliveries(fixture: impl Fn(&str) -> Vec<u8>) -> Vec<Delivery> {
    let read = |rel: &str| -> Value {
        serde_json::from_slice(&fixture(&format!("github/webhooks/{rel}"))).expect("JSON")
    };
    let repository = read("pull_request.opened.json")["repository"].clone();
    let mut out = Vec::new();
    let mut push = |event: &'static str, v: Value| {
        let id = format!("scenario-{}", out.len());
        out.push(Delivery {
            event,
            id,
            body: serde_json::to_vec(&v).expect("JSON"),
        });
    };

    let mut opened = read("pull_request.opened.json");
    opened["pull_request"]["created_at"] = json!("2026-03-02T09:00:00Z");
    opened["pull_request"]["updated_at"] = json!("2026-03-02T09:00:00Z");
    push("pull_request", opened);

    let mut sync = read("pull_request.synchronize.json");
    sync["pull_request"]["created_at"] = json!("2026-03-02T09:00:00Z");
    sync["pull_request"]["updated_at"] = json!("2026-03-02T09:10:00Z");
    push("pull_request", sync);

    for (attempt, conclusion, start, end) in [
        (1, "failure", "2026-03-02T09:10:30Z", "2026-03-02T09:14:30Z"),
        (2, "success", "2026-03-02T09:20:00Z", "2026-03-02T09:23:00Z"),
    ] {
        let mut run = read("workflow_run.completed.json");
        let r = &mut run["workflow_run"];
        r["id"] = json!(7001);
        r["name"] = json!("CI");
        r["run_attempt"] = json!(attempt);
        r["conclusion"] = json!(conclusion);
        r["event"] = json!("pull_request");
        r["head_branch"] = json!("changes");
        r["head_sha"] = json!(HEAD_SHA);
        r["created_at"] = json!("2026-03-02T09:10:10Z");
        r["run_started_at"] = json!(start);
        r["updated_at"] = json!(end);
        r["previous_attempt_url"] = Value::Null;
        r["repository"] = repository.clone();
        r["pull_requests"] = json!([{
            "id": 279147437, "number": NUMBER,
            "head": {"ref": "changes", "sha": HEAD_SHA, "repo": {"id": 186853002}},
            "base": {"ref": "master", "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
                     "repo": {"id": 186853002}}
        }]);
        run["repository"] = repository.clone();
        push("workflow_run", run);
    }

    let mut review = read("pull_request_review.submitted.json");
    review["review"]["state"] = json!("approved");
    review["review"]["submitted_at"] = json!("2026-03-02T09:30:00Z");
    push("pull_request_review", review);

    let mut closed = read("pull_request.closed.json");
    let pr = &mut closed["pull_request"];
    pr["created_at"] = json!("2026-03-02T09:00:00Z");
    pr["updated_at"] = json!("2026-03-02T09:40:00Z");
    pr["closed_at"] = json!("2026-03-02T09:40:00Z");
    pr["merged_at"] = json!("2026-03-02T09:40:00Z");
    pr["merged"] = json!(true);
    pr["merge_commit_sha"] = json!(MERGE_SHA);
    push("pull_request", closed);

    let deployment = |id: u64, env: &str, state: &str, created: &str, at: &str| {
        let mut d = read("deployment_status.created.json");
        d["deployment"]["id"] = json!(id);
        d["deployment"]["sha"] = json!(MERGE_SHA);
        d["deployment"]["environment"] = json!(env);
        d["deployment"]["original_environment"] = json!(env);
        d["deployment"]["production_environment"] = json!(env == "production");
        d["deployment"]["created_at"] = json!(created);
        d["deployment_status"]["environment"] = json!(env);
        d["deployment_status"]["state"] = json!(state);
        d["deployment_status"]["created_at"] = json!(at);
        d
    };
    let staging = deployment(
        501,
        "staging",
        "success",
        "2026-03-02T09:45:00Z",
        "2026-03-02T09:47:00Z",
    );
    let prod_failed = deployment(
        502,
        "production",
        "failure",
        "2026-03-02T10:00:00Z",
        "2026-03-02T10:03:00Z",
    );
    let prod_ok = deployment(
        503,
        "production",
        "success",
        "2026-03-02T10:10:00Z",
        "2026-03-02T10:12:00Z",
    );

    let mut wait = read("workflow_job.queued.with-deployment.json");
    wait["workflow_job"]["created_at"] = json!("2026-03-02T09:44:00Z");
    wait["deployment"]["id"] = json!(501);
    wait["deployment"]["sha"] = json!(MERGE_SHA);
    wait["deployment"]["environment"] = json!("staging");
    wait["repository"] = repository.clone();
    push("workflow_job", wait);
    push("deployment_status", staging);
    push("deployment_status", prod_failed);
    push("deployment_status", prod_ok);
    out
}
