//! The page around the views: the document head (the embedded stylesheet and script, a
//! reload every 10 s for browsers without JavaScript), the header with the owner legend, and
//! the overview's sections. Each section's content is rendered by its view module; the live
//! stream sends the same fragments again, by element id (`live-list`, `runs-list`).

use crate::html::{query_value, text};
use std::fmt::Write;

/// What the overview shows.
pub struct Overview<'a> {
    /// The live section's content.
    pub live: &'a str,
    /// The runs section's content.
    pub runs: &'a str,
    /// Repositories of the kept runs, for the filter.
    pub repositories: &'a [String],
    /// The repository filtered on, if any.
    pub selected: Option<&'a str>,
    /// The version of what the sections show, for `/updates`.
    pub version: &'a str,
    /// The changes page's content: with it, this is the changes page instead.
    pub changes: Option<&'a str>,
}

/// The overview page (queued and running jobs, then the recent runs), or the changes page;
/// both filterable by repository.
pub fn overview(o: &Overview<'_>) -> String {
    let repo = o.selected.map(query_value).unwrap_or_default();
    if let Some(changes) = o.changes {
        let mut body =
            String::from("<section id=\"changes\">\n<h2>Changes: the path to production</h2>\n");
        body.push_str(&filter_form("/changes", o.repositories, o.selected));
        let _ = write!(
            body,
            "<div id=\"changes-list\">{changes}</div>\n</section>\n"
        );
        let updates = format!(
            " data-updates=\"/updates?view=changes&amp;repo={}\" data-version=\"{}\"",
            text(&repo),
            text(o.version)
        );
        return layout("changes — ciotel", &updates, &body);
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<section id=\"live\">\n<h2>Queued and running</h2>\n<div id=\"live-list\">{}</div>\n</section>\n",
        o.live
    );
    body.push_str("<section id=\"runs\">\n<h2>Recent runs</h2>\n");
    body.push_str(&filter_form("/", o.repositories, o.selected));
    let _ = write!(body, "<div id=\"runs-list\">{}</div>\n</section>\n", o.runs);
    let title = match o.selected {
        Some(r) => format!("{} — ciotel", text(r)),
        None => "ciotel — CI/CD view".to_owned(),
    };
    let updates = format!(
        " data-updates=\"/updates?repo={}\" data-version=\"{}\"",
        text(&repo),
        text(o.version)
    );
    layout(&title, &updates, &body)
}

/// The page of one run.
pub fn run_page(title: &str, article: &str) -> String {
    layout(
        &format!("{} — ciotel", text(title)),
        "",
        &format!("<p class=\"back\"><a href=\"/\">← all runs</a></p>\n{article}"),
    )
}

/// A page saying what was not found.
pub fn not_found(message: &str) -> String {
    layout(
        "not found — ciotel",
        "",
        &format!(
            "<p class=\"empty\">{}</p>\n<p><a href=\"/\">← all runs</a></p>\n",
            text(message)
        ),
    )
}

fn filter_form(action: &str, repositories: &[String], selected: Option<&str>) -> String {
    let mut out = format!(
        "<form class=\"filter\" method=\"get\" action=\"{action}\">\n<label>Repository <select name=\"repo\">\n<option value=\"\">all</option>\n",
    );
    for repo in repositories {
        let chosen = if Some(repo.as_str()) == selected {
            " selected"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<option value=\"{}\"{chosen}>{}</option>",
            text(repo),
            text(repo)
        );
    }
    out.push_str("</select></label>\n<button type=\"submit\">Show</button>\n</form>\n");
    out
}

/// The document; `body_attributes` tell the script where to ask for updates (none: a page
/// without live updates).
fn layout(title: &str, body_attributes: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/assets/view.css">
<script src="/assets/view.js" defer></script>
<noscript><meta http-equiv="refresh" content="10"></noscript>
</head>
<body{body_attributes}>
<header>
<h1><a href="/">ciotel</a> <span>CI/CD view</span></h1>
<nav><a href="/">Runs</a> <a href="/changes">Changes</a></nav>
<p class="legend"><span class="swatch owner-platform"></span>platform <span class="swatch owner-application"></span>application <span class="swatch owner-unknown"></span>no owner <span class="failed-mark">✗</span> failed</p>
</header>
<main>
<noscript><p class="note">Without JavaScript this page reloads every 10 s.</p></noscript>
{body}</main>
</body>
</html>
"#
    )
}
