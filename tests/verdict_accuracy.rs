//! Measured verdict accuracy on `tests/corpus/verdicts/`: every case's failed job, mapped by
//! the receivers' own REST mapping, its log beside it as the pollers put it (GitLab: its
//! section markers as runner phases too), judged by the `cicd_ownership` processor with its
//! defaults. Prints the accuracy per cause and overall, and fails under [`FLOOR`].

use ciotel_cicd::ownership::job_log::{self, JobLog};
use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_cicd::{CiEvent, IdRecipe, translate_all};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The share of cases whose verdict must be the expected one.
const FLOOR: f64 = 0.9;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    platform: String,
    cause: String,
    expected: String,
    #[serde(default)]
    failed_step: Option<String>,
    #[serde(default)]
    unfinished_step: Option<String>,
    #[serde(default)]
    failure_reason: Option<String>,
    #[serde(default)]
    no_runner: bool,
    #[serde(default)]
    log: Option<String>,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/verdicts")
}

fn json_file(name: &str) -> Value {
    let path = corpus().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("payload shape")
}

/// The case's batch: run and job spans, and the job's `job_log` span.
fn batch(case: &Case, log: Option<&[u8]>) -> Vec<ResourceSpans> {
    let job_log = match log {
        Some(bytes) => JobLog::Read(ciotel_core::poll::tail(bytes, 64 * 1024)),
        None => JobLog::Unavailable("HTTP 404".into()),
    };
    match case.platform.as_str() {
        "github" => {
            let run: ciotel_github::payload::WorkflowRun = from(json_file("github-run.json"));
            let mut job = json_file("github-job.json");
            if let Some(step) = &case.failed_step {
                set_step(&mut job, step, json!("completed"), json!("failure"));
            }
            if let Some(step) = &case.unfinished_step {
                set_step(&mut job, step, json!("in_progress"), Value::Null);
            }
            if case.no_runner {
                job["steps"] = json!([]);
                job["started_at"] = job["completed_at"].clone();
                for k in [
                    "runner_id",
                    "runner_name",
                    "runner_group_id",
                    "runner_group_name",
                ] {
                    job[k] = Value::Null;
                }
            }
            let job: ciotel_github::payload::WorkflowJob = from(job);
            let events = vec![
                ciotel_github::map_rest_run(&run).expect("run maps"),
                ciotel_github::map_rest_job(&job, run.repository.as_ref()).expect("job maps"),
            ];
            let mut groups = translate_all(&events, IdRecipe::CheckRun);
            assert!(job_log::attach_to_job(
                &mut groups,
                &job.id.to_string(),
                &job_log
            ));
            groups
        }
        "gitlab" => {
            let project: ciotel_gitlab::payload::Project = from(json_file("gitlab-project.json"));
            let pipeline: ciotel_gitlab::payload::RestPipeline =
                from(json_file("gitlab-pipeline.json"));
            let mut job = json_file("gitlab-job.json");
            job["failure_reason"] = json!(case.failure_reason);
            let job: ciotel_gitlab::payload::RestJob = from(job);
            let mut events = ciotel_gitlab::map_rest_pipeline(
                &project,
                &pipeline,
                std::slice::from_ref(&job),
                &[],
                None,
            )
            .expect("pipeline maps");
            if let Some(bytes) = log {
                let text = String::from_utf8_lossy(bytes);
                let phases = ciotel_gitlab::log_sections::steps(
                    &ciotel_gitlab::log_sections::sections(&text),
                );
                for e in &mut events {
                    if let CiEvent::Job(j) = e {
                        j.steps = phases.clone();
                    }
                }
            }
            let mut groups = ciotel_gitlab::translate(&events);
            assert!(job_log::attach_to_job(
                &mut groups,
                &job.id.to_string(),
                &job_log
            ));
            groups
        }
        other => panic!("platform {other}"),
    }
}

fn set_step(job: &mut Value, name: &str, status: Value, conclusion: Value) {
    let steps = job["steps"].as_array_mut().expect("steps");
    let step = steps
        .iter_mut()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name}"));
    step["status"] = status;
    step["conclusion"] = conclusion;
}

fn attr(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            AnyValue::StringValue(s) => Some(s.clone()),
            _ => None,
        })
}

#[test]
fn verdicts_on_the_corpus_meet_the_floor() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.yaml").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 25, "{} cases", dirs.len());
    // cause → (right, total)
    let mut by_cause: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let text = std::fs::read_to_string(dir.join("case.yaml")).expect("case.yaml");
        let case: Case = yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let log = std::fs::read(dir.join("job.log")).ok();
        assert_eq!(
            log.is_none(),
            case.log.is_some(),
            "{name}: job.log xor `log: none`"
        );
        let mut groups = batch(&case, log.as_deref());
        OwnershipProcessor::new(OwnershipConfig::default()).process(&mut groups);
        let verdict = groups
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
            .find(|s| s.name == "verdict")
            .unwrap_or_else(|| panic!("{name}: no verdict span"));
        let got = attr(verdict, "ciotel.failure.owner").unwrap_or_default();
        let rule = attr(verdict, "ciotel.failure.rule").unwrap_or_default();
        let entry = by_cause.entry(case.cause.clone()).or_default();
        entry.1 += 1;
        if got == case.expected {
            entry.0 += 1;
        } else {
            wrong.push(format!(
                "{name}: expected {}, got {got} ({rule})",
                case.expected
            ));
        }
        println!("{name:28} {:9} {got:12} {rule}", case.expected);
    }
    println!("\naccuracy per cause:");
    for (cause, (right, total)) in &by_cause {
        println!("  {cause:38} {right}/{total}");
    }
    let right: usize = by_cause.values().map(|(r, _)| r).sum();
    let total = dirs.len();
    let accuracy = right as f64 / total as f64;
    println!("overall: {right}/{total} = {:.1} %", accuracy * 100.0);
    for w in &wrong {
        println!("WRONG {w}");
    }
    assert!(
        accuracy >= FLOOR,
        "accuracy {:.1} % under the floor of {:.0} %: {wrong:?}",
        accuracy * 100.0,
        FLOOR * 100.0
    );
}
