//! Golden files of the change traces: every GitHub webhook fixture published for a change
//! event (`pull_request`, `pull_request_review`, `check_suite`, `merge_group`, `deployment*`),
//! and every `workflow_run` / `workflow_job` fixture → the change events it maps to and their
//! OTLP JSON, checked into `tests/change_golden/`. Fixtures are read from `../shared/fixtures`
//! (the test fails, naming the folder, when it is absent). `UPDATE_GOLDEN=1 cargo test -p
//! ciotel-github --test change_golden` rewrites them; review the diff by hand.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ciotel_cicd::change::{ChangeBatch, ChangeEvent, ChangeNumber, DeliveryCache, MergeSeen};
use ciotel_cicd::{IdRecipe, translate_changes};
use ciotel_github::{CHANGE_EVENTS, map_change_webhook};
use opentelemetry_proto::tonic::trace::v1::TracesData;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/change_golden")
}

/// The webhook fixtures and the `X-GitHub-Event` each was published for.
fn change_fixtures() -> Vec<(String, String)> {
    let dir = common::fixtures_dir().join("github/webhooks");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(event) = name.split('.').next() else {
            continue;
        };
        if CHANGE_EVENTS.contains(&event) || event == "workflow_run" || event == "workflow_job" {
            out.push((format!("github/webhooks/{name}"), event.to_owned()));
        }
    }
    out.sort();
    assert!(
        out.len() >= 40,
        "expected at least 40 change fixtures, found {}",
        out.len()
    );
    out
}

fn batch(rel: &str, event: &str) -> ChangeBatch {
    map_change_webhook(event, &common::read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn otlp_json(events: &[ChangeEvent]) -> String {
    let data = TracesData {
        resource_spans: translate_changes(events, IdRecipe::CheckRun),
    };
    serde_json::to_string_pretty(&data).expect("OTLP serializes") + "\n"
}

#[test]
fn every_change_fixture_matches_its_golden() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let dir = golden_dir();
    if update {
        std::fs::create_dir_all(&dir).expect("golden dir");
    }
    let mut wanted = BTreeSet::new();
    let mut failures = Vec::new();
    for (rel, event) in change_fixtures() {
        let b = batch(&rel, &event);
        let base = rel.trim_end_matches(".json").replace('/', ".");
        let outputs = [
            (
                format!("{base}.change.json"),
                serde_json::to_string_pretty(&b).expect("serializes") + "\n",
            ),
            (format!("{base}.otlp.json"), otlp_json(&b.events)),
        ];
        for (name, actual) in outputs {
            let path = dir.join(&name);
            wanted.insert(name.clone());
            if update {
                std::fs::write(&path, &actual)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(expected) if expected == actual => {}
                Ok(_) => failures.push(format!("{name} (from {rel}) differs")),
                Err(e) => failures.push(format!("{name} (from {rel}): {e}")),
            }
        }
    }
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !wanted.contains(&name) {
            if update {
                std::fs::remove_file(&path).expect("remove stale golden");
            } else {
                failures.push(format!("{name}: golden without a fixture"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ:\n{}\nIf intended: UPDATE_GOLDEN=1 cargo test -p ciotel-github --test change_golden, then review the diff.",
        failures.len(),
        failures.join("\n")
    );
}

/// What a person checks in the goldens, asserted by value so a golden regenerated wrongly
/// does not pass unnoticed.
#[test]
fn the_fixtures_say_what_the_platform_said() {
    let opened = batch("github/webhooks/pull_request.opened.json", "pull_request");
    let spans = translate_changes(&opened.events, IdRecipe::CheckRun);
    let all = common::spans(&spans);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name, "opened");
    assert_eq!(
        common::attr_str(&all[0], "vcs.ref.head.revision"),
        Some("ec26c3e57ca3a959ca5aad62de7213c562f8c821")
    );
    let ids =
        ciotel_cicd::change::ids::ChangeIds::new("github", "186853002", &ChangeNumber::Number(2));
    assert_eq!(all[0].trace_id, ids.trace_id().0.to_vec());

    // Closed without merging: the root, state closed, opened → closed (45 s).
    let closed = batch("github/webhooks/pull_request.closed.json", "pull_request");
    assert!(closed.merges.is_empty(), "not merged: no merge revision");
    let root = &common::spans(&translate_changes(&closed.events, IdRecipe::CheckRun))[0];
    assert_eq!(
        root.name,
        "CHANGE Codertocat/Hello-World#2 Update the README with new information."
    );
    assert_eq!(common::attr_str(root, "vcs.change.state"), Some("closed"));
    assert_eq!(
        root.end_time_unix_nano - root.start_time_unix_nano,
        45_000_000_000
    );

    // A labeled pull request makes no span; a review does.
    let labeled = batch("github/webhooks/pull_request.labeled.json", "pull_request");
    assert!(translate_changes(&labeled.events, IdRecipe::CheckRun).is_empty());
    let review = batch(
        "github/webhooks/pull_request_review.submitted.json",
        "pull_request_review",
    );
    let r = &common::spans(&translate_changes(&review.events, IdRecipe::CheckRun))[0];
    assert_eq!(r.name, "REVIEW commented by Codertocat");

    // This run lists a pull request of another repository (Hello-World's PR 2 for a run of
    // octo-repo): it is no change of octo-repo's.
    let run = batch(
        "github/webhooks/workflow_run.completed.with-pull-requests.json",
        "workflow_run",
    );
    assert!(run.events.is_empty(), "{:?}", run.events);

    // A deployment review of PR 3's run: the approval requested, in PR 3's trace, linked to
    // the waiting job in the run's trace.
    let review = batch(
        "github/webhooks/deployment_review.requested.json",
        "deployment_review",
    );
    let w = &common::spans(&translate_changes(&review.events, IdRecipe::CheckRun))[0];
    let pr3 =
        ciotel_cicd::change::ids::ChangeIds::new("github", "616901961", &ChangeNumber::Number(3));
    assert_eq!(w.name, "approval requested: TST");
    assert_eq!(w.trace_id, pr3.trace_id().0.to_vec());
    assert_eq!(w.parent_span_id, pr3.root_span_id().0.to_vec());
    assert_eq!(
        w.links[0].trace_id,
        ciotel_cicd::ids::trace_id("5453085689", 1).0.to_vec()
    );
    assert_eq!(
        hex::encode(&w.links[0].span_id),
        IdRecipe::CheckRun
            .job_span_id(&ciotel_cicd::ids::JobKey {
                run_id: "5453085689",
                run_attempt: 1,
                job_id: "9921448362",
                job_name: "",
            })
            .to_string()
    );

    // The merge group names PR 104 by its queue branch.
    let mg = batch(
        "github/webhooks/merge_group.checks_requested.json",
        "merge_group",
    );
    let q = &common::spans(&translate_changes(&mg.events, IdRecipe::CheckRun))[0];
    assert_eq!(q.name, "merge queue: entered");
    assert_eq!(common::attr_str(q, "vcs.change.id"), Some("104"));

    // A job waiting on its environment: the approval wait under its deployment's span, once
    // the delivery cache knows the deployed revision's change.
    let waiting = batch(
        "github/webhooks/workflow_job.queued.with-deployment.json",
        "workflow_job",
    );
    assert_eq!(waiting.events.len(), 1);
}

/// `deployment_status` names no change: the receiver's cache attributes it by revision, in
/// either order of merge and deployment.
#[test]
fn a_deployment_status_lands_in_the_trace_of_the_merge_it_deploys() {
    let status = batch(
        "github/webhooks/deployment_status.created.json",
        "deployment_status",
    );
    assert!(
        translate_changes(&status.events, IdRecipe::CheckRun).is_empty(),
        "no change yet"
    );
    let ChangeEvent::Deployment(d) = &status.events[0] else {
        panic!("a deployment: {:?}", status.events);
    };
    let change = ciotel_cicd::change::ChangeRef {
        provider: "github".into(),
        repository_id: d.repository_id.clone(),
        number: ChangeNumber::Number(1),
        repository: d.repository.clone(),
    };
    let merge = MergeSeen {
        change: change.clone(),
        revision: d.revision.clone().expect("a revision"),
        base_ref: Some("master".into()),
        merged_at: None,
    };
    for merge_first in [true, false] {
        let mut cache = DeliveryCache::new(16);
        let mut events = Vec::new();
        if merge_first {
            events.extend(cache.resolve(vec![], std::slice::from_ref(&merge)));
            events.extend(cache.resolve(status.events.clone(), &[]));
        } else {
            events.extend(cache.resolve(status.events.clone(), &[]));
            events.extend(cache.resolve(vec![], std::slice::from_ref(&merge)));
        }
        let spans = common::spans(&translate_changes(&events, IdRecipe::CheckRun));
        assert_eq!(spans.len(), 1, "merge first: {merge_first}");
        assert_eq!(spans[0].name, "DEPLOY production");
        assert_eq!(spans[0].trace_id, change.ids().trace_id().0.to_vec());
        assert_eq!(
            spans[0].end_time_unix_nano - spans[0].start_time_unix_nano,
            2_000_000_000
        );
        assert_eq!(
            common::attr_str(&spans[0], "deployment.status"),
            Some("succeeded")
        );
    }
}

/// An approved deployment review (no published example: the requested one with GitHub's
/// documented `approved` fields) → the wait from `since` to the decision, with the approver.
#[test]
fn an_approved_review_is_the_wait_from_requested_to_decided() {
    let mut v: serde_json::Value = serde_json::from_slice(&common::read(
        "github/webhooks/deployment_review.requested.json",
    ))
    .expect("JSON");
    v["action"] = serde_json::json!("approved");
    v["approver"] = serde_json::json!({"login": "octocat"});
    v["workflow_job_runs"] = serde_json::json!([v["workflow_job_run"].clone()]);
    v["workflow_job_run"] = serde_json::Value::Null;
    v["workflow_run"]["updated_at"] = serde_json::json!("2023-07-04T09:30:15Z");
    let body = serde_json::to_vec(&v).expect("JSON");
    let b = map_change_webhook("deployment_review", &body).expect("maps");
    let spans = common::spans(&translate_changes(&b.events, IdRecipe::CheckRun));
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].name, "approval approved: TST");
    assert_eq!(
        spans[0].end_time_unix_nano - spans[0].start_time_unix_nano,
        120_000_000_000,
        "since 09:28:15 → 09:30:15"
    );
    assert_eq!(
        common::attr_str(&spans[0], "ciotel.approval.approver"),
        Some("octocat")
    );
    // The requested wait is another span: neither is ever re-emitted changed.
    let requested = batch(
        "github/webhooks/deployment_review.requested.json",
        "deployment_review",
    );
    let r = &common::spans(&translate_changes(&requested.events, IdRecipe::CheckRun))[0];
    assert_ne!(r.span_id, spans[0].span_id);
}
