//! What every webhook receiver does once a delivery passed its platform's checks: skip a
//! delivery already accepted, hand the spans to the pipeline, remember the delivery only once
//! the pipeline took it (so a refused one goes through when redelivered), and answer.

use super::dedup::DeliveryLog;
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
}

impl Desk {
    /// The desk of receiver `id` for `platform` (`GitHub`, `GitLab`: used in log lines).
    pub fn new(id: &str, platform: &'static str, output: ReceiverOutput) -> Self {
        Desk {
            id: id.to_string(),
            platform,
            output,
            deliveries: DeliveryLog::default(),
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
    /// emit yet, 503 + Retry-After when the pipeline is full, 500 when it never will take it.
    pub fn hand_over(&self, batch: Batch, delivery: Option<&str>) -> Result<Reply, Reply> {
        let spans = batch.item_count();
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
            Err(ConsumeError::Refused(why)) => Err(self.refused(Reply::retry_later(format!(
                "the pipeline is full, redeliver later: {why}"
            )))),
            Err(ConsumeError::Permanent(why)) => {
                tracing::warn!(
                    receiver = %self.id, error = %why,
                    "{} delivery could not be handed to the pipeline", self.platform
                );
                Err(Reply::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the pipeline cannot take these spans: {why}"),
                ))
            }
        }
    }

    /// Logs a refusal at debug level (they are per request and may come from anyone).
    pub fn refused(&self, reply: Reply) -> Reply {
        tracing::debug!(
            receiver = %self.id, status = %reply.status, reason = %reply.message,
            "{} delivery refused", self.platform
        );
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
