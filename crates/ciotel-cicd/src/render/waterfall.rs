//! The text waterfall of one run: a heading, a time scale, then one row per span — indented
//! by depth, its owner, its duration, `✗` when it failed, and a bar placed and scaled on the
//! run's time window. `verdict` spans get no row: the verdict line under the waterfall says
//! what they say.
//!
//! ```text
//! RUN CodeQL — run 2202229078, attempt 1 — octo-org/octo-repo — 2021-08-05T10:33:58Z
//!                                                 0s                                  3m18s
//! linters                    application   3m18s ✗ ████████████████████████████████████████
//!   queue                    platform      1m00s   ████████████▏
//! ```

use super::duration::human;
use super::run::RunView;
use super::style::{Painter, Style};
use crate::ownership::names;
use crate::ownership::owner::Owner;
use crate::ownership::tree::Forest;
use crate::ownership::verdict_span;
use crate::time::Timestamp;

/// Widest name column (indentation included); longer names are cut with `…`.
const MAX_NAME: usize = 48;

/// One line of the waterfall (shared with the `cicd_view` page, which draws the same rows).
pub struct Row {
    /// Nesting depth, 0 for a root.
    pub depth: usize,
    /// Index into [`Forest::nodes`].
    pub node: usize,
}

/// The heading and rows of `run`, each line ending in `\n`.
pub fn waterfall(forest: &Forest<'_>, run: &RunView, bar_width: usize, painter: Painter) -> String {
    let trace = &forest.traces[run.trace];
    let rows = rows(forest, run);
    let (t0, t1) = (trace.start.min(trace.end), trace.end);
    let total = t1.saturating_sub(t0);

    let mut out = String::new();
    let mut heading = vec![run.title.clone()];
    match (&run.run_id, &run.attempt) {
        (Some(id), Some(a)) => heading.push(format!("run {id}, attempt {a}")),
        (Some(id), None) => heading.push(format!("run {id}")),
        _ => {}
    }
    if let Some(s) = &run.service {
        heading.push(s.clone());
    }
    if trace.start != u64::MAX {
        heading.push(Timestamp::from_unix_nanos(t0).to_rfc3339());
    }
    out.push_str(&painter.paint(Style::BOLD, &heading.join(" — ")));
    out.push('\n');

    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            let name = &forest.nodes[r.node].view.span.name;
            truncate(&format!("{}{name}", "  ".repeat(r.depth)), MAX_NAME)
        })
        .collect();
    let owners: Vec<(String, Option<Owner>)> =
        rows.iter().map(|r| owner_label(forest, r.node)).collect();
    let name_w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let owner_w = owners
        .iter()
        .map(|(o, _)| o.chars().count())
        .max()
        .unwrap_or(0);
    let dur_w = 6;
    let bar_col = name_w + 2 + owner_w + 2 + dur_w + 3;

    let scale_end = human(total);
    let gap = bar_width
        .saturating_sub(2 + scale_end.chars().count())
        .max(1);
    let scale = format!("{}0s{}{scale_end}", " ".repeat(bar_col), " ".repeat(gap));
    out.push_str(&painter.paint(Style::DIM, &scale));
    out.push('\n');

    for ((row, name), (owner, owned)) in rows.iter().zip(&names).zip(&owners) {
        let span = forest.nodes[row.node].view.span;
        let failed = forest.nodes[row.node].view.failed();
        let (start, end) = (
            span.start_time_unix_nano,
            span.end_time_unix_nano.max(span.start_time_unix_nano),
        );
        let owner_style = match owned {
            Some(Owner::Platform) => Style::PLATFORM,
            Some(Owner::Application) => Style::APPLICATION,
            None => Style::DIM,
        };
        let bar_style = if failed { Style::RED } else { owner_style };
        let name_cell = format!("{name:<name_w$}");
        let owner_cell = format!("{owner:<owner_w$}");
        let line = format!(
            "{}  {}  {:>dur_w$} {} {}",
            if failed {
                painter.paint(Style::RED, &name_cell)
            } else {
                name_cell
            },
            painter.paint(owner_style, &owner_cell),
            human(end - start),
            if failed {
                painter.paint(Style::RED, "✗")
            } else {
                " ".to_owned()
            },
            painter.paint(bar_style, &bar(start, end, t0, total, bar_width)),
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Depth-first from the trace's roots, children in time order; each span once.
pub fn rows(forest: &Forest<'_>, run: &RunView) -> Vec<Row> {
    let trace = &forest.traces[run.trace];
    let mut seen = vec![false; forest.nodes.len()];
    let mut out = Vec::new();
    let mut stack: Vec<(usize, usize)> = trace.roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((node, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[node], true) {
            continue;
        }
        // The verdict line says what a verdict span says.
        if verdict_span::is_verdict(&forest.nodes[node].view) {
            continue;
        }
        out.push(Row { depth, node });
        stack.extend(
            forest.nodes[node]
                .children
                .iter()
                .rev()
                .map(|&c| (c, depth + 1)),
        );
    }
    out
}

/// `platform`, `application (team)`, or `-` for a span no processor tagged.
pub fn owner_label(forest: &Forest<'_>, node: usize) -> (String, Option<Owner>) {
    let view = &forest.nodes[node].view;
    let owner = view.owner();
    let mut label = match (owner, view.attr(names::OWNER)) {
        (Some(o), _) => o.as_str().to_owned(),
        (None, Some(other)) => other,
        (None, None) => "-".to_owned(),
    };
    if let Some(team) = view.attr(names::OWNER_TEAM) {
        label.push_str(&format!(" ({team})"));
    }
    (label, owner)
}

/// The bar of `[start, end]` on a window of `total` nanoseconds from `t0`, `width` cells.
fn bar(start: u64, end: u64, t0: u64, total: u64, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let cell = |t: u64, round_up: bool| -> usize {
        if total == 0 {
            return 0;
        }
        let num = u128::from(t.saturating_sub(t0)) * width as u128;
        let c = if round_up {
            num.div_ceil(u128::from(total))
        } else {
            num / u128::from(total)
        };
        usize::try_from(c).unwrap_or(width).min(width)
    };
    let from = cell(start, false).min(width - 1);
    let mut out = " ".repeat(from);
    if end == start {
        out.push('▏');
    } else {
        let to = cell(end, true).max(from + 1).min(width);
        out.push_str(&"█".repeat(to - from));
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_placed_and_scaled() {
        assert_eq!(bar(0, 100, 0, 100, 10), "██████████");
        assert_eq!(bar(50, 100, 0, 100, 10), "     █████");
        assert_eq!(bar(0, 1, 0, 100, 10), "█", "a short span still shows");
        assert_eq!(
            bar(100, 100, 0, 100, 10),
            "         ▏",
            "zero length at the end"
        );
        assert_eq!(bar(5, 5, 5, 0, 10), "▏", "an empty window");
    }

    #[test]
    fn long_names_are_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
