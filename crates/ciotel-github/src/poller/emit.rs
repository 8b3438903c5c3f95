//! Handing a run attempt's spans to the pipeline. A refusal is backpressure: the same spans
//! are offered again after a growing wait, never dropped, and the poller goes no further (no
//! other run, no cursor move) until they are taken.

use ciotel_core::pipeline::ReceiverOutput;
use ciotel_core::{Batch, ConsumeError};
use tokio_util::sync::CancellationToken;

use super::client::sleep_or_shutdown;
use super::error::PollError;
use super::tuning::Tuning;

/// Offers `batch` until the pipeline takes them (`Ok`), shutdown comes (`Shutdown`), or the
/// pipeline says it never will (`Ok` too, after an error log: retrying cannot help, and
/// holding the cursor forever would stop every later run as well).
pub(super) async fn hand_over(
    receiver: &str,
    output: &ReceiverOutput,
    batch: Batch,
    tuning: &Tuning,
    shutdown: &CancellationToken,
) -> Result<(), PollError> {
    let mut wait = tuning.refused_backoff_initial;
    loop {
        match output.consume(batch.clone()) {
            Ok(()) => return Ok(()),
            Err(ConsumeError::Refused(why)) => {
                tracing::debug!(
                    receiver = %receiver, reason = %why, ?wait,
                    "pipeline refused a run's spans; offering them again after a wait"
                );
                sleep_or_shutdown(wait, shutdown)
                    .await
                    .map_err(|_| PollError::Shutdown)?;
                wait = wait.saturating_mul(2).min(tuning.refused_backoff_max);
            }
            Err(ConsumeError::Permanent(why)) => {
                tracing::error!(
                    receiver = %receiver, reason = %why,
                    "the pipeline cannot take the poller's spans; they are dropped"
                );
                return Ok(());
            }
        }
    }
}
