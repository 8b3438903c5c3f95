//! The text renderer shared by `ciotel explain` and the `debug` exporter's `detailed`
//! verbosity: per pipeline run (trace), a waterfall of its spans with their owners, then the
//! verdict line ("FAILED — platform: job "build" failed in "Set up job" (runner_system_failure)").
//!
//! Change traces (`change.rs`) render as a path-to-production waterfall instead: checks,
//! review, merge, deployments per environment, each run's verdict beside it.
//!
//! It only reads what the translator and the `cicd_ownership` processor wrote on the spans;
//! it judges nothing itself, so what it prints is what backends see. Spans without owners
//! show `-`.

pub mod change;
pub mod duration;
pub mod json;
pub mod run;
pub mod style;
pub mod verdict_line;
pub mod waterfall;

use opentelemetry_proto::tonic::trace::v1::ResourceSpans;

use crate::ownership::tree::Forest;
pub use change::{ChangeView, render_change};
pub use run::{Outcome, RunView};
use style::{Painter, Style};
use verdict_line::{Tone, verdict_text};

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colour (for a terminal).
    pub color: bool,
    /// Width of the time bars, in characters.
    pub bar_width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            bar_width: 40,
        }
    }
}

/// The waterfall and verdict of one run, each line ending in `\n`.
pub fn render_run(forest: &Forest<'_>, run: &RunView, options: &RenderOptions) -> String {
    let painter = Painter {
        color: options.color,
    };
    let mut out = waterfall::waterfall(forest, run, options.bar_width, painter);
    let verdict = verdict_text(run);
    let style = match verdict.tone {
        Tone::Bad => Style::BOLD_RED,
        Tone::Good => Style::BOLD_GREEN,
        Tone::Neutral => Style::BOLD_YELLOW,
    };
    out.push_str(&painter.paint(style, verdict.word));
    out.push_str(&verdict.rest);
    out.push('\n');
    for line in &verdict.details {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every run in `groups`, then every change (its path to production), separated by blank
/// lines.
pub fn render(groups: &[ResourceSpans], options: &RenderOptions) -> String {
    let forest = Forest::build(groups);
    let runs = run_views(&forest);
    let painter = Painter {
        color: options.color,
    };
    runs.iter()
        .map(|run| render_run(&forest, run, options))
        .chain(
            ChangeView::all(&forest)
                .iter()
                .map(|c| render_change(&forest, c, &runs, painter)),
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// The run traces of `forest` (every trace that is not a change's).
pub fn run_views(forest: &Forest<'_>) -> Vec<RunView> {
    RunView::all(forest)
        .into_iter()
        .filter(|r| !change::is_change_trace(forest, r.trace))
        .collect()
}

/// Plain text for the `debug` exporter's `detailed` verbosity: the spans of one batch, which
/// may hold only part of a run.
pub fn render_plain(groups: &[ResourceSpans]) -> String {
    render(groups, &RenderOptions::default())
}

#[cfg(test)]
mod tests;
