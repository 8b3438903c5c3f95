//! Golden files of the change traces: every GitLab webhook fixture of a merge request,
//! deployment, pipeline or job → the change events it maps to and their OTLP JSON, checked into
//! `tests/change_golden/`. Fixtures are read from `../shared/fixtures` (the test fails, naming
//! the folder, when it is absent). `UPDATE_GOLDEN=1 cargo test -p ciotel-gitlab --test
//! change_golden` rewrites them; review the diff by hand.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ciotel_cicd::change::{ChangeBatch, ChangeEvent, ChangeNumber, DeliveryCache};
use ciotel_cicd::translate_changes;
use ciotel_gitlab::{ID_RECIPE, map_change_webhook};
use opentelemetry_proto::tonic::trace::v1::TracesData;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/change_golden")
}

/// The go-gitlab webhook fixtures and the `X-Gitlab-Event` each is delivered as, by its
/// `object_kind`.
fn change_fixtures() -> Vec<(String, &'static str)> {
    let dir = common::fixtures_dir().join("gitlab/go-gitlab");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = format!("gitlab/go-gitlab/{name}");
        let v: serde_json::Value = serde_json::from_slice(&common::read(&rel)).expect("JSON");
        let event = match v.get("object_kind").and_then(|k| k.as_str()) {
            Some("merge_request") => "Merge Request Hook",
            Some("deployment") => "Deployment Hook",
            Some("pipeline") => "Pipeline Hook",
            Some("build") => "Job Hook",
            _ => continue,
        };
        out.push((rel, event));
    }
    out.sort();
    assert!(
        out.len() >= 8,
        "expected at least 8 GitLab change fixtures: {out:?}"
    );
    out
}

fn batch(rel: &str, event: &str) -> ChangeBatch {
    map_change_webhook(event, &common::read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn otlp_json(events: &[ChangeEvent]) -> String {
    let data = TracesData {
        resource_spans: translate_changes(events, ID_RECIPE),
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
        let b = batch(&rel, event);
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
        "{} golden file(s) differ:\n{}\nIf intended: UPDATE_GOLDEN=1 cargo test -p ciotel-gitlab --test change_golden, then review the diff.",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_fixtures_say_what_gitlab_said() {
    let mr = batch(
        "gitlab/go-gitlab/webhook_merge_request.json",
        "Merge Request Hook",
    );
    let spans = common::spans(&translate_changes(&mr.events, ID_RECIPE));
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].name, "opened");
    let ids = ciotel_cicd::change::ids::ChangeIds::new("gitlab", "1", &ChangeNumber::Number(1));
    assert_eq!(spans[0].trace_id, ids.trace_id().0.to_vec());

    // A group hook's merge without a project id names no change; a push to an MR is one.
    let group = batch(
        "gitlab/go-gitlab/webhook_group_merge_request.json",
        "Merge Request Hook",
    );
    assert!(group.events.is_empty());
    let pushed = batch(
        "gitlab/go-gitlab/webhook_service_merge_request.json",
        "Merge Request Hook",
    );
    let push = &common::spans(&translate_changes(&pushed.events, ID_RECIPE))[0];
    assert!(push.name.starts_with("push "), "{}", push.name);

    // The merge-request pipeline is a run of MR !1, linked to the pipeline's trace.
    let p = batch("gitlab/go-gitlab/webhook_pipeline.json", "Pipeline Hook");
    let run = &common::spans(&translate_changes(&p.events, ID_RECIPE))[0];
    assert_eq!(run.name, "RUN gitlab-org/gitlab-test");
    assert_eq!(
        run.links[0].trace_id,
        ID_RECIPE.trace_id("31", 1).0.to_vec()
    );
    assert_eq!(
        run.links[0].span_id,
        ID_RECIPE.root_span_id("31", 1).0.to_vec()
    );

    // The production job deploys: once its merge is known, DEPLOY production lands in that
    // change's trace, tier production, linked to the job's span in its pipeline's trace.
    let job = batch("gitlab/go-gitlab/webhook_job.json", "Job Hook");
    let ChangeEvent::Deployment(d) = &job.events[0] else {
        panic!("a deployment: {:?}", job.events);
    };
    assert_eq!(
        (d.environment.as_str(), d.production),
        ("production", Some(true))
    );
    let change = ciotel_cicd::change::ChangeRef {
        provider: "gitlab".into(),
        repository_id: d.repository_id.clone(),
        number: ChangeNumber::Number(9),
        repository: d.repository.clone(),
    };
    assert_eq!(d.repository_id, "31537070");
    let merge = ciotel_cicd::change::MergeSeen {
        change: change.clone(),
        revision: d.revision.clone().expect("sha"),
        base_ref: Some("master".into()),
        merged_at: None,
    };
    let mut cache = DeliveryCache::new(4);
    let mut events = cache.resolve(job.events.clone(), &[]);
    assert!(events.is_empty(), "waits for its merge");
    events.extend(cache.resolve(vec![], &[merge]));
    let spans = common::spans(&translate_changes(&events, ID_RECIPE));
    assert_eq!(spans[0].name, "DEPLOY production");
    assert_eq!(spans[0].trace_id, change.ids().trace_id().0.to_vec());
    assert_eq!(
        common::attr_str(&spans[0], "ciotel.deployment.tier"),
        Some("production")
    );
    assert_eq!(
        spans[0].links[0].trace_id,
        ID_RECIPE.trace_id("743121198", 1).0.to_vec()
    );
    assert_eq!(
        hex::encode(&spans[0].links[0].span_id),
        ciotel_gitlab::ids::job_span_id(3580121225).to_string()
    );
}
