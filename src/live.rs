//! The live board's check task, one per `github` / `gitlab` receiver that is listed in a
//! `logs` or `metrics` pipeline: every `live.hung.check_interval` it checks the receiver's
//! board ([`LiveCheck`]) and hands the hung jobs' log records to the receiver's `logs`
//! pipelines and the board's metrics to its `metrics` pipelines.
//!
//! A pipeline that refuses (full) loses that check's output: the metrics are sent again at the
//! next check, a hung job's record again after `log_interval`. Nothing waits on a full
//! pipeline, so the receivers' own deliveries are never held up by the check.

use std::time::Duration;

use ciotel_cicd::IdRecipe;
use ciotel_cicd::Timestamp;
use ciotel_cicd::live::{LiveBoard, LiveCheck};
use ciotel_core::pipeline::ReceiverOutput;
use ciotel_core::{Batch, Signal};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Starts the check of `board` into `output`, with span ids by `recipe`; `None` when no
/// `logs` or `metrics` pipeline lists the receiver (nothing would take the output). Ends when
/// `stop` is cancelled.
pub fn start_check(
    board: LiveBoard,
    recipe: IdRecipe,
    output: ReceiverOutput,
    stop: CancellationToken,
) -> Option<JoinHandle<()>> {
    let (logs, metrics) = (
        output.accepts(Signal::Logs),
        output.accepts(Signal::Metrics),
    );
    if !logs && !metrics {
        return None;
    }
    let every = board
        .config()
        .hung
        .check_interval
        .max(Duration::from_millis(10));
    let mut check = LiveCheck::new(board, recipe, Timestamp::now());
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = ticks.tick() => {}
            }
            let out = check.check(Timestamp::now());
            let name = check.board().name().to_string();
            if logs && !out.logs.is_empty() {
                hand(
                    &name,
                    &output,
                    Batch::Logs(out.logs),
                    "hung jobs' log records",
                );
            }
            if metrics && !out.metrics.is_empty() {
                hand(
                    &name,
                    &output,
                    Batch::Metrics(out.metrics),
                    "live board metrics",
                );
            }
        }
    }))
}

fn hand(receiver: &str, output: &ReceiverOutput, batch: Batch, what: &str) {
    if let Err(e) = output.consume(batch) {
        tracing::debug!(receiver, error = %e, "a pipeline refused the {what}; sent again later");
    }
}
