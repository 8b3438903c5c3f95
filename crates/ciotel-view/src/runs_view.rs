//! The recent runs as HTML: per run a heading, the waterfall (the rows `ciotel explain` prints,
//! each bar placed on the run's time window and coloured by its span's owner) and the verdict
//! line under it. It reads only what the pipeline wrote on the spans, as the text renderer does.
//!
//! ```html
//! <article class="run" id="run-…">
//!   <h2><a href="/run/…">RUN CI</a></h2> <p class="meta">run 1, attempt 1 — acme/shop — …</p>
//!   <table class="waterfall">… <td class="bar-cell"><div class="track">
//!     <div class="bar owner-platform" style="left:0.00%;width:15.74%"></div></div></td> …</table>
//!   <p class="verdict tone-bad"><strong>FAILED</strong> — your change: job "test" failed …</p>
//! </article>
//! ```

use crate::html::{query_value, text};
use crate::store::{RunSnapshot, TraceKind};
use ciotel_cicd::Timestamp;
use ciotel_cicd::ownership::Owner;
use ciotel_cicd::ownership::tree::Forest;
use ciotel_cicd::render::RunView;
use ciotel_cicd::render::duration::human;
use ciotel_cicd::render::verdict_line::{Tone, verdict_text};
use ciotel_cicd::render::waterfall::{owner_label, rows};
use std::fmt::Write;

/// The runs section of the overview: every run trace in `runs` whose repository is
/// `repository` (all when `None`), or a line saying there is none yet (change traces are on
/// the changes page).
pub fn runs_section(runs: &[RunSnapshot], repository: Option<&str>) -> String {
    let shown: Vec<&RunSnapshot> = runs
        .iter()
        .filter(|r| r.kind == TraceKind::Run)
        .filter(|r| repository.is_none() || r.repository.as_deref() == repository)
        .collect();
    let mut out = String::new();
    if shown.is_empty() {
        out.push_str(match repository {
            None => {
                "<p class=\"empty\">No runs yet. Runs appear here as the pipeline exports them.</p>"
            }
            Some(_) => "<p class=\"empty\">No recent runs of this repository.</p>",
        });
    }
    for run in shown {
        out.push_str(&run_article(run, true));
    }
    out
}

/// One run: heading, waterfall, verdict. `link` makes the heading a link to the run's page.
pub fn run_article(run: &RunSnapshot, link: bool) -> String {
    let forest = Forest::build(&run.groups);
    let views = RunView::all(&forest);
    let trace_hex = hex::encode(&run.trace_id);
    let mut out = format!("<article class=\"run\" id=\"run-{trace_hex}\">\n");
    for view in &views {
        out.push_str(&heading(&forest, view, &trace_hex, link));
        out.push_str(&waterfall(&forest, view));
        out.push_str(&verdict(view));
    }
    if run.dropped_spans > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more span(s) of this run were not kept (max_spans_per_run / max_size_mib).</p>",
            run.dropped_spans
        );
    }
    out.push_str("</article>\n");
    out
}

fn heading(forest: &Forest<'_>, view: &RunView, trace_hex: &str, link: bool) -> String {
    let title = text(&view.title);
    let mut out = if link {
        format!("<h2><a href=\"/run/{trace_hex}\">{title}</a></h2>\n")
    } else {
        format!("<h2>{title}</h2>\n")
    };
    let mut meta = Vec::new();
    match (&view.run_id, &view.attempt) {
        (Some(id), Some(a)) => meta.push(format!("run {}, attempt {}", text(id), text(a))),
        (Some(id), None) => meta.push(format!("run {}", text(id))),
        _ => {}
    }
    if let Some(repo) = &view.service {
        meta.push(format!(
            "<a class=\"repo\" href=\"/?repo={}\">{}</a>",
            text(&query_value(repo)),
            text(repo)
        ));
    }
    let trace = &forest.traces[view.trace];
    if trace.start != u64::MAX {
        meta.push(format!(
            "<time>{}</time>",
            Timestamp::from_unix_nanos(trace.start).to_rfc3339()
        ));
        meta.push(human(trace.end.saturating_sub(trace.start)));
    }
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", meta.join(" — "));
    out
}

fn waterfall(forest: &Forest<'_>, view: &RunView) -> String {
    let trace = &forest.traces[view.trace];
    let (t0, t1) = (trace.start.min(trace.end), trace.end);
    let total = t1.saturating_sub(t0);
    let mut out = String::from(
        "<table class=\"waterfall\">\n<thead><tr><th>span</th><th>owner</th><th class=\"dur\">duration</th>",
    );
    let _ = writeln!(
        out,
        "<th class=\"scale\"><span>0s</span><span>{}</span></th></tr></thead>\n<tbody>",
        human(total)
    );
    for row in rows(forest, view) {
        let node = &forest.nodes[row.node];
        let span = node.view.span;
        let failed = node.view.failed();
        let (label, owner) = owner_label(forest, row.node);
        let class = owner_class(owner);
        let (start, end) = (
            span.start_time_unix_nano,
            span.end_time_unix_nano.max(span.start_time_unix_nano),
        );
        let (left, width) = placement(start, end, t0, total);
        let duration = human(end - start);
        let mark = if failed {
            "<span class=\"failed-mark\" title=\"failed\">✗</span>"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td class=\"name\" style=\"padding-left:{:.1}em\">{}{mark}</td><td class=\"owner {class}\">{}</td><td class=\"dur\">{duration}</td><td class=\"bar-cell\"><div class=\"track\"><div class=\"bar {class}{}\" style=\"left:{left:.2}%;width:{width:.2}%\" title=\"{} — {} — {duration}\"></div></div></td></tr>",
            if failed { "span failed" } else { "span" },
            0.4 + 1.2 * row.depth as f64,
            text(&span.name),
            text(&label),
            if failed { " failed" } else { "" },
            text(&span.name),
            text(&label),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The CSS class of an owner's colour.
pub fn owner_class(owner: Option<Owner>) -> &'static str {
    match owner {
        Some(Owner::Platform) => "owner-platform",
        Some(Owner::Application) => "owner-application",
        None => "owner-unknown",
    }
}

/// Left edge and width of `[start, end]` on the window, in percent; at least a sliver wide.
pub(crate) fn placement(start: u64, end: u64, t0: u64, total: u64) -> (f64, f64) {
    if total == 0 {
        return (0.0, 100.0);
    }
    let pct = |t: u64| t.saturating_sub(t0) as f64 * 100.0 / total as f64;
    let left = pct(start).min(99.5);
    let width = (pct(end) - left).max(0.5).min(100.0 - left);
    (left, width)
}

fn verdict(view: &RunView) -> String {
    let mut v = verdict_text(view);
    // On a live page a run whose own span has not come yet is one still going, not a gap in
    // an input file as `explain` words it.
    if view.root.is_none() && v.word == "NO RESULT" {
        v.word = "IN PROGRESS";
        v.rest = " — its jobs are arriving; the run's own span comes when it completes".to_owned();
    }
    let tone = match v.tone {
        Tone::Bad => "tone-bad",
        Tone::Good => "tone-good",
        Tone::Neutral => "tone-neutral",
    };
    let mut out = format!(
        "<p class=\"verdict {tone}\"><strong>{}</strong>{}</p>\n",
        v.word,
        text(&v.rest)
    );
    if !v.details.is_empty() {
        out.push_str("<ul class=\"verdict-details\">\n");
        for line in &v.details {
            let _ = writeln!(out, "<li>{}</li>", text(line.trim_start()));
        }
        out.push_str("</ul>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_placed_in_percent() {
        assert_eq!(placement(0, 100, 0, 100), (0.0, 100.0));
        assert_eq!(placement(50, 75, 0, 100), (50.0, 25.0));
        assert_eq!(
            placement(100, 100, 0, 100),
            (99.5, 0.5),
            "zero length at the end"
        );
        assert_eq!(placement(5, 5, 5, 0), (0.0, 100.0), "an empty window");
    }
}
