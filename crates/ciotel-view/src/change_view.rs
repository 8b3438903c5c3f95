//! A change's path to production, as HTML: the change trace's spans (opened, pushes, reviews,
//! the merge queue, the merge, its runs, its deployments and their approval waits) in time
//! order, each as a row with its bar on the change's time window, coloured by owner like the
//! run waterfall. A run row links to that run's waterfall when the page keeps it; the line
//! under the path says where the change stands (`MERGED — deployed to production (success)`).

use crate::html::{is_web_link, query_value, text};
use crate::runs_view::{owner_class, placement};
use crate::store::{RunSnapshot, TraceKind};
use ciotel_cicd::Timestamp;
use ciotel_cicd::ownership::span_view::SpanView;
use ciotel_cicd::ownership::tree::Forest;
use ciotel_cicd::render::duration::human;
use ciotel_cicd::semconv::{self, link_type, span_type};
use std::collections::HashSet;
use std::fmt::Write;

/// The changes page's content: every kept change trace (of `repository` only when given).
pub fn changes_section(kept: &[RunSnapshot], repository: Option<&str>) -> String {
    let runs: HashSet<&[u8]> = kept
        .iter()
        .filter(|r| r.kind == TraceKind::Run)
        .map(|r| r.trace_id.as_slice())
        .collect();
    let shown: Vec<&RunSnapshot> = kept
        .iter()
        .filter(|r| r.kind == TraceKind::Change)
        .filter(|r| repository.is_none() || r.repository.as_deref() == repository)
        .collect();
    if shown.is_empty() {
        return "<p class=\"empty\">No changes yet. A pull or merge request's path appears here once the github or gitlab receiver sees its events.</p>\n".to_owned();
    }
    shown
        .iter()
        .map(|c| change_article(c, &runs, true))
        .collect()
}

/// One change: heading, path, where it stands. `runs` are the run traces the page keeps (their
/// rows link there); `link` makes the heading a link to the change's own page.
pub fn change_article(change: &RunSnapshot, runs: &HashSet<&[u8]>, link: bool) -> String {
    let forest = Forest::build(&change.groups);
    let trace_hex = hex::encode(&change.trace_id);
    let mut views: Vec<SpanView<'_>> = forest.nodes.iter().map(|n| n.view).collect();
    views.sort_by_key(|v| (v.span.start_time_unix_nano, v.span.end_time_unix_nano));
    let root = views
        .iter()
        .find(|v| v.span_type().as_deref() == Some(span_type::CHANGE))
        .copied();
    let first_attr = |key: &str| views.iter().find_map(|v| v.attr(key));
    let repository = change.repository.clone();
    let title = match root {
        Some(r) => r.span.name.clone(),
        None => format!(
            "CHANGE {}#{}{}",
            repository.as_deref().unwrap_or(""),
            first_attr(semconv::VCS_CHANGE_ID).unwrap_or_default(),
            first_attr(semconv::VCS_CHANGE_TITLE)
                .map(|t| format!(" {t}"))
                .unwrap_or_default()
        ),
    };
    let mut out = format!("<article class=\"run change\" id=\"change-{trace_hex}\">\n");
    let title_html = text(&title);
    if link {
        let _ = writeln!(
            out,
            "<h2><a href=\"/run/{trace_hex}\">{title_html}</a></h2>"
        );
    } else {
        let _ = writeln!(out, "<h2>{title_html}</h2>");
    }
    let mut meta = Vec::new();
    if let Some(repo) = &repository {
        meta.push(format!(
            "<a class=\"repo\" href=\"/changes?repo={}\">{}</a>",
            text(&query_value(repo)),
            text(repo)
        ));
    }
    if let Some(author) = first_attr(semconv::CIOTEL_CHANGE_AUTHOR) {
        meta.push(format!("by {}", text(&author)));
    }
    if let Some(url) = first_attr(semconv::CIOTEL_CHANGE_URL).filter(|u| is_web_link(u)) {
        meta.push(format!("<a href=\"{}\">on the platform</a>", text(&url)));
    }
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", meta.join(" — "));

    let t0 = views
        .iter()
        .map(|v| v.span.start_time_unix_nano)
        .min()
        .unwrap_or(0);
    let t1 = views
        .iter()
        .map(|v| v.span.end_time_unix_nano.max(v.span.start_time_unix_nano))
        .max()
        .unwrap_or(t0);
    let total = t1.saturating_sub(t0);
    out.push_str("<table class=\"waterfall path\">\n<thead><tr><th>when</th><th>step</th><th>owner</th><th class=\"dur\">took</th>");
    let _ = writeln!(
        out,
        "<th class=\"scale\"><span>0s</span><span>{}</span></th></tr></thead>\n<tbody>",
        human(total)
    );
    for view in views
        .iter()
        .filter(|v| v.span_type().as_deref() != Some(span_type::CHANGE))
    {
        out.push_str(&path_row(view, runs, t0, total));
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(&standing(root.as_ref(), &views));
    out.push_str("</article>\n");
    out
}

fn path_row(view: &SpanView<'_>, runs: &HashSet<&[u8]>, t0: u64, total: u64) -> String {
    let span = view.span;
    let (start, end) = (
        span.start_time_unix_nano,
        span.end_time_unix_nano.max(span.start_time_unix_nano),
    );
    let failed = view.failed();
    let class = owner_class(view.owner());
    let owner = view.owner().map_or("-", |o| o.as_str());
    let mut name = text(&span.name);
    // A run row links to the run's own waterfall, when the page keeps it.
    let run_trace = span
        .links
        .iter()
        .find(|l| {
            l.attributes.iter().any(|kv| {
                kv.key == semconv::CIOTEL_LINK_TYPE
                    && kv.value.as_ref().and_then(|v| v.value.as_ref())
                        == Some(
                            &opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(
                                link_type::RUN.to_owned(),
                            ),
                        )
            })
        })
        .map(|l| l.trace_id.as_slice())
        .filter(|t| runs.contains(t));
    if let Some(trace) = run_trace {
        name = format!("<a href=\"/run/{}\">{name}</a>", hex::encode(trace));
    }
    let result = view
        .attr(semconv::CICD_PIPELINE_RESULT)
        .or_else(|| view.attr(semconv::CIOTEL_DEPLOYMENT_RESULT))
        .or_else(|| view.attr(semconv::CIOTEL_REVIEW_STATE))
        .map(|r| format!(" <span class=\"result\">{}</span>", text(&r)))
        .unwrap_or_default();
    let mark = if failed {
        "<span class=\"failed-mark\" title=\"failed\">✗</span>"
    } else {
        ""
    };
    let took = if end > start {
        human(end - start)
    } else {
        String::new()
    };
    let (left, width) = placement(start, end, t0, total);
    format!(
        "<tr class=\"{}\"><td class=\"when\"><time>{}</time></td><td class=\"name\">{name}{result}{mark}</td><td class=\"owner {class}\">{owner}</td><td class=\"dur\">{took}</td><td class=\"bar-cell\"><div class=\"track\"><div class=\"bar {class}{}\" style=\"left:{left:.2}%;width:{width:.2}%\"></div></div></td></tr>\n",
        if failed { "span failed" } else { "span" },
        Timestamp::from_unix_nanos(start).to_rfc3339(),
        if failed { " failed" } else { "" },
    )
}

/// `MERGED — deployed to production (success)`, `OPEN — last run RUN CI failure`, …
fn standing(root: Option<&SpanView<'_>>, views: &[SpanView<'_>]) -> String {
    // The root is written when the change is closed or merged; before that, it is open as
    // far as the page has seen.
    let final_state = root
        .and_then(|r| r.attr(semconv::VCS_CHANGE_STATE))
        .or_else(|| {
            views
                .iter()
                .any(|v| v.span_type().as_deref() == Some(span_type::MERGE))
                .then(|| semconv::change_state::MERGED.to_owned())
        });
    let seen = if final_state.is_none() {
        " (no merge or close seen yet)"
    } else {
        ""
    };
    let state = final_state.unwrap_or_else(|| semconv::change_state::OPEN.to_owned());
    let last_of = |kind: &str| {
        views
            .iter()
            .rev()
            .find(|v| v.span_type().as_deref() == Some(kind))
    };
    let rest = match (
        last_of(span_type::DEPLOYMENT),
        last_of(span_type::CHANGE_RUN),
    ) {
        (Some(d), _) => format!(
            " — deployed to {}{}",
            d.attr(semconv::DEPLOYMENT_ENVIRONMENT_NAME)
                .unwrap_or_else(|| d.span.name.clone()),
            d.attr(semconv::CIOTEL_DEPLOYMENT_RESULT)
                .or_else(|| d.attr(semconv::DEPLOYMENT_STATUS))
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        (None, Some(r)) => format!(
            " — last run {}{}",
            r.span.name,
            r.attr(semconv::CICD_PIPELINE_RESULT)
                .map(|x| format!(": {x}"))
                .unwrap_or_default()
        ),
        (None, None) => String::new(),
    };
    let tone = if state == semconv::change_state::MERGED {
        "tone-good"
    } else {
        "tone-neutral"
    };
    format!(
        "<p class=\"verdict {tone}\"><strong>{}</strong>{seen}{}</p>\n",
        text(&state.to_uppercase()),
        text(&rest)
    )
}
