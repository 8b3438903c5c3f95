//! Golden files: every GitLab fixture → its `CiEvent`s and OTLP JSON, checked into
//! `tests/golden/`. `UPDATE_GOLDEN=1 cargo test -p ciotel-gitlab --test golden` rewrites them;
//! review the diff by hand before committing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ciotel_cicd::CiEvent;
use opentelemetry_proto::tonic::trace::v1::TracesData;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// `gitlab/go-gitlab/webhook_job.json` → `gitlab.go-gitlab.webhook_job`.
fn golden_base(rel: &str) -> String {
    rel.trim_end_matches(".json").replace('/', ".")
}

fn otlp_json(events: &[CiEvent]) -> String {
    let data = TracesData {
        resource_spans: ciotel_gitlab::translate(events),
    };
    serde_json::to_string_pretty(&data).expect("OTLP serializes") + "\n"
}

fn events_json(events: &[CiEvent]) -> String {
    serde_json::to_string_pretty(events).expect("events serialize") + "\n"
}

/// The first differing line, with its neighbours, for a readable failure.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<_>, Vec<_>) = (expected.lines().collect(), actual.lines().collect());
    let i = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let window = |v: &[&str]| v[i.saturating_sub(2)..(i + 3).min(v.len())].join("\n");
    format!(
        "first difference at line {}:\n--- golden\n{}\n--- actual\n{}",
        i + 1,
        window(&e),
        window(&a)
    )
}

#[test]
fn every_fixture_matches_its_golden() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let dir = golden_dir();
    let mut wanted = BTreeSet::new();
    let mut failures = Vec::new();

    for rel in common::gitlab_fixtures() {
        let events = common::events(&rel);
        let base = golden_base(&rel);
        for (name, actual) in [
            (format!("{base}.event.json"), events_json(&events)),
            (format!("{base}.otlp.json"), otlp_json(&events)),
        ] {
            let path = dir.join(&name);
            wanted.insert(name.clone());
            if update {
                std::fs::write(&path, &actual)
                    .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => failures.push(format!(
                    "{name} (from {rel}): {}",
                    first_difference(&expected, &actual)
                )),
                Err(e) => failures.push(format!("{name} (from {rel}): cannot read golden: {e}")),
            }
        }
    }

    let present =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in present {
        let path = entry.expect("directory entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !wanted.contains(&name) {
            if update {
                std::fs::remove_file(&path)
                    .unwrap_or_else(|e| panic!("removing {}: {e}", path.display()));
            } else {
                failures.push(format!("{name}: golden without a fixture"));
            }
        }
    }

    assert!(
        failures.is_empty(),
        "{} golden file(s) differ:\n\n{}\n\nIf the change is intended: UPDATE_GOLDEN=1 cargo test -p ciotel-gitlab --test golden, then review the diff.",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn goldens_are_valid_otlp_json() {
    for rel in common::gitlab_fixtures() {
        let name = format!("{}.otlp.json", golden_base(&rel));
        let path = golden_dir().join(&name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // reported by every_fixture_matches_its_golden
        };
        let data: Result<TracesData, _> = serde_json::from_str(&text);
        let data = data.unwrap_or_else(|e| panic!("{name} is not OTLP JSON: {e}"));
        assert!(
            data.resource_spans == common::resource_spans(&rel),
            "{name} does not read back as the spans it was written from"
        );
    }
}
