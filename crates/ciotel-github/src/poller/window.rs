//! What the pages of a runs listing say, for the cursor and for GitHub's cap: a filtered
//! listing stops at 1000 runs, so when more match (a long backfill on a busy repository) the
//! pass goes on with the window `created={since}..{oldest seen}` until the listing is
//! exhausted.

use ciotel_cicd::Timestamp;

use super::cursor::Pass;
use crate::payload::{WorkflowRun, WorkflowRunsPage};

/// Runs GitHub lists for one filtered query, at most.
const LISTING_CAP: u64 = 1000;

/// What a runs page says for the cursor and for GitHub's cap, kept with its ETag so a 304
/// page counts exactly as it did when it was read.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PageNote {
    /// Run attempts emitted while handling it (0 on a 304).
    pub(super) emitted: usize,
    /// Its runs' creation times, finished or not.
    seen: Pass,
    /// `total_count`: runs matching the query, across pages.
    total: u64,
    /// Runs on the page.
    count: u64,
    /// Creation of its oldest run.
    oldest: Option<Timestamp>,
}

impl PageNote {
    /// The note of a page answered 304: the same, with nothing emitted this time.
    pub(super) fn replayed(self) -> Self {
        PageNote { emitted: 0, ..self }
    }

    pub(super) fn of(page: &WorkflowRunsPage, since: Timestamp) -> Self {
        let mut note = PageNote {
            total: page.total_count.unwrap_or(0),
            count: page.workflow_runs.len() as u64,
            ..PageNote::default()
        };
        for run in &page.workflow_runs {
            let created = created_at(run).unwrap_or(since);
            note.seen
                .saw(created, run.status.as_deref() == Some("completed"));
            note.oldest = Some(note.oldest.map_or(created, |o| o.min(created)));
        }
        note
    }
}

/// What one window of a listing (up to GitHub's cap) saw.
#[derive(Default)]
pub(super) struct Window {
    pub(super) pass: Pass,
    /// `total_count` of the first page.
    total: u64,
    /// Runs on the pages read.
    listed: u64,
    /// Creation of the oldest run seen.
    oldest: Option<Timestamp>,
}

impl Window {
    /// When GitHub's cap cut the listing short: the upper bound of the window listing the
    /// rest (inclusive, so runs sharing the oldest second are listed again and skipped as
    /// emitted). `None` when the listing was complete, or when the bound would not move
    /// (over 1000 runs created in one second), which ends the pass rather than loop.
    pub(super) fn older_rest(&self, upper: Option<Timestamp>) -> Option<Timestamp> {
        let oldest = self.oldest?;
        let cut_short = self.listed >= LISTING_CAP && self.total > self.listed;
        (cut_short && upper.is_none_or(|u| oldest < u)).then_some(oldest)
    }

    pub(super) fn note(&mut self, page: &PageNote) {
        self.pass.merge(page.seen);
        if self.listed == 0 {
            self.total = page.total;
        }
        self.listed += page.count;
        self.oldest = match (self.oldest, page.oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// A run's creation (or, lacking it, its start).
pub(super) fn created_at(run: &WorkflowRun) -> Option<Timestamp> {
    [&run.created_at, &run.run_started_at]
        .into_iter()
        .flatten()
        .find_map(|t| Timestamp::parse_rfc3339(t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("test time")
    }

    #[test]
    fn a_listing_cut_at_githubs_cap_goes_on_with_the_older_rest() {
        let window = |total, listed, oldest: &str| Window {
            total,
            listed,
            oldest: Some(t(oldest)),
            ..Window::default()
        };
        let oldest = t("2026-01-01T10:00:00Z");
        assert_eq!(
            window(2500, 1000, "2026-01-01T10:00:00Z").older_rest(None),
            Some(oldest)
        );
        let later = Some(t("2026-01-01T11:00:00Z"));
        assert_eq!(
            window(1500, 1000, "2026-01-01T10:00:00Z").older_rest(later),
            Some(oldest)
        );
        // Complete listings, and a bound that would not move, end the pass.
        assert_eq!(
            window(1000, 1000, "2026-01-01T10:00:00Z").older_rest(None),
            None
        );
        assert_eq!(
            window(40, 40, "2026-01-01T10:00:00Z").older_rest(None),
            None
        );
        assert_eq!(
            window(1500, 1000, "2026-01-01T10:00:00Z").older_rest(Some(oldest)),
            None
        );
        assert_eq!(Window::default().older_rest(None), None);
    }
}
