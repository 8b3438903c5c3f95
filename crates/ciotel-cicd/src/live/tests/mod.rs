//! The live board's tests: `board.rs` (orders, repeats, bounds), `check.rs` (hung jobs' log
//! records and the metrics); the events they feed are built here.

mod board;
mod check;

use super::*;
use crate::event::{CiEvent, Job, Phase, PipelineRun, RunRef, Runner, Vcs};
use crate::time::Timestamp;

pub(super) fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn run_ref(repo: &str) -> RunRef {
    RunRef {
        run_id: "100".into(),
        attempt: 1,
        pipeline_name: Some("CI".into()),
        vcs: Vcs {
            provider: Some("github".into()),
            repository_full_name: Some(repo.into()),
            head_ref: Some("main".into()),
            ..Vcs::default()
        },
    }
}

pub(super) fn job(id: &str, phase: Phase) -> CiEvent {
    let running = phase != Phase::Pending;
    CiEvent::Job(Job {
        run: run_ref("acme/app"),
        id: id.into(),
        name: "build".into(),
        url: Some(format!(
            "https://github.com/acme/app/actions/runs/100/job/{id}"
        )),
        phase,
        created_at: Some(t("2026-12-04T10:00:00Z")),
        started_at: running.then(|| t("2026-12-04T10:01:00Z")),
        completed_at: (phase == Phase::Completed).then(|| t("2026-12-04T10:05:00Z")),
        runner: running.then(|| Runner {
            name: Some("runner-7".into()),
            labels: vec!["ubuntu-latest".into()],
            ..Runner::default()
        }),
        ..Job::default()
    })
}

pub(super) fn run(phase: Phase) -> CiEvent {
    CiEvent::Run(PipelineRun {
        run: run_ref("acme/app"),
        phase,
        created_at: Some(t("2026-12-04T09:59:00Z")),
        started_at: Some(t("2026-12-04T09:59:30Z")),
        ..PipelineRun::default()
    })
}

pub(super) fn board(max: usize) -> LiveBoard {
    LiveBoard::new(
        "github",
        &LiveConfig {
            max_entries: max,
            ..LiveConfig::default()
        },
    )
}

pub(super) fn now() -> Timestamp {
    t("2026-12-04T11:00:00Z")
}

pub(super) fn hung_board(queued: u64, running: u64, factor: u32) -> LiveBoard {
    LiveBoard::new(
        "github",
        &LiveConfig {
            max_entries: 100,
            hung: HungConfig {
                queued_after: std::time::Duration::from_secs(queued),
                running_after: std::time::Duration::from_secs(running),
                p95_factor: factor,
                p95_min_samples: 3,
                ..HungConfig::default()
            },
        },
    )
}
