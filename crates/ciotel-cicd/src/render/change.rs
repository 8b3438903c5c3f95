//! A change's trace as its path to production: one row per step in time order — checks
//! (runs for the change, each with its run's verdict when the run's trace is in the input),
//! reviews, the merge queue, the merge, and each environment's deployments with their
//! approval waits under them.
//!
//! ```text
//! CHANGE acme/shop#123 Add cart — merged — acme/shop — 2026-01-05T09:00:00Z
//! opened    opened                              +0s
//! checks    RUN CI                              +2m       4m00s ✗ failure   FAILED — platform: job "build" failed in "Set up job"
//! checks    RUN CI                              +12m      3m00s   success   PASSED
//! review    REVIEW approved by bob              +20m
//! merge     MERGE main                          +25m
//! deploy    DEPLOY staging                      +30m      1m00s   success
//! deploy      approval approved: production     +35m      5m00s
//! deploy    DEPLOY production                   +35m      8m00s ✗ failure
//! ```
//!
//! Like the run waterfall it only reads what the translator wrote; it judges nothing.

use super::duration::human;
use super::run::RunView;
use super::style::{Painter, Style};
use super::verdict_line::verdict_text;
use crate::ownership::span_view::text;
use crate::ownership::tree::Forest;
use crate::semconv::{self, link_type, span_type};
use crate::time::Timestamp;

/// Widest name column (indentation included); longer names are cut with `…`.
const MAX_NAME: usize = 44;

/// The span types of a change's trace.
const CHANGE_TYPES: &[&str] = &[
    span_type::CHANGE,
    span_type::OPENED,
    span_type::PUSH,
    span_type::READY_FOR_REVIEW,
    span_type::REVIEW_REQUESTED,
    span_type::REOPENED,
    span_type::REVIEW,
    span_type::MERGE_QUEUE,
    span_type::MERGE,
    span_type::CHANGE_RUN,
    span_type::DEPLOYMENT,
    span_type::APPROVAL,
];

/// One change's trace, ready to render.
#[derive(Debug, Clone)]
pub struct ChangeView {
    /// Index into [`Forest::traces`].
    pub trace: usize,
    /// The root (`CHANGE …`) span, once the change closed.
    pub root: Option<usize>,
    /// The heading: the root's name, else `CHANGE {repository}#{id}`.
    pub title: String,
    /// `vcs.change.id`.
    pub change_id: Option<String>,
    /// `vcs.change.state` of the root (`merged`, `closed`), else `open`.
    pub state: String,
    /// `service.name` (the repository).
    pub service: Option<String>,
}

impl ChangeView {
    /// The change traces of `forest`: those with a span of a change type.
    pub fn all(forest: &Forest<'_>) -> Vec<ChangeView> {
        (0..forest.traces.len())
            .filter(|&t| is_change_trace(forest, t))
            .map(|t| ChangeView::read(forest, t))
            .collect()
    }

    /// Whether `--run ID` selects this change: its trace id in hex, or `vcs.change.id`.
    pub fn matches(&self, forest: &Forest<'_>, id: &str) -> bool {
        self.change_id.as_deref() == Some(id)
            || hex::encode(&forest.traces[self.trace].trace_id).eq_ignore_ascii_case(id)
    }

    fn read(forest: &Forest<'_>, t: usize) -> ChangeView {
        let trace = &forest.traces[t];
        let view = |n: usize| forest.nodes[n].view;
        let root = trace
            .nodes
            .iter()
            .copied()
            .find(|&n| view(n).span_type().as_deref() == Some(span_type::CHANGE));
        let change_id = trace
            .nodes
            .iter()
            .find_map(|&n| view(n).attr(semconv::VCS_CHANGE_ID));
        let service = trace
            .nodes
            .iter()
            .find_map(|&n| view(n).resource_attr(semconv::SERVICE_NAME));
        let title = match root {
            Some(r) => view(r).span.name.clone(),
            None => format!(
                "CHANGE {}#{}",
                service.as_deref().unwrap_or("?"),
                change_id.as_deref().unwrap_or("?")
            ),
        };
        let state = root
            .and_then(|r| view(r).attr(semconv::VCS_CHANGE_STATE))
            .unwrap_or_else(|| semconv::change_state::OPEN.to_owned());
        ChangeView {
            trace: t,
            root,
            title,
            change_id,
            state,
            service,
        }
    }
}

/// Whether trace `t` is a change's.
pub fn is_change_trace(forest: &Forest<'_>, t: usize) -> bool {
    forest.traces[t].nodes.iter().any(|&n| {
        forest
            .span_type(n)
            .is_some_and(|s| CHANGE_TYPES.contains(&s.as_str()))
    })
}

/// The path-to-production waterfall of `change`, each line ending in `\n`. `runs` are the
/// run traces in the same input: a run span's row shows its run's verdict when its trace is
/// among them.
pub fn render_change(
    forest: &Forest<'_>,
    change: &ChangeView,
    runs: &[RunView],
    painter: Painter,
) -> String {
    let trace = &forest.traces[change.trace];
    let t0 = match change.root {
        Some(r) => forest.nodes[r].view.span.start_time_unix_nano,
        None => trace.start,
    };
    let mut heading = vec![change.title.clone(), change.state.clone()];
    if let Some(s) = &change.service {
        heading.push(s.clone());
    }
    if t0 != u64::MAX {
        heading.push(Timestamp::from_unix_nanos(t0).to_rfc3339());
    }
    let mut out = painter.paint(Style::BOLD, &heading.join(" — "));
    out.push('\n');
    for (depth, node) in rows(forest, change) {
        let v = forest.nodes[node].view;
        let kind = v.span_type().unwrap_or_default();
        let name = truncate(&format!("{}{}", "  ".repeat(depth), v.span.name), MAX_NAME);
        let start = v.span.start_time_unix_nano;
        let took = v.span.end_time_unix_nano.saturating_sub(start);
        let offset = format!("+{}", human(start.saturating_sub(t0)));
        let duration = if took == 0 {
            String::new()
        } else {
            human(took)
        };
        let mark = if v.failed() { "✗" } else { " " };
        let result = v
            .attr(semconv::CICD_PIPELINE_RESULT)
            .or_else(|| v.attr(semconv::CIOTEL_DEPLOYMENT_RESULT))
            .or_else(|| v.attr(semconv::CIOTEL_APPROVAL_DECISION))
            .unwrap_or_default();
        let verdict = if kind == span_type::CHANGE_RUN {
            run_verdict(forest, node, runs).unwrap_or_default()
        } else {
            String::new()
        };
        let line = format!(
            "{:<8}  {name:<MAX_NAME$}  {offset:>8}  {duration:>6} {mark} {result:<12} {verdict}",
            phase(&kind)
        );
        let line = line.trim_end();
        out.push_str(&if v.failed() {
            painter.paint(Style::RED, line)
        } else {
            line.to_owned()
        });
        out.push('\n');
    }
    out
}

/// Rows below the root: top-level spans by start time, each followed by its descendants.
fn rows(forest: &Forest<'_>, change: &ChangeView) -> Vec<(usize, usize)> {
    let trace = &forest.traces[change.trace];
    let mut top: Vec<usize> = trace
        .nodes
        .iter()
        .copied()
        .filter(|&n| Some(n) != change.root)
        .filter(|&n| match forest.nodes[n].parent {
            None => true,
            Some(p) => Some(p) == change.root,
        })
        .collect();
    top.sort_by_key(|&n| (forest.nodes[n].view.span.start_time_unix_nano, n));
    let mut out = Vec::new();
    for n in top {
        out.push((0, n));
        let base = depth_of(forest, n);
        for d in forest.descendants(n) {
            out.push((depth_of(forest, d).saturating_sub(base), d));
        }
    }
    out
}

fn depth_of(forest: &Forest<'_>, mut n: usize) -> usize {
    let mut depth = 0;
    while let Some(p) = forest.nodes[n].parent {
        depth += 1;
        n = p;
        if depth > 64 {
            break;
        }
    }
    depth
}

/// The phase column: where on the path a span is.
fn phase(kind: &str) -> &'static str {
    match kind {
        span_type::CHANGE_RUN | span_type::MERGE_QUEUE => "checks",
        span_type::REVIEW | span_type::REVIEW_REQUESTED | span_type::READY_FOR_REVIEW => "review",
        span_type::MERGE => "merge",
        span_type::DEPLOYMENT | span_type::APPROVAL => "deploy",
        span_type::PUSH => "push",
        span_type::OPENED | span_type::REOPENED => "opened",
        _ => "",
    }
}

/// The verdict headline of the run a change's run span links to, when that run is in the
/// input.
fn run_verdict(forest: &Forest<'_>, node: usize, runs: &[RunView]) -> Option<String> {
    let span = forest.nodes[node].view.span;
    let link = span.links.iter().find(|l| {
        l.attributes.iter().any(|kv| {
            kv.key == semconv::CIOTEL_LINK_TYPE
                && kv.value.as_ref().and_then(text).as_deref() == Some(link_type::RUN)
        })
    })?;
    let run = runs
        .iter()
        .find(|r| forest.traces[r.trace].trace_id == link.trace_id)?;
    Some(verdict_text(run).headline())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}
