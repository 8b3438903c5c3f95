//! The change's own spans: the root (once closed or merged), the instants of its life, its
//! reviews and its merge-queue entries.

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{Span, Status};

use super::{ChangeSpan, change_attrs, instant};
use crate::change::{
    ChangeAction, ChangeUpdate, MergeQueueAction, MergeQueueEvent, Review, short_sha,
};
use crate::semconv::{self, change_state, span_type};
use crate::time::Timestamp;
use crate::translate::otlp::{Attrs, SpanParts};
use crate::translate::timing::ordered;

pub(super) fn update_spans(u: &ChangeUpdate) -> Vec<Span> {
    let ids = u.change.ids();
    let instant_span = |id, name: String, kind: &str, attrs: fn(Attrs, &ChangeUpdate) -> Attrs| {
        let at = u.at?;
        Some(
            ChangeSpan {
                change: &u.change,
                id,
                parent: None,
                name,
                time: instant(at),
                attributes: attrs(change_attrs(&u.change, kind), u),
                status: Status::default(),
                links: Vec::new(),
            }
            .build(),
        )
    };
    match &u.action {
        ChangeAction::Opened => {
            let Some(at) = u.opened_at.or(u.at) else {
                return Vec::new();
            };
            vec![
                ChangeSpan {
                    change: &u.change,
                    id: ids.opened_span_id(),
                    parent: None,
                    name: "opened".to_owned(),
                    time: instant(at),
                    attributes: refs(change_attrs(&u.change, span_type::OPENED), u),
                    status: Status::default(),
                    links: Vec::new(),
                }
                .build(),
            ]
        }
        ChangeAction::Pushed => {
            let Some(head) = u.head.revision.as_deref() else {
                return Vec::new();
            };
            instant_span(
                ids.push_span_id(head),
                format!("push {}", short_sha(head)),
                span_type::PUSH,
                |a, u| {
                    refs(a, u).str(
                        semconv::CIOTEL_CHANGE_PREVIOUS_REVISION,
                        u.previous_head.as_deref(),
                    )
                },
            )
            .into_iter()
            .collect()
        }
        ChangeAction::ReadyForReview => {
            u.at.and_then(|at| {
                instant_span(
                    ids.ready_span_id(at),
                    "ready for review".to_owned(),
                    span_type::READY_FOR_REVIEW,
                    refs,
                )
            })
            .into_iter()
            .collect()
        }
        ChangeAction::ReviewRequested { reviewer } => {
            u.at.and_then(|at| {
                let mut span = instant_span(
                    ids.review_requested_span_id(reviewer, at),
                    format!("review requested: {reviewer}"),
                    span_type::REVIEW_REQUESTED,
                    |a, _| a,
                )?;
                span.attributes.extend(
                    Attrs::default()
                        .str(semconv::CIOTEL_REVIEW_REVIEWER, Some(reviewer))
                        .build(),
                );
                Some(span)
            })
            .into_iter()
            .collect()
        }
        ChangeAction::Reopened => {
            u.at.and_then(|at| {
                instant_span(
                    ids.reopened_span_id(at),
                    "reopened".to_owned(),
                    span_type::REOPENED,
                    |a, _| a,
                )
            })
            .into_iter()
            .collect()
        }
        ChangeAction::Closed => root(u, u.closed_at.or(u.at)).into_iter().collect(),
        ChangeAction::Merged => {
            let merged_at = u.merged_at.or(u.closed_at).or(u.at);
            let mut out: Vec<Span> = root(u, merged_at).into_iter().collect();
            if let Some(at) = merged_at {
                let base = u.base.name.as_deref().unwrap_or("base");
                out.push(
                    ChangeSpan {
                        change: &u.change,
                        id: ids.merge_span_id(),
                        parent: None,
                        name: format!("MERGE {base}"),
                        time: instant(at),
                        attributes: change_attrs(&u.change, span_type::MERGE)
                            .str(semconv::VCS_REF_BASE_NAME, u.base.name.as_deref())
                            .str(
                                semconv::CIOTEL_CHANGE_MERGE_REVISION,
                                u.merge_revision.as_deref(),
                            )
                            .str(semconv::CIOTEL_CHANGE_MERGED_BY, u.merged_by.as_deref()),
                        status: ok(),
                        links: Vec::new(),
                    }
                    .build(),
                );
            }
            out
        }
        ChangeAction::Edited => Vec::new(),
    }
}

/// The root span, opened → `end`; `None` without an opening time.
fn root(u: &ChangeUpdate, end: Option<Timestamp>) -> Option<Span> {
    let start = u.opened_at.or(end)?;
    let time = ordered(start, end.unwrap_or(start));
    let ids = u.change.ids();
    let merged = u.action == ChangeAction::Merged;
    let state = if merged {
        change_state::MERGED
    } else {
        change_state::CLOSED
    };
    let name = match u.title.as_deref().filter(|t| !t.is_empty()) {
        Some(title) => format!("CHANGE {} {title}", u.change.display_name()),
        None => format!("CHANGE {}", u.change.display_name()),
    };
    let attrs = refs(change_attrs(&u.change, span_type::CHANGE), u)
        .str(semconv::VCS_CHANGE_TITLE, u.title.as_deref())
        .str(semconv::VCS_CHANGE_STATE, Some(state))
        .str(
            semconv::CIOTEL_CHANGE_MERGE_REVISION,
            u.merge_revision.as_deref().filter(|_| merged),
        )
        .str(
            semconv::CIOTEL_CHANGE_MERGED_BY,
            u.merged_by.as_deref().filter(|_| merged),
        )
        .adjusted(time)
        .extra(&u.attributes)
        .build();
    Some(
        SpanParts {
            trace: ids.trace_id(),
            id: ids.root_span_id(),
            parent: None,
            name,
            kind: SpanKind::Server,
            time,
            attributes: attrs,
            status: if merged { ok() } else { Status::default() },
            links: Vec::new(),
        }
        .build(),
    )
}

/// Head, base, author, URL and draft: what every event of the change says about it.
fn refs(a: Attrs, u: &ChangeUpdate) -> Attrs {
    a.str(semconv::VCS_REF_HEAD_NAME, u.head.name.as_deref())
        .str(semconv::VCS_REF_HEAD_REVISION, u.head.revision.as_deref())
        .str(semconv::VCS_REF_BASE_NAME, u.base.name.as_deref())
        .str(semconv::VCS_REF_BASE_REVISION, u.base.revision.as_deref())
        .str(semconv::CIOTEL_CHANGE_AUTHOR, u.author.as_deref())
        .str(semconv::CIOTEL_CHANGE_URL, u.url.as_deref())
        .bool(semconv::CIOTEL_CHANGE_DRAFT, u.draft)
}

pub(super) fn review_spans(r: &Review) -> Vec<Span> {
    let Some(at) = r.submitted_at else {
        return Vec::new();
    };
    let state = r.state.as_str();
    let name = match r.reviewer.as_deref() {
        Some(who) => format!("REVIEW {state} by {who}"),
        None => format!("REVIEW {state}"),
    };
    vec![
        ChangeSpan {
            change: &r.change,
            id: r.change.ids().review_span_id(&r.review_id),
            parent: None,
            name,
            time: instant(at),
            attributes: change_attrs(&r.change, span_type::REVIEW)
                .str(semconv::CIOTEL_REVIEW_STATE, Some(state))
                .str(semconv::CIOTEL_REVIEW_REVIEWER, r.reviewer.as_deref())
                .str(semconv::VCS_REF_HEAD_REVISION, r.revision.as_deref())
                .str(semconv::CIOTEL_CHANGE_URL, r.url.as_deref()),
            status: Status::default(),
            links: Vec::new(),
        }
        .build(),
    ]
}

pub(super) fn merge_queue_spans(q: &MergeQueueEvent) -> Vec<Span> {
    let Some(at) = q.at else {
        return Vec::new();
    };
    let (action, reason, entered) = match &q.action {
        MergeQueueAction::Entered => ("entered", None, true),
        MergeQueueAction::Merged => ("merged", None, false),
        MergeQueueAction::Dequeued(why) => ("dequeued", Some(why.as_str()), false),
    };
    let name = match reason {
        Some(why) => format!("merge queue: {action} ({why})"),
        None => format!("merge queue: {action}"),
    };
    vec![
        ChangeSpan {
            change: &q.change,
            id: q.change.ids().merge_queue_span_id(&q.queue_head, entered),
            parent: None,
            name,
            time: instant(at),
            attributes: change_attrs(&q.change, span_type::MERGE_QUEUE)
                .str(semconv::CIOTEL_MERGE_QUEUE_ACTION, Some(action))
                .str(semconv::CIOTEL_MERGE_QUEUE_REASON, reason)
                .str(semconv::VCS_REF_HEAD_NAME, q.queue_ref.as_deref())
                .str(semconv::VCS_REF_HEAD_REVISION, Some(&q.queue_head))
                .str(semconv::VCS_REF_BASE_NAME, q.base_ref.as_deref()),
            status: Status::default(),
            links: Vec::new(),
        }
        .build(),
    ]
}

fn ok() -> Status {
    Status {
        code: StatusCode::Ok as i32,
        message: String::new(),
    }
}
