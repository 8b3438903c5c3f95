//! The board against the orders and repeats real deliveries come in, its bound, and the
//! hung rules.

use super::*;
use crate::event::{CiEvent, Phase};

#[test]
fn queued_then_running_shows_the_job_running_since_its_start_on_its_runner() {
    let b = board(10);
    b.observe_at(&job("1", Phase::Pending), now());
    let s = b.snapshot(None);
    assert_eq!(s.entries.len(), 1);
    assert_eq!(s.entries[0].state, LiveState::Pending);
    assert_eq!(s.entries[0].since(), t("2026-12-04T10:00:00Z"));
    b.observe_at(&job("1", Phase::Running), now());
    let e = &b.snapshot(None).entries[0];
    assert_eq!(e.state, LiveState::Executing);
    assert_eq!(e.since(), t("2026-12-04T10:01:00Z"));
    assert_eq!(e.queued_since, t("2026-12-04T10:00:00Z"));
    assert_eq!(e.runner_name.as_deref(), Some("runner-7"));
    assert_eq!(e.job_name.as_deref(), Some("build"));
    assert_eq!(e.repository.as_deref(), Some("acme/app"));
    assert!(e.url.as_deref().is_some_and(|u| u.ends_with("/job/1")));
    b.observe_at(&job("1", Phase::Completed), now());
    assert!(b.snapshot(None).entries.is_empty());
}

#[test]
fn late_queued_or_running_after_completed_does_not_bring_a_job_back() {
    let b = board(10);
    b.observe_at(&job("1", Phase::Completed), now());
    b.observe_at(&job("1", Phase::Pending), now());
    b.observe_at(&job("1", Phase::Running), now());
    assert!(b.snapshot(None).entries.is_empty());
}

#[test]
fn queued_after_running_keeps_it_running() {
    let b = board(10);
    b.observe_at(&job("1", Phase::Running), now());
    b.observe_at(&job("1", Phase::Pending), now());
    let e = &b.snapshot(None).entries[0];
    assert_eq!(e.state, LiveState::Executing);
    assert_eq!(e.runner_name.as_deref(), Some("runner-7"));
}

#[test]
fn every_order_of_the_same_events_ends_in_the_same_board() {
    let events = [
        job("1", Phase::Pending),
        job("1", Phase::Running),
        run(Phase::Running),
    ];
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    let reference = {
        let b = board(10);
        for e in &events {
            b.observe_at(e, now());
        }
        strip(b.snapshot(None))
    };
    for order in orders {
        let b = board(10);
        for i in order {
            b.observe_at(&events[i], now());
        }
        assert_eq!(strip(b.snapshot(None)), reference, "{order:?}");
    }
}

/// Entries without the eviction clock, which follows arrival order by design.
fn strip(s: Snapshot) -> Vec<LiveEntry> {
    s.entries
        .into_iter()
        .map(|mut e| {
            e.touched = 0;
            e
        })
        .collect()
}

#[test]
fn redelivery_changes_nothing_and_sends_no_notice() {
    let b = board(10);
    let mut changes = b.subscribe();
    b.observe_at(&job("1", Phase::Running), now());
    let first = b.snapshot(None);
    b.observe_at(&job("1", Phase::Running), t("2026-12-04T12:00:00Z"));
    assert_eq!(b.snapshot(None), first);
    let notice = changes.try_recv().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(notice.board.as_ref(), "github");
    assert_eq!(notice.entry.map(|e| e.state), Some(LiveState::Executing));
    assert!(changes.try_recv().is_err(), "a redelivery sent a notice");
}

#[test]
fn a_completed_run_takes_its_jobs_along() {
    let b = board(10);
    b.observe_at(&run(Phase::Running), now());
    b.observe_at(&job("1", Phase::Running), now());
    b.observe_at(&job("2", Phase::Pending), now());
    assert_eq!(b.snapshot(None).entries.len(), 3);
    b.observe_at(&run(Phase::Completed), now());
    assert!(b.snapshot(None).entries.is_empty());
    b.observe_at(&job("2", Phase::Running), now());
    assert!(
        b.snapshot(None).entries.is_empty(),
        "a late job of an ended run came back"
    );
}

#[test]
fn past_the_bound_the_least_recently_updated_entry_is_evicted_and_counted() {
    let b = board(2);
    let mut changes = b.subscribe();
    b.observe_at(&job("1", Phase::Pending), now());
    b.observe_at(&job("2", Phase::Pending), now());
    b.observe_at(&job("1", Phase::Running), now());
    b.observe_at(&job("3", Phase::Pending), now());
    let s = b.snapshot(None);
    let ids: Vec<&str> = s.entries.iter().map(|e| e.key.id.as_str()).collect();
    assert_eq!(s.evicted, 1);
    assert!(
        ids.contains(&"1") && ids.contains(&"3") && !ids.contains(&"2"),
        "{ids:?}"
    );
    let mut gone = Vec::new();
    while let Ok(c) = changes.try_recv() {
        if c.entry.is_none() {
            gone.push(c.key.id);
        }
    }
    assert_eq!(gone, ["2"]);
}

#[test]
fn snapshot_filters_by_repository() {
    let b = board(10);
    b.observe_at(&job("1", Phase::Pending), now());
    let mut other = job("2", Phase::Pending);
    if let CiEvent::Job(j) = &mut other {
        j.run.vcs.repository_full_name = Some("acme/other".into());
    }
    b.observe_at(&other, now());
    assert_eq!(b.snapshot(Some("acme/other")).entries.len(), 1);
    assert_eq!(b.snapshot(Some("acme/app")).entries[0].key.id, "1");
    assert_eq!(b.snapshot(Some("nope")).entries.len(), 0);
}

#[test]
fn the_registry_shares_one_channel_and_merges_snapshots() {
    let boards = LiveBoards::new();
    let mut changes = boards.subscribe();
    let config = LiveConfig::default();
    boards
        .board("github", &config)
        .observe_at(&job("1", Phase::Pending), now());
    boards
        .board("gitlab", &config)
        .observe_at(&job("9", Phase::Running), now());
    assert_eq!(boards.snapshot(None).entries.len(), 2);
    assert_eq!(
        boards.get("github").map(|b| b.snapshot(None).entries.len()),
        Some(1)
    );
    let names: Vec<String> = std::iter::from_fn(|| changes.try_recv().ok())
        .map(|c| c.board.to_string())
        .collect();
    assert_eq!(names, ["github", "gitlab"]);
}

#[test]
fn a_job_queued_or_running_past_its_threshold_is_hung() {
    let b = hung_board(600, 3600, 0);
    b.observe_at(&job("1", Phase::Pending), now());
    // Queued since 10:00; now is 11:00.
    let hung = b.hung(now());
    assert_eq!(hung.len(), 1);
    assert_eq!(
        hung[0].rule,
        HungRule::QueuedAfter(std::time::Duration::from_secs(600))
    );
    assert_eq!(hung[0].age, std::time::Duration::from_secs(3600));
    assert!(
        b.hung(t("2026-12-04T10:10:00Z")).is_empty(),
        "not past 10 m yet"
    );
    b.observe_at(&job("1", Phase::Running), now());
    // Running since 10:01: 59 m < 1 h.
    assert!(b.hung(now()).is_empty());
    let later = t("2026-12-04T11:01:01Z");
    assert_eq!(
        b.hung(later).first().map(|h| h.rule.key()),
        Some("running_after")
    );
    b.observe_at(&job("1", Phase::Completed), now());
    assert!(b.hung(later).is_empty());
}

#[test]
fn a_job_far_over_its_recent_p95_is_hung_by_the_factor() {
    let b = hung_board(0, 0, 3);
    // Three earlier runs of `build`, 4 minutes each (10:01 → 10:05).
    for id in ["a", "b", "c"] {
        b.observe_at(&job(id, Phase::Completed), now());
    }
    assert_eq!(
        b.recent_p95(Some("acme/app"), Some("CI"), "build"),
        Some(std::time::Duration::from_secs(240))
    );
    b.observe_at(&job("1", Phase::Running), now());
    // 12 minutes is the limit: 10:13 is 12 m after 10:01.
    assert!(b.hung(t("2026-12-04T10:13:00Z")).is_empty());
    let hung = b.hung(t("2026-12-04T10:13:01Z"));
    assert_eq!(
        hung.first().map(|h| h.rule),
        Some(HungRule::P95 {
            factor: 3,
            p95: std::time::Duration::from_secs(240)
        })
    );
    assert_eq!(
        hung[0].rule.threshold(),
        std::time::Duration::from_secs(720)
    );
}

#[test]
fn redelivered_completions_count_once_in_the_p95() {
    let b = hung_board(0, 0, 3);
    for _ in 0..3 {
        b.observe_at(&job("a", Phase::Completed), now());
    }
    assert_eq!(
        b.recent_p95(Some("acme/app"), Some("CI"), "build"),
        None,
        "one sample, not three"
    );
}

#[test]
fn a_complete_listing_forgets_what_it_no_longer_lists_but_not_what_came_since() {
    let b = board(10);
    b.observe_at(&job("1", Phase::Running), now());
    b.observe_at(&job("2", Phase::Running), now());
    let mark = b.mark();
    // While the listing runs, job 3 is delivered; the listing shows job 2 only.
    b.observe_at(&job("3", Phase::Pending), now());
    let listed: std::collections::HashSet<EntryKey> = LiveBoard::key_of(&job("2", Phase::Running))
        .into_iter()
        .collect();
    assert_eq!(b.forget_unlisted("ACME/app", &listed, mark), 1);
    let ids: Vec<String> = b
        .snapshot(None)
        .entries
        .into_iter()
        .map(|e| e.key.id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        ids.contains(&"2".to_string()) && ids.contains(&"3".to_string()),
        "{ids:?}"
    );
    // Not remembered as ended: a later event brings job 1 back.
    b.observe_at(&job("1", Phase::Running), now());
    assert_eq!(b.snapshot(None).entries.len(), 3);
    assert_eq!(b.forget_unlisted("other/repo", &listed, b.mark()), 0);
}

#[test]
fn gitlab_jobs_waiting_for_earlier_stages_are_not_queued_and_pending_ones_count_from_first_seen() {
    let gitlab = |status: &str, phase: Phase| {
        let mut event = job("9", phase);
        if let CiEvent::Job(j) = &mut event {
            j.run.vcs.provider = Some("gitlab".into());
            j.attributes
                .push(crate::event::Attribute::new("gitlab.job.status", status));
        }
        event
    };
    let b = board(10);
    for status in ["created", "manual", "scheduled"] {
        b.observe_at(&gitlab(status, Phase::Pending), now());
        assert!(b.snapshot(None).entries.is_empty(), "{status}");
    }
    // Created at 10:00 with the pipeline; pending (its stage's turn) first seen at 10:40.
    b.observe_at(
        &gitlab("pending", Phase::Pending),
        t("2026-12-04T10:40:00Z"),
    );
    b.observe_at(
        &gitlab("pending", Phase::Pending),
        t("2026-12-04T10:50:00Z"),
    );
    assert_eq!(
        b.snapshot(None).entries[0].since(),
        t("2026-12-04T10:40:00Z")
    );
    b.observe_at(&gitlab("running", Phase::Running), now());
    assert_eq!(
        b.snapshot(None).entries[0].since(),
        t("2026-12-04T10:01:00Z")
    );
}
