//! What every webhook receiver does once a delivery passed its platform's checks: skip a
//! delivery already accepted, hand the spans to the pipeline, remember the delivery only once
//! the pipeline took it (so a refused one goes through when redelivered), and answer; and
//! what it does with every refusal: count it and log it ([`super::refusal`]).

use super::dedup::DeliveryLog;
use super::refusal::{self, Reason, Refusals, Seen};
use super::respond::Reply;
use crate::consumer::ConsumeError;
use crate::pipeline::ReceiverOutput;
use crate::signal::Batch;
use axum::http::StatusCode;
use std::time::Instant;

/// One webhook receiver's hand-off to its pipelines.
pub struct Desk {
    id: String,
    platform: &'static str,
    output: ReceiverOutput,
    deliveries: DeliveryLog,
    refusals: Refusals,
}

impl Desk {
    /// The desk of receiver `id` for `platform` (`GitHub`, `GitLab`: used in log lines).
    /// Refusals are counted in the registry `output` counts into.
    pub fn new(id: &str, platform: &'static str, output: ReceiverOutput) -> Self {
        let refusals = Refusals::new(output.registry(), id, refusal::LOG_INTERVAL);
        Desk {
            id: id.to_string(),
            platform,
            output,
            deliveries: DeliveryLog::default(),
            refusals,
        }
    }

    /// The receiver's id, for log lines.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The answer to a delivery already accepted within the window, if `delivery` is one.
    pub fn duplicate(&self, delivery: Option<&str>) -> Option<Reply> {
        let id = delivery.filter(|id| self.deliveries.contains(id, Instant::now()))?;
        tracing::debug!(
            receiver = %self.id, delivery = %id,
            "duplicate {} delivery, nothing emitted", self.platform
        );
        Some(Reply::new(
            StatusCode::OK,
            format!("delivery {id} was already accepted; nothing emitted again"),
        ))
    }

    /// Hands `batch` to the pipelines: 202 with the span count, 200 when there is nothing to
    /// emit yet (or no pipeline of the batch's signal lists the receiver), 503 + Retry-After when the pipeline is full, 500 when it never will take it.
    pub fn hand_over(&self, batch: Batch, seen: &Seen) -> Result<Reply, Reply> {
        let delivery = seen.delivery();
        let spans = batch.item_count();
        // A receiver listed only in metrics or logs pipelines makes no spans for anyone.
        if !self.output.accepts(batch.signal()) {
            self.accepted(delivery);
            return Ok(Reply::new(
                StatusCode::OK,
                format!(
                    "accepted; no {} pipeline lists this receiver",
                    batch.signal()
                ),
            ));
        }
        if spans == 0 {
            self.accepted(delivery);
            return Ok(Reply::new(
                StatusCode::OK,
                "accepted; this event emits no spans yet",
            ));
        }
        match self.output.consume(batch) {
            Ok(()) => {
                self.accepted(delivery);
                Ok(Reply::new(
                    StatusCode::ACCEPTED,
                    format!("accepted: {spans} spans"),
                ))
            }
            Err(ConsumeError::Refused(why)) => Err(self.refuse(
                Reason::PipelineFull,
                seen,
                Reply::retry_later(format!("the pipeline is full, redeliver later: {why}")),
            )),
            Err(ConsumeError::Permanent(why)) => Err(self.refuse(
                Reason::PipelineError,
                seen,
                Reply::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the pipeline cannot take these spans: {why}"),
                ),
            )),
        }
    }

    /// Counts a refusal by `reason` and logs it at warn (rate-limited: they are per request
    /// and may come from anyone), then hands `reply` back to be sent.
    ///
    /// The line names the delivery, event, reason, status and peer, and says why in the
    /// reply's own words; no header value other than the event and delivery id is written.
    pub fn refuse(&self, reason: Reason, seen: &Seen, reply: Reply) -> Reply {
        if let Some(suppressed) = self.refusals.record(reason, Instant::now()) {
            tracing::warn!(
                receiver = %self.id,
                reason = %reason.as_str(),
                status = reply.status.as_u16(),
                delivery = %refusal::shown(seen.delivery()),
                event = %refusal::shown(seen.event.as_deref()),
                peer = %refusal::peer(seen.peer),
                suppressed,
                "{} delivery refused: {}", self.platform, reply.message
            );
        }
        reply
    }

    /// Remembers an accepted delivery, so a duplicate emits nothing. [`Desk::hand_over`] does
    /// it itself; a receiver that accepts a delivery some other way calls it.
    pub fn accepted(&self, delivery: Option<&str>) {
        if let Some(id) = delivery {
            self.deliveries.remember(id, Instant::now());
        }
    }
}
