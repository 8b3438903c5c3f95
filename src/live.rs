//! The live board's hung check, one task per `github` / `gitlab` receiver listed in a `logs`
//! pipeline: every `live.hung.check_interval` it checks the receiver's board ([`LiveCheck`])
//! and hands the hung jobs' log records to the receiver's `logs` pipelines through its
//! [`CicdSignals`]. (The board's gauges are a metric source of the same signals, collected
//! every `collection_interval` with the receiver's other metrics.)
//!
//! A pipeline that refuses (full) loses that check's records: a hung job is logged again after
//! `log_interval`. Nothing waits on a full pipeline, so the receivers' deliveries are never
//! held up by the check.

use std::time::Duration;

use ciotel_cicd::IdRecipe;
use ciotel_cicd::Timestamp;
use ciotel_cicd::live::LiveCheck;
use ciotel_cicd::signals::CicdSignals;
use ciotel_core::Signal;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Starts the hung check of the board `signals` carries, with span ids by `recipe`; `None`
/// when there is no board or no `logs` pipeline lists the receiver. Ends when `stop` fires.
pub fn start_check(
    signals: &CicdSignals,
    recipe: IdRecipe,
    stop: &CancellationToken,
) -> Option<JoinHandle<()>> {
    let board = signals.board()?.clone();
    if !signals.accepts(Signal::Logs) {
        return None;
    }
    let every = board
        .config()
        .hung
        .check_interval
        .max(Duration::from_millis(10));
    let mut check = LiveCheck::new(board, recipe);
    let (signals, stop) = (signals.clone(), stop.clone());
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = ticks.tick() => {}
            }
            let out = check.check(Timestamp::now());
            if out.logs.is_empty() {
                continue;
            }
            if let Err(e) = signals.emit_logs(out.logs) {
                tracing::debug!(
                    receiver = %check.board().name(), error = %e,
                    "a logs pipeline refused hung jobs' records; they come again after log_interval"
                );
            }
        }
    }))
}
