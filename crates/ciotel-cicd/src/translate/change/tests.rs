use opentelemetry_proto::tonic::trace::v1::Span;

use super::*;
use crate::change::{
    ChangeAction, ChangeRun, ChangeUpdate, Deployment, DeploymentState, RefRevision,
};
use crate::event::{CiResult, Phase, PipelineRun, RunRef};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap_or_else(|e| panic!("{e}"))
}

fn change(n: u64) -> ChangeRef {
    ChangeRef {
        provider: "github".into(),
        repository_id: "42".into(),
        number: ChangeNumber::Number(n),
        repository: crate::event::Vcs {
            repository_full_name: Some("acme/shop".into()),
            ..Default::default()
        },
    }
}

fn spans(event: &ChangeEvent) -> Vec<Span> {
    translate_change(event, IdRecipe::CheckRun)
        .into_iter()
        .flat_map(|rs| rs.scope_spans)
        .flat_map(|ss| ss.spans)
        .collect()
}

#[test]
fn a_merge_is_the_root_and_a_merge_span() {
    let u = ChangeUpdate {
        change: change(123),
        action: ChangeAction::Merged,
        title: Some("Add cart".into()),
        opened_at: Some(ts("2026-01-01T10:00:00Z")),
        merged_at: Some(ts("2026-01-01T12:00:00Z")),
        base: RefRevision {
            name: Some("main".into()),
            revision: None,
        },
        ..ChangeUpdate::default()
    };
    let out = spans(&ChangeEvent::Update(u));
    assert_eq!(out.len(), 2);
    let ids = change(123).ids();
    assert_eq!(out[0].name, "CHANGE acme/shop#123 Add cart");
    assert_eq!(out[0].span_id, ids.root_span_id().0.to_vec());
    assert!(out[0].parent_span_id.is_empty());
    assert_eq!(
        out[0].end_time_unix_nano - out[0].start_time_unix_nano,
        7_200_000_000_000
    );
    assert_eq!(out[1].name, "MERGE main");
    assert_eq!(out[1].parent_span_id, ids.root_span_id().0.to_vec());
    assert_eq!(out[1].trace_id, ids.trace_id().0.to_vec());
}

#[test]
fn an_open_change_has_no_root_yet_and_edits_emit_nothing() {
    let mut u = ChangeUpdate {
        change: change(1),
        action: ChangeAction::Opened,
        opened_at: Some(ts("2026-01-01T10:00:00Z")),
        ..ChangeUpdate::default()
    };
    let out = spans(&ChangeEvent::Update(u.clone()));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].name, "opened");
    u.action = ChangeAction::Edited;
    assert!(spans(&ChangeEvent::Update(u)).is_empty());
}

#[test]
fn a_run_links_to_its_own_trace() {
    let r = ChangeRun {
        change: change(5),
        run: PipelineRun {
            run: RunRef {
                run_id: "99".into(),
                attempt: 2,
                pipeline_name: Some("CI".into()),
                ..RunRef::default()
            },
            phase: Phase::Completed,
            result: Some(CiResult::Failure),
            started_at: Some(ts("2026-01-01T10:00:00Z")),
            completed_at: Some(ts("2026-01-01T10:05:00Z")),
            ..PipelineRun::default()
        },
        has_run_trace: true,
    };
    let out = spans(&ChangeEvent::Run(r));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].name, "RUN CI");
    assert_eq!(out[0].links.len(), 1);
    assert_eq!(
        out[0].links[0].trace_id,
        crate::ids::trace_id("99", 2).0.to_vec()
    );
    assert_eq!(
        out[0].links[0].span_id,
        crate::ids::root_span_id("99", 2).0.to_vec()
    );
    assert_eq!(out[0].status.as_ref().map(|s| s.code), Some(2));
}

#[test]
fn a_deployment_is_in_each_change_it_delivers_and_pending_emits_nothing() {
    let mut d = Deployment {
        provider: "github".into(),
        repository_id: "42".into(),
        id: "7".into(),
        environment: "production".into(),
        state: DeploymentState::Pending,
        created_at: Some(ts("2026-01-01T10:00:00Z")),
        state_at: Some(ts("2026-01-01T10:01:00Z")),
        changes: vec![change(1), change(2)],
        run: Some(RunLink {
            run_id: "99".into(),
            attempt: 1,
            job_id: Some("555".into()),
        }),
        ..Deployment::default()
    };
    assert!(spans(&ChangeEvent::Deployment(d.clone())).is_empty());
    d.state = DeploymentState::Failure;
    let out = spans(&ChangeEvent::Deployment(d));
    assert_eq!(out.len(), 2);
    assert_ne!(out[0].trace_id, out[1].trace_id);
    assert_eq!(out[0].name, "DEPLOY production");
    assert_eq!(
        out[0].links[0].span_id,
        IdRecipe::CheckRun
            .job_span_id(&JobKey {
                run_id: "99",
                run_attempt: 1,
                job_id: "555",
                job_name: ""
            })
            .0
            .to_vec()
    );
    // The two copies differ only in trace, id and change id.
    let mut a = out[0].clone();
    let mut b = out[1].clone();
    for s in [&mut a, &mut b] {
        s.trace_id.clear();
        s.span_id.clear();
        s.parent_span_id.clear();
        s.attributes.retain(|kv| kv.key != semconv::VCS_CHANGE_ID);
    }
    assert_eq!(a, b);
}
