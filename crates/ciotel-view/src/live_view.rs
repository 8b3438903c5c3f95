//! The runs and jobs queued or running now, as HTML: one table row per entry of the daemon's
//! live boards (longest-waiting first), how long it has been in its state, its runner (or the
//! labels it waits for), and, for a job past one of its receiver's `live.hung` rules, a mark
//! saying which.
//!
//! ```html
//! <table class="jobs"><tbody>
//! <tr class="job hung"><td class="state">running</td><td class="what">test</td>
//!   <td class="repo">acme/shop</td><td class="run">CI run 1 #1</td><td class="age">2h03m</td>
//!   <td class="where">runner 7</td><td class="hung-mark">hung: running over 2h00m</td></tr>
//! </tbody></table>
//! ```

use crate::html::{is_web_link, text};
use ciotel_cicd::Timestamp;
use ciotel_cicd::live::{EntryKey, EntryKind, HungJob, HungRule, LiveBoards, LiveEntry, LiveState};
use ciotel_cicd::render::duration::human;
use std::collections::HashMap;
use std::fmt::Write;

/// Rows shown at most (the longest-waiting); the board itself holds up to its receivers'
/// `live.max_entries`.
pub const MAX_ROWS: usize = 200;

/// The live section's content at `now`, of `repository` only when given.
pub fn live_section(boards: &LiveBoards, repository: Option<&str>, now: Timestamp) -> String {
    let snapshot = boards.snapshot(repository);
    let hung: HashMap<EntryKey, HungJob> = boards
        .boards()
        .iter()
        .flat_map(|b| b.hung(now))
        .map(|h| (h.entry.key.clone(), h))
        .collect();
    let mut out = String::new();
    if snapshot.entries.is_empty() {
        out.push_str("<p class=\"empty\">Nothing queued or running.</p>\n");
    } else {
        out.push_str("<table class=\"jobs\">\n<thead><tr><th>state</th><th>job</th><th>repository</th><th>run</th><th class=\"age\">for</th><th>runner</th><th></th></tr></thead>\n<tbody>\n");
        for entry in snapshot.entries.iter().take(MAX_ROWS) {
            out.push_str(&row(entry, hung.get(&entry.key), now));
        }
        out.push_str("</tbody>\n</table>\n");
        if snapshot.entries.len() > MAX_ROWS {
            let _ = writeln!(
                out,
                "<p class=\"note\">and {} more queued or running (the page lists the {MAX_ROWS} waiting longest).</p>",
                snapshot.entries.len() - MAX_ROWS
            );
        }
    }
    if snapshot.evicted > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} entr(ies) left the board because it was full (live.max_entries).</p>",
            snapshot.evicted
        );
    }
    out
}

fn row(entry: &LiveEntry, hung: Option<&HungJob>, now: Timestamp) -> String {
    let kind = match entry.key.kind {
        EntryKind::Run => "run",
        EntryKind::Job => "job",
    };
    let state = match entry.state {
        LiveState::Pending => "queued",
        LiveState::Executing => "running",
    };
    let what = match (entry.key.kind, &entry.job_name) {
        (EntryKind::Job, Some(name)) => text(name),
        (EntryKind::Job, None) => format!("job {}", text(&entry.key.id)),
        (EntryKind::Run, _) => "<span class=\"whole-run\">(the run)</span>".to_owned(),
    };
    let what = match entry.url.as_deref().filter(|u| is_web_link(u)) {
        Some(url) => format!("<a href=\"{}\">{what}</a>", text(url)),
        None => what,
    };
    let mut run = entry.pipeline_name.as_deref().map(text).unwrap_or_default();
    let _ = write!(
        run,
        "{}run {} #{}",
        if run.is_empty() { "" } else { " " },
        text(&entry.run_id),
        entry.attempt
    );
    if let Some(stage) = &entry.stage {
        let _ = write!(run, " · {}", text(stage));
    }
    let place = match (entry.state, &entry.runner_name) {
        (LiveState::Executing, Some(runner)) => text(runner),
        (LiveState::Pending, _) if !entry.runner_labels.is_empty() => {
            format!("waits for {}", text(&entry.runner_labels.join(", ")))
        }
        _ => String::new(),
    };
    let hung_cell = match hung {
        Some(h) => format!(
            "<td class=\"hung-mark\" title=\"{}\">hung: {}</td>",
            h.rule.key(),
            text(&hung_reason(h))
        ),
        None => "<td></td>".to_owned(),
    };
    let since = entry.since();
    format!(
        "<tr class=\"{kind} {state}{}\"><td class=\"state\">{state}</td><td class=\"what\">{what}</td><td class=\"repo\">{}</td><td class=\"run\">{run}</td><td class=\"age\" title=\"since {}\">{}</td><td class=\"where\">{place}</td>{hung_cell}</tr>\n",
        if hung.is_some() { " hung" } else { "" },
        text(entry.repository.as_deref().unwrap_or("")),
        since.to_rfc3339(),
        human(entry.age(now).as_nanos().try_into().unwrap_or(u64::MAX)),
    )
}

/// `queued over 30m00s`, `running over 3 × p95 (4m10s)`.
fn hung_reason(h: &HungJob) -> String {
    let state = match h.entry.state {
        LiveState::Pending => "queued",
        LiveState::Executing => "running",
    };
    let nanos = |d: std::time::Duration| d.as_nanos().try_into().unwrap_or(u64::MAX);
    match h.rule {
        HungRule::QueuedAfter(d) | HungRule::RunningAfter(d) => {
            format!("{state} over {}", human(nanos(d)))
        }
        HungRule::P95 { factor, p95 } => {
            format!("{state} over {factor} × p95 ({})", human(nanos(p95)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciotel_cicd::live::{HungConfig, LiveConfig};
    use ciotel_cicd::{CiEvent, Job, Phase, RunRef, Runner, Vcs};

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn job(id: &str, name: &str, url: &str, phase: Phase) -> CiEvent {
        CiEvent::Job(Job {
            run: RunRef {
                run_id: "100".into(),
                attempt: 1,
                pipeline_name: Some("CI".into()),
                vcs: Vcs {
                    provider: Some("github".into()),
                    repository_full_name: Some("acme/app".into()),
                    ..Vcs::default()
                },
            },
            id: id.into(),
            name: name.into(),
            url: Some(url.into()),
            phase,
            created_at: Some(t("2026-12-04T10:00:00Z")),
            started_at: (phase == Phase::Running).then(|| t("2026-12-04T10:01:00Z")),
            runner: Some(Runner {
                name: Some("runner-7".into()),
                labels: vec!["ubuntu-latest".into()],
                ..Runner::default()
            }),
            ..Job::default()
        })
    }

    #[test]
    fn running_and_queued_jobs_with_the_hung_one_marked_and_markup_as_text() {
        let boards = LiveBoards::new();
        let config = LiveConfig {
            hung: HungConfig {
                running_after: std::time::Duration::from_secs(30 * 60),
                queued_after: std::time::Duration::from_secs(2 * 60 * 60),
                ..HungConfig::default()
            },
            ..LiveConfig::default()
        };
        let board = boards.board("github", &config);
        let now = t("2026-12-04T11:00:00Z");
        board.observe_at(
            &job(
                "1",
                "<script>x()</script>",
                "javascript:alert(1)",
                Phase::Running,
            ),
            now,
        );
        board.observe_at(
            &job(
                "2",
                "deploy",
                "https://github.com/acme/app/actions/runs/100/job/2",
                Phase::Pending,
            ),
            now,
        );
        let html = live_section(&boards, None, now);
        assert!(html.contains("&lt;script&gt;x()&lt;/script&gt;"), "{html}");
        assert!(
            !html.contains("<script>") && !html.contains("javascript:"),
            "{html}"
        );
        assert!(html.contains("<tr class=\"job running hung\">"), "{html}");
        assert!(html.contains("hung: running over 30m00s"), "{html}");
        assert!(
            html.contains("<td class=\"age\" title=\"since 2026-12-04T10:01:00Z\">59m00s</td>"),
            "{html}"
        );
        assert!(html.contains("<td class=\"where\">runner-7</td>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://github.com/acme/app/actions/runs/100/job/2\">deploy</a>"
            ),
            "{html}"
        );
        assert!(html.contains("waits for ubuntu-latest"), "{html}");
        assert_eq!(
            html.matches("hung-mark").count(),
            1,
            "the queued job is not hung: {html}"
        );
        assert_eq!(
            live_section(&boards, Some("acme/other"), now),
            "<p class=\"empty\">Nothing queued or running.</p>\n"
        );
    }

    #[test]
    fn the_rows_are_bounded() {
        let boards = LiveBoards::new();
        let board = boards.board("github", &LiveConfig::default());
        let now = t("2026-12-04T11:00:00Z");
        for id in 0..(MAX_ROWS + 5) {
            board.observe_at(&job(&id.to_string(), "build", "", Phase::Pending), now);
        }
        let html = live_section(&boards, None, now);
        assert_eq!(html.matches("<tr class=\"job").count(), MAX_ROWS);
        assert!(html.contains("and 5 more queued or running"), "{html}");
    }

    #[test]
    fn only_web_links() {
        assert!(is_web_link(
            "https://github.com/acme/shop/actions/runs/1/job/2"
        ));
        assert!(!is_web_link("javascript:alert(1)"));
        assert!(!is_web_link(" JAVASCRIPT:alert(1)"));
    }
}
