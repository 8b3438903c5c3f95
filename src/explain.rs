//! `ciotel explain FILE|-`: reads OTLP JSON lines (what the `file` exporter writes) and prints,
//! per pipeline run, a waterfall of its spans with their owners and the verdict ("FAILED —
//! platform: job "build" failed in "Set up job" (runner_system_failure)"), then per change its
//! path to production (checks with each run's verdict, review, merge, deployments per
//! environment); or, with `--format json`, the run verdicts alone.
//!
//! Spans that carry no `ciotel.owner` yet (a file written without the `cicd_ownership`
//! processor) are tagged and judged here with the built-in packs and `default_owner:
//! application`; spans that carry one keep it, so the user's rules in the daemon's config are
//! what `explain` shows; `--config FILE` tags them with that config's own `cicd_ownership`
//! rules instead (`--processor ID` picks one when there are several). A run's verdict is read from its `verdict` span, the one over the
//! most jobs; the processor adds one over the failed jobs in the file when the daemon wrote
//! none (or one over fewer jobs).

use crate::components::{Loaded, ProcessorConfig};
use ciotel_cicd::ownership::tree::Forest;
use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_cicd::render::json::verdicts_json;
use ciotel_cicd::render::style::Painter;
use ciotel_cicd::render::{
    ChangeView, RenderOptions, RunView, render_change, render_run, run_views,
};
use ciotel_core::Batch;
use ciotel_core::processors::Transform;
use ciotel_core::signal::Signal;
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `ciotel explain`.
#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// OTLP JSON lines, as the `file` exporter writes them; `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Only this run: its run id (`cicd.pipeline.run.id`; every attempt) or its trace id; or
    /// this change: its number (`vcs.change.id`) or its trace id.
    #[arg(long, value_name = "ID")]
    pub run: Option<String>,
    /// `text`: waterfall and verdict per run; `json`: the verdicts, machine-readable.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No colour, even on a terminal (colour is only ever used on one; `NO_COLOR` works too).
    #[arg(long)]
    pub no_color: bool,
    /// Tag and judge with this daemon config's `cicd_ownership` processor (its rules, packs
    /// and default owner) instead of the built-in defaults.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// With `--config`: which `cicd_ownership` processor (`cicd_ownership[/name]`), when the
    /// file has several and the traces pipelines do not tell.
    #[arg(long, value_name = "ID", requires = "config")]
    pub processor: Option<String>,
}

/// Output format of `ciotel explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Waterfall and verdict line per run.
    Text,
    /// The verdicts as a JSON array.
    Json,
}

/// Why `explain` could not answer.
#[derive(Debug, thiserror::Error)]
enum ExplainError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error(
        "{file}: no spans found (expected OTLP JSON lines, as the `file` exporter writes them)"
    )]
    NoSpans { file: String },
    #[error("{file}: no run {id} (give a cicd.pipeline.run.id or a trace id)")]
    NoSuchRun { file: String, id: String },
    #[error("{0}")]
    Config(String),
}

/// Runs `ciotel explain`; exit 0 when it printed an answer, 1 when it could not.
pub fn run(args: &ExplainArgs) -> ExitCode {
    match explain(args) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ciotel explain: {e}");
            ExitCode::FAILURE
        }
    }
}

fn explain(args: &ExplainArgs) -> Result<String, ExplainError> {
    let name = args.file.display().to_string();
    let bytes = read_input(args).map_err(|source| ExplainError::Read {
        file: name.clone(),
        source,
    })?;
    let mut batch = decode_lines(&name, &bytes);
    if batch.is_empty() {
        return Err(ExplainError::NoSpans { file: name });
    }
    let ownership = match &args.config {
        Some(path) => ownership_config(path, args.processor.as_deref())?,
        None => OwnershipConfig::default(),
    };
    OwnershipProcessor::new(ownership).apply(&mut batch);
    let Batch::Traces(groups) = &batch else {
        return Err(ExplainError::NoSpans { file: name });
    };

    let forest = Forest::build(groups);
    let runs = run_views(&forest);
    let selected: Vec<&RunView> = match &args.run {
        Some(id) => runs.iter().filter(|r| r.matches(&forest, id)).collect(),
        None => runs.iter().collect(),
    };
    let changes = ChangeView::all(&forest);
    let selected_changes: Vec<&ChangeView> = match &args.run {
        Some(id) => changes.iter().filter(|c| c.matches(&forest, id)).collect(),
        None => changes.iter().collect(),
    };
    if selected.is_empty() && selected_changes.is_empty() {
        return Err(ExplainError::NoSuchRun {
            file: name,
            id: args.run.clone().unwrap_or_default(),
        });
    }
    Ok(match args.format {
        Format::Json => verdicts_json(&forest, &selected),
        Format::Text => {
            let color = use_color(
                args.no_color,
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            );
            let options = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            let painter = Painter { color };
            selected
                .iter()
                .map(|r| render_run(&forest, r, &options))
                .chain(
                    selected_changes
                        .iter()
                        .map(|c| render_change(&forest, c, &runs, painter)),
                )
                .collect::<Vec<_>>()
                .join("\n")
        }
    })
}

/// The `cicd_ownership` processor config of the daemon config at `path`: the one named by
/// `wanted`, else the only one, else the only one in a traces pipeline.
fn ownership_config(path: &Path, wanted: Option<&str>) -> Result<OwnershipConfig, ExplainError> {
    let file = path.display().to_string();
    let loaded: Loaded =
        ciotel_core::config::load_file(path).map_err(|e| ExplainError::Config(e.to_string()))?;
    let config = loaded.config;
    let candidates: Vec<(String, &OwnershipConfig)> = config
        .processors
        .iter()
        .filter_map(|(id, p)| match p {
            ProcessorConfig::CicdOwnership(c) => Some((id.to_string(), &**c)),
            _ => None,
        })
        .collect();
    let found = |id: &str| {
        candidates
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, c)| (*c).clone())
    };
    if let Some(id) = wanted {
        return found(id).ok_or_else(|| {
            ExplainError::Config(format!(
                "{file}: no cicd_ownership processor `{id}` (it has: {})",
                names(&candidates)
            ))
        });
    }
    match candidates.as_slice() {
        [] => Err(ExplainError::Config(format!(
            "{file}: no cicd_ownership processor in `processors`"
        ))),
        [(_, only)] => Ok((*only).clone()),
        _ => {
            let mut in_traces: Vec<String> = config
                .service
                .pipelines
                .iter()
                .filter(|(id, _)| id.signal == Signal::Traces)
                .flat_map(|(_, p)| p.processors.iter().map(|id| id.to_string()))
                .filter(|id| found(id).is_some())
                .collect();
            in_traces.sort();
            in_traces.dedup();
            match in_traces.as_slice() {
                [one] => found(one).ok_or_else(|| ExplainError::Config(file.clone())),
                _ => Err(ExplainError::Config(format!(
                    "{file}: several cicd_ownership processors ({}); pick one with --processor ID",
                    names(&candidates)
                ))),
            }
        }
    }
}

fn names(candidates: &[(String, &OwnershipConfig)]) -> String {
    candidates
        .iter()
        .map(|(id, _)| id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Colour only on a terminal, and not when asked not to.
fn use_color(no_color_flag: bool, stdout_is_terminal: bool, no_color_env: bool) -> bool {
    stdout_is_terminal && !no_color_flag && !no_color_env
}

fn read_input(args: &ExplainArgs) -> std::io::Result<Vec<u8>> {
    if args.file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(&args.file)
    }
}

/// Every line's `resourceSpans`, as one traces batch. A line that is not an OTLP JSON traces
/// request (a half-written last line) is skipped with a warning naming it.
fn decode_lines(name: &str, bytes: &[u8]) -> Batch {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match ciotel_otlp::json::decode_traces(line) {
            Ok(req) => out.extend(req.resource_spans),
            Err(e) => eprintln!("ciotel explain: {name}:{}: line skipped: {e}", i + 1),
        }
    }
    Batch::Traces(out)
}

#[cfg(test)]
mod tests {
    use super::use_color;

    #[test]
    fn colour_only_on_a_terminal_and_when_not_refused() {
        assert!(use_color(false, true, false));
        assert!(!use_color(false, false, false), "piped: plain");
        assert!(!use_color(true, true, false), "--no-color");
        assert!(!use_color(false, true, true), "NO_COLOR");
    }
}
