//! Writes the seed corpora of the fuzz targets, at run time, from `../shared/fixtures` and the
//! repository's own test files: nothing it writes is committed.
//!
//! `ciotel-fuzz-seedgen <repo> <fixtures> <corpus>` fills `<corpus>/<target>/` for every target:
//! - `github`, `gitlab`: the platforms' webhook and REST fixtures as they are, and for GitLab the
//!   poller's REST replays (`crates/ciotel-gitlab/tests/data/*`) combined into one document;
//! - `otlp_json`: the repo's OTLP/JSON goldens and codec fixtures, and the spans of every
//!   platform fixture encoded by ciotel;
//! - `otlp_proto`: the same messages as protobuf;
//! - `ownership`: span batches as protobuf behind a few `cicd_ownership` configs;
//! - `config`, `env_substitute`: the shipped configs and the README's YAML examples;
//! - `condition`: conditions of every context, each in front of a batch of that context's signal.

use ciotel_cicd::{CiEvent, IdRecipe};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `cicd_ownership` configs put in front of span batches: none, one of each pattern kind, and
/// the kinds the packs do not use (scope, origin, resource attributes, span kind).
const OWNERSHIP_CONFIGS: &[&str] = &[
    "",
    "rules:\n  - name: gpu\n    match: {attributes: {cicd.worker.name: \"regex:^gpu-\"}}\n    owner: platform\n    team: ci-infra\n",
    "default_owner: platform\npacks: [gitlab]\nrules:\n  - name: post\n    match: {name: [\"glob:Post *\", \"exact:regex:x\"], kind: [internal, server]}\n    owner: application\n",
    "packs: []\nverdict_cache: {max_runs: 1, max_jobs_per_run: 1}\nrules:\n  - name: r\n    match: {scope: ciotel-cicd, origin: platform, resource_attributes: {vcs.provider.name: github}}\n    owner: platform\n",
];

/// Conditions per context (the index in `ContextKind::NAMES`: resource, scope, span,
/// spanevent, log, metric, datapoint), using every operator and path kind of the language.
const CONDITIONS: &[(u8, &str)] = &[
    (
        0,
        r#"attributes["service.name"] == "octo-org/octo-repo" or attributes["x"] != nil"#,
    ),
    (1, r#"name == "ciotel-cicd" and not (version != "")"#),
    (
        2,
        r#"attributes["cicd.pipeline.task.run.result"] == "failure" and kind == SPAN_KIND_INTERNAL"#,
    ),
    (
        2,
        r#"IsMatch(name, "^Set up .*") or status.code == STATUS_CODE_ERROR or resource.attributes["vcs.provider.name"] == "github""#,
    ),
    (
        2,
        r#"instrumentation_scope.name == "ciotel-cicd" and attributes["ciotel.step.number"] >= 2 and attributes["n"] < 1.5"#,
    ),
    (
        3,
        r#"span.name != "x" and name == "exception" and attributes["a"] == true"#,
    ),
    (
        4,
        r#"severity_number >= SEVERITY_NUMBER_WARN and IsMatch(body, "err\\w+") or severity_text == "INFO\n""#,
    ),
    (
        5,
        r#"name == "http.server.duration" and resource.attributes["k"] == nil"#,
    ),
    (
        6,
        r#"metric.name == "requests" and attributes["code"] > 499 and attributes["code"] <= 599"#,
    ),
];

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [repo, fixtures, corpus] = args.as_slice() else {
        eprintln!("usage: ciotel-fuzz-seedgen <repo> <fixtures> <corpus>");
        return ExitCode::from(2);
    };
    match run(repo, fixtures, corpus) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("seedgen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(repo: &Path, fixtures: &Path, corpus: &Path) -> std::io::Result<()> {
    let mut out = Corpus::new(corpus)?;

    // Platform payloads, and the spans they become.
    let mut trace_requests: Vec<(String, ExportTraceServiceRequest)> = Vec::new();
    for path in files(&fixtures.join("github"), "json")?
        .into_iter()
        .chain(files(
            &fixtures.join("otel-contrib/githubreceiver"),
            "json",
        )?)
    {
        let body = fs::read(&path)?;
        out.write("github", &name(&path), &body)?;
        let mut events: Vec<CiEvent> = Vec::new();
        for event in [
            ciotel_github::EVENT_WORKFLOW_RUN,
            ciotel_github::EVENT_WORKFLOW_JOB,
        ] {
            if let Ok(Some(e)) = ciotel_github::map_webhook(event, &body) {
                events.push(e);
            }
        }
        events.extend(ciotel_github::map_rest_runs(&body).unwrap_or_default());
        events.extend(ciotel_github::map_rest_jobs(&body, None).unwrap_or_default());
        let spans = ciotel_cicd::translate_all(&events, IdRecipe::CheckRun);
        if !spans.is_empty() {
            trace_requests.push((name(&path), request(spans)));
        }
    }
    for path in files(&fixtures.join("gitlab"), "json")?
        .into_iter()
        .chain(files(
            &fixtures.join("otel-contrib/gitlabreceiver"),
            "json",
        )?)
    {
        let body = fs::read(&path)?;
        out.write("gitlab", &name(&path), &body)?;
        let mut events = Vec::new();
        for event in [
            ciotel_gitlab::EVENT_PIPELINE_HOOK,
            ciotel_gitlab::EVENT_JOB_HOOK,
        ] {
            if let Ok(Some(mut e)) = ciotel_gitlab::map_webhook(event, &body) {
                events.append(&mut e);
            }
        }
        let spans = ciotel_gitlab::translate(&events);
        if !spans.is_empty() {
            trace_requests.push((name(&path), request(spans)));
        }
    }
    for (id, replay) in gitlab_rest_replays(&repo.join("crates/ciotel-gitlab/tests/data"))? {
        out.write("gitlab", &id, replay.as_bytes())?;
    }

    // OTLP messages: the repo's goldens and codec fixtures, then the translated fixtures.
    let mut otlp_json: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in [
        "crates/ciotel-github/tests/golden",
        "crates/ciotel-gitlab/tests/golden",
        "crates/ciotel-otlp/src/json/tests/fixtures",
    ] {
        for path in files(&repo.join(dir), "json")? {
            if !path.to_string_lossy().ends_with(".event.json") {
                otlp_json.push((name(&path), fs::read(&path)?));
            }
        }
    }
    for (id, req) in &trace_requests {
        otlp_json.push((
            format!("spans-of-{id}"),
            ciotel_otlp::json::encode_traces(req),
        ));
    }
    for (id, body) in &otlp_json {
        out.write("otlp_json", id, body)?;
        let proto = if let Ok(r) = ciotel_otlp::json::decode_traces(body) {
            r.encode_to_vec()
        } else if let Ok(r) = ciotel_otlp::json::decode_metrics(body) {
            r.encode_to_vec()
        } else if let Ok(r) = ciotel_otlp::json::decode_logs(body) {
            r.encode_to_vec()
        } else {
            continue;
        };
        out.write("otlp_proto", id, &proto)?;
    }

    // Ownership: each config in front of a spread of span batches.
    for (i, yaml) in OWNERSHIP_CONFIGS.iter().enumerate() {
        for (id, req) in trace_requests
            .iter()
            .skip(i)
            .step_by(OWNERSHIP_CONFIGS.len())
        {
            let len = u16::try_from(yaml.len()).expect("short config");
            let mut input = len.to_be_bytes().to_vec();
            input.extend_from_slice(yaml.as_bytes());
            input.extend(req.encode_to_vec());
            out.write("ownership", &format!("rules{i}-{id}"), &input)?;
        }
    }

    // Config text: shipped configs and the README's YAML blocks.
    let mut configs: Vec<(String, String)> = Vec::new();
    for path in files(&repo.join("configs"), "yaml")? {
        configs.push((name(&path), fs::read_to_string(&path)?));
    }
    let readme = fs::read_to_string(repo.join("README.md"))?;
    for (i, block) in yaml_blocks(&readme).into_iter().enumerate() {
        configs.push((format!("readme-{i}.yaml"), block));
    }
    for (id, text) in &configs {
        out.write("config", id, text.as_bytes())?;
        out.write("env_substitute", id, text.as_bytes())?;
    }

    // Conditions: each in front of a few decoded messages of its context's signal.
    for (n, (context, text)) in CONDITIONS.iter().enumerate() {
        let bodies = otlp_json.iter().filter_map(|(id, body)| {
            let proto = match context {
                4 => ciotel_otlp::json::decode_logs(body).ok()?.encode_to_vec(),
                5 | 6 => ciotel_otlp::json::decode_metrics(body)
                    .ok()?
                    .encode_to_vec(),
                _ => ciotel_otlp::json::decode_traces(body).ok()?.encode_to_vec(),
            };
            (!proto.is_empty()).then_some((id, proto))
        });
        for (i, (id, proto)) in bodies.take(4).enumerate() {
            let mut input = vec![*context];
            input.extend_from_slice(text.as_bytes());
            input.push(0);
            input.extend(proto);
            out.write("condition", &format!("c{n}-{i}-{id}"), &input)?;
        }
    }

    eprintln!(
        "seedgen: wrote {} seeds under {}",
        out.written,
        corpus.display()
    );
    Ok(())
}

/// The seed directories, counting what was written.
struct Corpus {
    root: PathBuf,
    written: usize,
}

impl Corpus {
    fn new(root: &Path) -> std::io::Result<Corpus> {
        fs::create_dir_all(root)?;
        Ok(Corpus {
            root: root.to_owned(),
            written: 0,
        })
    }

    fn write(&mut self, target: &str, id: &str, bytes: &[u8]) -> std::io::Result<()> {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(format!("seed-{id}")), bytes)?;
        self.written += 1;
        Ok(())
    }
}

/// Files under `dir` (recursively) ending in `.{ext}`, sorted; none when `dir` is missing.
fn files(dir: &Path, ext: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(out);
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files(&path, ext)?);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// A seed's name: the file's parent directory and name, joined.
fn name(path: &Path) -> String {
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
    format!("{parent}.{}", file.unwrap_or_default())
}

fn request(
    resource_spans: Vec<opentelemetry_proto::tonic::trace::v1::ResourceSpans>,
) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest { resource_spans }
}

/// Each folder of REST answers (`project.json`, `pipeline.json`, `jobs.json`, `bridges.json`,
/// or the same with a `child-`/`parent-` prefix) as one document for the gitlab target.
fn gitlab_rest_replays(data: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(data) else {
        return Ok(out);
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let case = name(&dir);
        for prefix in ["", "child-", "parent-"] {
            let part = |what: &str| fs::read_to_string(dir.join(format!("{prefix}{what}.json")));
            let (Ok(project), Ok(pipeline)) = (part("project"), part("pipeline")) else {
                continue;
            };
            let jobs = part("jobs").unwrap_or_else(|_| "[]".into());
            let bridges = part("bridges").unwrap_or_else(|_| "[]".into());
            out.push((
                format!("rest-{case}-{prefix}replay.json"),
                format!(
                    "{{\"project\":{project},\"pipeline\":{pipeline},\"jobs\":{jobs},\"bridges\":{bridges}}}"
                ),
            ));
        }
    }
    Ok(out)
}

/// The bodies of the ```yaml blocks of a Markdown text.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim_start().starts_with("```yaml") => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_start().starts_with("```") => {
                out.extend(current.take());
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    out
}
