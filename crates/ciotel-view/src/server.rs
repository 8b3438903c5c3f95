//! The page's HTTP routes, served by the listener kit:
//!
//! | route                    | answer                                                        |
//! |--------------------------|---------------------------------------------------------------|
//! | `GET /` (`?repo=R`)      | the overview: queued and running jobs, recent runs (of `R`)   |
//! | `GET /run/{trace_id}`    | one run's waterfall and verdict, or one change's path (trace id in hex) |
//! | `GET /changes` (`?repo=R`) | every kept change's path to production (of `R`)             |
//! | `GET /updates?v=V&repo=R[&view=changes]`| long poll: the sections' HTML as JSON, at once when they differ from version `V`, else at the next change, else after 10 s (so the ages and hung marks move on) |
//! | `GET /assets/view.css`, `/assets/view.js` | the embedded stylesheet and script           |
//!
//! Everything is rendered here, so the page reads without JavaScript; the script only asks
//! `/updates` and swaps the sections in. Long polling, not server-sent events: a request
//! waiting for a change is a request in flight, which the listener kit's idle deadline and
//! graceful shutdown already understand, and no response body streams without end.
//! Every answer carries a Content-Security-Policy that allows only the page's own script.

use crate::assets;
use crate::change_view::{change_article, changes_section};
use crate::live_view::live_section;
use crate::page::{self, Overview};
use crate::runs_view::{run_article, runs_section};
use crate::store::{RunStore, TraceKind};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ciotel_cicd::Timestamp;
use ciotel_cicd::live::LiveBoards;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

/// How long `/updates` waits for a change before answering with what it has.
pub const LONG_POLL: Duration = Duration::from_secs(10);

/// What the routes read.
#[derive(Clone)]
pub struct View {
    /// The recent runs.
    pub store: Arc<RunStore>,
    /// The daemon's live boards (queued and running work).
    pub live: LiveBoards,
    /// Bumped on every change of the live boards (see [`watch_live`]).
    pub live_version: watch::Receiver<u64>,
    /// Ends waiting long polls at shutdown.
    pub shutdown: CancellationToken,
}

/// Turns the boards' change notices into a version the long polls wait on; ends at `shutdown`.
pub fn watch_live(
    boards: &LiveBoards,
    shutdown: CancellationToken,
) -> (watch::Receiver<u64>, tokio::task::JoinHandle<()>) {
    let (version, receiver) = watch::channel(0u64);
    let mut changes = boards.subscribe();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                change = changes.recv() => match change {
                    // A lagging receiver missed notices: the board changed all the same.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        version.send_modify(|v| *v += 1);
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                () = shutdown.cancelled() => return,
            }
        }
    });
    (receiver, task)
}

/// The routes.
pub fn routes(view: View) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/run/{trace_id}", get(one_run))
        .route("/changes", get(changes))
        .route("/updates", get(updates))
        .route(
            "/assets/view.css",
            get(|| async { asset("text/css", assets::CSS) }),
        )
        .route(
            "/assets/view.js",
            get(|| async { asset("text/javascript", assets::JS) }),
        )
        .fallback(|| async { html_page(StatusCode::NOT_FOUND, page::not_found("No such page.")) })
        .with_state(view)
}

/// `?repo=` (empty means all).
#[derive(Debug, Default, Deserialize)]
struct Filter {
    #[serde(default)]
    repo: Option<String>,
    /// `/updates`: the version the page shows.
    #[serde(default)]
    v: Option<String>,
    /// `/updates`: `changes` for the changes page's section.
    #[serde(default)]
    view: Option<String>,
}

impl Filter {
    fn repository(&self) -> Option<&str> {
        self.repo.as_deref().filter(|r| !r.is_empty())
    }
}

async fn overview(State(view): State<View>, Query(filter): Query<Filter>) -> Response {
    page_of(&view, &filter, false)
}

async fn changes(State(view): State<View>, Query(filter): Query<Filter>) -> Response {
    page_of(&view, &filter, true)
}

fn page_of(view: &View, filter: &Filter, changes: bool) -> Response {
    // The filter offers every repository the page knows: of kept runs, and of live work.
    let runs = view.store.snapshot();
    let live = view.live.snapshot(None);
    let mut repositories: Vec<String> = runs
        .iter()
        .filter_map(|r| r.repository.clone())
        .chain(live.entries.into_iter().filter_map(|e| e.repository))
        .collect();
    repositories.sort();
    repositories.dedup();
    let sections = Sections::render(view, filter.repository(), changes);
    html_page(
        StatusCode::OK,
        page::overview(&Overview {
            live: &sections.live,
            runs: &sections.runs,
            repositories: &repositories,
            selected: filter.repository(),
            version: &sections.version,
            changes: changes.then_some(sections.changes.as_str()),
        }),
    )
}

async fn one_run(State(view): State<View>, Path(trace_id): Path<String>) -> Response {
    let wanted = trace_id.to_ascii_lowercase();
    let found = view
        .store
        .snapshot()
        .into_iter()
        .find(|r| hex::encode(&r.trace_id) == wanted);
    match found {
        Some(run) if run.kind == TraceKind::Change => {
            let kept = view.store.snapshot();
            let runs = kept
                .iter()
                .filter(|r| r.kind == TraceKind::Run)
                .map(|r| r.trace_id.as_slice())
                .collect();
            let article = change_article(&run, &runs, false);
            html_page(StatusCode::OK, page::run_page("change", &article))
        }
        Some(run) => {
            let title = run_title(&run);
            html_page(
                StatusCode::OK,
                page::run_page(&title, &run_article(&run, false)),
            )
        }
        None => html_page(
            StatusCode::NOT_FOUND,
            page::not_found(&format!(
                "No run with trace id {trace_id} is kept (the page keeps the most recent runs only)."
            )),
        ),
    }
}

/// The heading of a run's page: its run span's name, else its trace id.
fn run_title(run: &crate::store::RunSnapshot) -> String {
    let forest = ciotel_cicd::ownership::tree::Forest::build(&run.groups);
    ciotel_cicd::render::RunView::all(&forest)
        .first()
        .map(|v| v.title.clone())
        .unwrap_or_else(|| hex::encode(&run.trace_id))
}

async fn updates(State(view): State<View>, Query(filter): Query<Filter>) -> Response {
    let mut runs_version = view.store.subscribe();
    let mut live_version = view.live_version.clone();
    let current = Sections::version_of(
        *runs_version.borrow_and_update(),
        *live_version.borrow_and_update(),
    );
    if filter.v.as_deref() == Some(current.as_str()) {
        tokio::select! {
            _ = runs_version.changed() => {}
            _ = live_version.changed() => {}
            () = tokio::time::sleep(LONG_POLL) => {}
            () = view.shutdown.cancelled() => {}
        }
    }
    let changes = filter.view.as_deref() == Some("changes");
    let sections = Sections::render(&view, filter.repository(), changes);
    let body = if changes {
        format!(
            "{{\"version\":\"{}\",\"changes\":{}}}",
            sections.version,
            json_string(&sections.changes)
        )
    } else {
        format!(
            "{{\"version\":\"{}\",\"live\":{},\"runs\":{}}}",
            sections.version,
            json_string(&sections.live),
            json_string(&sections.runs)
        )
    };
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    guard(&mut response);
    response
}

/// The live-updated sections of a page (the overview's, or the changes page's) and the
/// version they show.
struct Sections {
    version: String,
    live: String,
    runs: String,
    changes: String,
}

impl Sections {
    fn render(view: &View, repository: Option<&str>, changes: bool) -> Sections {
        // The versions are read before the data, so a change in between shows up once more.
        let version = Self::version_of(
            *view.store.subscribe().borrow(),
            *view.live_version.borrow(),
        );
        let kept = view.store.snapshot();
        if changes {
            return Sections {
                version,
                live: String::new(),
                runs: String::new(),
                changes: changes_section(&kept, repository),
            };
        }
        Sections {
            version,
            live: live_section(&view.live, repository, Timestamp::now()),
            runs: runs_section(&kept, repository),
            changes: String::new(),
        }
    }

    fn version_of(runs: u64, live: u64) -> String {
        format!("r{runs}-l{live}")
    }
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `<` too, so the JSON never holds `</script>` verbatim.
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response();
    guard(&mut response);
    response
}

fn html_page(status: StatusCode, body: String) -> Response {
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    guard(&mut response);
    response
}

/// The headers every answer carries: only the page's own script and stylesheet run (inline
/// styles place the waterfall's bars), nothing frames it, no MIME sniffing.
fn guard(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_escape_quotes_controls_and_tags() {
        assert_eq!(
            json_string("a\"b\\c\nd</script>\u{1}"),
            "\"a\\\"b\\\\c\\nd\\u003c/script>\\u0001\""
        );
    }
}
