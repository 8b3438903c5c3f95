//! The poller's memory across restarts: one JSON file per receiver in `state_dir`, replaced
//! atomically (`ciotel_core::poll::save_json`).
//!
//! Per project (by numeric id, with its path for whoever reads the file) it keeps:
//! - `updated_after`: the lower bound of the next listing,
//!   `GET /projects/:id/pipelines?updated_after=…&order_by=updated_at&sort=asc`. A pipeline's
//!   `updated_at` moves whenever it changes, finishing included, so a pipeline passed while it
//!   ran is listed again once it finished: the cursor need not wait for unfinished pipelines.
//!   Once a listed pipeline is handled (emitted, or passed as unfinished) the cursor may move
//!   up to its `updated_at` minus [`SETTLE`], the margin for updates GitLab lists a little late
//!   (a transaction that commits after a later one, a replica behind). It never moves back. On
//!   first start it is `now - lookback`.
//! - `emitted`: the pipelines handed to the pipeline whose `updated_at` is at or after
//!   `updated_after`, with that `updated_at`. A listed pipeline is emitted again only when its
//!   `updated_at` changed (a retried job reopened it, say); entries behind the cursor are
//!   dropped, as no listing can return them any more.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ciotel_cicd::Timestamp;
use ciotel_core::poll;
use serde::{Deserialize, Serialize};

/// How far `updated_after` stays behind the updates it passes, for updates that appear in
/// listings a little after their time.
pub const SETTLE: Duration = Duration::from_secs(5 * 60);

/// Version of the file's format.
const VERSION: u32 = 1;

/// Everything the poller remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct State {
    version: u32,
    /// By project id.
    pub(super) projects: BTreeMap<String, ProjectCursor>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: VERSION,
            projects: BTreeMap::new(),
        }
    }
}

/// What is remembered of one project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct ProjectCursor {
    /// `path_with_namespace` when last polled, for people reading the file.
    pub(super) path: String,
    /// Lower bound of the next listing.
    pub(super) updated_after: Timestamp,
    /// Pipelines emitted, updated at or after `updated_after`.
    #[serde(default)]
    pub(super) emitted: Vec<Emitted>,
}

/// One pipeline handed to the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Emitted {
    /// The pipeline id.
    pub(super) pipeline_id: u64,
    /// Its `updated_at` when it was emitted.
    pub(super) updated_at: Timestamp,
}

impl State {
    /// The cursor of project `id`, started at `now - lookback` when the project is new.
    pub(super) fn project(
        &mut self,
        id: u64,
        path: &str,
        now: Timestamp,
        lookback: Duration,
    ) -> &mut ProjectCursor {
        let cursor = self
            .projects
            .entry(id.to_string())
            .or_insert_with(|| ProjectCursor {
                path: path.to_string(),
                updated_after: minus(now, lookback),
                emitted: Vec::new(),
            });
        if cursor.path != path {
            cursor.path = path.to_string();
        }
        cursor
    }
}

impl ProjectCursor {
    /// Whether this pipeline was emitted as updated at `updated_at`.
    pub(super) fn is_emitted(&self, pipeline_id: u64, updated_at: Timestamp) -> bool {
        self.emitted
            .iter()
            .any(|e| e.pipeline_id == pipeline_id && e.updated_at == updated_at)
    }

    /// Remembers an emitted pipeline, replacing an older version of it.
    pub(super) fn record(&mut self, pipeline_id: u64, updated_at: Timestamp) {
        self.emitted.retain(|e| e.pipeline_id != pipeline_id);
        self.emitted.push(Emitted {
            pipeline_id,
            updated_at,
        });
    }

    /// A pipeline updated at `updated_at` is handled: moves `updated_after` up to
    /// `updated_at - SETTLE` and forgets emitted pipelines that fell behind it.
    pub(super) fn passed(&mut self, updated_at: Timestamp) {
        let after = minus(updated_at, SETTLE);
        if after > self.updated_after {
            self.updated_after = after;
            self.emitted.retain(|e| e.updated_at >= after);
        }
    }
}

/// Reads the state at `path`; a missing file is an empty state (first start).
pub(super) fn load(path: &Path) -> Result<State, String> {
    poll::load_versioned(path, VERSION, |s: &State| s.version)
}

/// Now, as a timestamp.
pub(super) fn now() -> Timestamp {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    Timestamp::from_unix_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// `t - d`, never before the epoch.
fn minus(t: Timestamp, d: Duration) -> Timestamp {
    let d = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    Timestamp::from_unix_nanos(t.as_unix_nanos().saturating_sub(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("test time")
    }

    #[test]
    fn first_start_backfills_lookback() {
        let mut state = State::default();
        let c = state.project(
            7,
            "g/p",
            t("2026-01-02T00:00:00.5Z"),
            Duration::from_secs(3600),
        );
        assert_eq!(c.updated_after, t("2026-01-01T23:00:00.5Z"));
        assert_eq!(c.path, "g/p");
        // Renamed: same cursor, new path.
        state.project(7, "g/q", t("2026-01-03T00:00:00Z"), Duration::ZERO);
        assert_eq!(state.projects["7"].path, "g/q");
        assert_eq!(
            state.projects["7"].updated_after,
            t("2026-01-01T23:00:00.5Z")
        );
    }

    #[test]
    fn the_cursor_trails_what_it_passed_and_forgets_what_fell_behind() {
        let mut c = ProjectCursor {
            path: "g/p".into(),
            updated_after: t("2026-01-01T00:00:00Z"),
            emitted: Vec::new(),
        };
        c.record(1, t("2026-01-01T10:00:00Z"));
        c.passed(t("2026-01-01T10:00:00Z"));
        assert_eq!(c.updated_after, t("2026-01-01T09:55:00Z"));
        c.record(2, t("2026-01-01T10:03:00Z"));
        c.passed(t("2026-01-01T10:03:00Z"));
        assert!(
            c.is_emitted(1, t("2026-01-01T10:00:00Z")),
            "within SETTLE: kept"
        );
        c.passed(t("2026-01-01T10:06:00Z"));
        assert!(
            !c.is_emitted(1, t("2026-01-01T10:00:00Z")),
            "behind the cursor: dropped"
        );
        assert!(c.is_emitted(2, t("2026-01-01T10:03:00Z")));
        // Never back.
        c.passed(t("2026-01-01T08:00:00Z"));
        assert_eq!(c.updated_after, t("2026-01-01T10:01:00Z"));
    }

    #[test]
    fn a_pipeline_updated_again_is_emitted_again() {
        let mut c = ProjectCursor {
            path: "g/p".into(),
            updated_after: t("2026-01-01T00:00:00Z"),
            emitted: Vec::new(),
        };
        c.record(5, t("2026-01-01T01:00:00Z"));
        assert!(!c.is_emitted(5, t("2026-01-01T02:00:00Z")));
        c.record(5, t("2026-01-01T02:00:00Z"));
        assert_eq!(c.emitted.len(), 1);
        assert!(c.is_emitted(5, t("2026-01-01T02:00:00Z")));
    }

    #[test]
    fn the_file_round_trips_and_an_unknown_version_is_refused() {
        let dir = std::env::temp_dir().join(format!("ciotel-gitlab-cursor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = poll::state_file(&dir, "gitlab");
        assert_eq!(load(&path), Ok(State::default()));
        let mut state = State::default();
        state
            .project(123, "test/project", t("2026-01-02T00:00:00Z"), SETTLE)
            .record(1, t("2026-01-02T00:00:00Z"));
        poll::write_atomically(&path, &serde_json::to_vec(&state).unwrap_or_default())
            .expect("write");
        assert_eq!(load(&path), Ok(state));
        std::fs::write(&path, br#"{"version": 9, "projects": {}}"#).expect("write");
        assert!(load(&path).is_err_and(|e| e.contains("format version 9")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
