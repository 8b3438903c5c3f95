//! The poller's memory across restarts, one JSON file per receiver in `state_dir`, replaced
//! atomically by `ciotel_core::poll::save_json` (written to a temporary file, synced, renamed
//! over the old one), so a crash leaves either the old state or the new one, never half of each.
//!
//! Per repository it keeps:
//! - `since`: the lower bound of the next listing, `GET …/actions/runs?created=>={since}`.
//!   GitHub can only filter runs by creation time, and a run is listed long before it
//!   completes, so `since` may only pass a run once it is finished. After a complete pass over
//!   the listing, `since` becomes the creation time of the oldest unfinished run seen (or of
//!   the newest run, when all are finished) minus [`SETTLE`], the margin for runs GitHub lists
//!   a little late. It never moves back, and an unfinished run older than `lookback` stops
//!   holding it (that run is left to the webhook). On first start it is `now - lookback`.
//! - `emitted`: the run attempts already handed to the pipeline whose creation is at or after
//!   `since`, with the `updated_at` they had. A listed run is emitted again only when it is a
//!   new attempt or its `updated_at` changed; entries older than `since` are dropped, as no
//!   listing can return them any more.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ciotel_cicd::Timestamp;
use ciotel_core::poll;
use serde::{Deserialize, Serialize};

/// How far `since` stays behind the runs it passes, for runs that appear in listings a little
/// after their creation time.
pub const SETTLE: Duration = Duration::from_secs(5 * 60);

/// Version of the file's format.
const VERSION: u32 = 1;

/// Everything the poller remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct State {
    version: u32,
    /// By `owner/repo`.
    pub(super) repositories: BTreeMap<String, RepoCursor>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: VERSION,
            repositories: BTreeMap::new(),
        }
    }
}

/// What is remembered of one repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct RepoCursor {
    /// Lower bound of the next listing's `created` filter.
    pub(super) since: Timestamp,
    /// Run attempts emitted and created at or after `since`.
    #[serde(default)]
    pub(super) emitted: Vec<Emitted>,
}

/// One run attempt handed to the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Emitted {
    /// The run id.
    pub(super) run_id: u64,
    /// The attempt.
    pub(super) attempt: u32,
    /// `updated_at` as GitHub wrote it when the attempt was emitted.
    pub(super) updated_at: String,
    /// The run's creation, to drop the entry once `since` passes it.
    pub(super) created_at: Timestamp,
}

/// What one complete pass over a repository's listing saw, to move `since`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Pass {
    /// Creation of the oldest run not yet completed.
    pub(super) oldest_unfinished: Option<Timestamp>,
    /// Creation of the newest run.
    pub(super) newest_created: Option<Timestamp>,
}

impl Pass {
    /// Takes a listed run into account.
    pub(super) fn saw(&mut self, created: Timestamp, finished: bool) {
        self.newest_created = self.newest_created.max(Some(created));
        if !finished {
            self.oldest_unfinished =
                Some(self.oldest_unfinished.map_or(created, |o| o.min(created)));
        }
    }

    /// Adds what another page saw.
    pub(super) fn merge(&mut self, other: Pass) {
        self.newest_created = self.newest_created.max(other.newest_created);
        self.oldest_unfinished = match (self.oldest_unfinished, other.oldest_unfinished) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

impl State {
    /// The cursor of `repo`, started at `now - lookback` when the repository is new.
    pub(super) fn repo(
        &mut self,
        repo: &str,
        now: Timestamp,
        lookback: Duration,
    ) -> &mut RepoCursor {
        self.repositories
            .entry(repo.to_string())
            .or_insert_with(|| RepoCursor {
                since: whole_seconds(minus(now, lookback)),
                emitted: Vec::new(),
            })
    }
}

impl RepoCursor {
    /// Whether this attempt was emitted with this `updated_at`.
    pub(super) fn is_emitted(&self, run_id: u64, attempt: u32, updated_at: &str) -> bool {
        self.emitted
            .iter()
            .any(|e| e.run_id == run_id && e.attempt == attempt && e.updated_at == updated_at)
    }

    /// Whether any version of this attempt was emitted.
    pub(super) fn has_attempt(&self, run_id: u64, attempt: u32) -> bool {
        self.emitted
            .iter()
            .any(|e| e.run_id == run_id && e.attempt == attempt)
    }

    /// Remembers an emitted attempt, replacing an older version of it.
    pub(super) fn record(&mut self, emitted: Emitted) {
        self.emitted
            .retain(|e| !(e.run_id == emitted.run_id && e.attempt == emitted.attempt));
        self.emitted.push(emitted);
    }

    /// Moves `since` after a complete pass (see the module's doc), and forgets emitted
    /// attempts that fell behind it.
    pub(super) fn advance(&mut self, pass: Pass, now: Timestamp, lookback: Duration) {
        let Some(newest) = pass.newest_created else {
            return;
        };
        let anchor = match pass.oldest_unfinished {
            Some(unfinished) => unfinished.max(minus(now, lookback)).min(newest),
            None => newest,
        };
        let since = whole_seconds(minus(anchor, SETTLE));
        if since > self.since {
            self.since = since;
        }
        let since = self.since;
        self.emitted.retain(|e| e.created_at >= since);
    }
}

/// Reads the state at `path`; a missing file is an empty state (first start).
pub(super) fn load(path: &Path) -> Result<State, String> {
    poll::load_versioned(path, VERSION, |s: &State| s.version)
}

/// Replaces the state at `path` atomically (see `ciotel_core::poll::save_json`).
pub(super) async fn save(path: &Path, state: &State) -> std::io::Result<()> {
    poll::save_json(path, state).await
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

/// `t` rounded down to the second, as GitHub's `created` filter reads seconds.
fn whole_seconds(t: Timestamp) -> Timestamp {
    let n = t.as_unix_nanos();
    Timestamp::from_unix_nanos(n - n % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("test time")
    }

    fn emitted(run_id: u64, created: &str) -> Emitted {
        Emitted {
            run_id,
            attempt: 1,
            updated_at: created.to_string(),
            created_at: t(created),
        }
    }

    #[test]
    fn first_start_backfills_lookback_in_whole_seconds() {
        let mut state = State::default();
        let now = t("2026-01-02T00:00:00.75Z");
        let c = state.repo("o/r", now, Duration::from_secs(3600));
        assert_eq!(c.since, t("2026-01-01T23:00:00Z"));
    }

    #[test]
    fn since_follows_the_newest_run_when_all_are_finished() {
        let now = t("2026-01-02T12:00:00Z");
        let mut c = RepoCursor {
            since: t("2026-01-01T12:00:00Z"),
            emitted: vec![
                emitted(1, "2026-01-01T13:00:00Z"),
                emitted(2, "2026-01-02T11:00:00Z"),
            ],
        };
        let mut pass = Pass::default();
        pass.saw(t("2026-01-01T13:00:00Z"), true);
        pass.saw(t("2026-01-02T11:00:00Z"), true);
        c.advance(pass, now, Duration::from_secs(86_400));
        assert_eq!(c.since, t("2026-01-02T10:55:00Z"));
        assert_eq!(c.emitted, vec![emitted(2, "2026-01-02T11:00:00Z")]);
    }

    #[test]
    fn an_unfinished_run_holds_since_until_lookback() {
        let now = t("2026-01-02T12:00:00Z");
        let day = Duration::from_secs(86_400);
        let mut c = RepoCursor {
            since: t("2026-01-01T12:00:00Z"),
            emitted: Vec::new(),
        };
        let mut pass = Pass::default();
        pass.saw(t("2026-01-02T11:00:00Z"), true);
        pass.saw(t("2026-01-02T09:00:00Z"), false);
        pass.saw(t("2026-01-02T10:00:00Z"), false);
        c.advance(pass, now, day);
        assert_eq!(c.since, t("2026-01-02T08:55:00Z"));

        // Unfinished for longer than lookback: it no longer holds the cursor.
        let mut stuck = Pass::default();
        stuck.saw(t("2026-01-02T09:00:00Z"), false);
        stuck.saw(t("2026-01-02T11:00:00Z"), true);
        c.advance(stuck, t("2026-01-03T10:00:00Z"), day);
        assert_eq!(c.since, t("2026-01-02T09:55:00Z"));
    }

    #[test]
    fn since_never_moves_back_and_an_empty_pass_keeps_it() {
        let since = t("2026-01-02T00:00:00Z");
        let mut c = RepoCursor {
            since,
            emitted: Vec::new(),
        };
        c.advance(Pass::default(), t("2026-01-03T00:00:00Z"), SETTLE);
        assert_eq!(c.since, since);
        let mut pass = Pass::default();
        pass.saw(t("2026-01-02T00:01:00Z"), true);
        c.advance(pass, t("2026-01-03T00:00:00Z"), SETTLE);
        assert_eq!(c.since, since);
    }

    #[test]
    fn merged_pages_keep_the_extremes() {
        let mut a = Pass::default();
        a.saw(t("2026-01-02T10:00:00Z"), false);
        let mut b = Pass::default();
        b.saw(t("2026-01-02T09:00:00Z"), false);
        b.saw(t("2026-01-02T11:00:00Z"), true);
        a.merge(b);
        assert_eq!(a.oldest_unfinished, Some(t("2026-01-02T09:00:00Z")));
        assert_eq!(a.newest_created, Some(t("2026-01-02T11:00:00Z")));
    }

    #[test]
    fn an_attempt_is_emitted_again_only_when_updated() {
        let mut c = RepoCursor {
            since: t("2026-01-01T00:00:00Z"),
            emitted: Vec::new(),
        };
        c.record(emitted(7, "2026-01-01T01:00:00Z"));
        assert!(c.is_emitted(7, 1, "2026-01-01T01:00:00Z"));
        assert!(!c.is_emitted(7, 1, "2026-01-01T02:00:00Z"));
        assert!(!c.is_emitted(7, 2, "2026-01-01T01:00:00Z"));
        let mut again = emitted(7, "2026-01-01T01:00:00Z");
        again.updated_at = "2026-01-01T02:00:00Z".into();
        c.record(again);
        assert_eq!(c.emitted.len(), 1);
        assert!(c.has_attempt(7, 1) && c.is_emitted(7, 1, "2026-01-01T02:00:00Z"));
    }

    #[test]
    fn state_files_round_trip_and_are_named_for_the_receiver() {
        let dir = std::env::temp_dir().join(format!("ciotel-cursor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = poll::state_file(&dir, "github/ci.main");
        assert!(path.ends_with("github_ci_main.cursor.json"));
        assert_eq!(load(&path).map(|s| s.repositories.len()), Ok(0));
        let mut state = load(&path).unwrap_or_default();
        state
            .repo("o/r", t("2026-01-02T00:00:00Z"), SETTLE)
            .record(emitted(1, "2026-01-02T00:00:00Z"));
        poll::write_atomically(&path, &serde_json::to_vec(&state).unwrap_or_default())
            .expect("write");
        assert_eq!(load(&path), Ok(state));
        std::fs::write(&path, b"{").expect("write");
        assert!(load(&path).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
