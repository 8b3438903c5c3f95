//! A deployment in a final state → `DEPLOY {environment}` (created → final) in the trace of
//! each change it delivers, linked to the deploying run; an approval wait → its span under the
//! deployment (or the change root when the event names no deployment).

use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{Span, Status};

use super::{ChangeSpan, change_attrs, instant, run_link};
use crate::change::{ApprovalWait, Deployment, DeploymentState};
use crate::ids::IdRecipe;
use crate::semconv::{self, deployment_status, link_type, span_type};
use crate::translate::timing::ordered;

pub(super) fn deployment_spans(d: &Deployment, recipe: IdRecipe) -> Vec<Span> {
    if !d.state.is_final() {
        return Vec::new();
    }
    let Some(end) = d.state_at.or(d.created_at) else {
        return Vec::new();
    };
    let time = ordered(d.created_at.unwrap_or(end), end);
    let status = match d.state {
        DeploymentState::Success => Status {
            code: StatusCode::Ok as i32,
            message: String::new(),
        },
        DeploymentState::Failure | DeploymentState::Error => Status {
            code: StatusCode::Error as i32,
            message: d
                .state_detail
                .clone()
                .unwrap_or_else(|| d.state.as_str().to_owned()),
        },
        DeploymentState::Cancelled | DeploymentState::Pending => Status::default(),
    };
    let semconv_status = match d.state {
        DeploymentState::Success => Some(deployment_status::SUCCEEDED),
        DeploymentState::Failure | DeploymentState::Error => Some(deployment_status::FAILED),
        _ => None,
    };
    let links: Vec<_> = d
        .run
        .iter()
        .map(|r| run_link(r, recipe, link_type::DEPLOYING_RUN))
        .collect();
    d.changes
        .iter()
        .map(|change| {
            ChangeSpan {
                change,
                id: change.ids().deployment_span_id(&d.id),
                parent: None,
                name: format!("DEPLOY {}", d.environment),
                time,
                attributes: change_attrs(change, span_type::DEPLOYMENT)
                    .str(semconv::DEPLOYMENT_ID, Some(&d.id))
                    .str(semconv::DEPLOYMENT_ENVIRONMENT_NAME, Some(&d.environment))
                    .str(semconv::DEPLOYMENT_STATUS, semconv_status)
                    .str(semconv::CIOTEL_DEPLOYMENT_RESULT, Some(d.state.as_str()))
                    .str(semconv::CIOTEL_DEPLOYMENT_STATE, d.state_detail.as_deref())
                    .bool(semconv::CIOTEL_DEPLOYMENT_PRODUCTION, d.production)
                    .str(semconv::CIOTEL_DEPLOYMENT_TIER, d.tier.as_deref())
                    .str(semconv::VCS_REF_HEAD_NAME, d.ref_name.as_deref())
                    .str(semconv::VCS_REF_HEAD_REVISION, d.revision.as_deref())
                    .str(semconv::CIOTEL_DEPLOYMENT_TASK, d.task.as_deref())
                    .str(semconv::CIOTEL_DEPLOYMENT_CREATOR, d.creator.as_deref())
                    .str(semconv::CIOTEL_DEPLOYMENT_URL, d.url.as_deref()),
                status: status.clone(),
                links: links.clone(),
            }
            .build()
        })
        .collect()
}

pub(super) fn approval_spans(w: &ApprovalWait, recipe: IdRecipe) -> Vec<Span> {
    let (time, id_suffix, name) = match (w.decision, w.requested_at, w.decided_at) {
        (Some(decision), Some(start), Some(end)) => (
            ordered(start, end),
            None,
            format!("approval {}: {}", decision.as_str(), w.environment),
        ),
        (Some(decision), None, Some(end)) => (
            instant(end),
            None,
            format!("approval {}: {}", decision.as_str(), w.environment),
        ),
        (None, Some(start), _) => (
            instant(start),
            Some("requested"),
            format!("approval requested: {}", w.environment),
        ),
        _ => return Vec::new(),
    };
    let wait_id = match id_suffix {
        Some(s) => format!("{}-{s}", w.wait_id),
        None => w.wait_id.clone(),
    };
    let links: Vec<_> = w
        .run
        .iter()
        .map(|r| run_link(r, recipe, link_type::DEPLOYING_RUN))
        .collect();
    w.changes
        .iter()
        .map(|change| {
            let ids = change.ids();
            ChangeSpan {
                change,
                id: ids.approval_span_id(&wait_id),
                parent: w
                    .deployment_id
                    .as_deref()
                    .map(|d| ids.deployment_span_id(d)),
                name: name.clone(),
                time,
                attributes: change_attrs(change, span_type::APPROVAL)
                    .str(semconv::DEPLOYMENT_ID, w.deployment_id.as_deref())
                    .str(semconv::DEPLOYMENT_ENVIRONMENT_NAME, Some(&w.environment))
                    .strs(semconv::CIOTEL_APPROVAL_REVIEWERS, &w.reviewers)
                    .str(
                        semconv::CIOTEL_APPROVAL_DECISION,
                        w.decision.map(|d| d.as_str()),
                    )
                    .str(semconv::CIOTEL_APPROVAL_APPROVER, w.approver.as_deref())
                    .str(semconv::VCS_REF_HEAD_REVISION, w.revision.as_deref()),
                status: Status::default(),
                links: links.clone(),
            }
            .build()
        })
        .collect()
}
