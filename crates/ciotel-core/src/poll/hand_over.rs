//! Handing a poller's batch to the pipeline. A refusal is backpressure: the same batch is
//! offered again after a growing wait, never dropped, and the poller goes no further (no other
//! run, no cursor move) until it is taken.

use tokio_util::sync::CancellationToken;

use super::client::{Cancelled, sleep_or_shutdown};
use super::tuning::Tuning;
use crate::pipeline::ReceiverOutput;
use crate::{Batch, ConsumeError};

/// Offers `batch` until the pipeline takes it (`Ok`), shutdown comes (`Err`), or the pipeline
/// says it never will (`Ok` too, after an error log: retrying cannot help, and holding the
/// cursor forever would stop every later run as well). Waits `refused_backoff_initial`, then
/// twice as long after each refusal, up to `refused_backoff_max`.
pub async fn hand_over(
    receiver: &str,
    output: &ReceiverOutput,
    batch: Batch,
    tuning: &Tuning,
    shutdown: &CancellationToken,
) -> Result<(), Cancelled> {
    // A receiver listed only in metrics or logs pipelines makes no spans for anyone.
    if !output.accepts(batch.signal()) {
        return Ok(());
    }
    let mut wait = tuning.refused_backoff_initial;
    loop {
        match output.consume(batch.clone()) {
            Ok(()) => return Ok(()),
            Err(ConsumeError::Refused(why)) => {
                tracing::debug!(
                    receiver = %receiver, reason = %why, ?wait,
                    "pipeline refused the poller's spans; offering them again after a wait"
                );
                sleep_or_shutdown(wait, shutdown).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signal;
    use crate::pipeline::PipelineInputs;
    use crate::telemetry::Registry;
    use crate::testing::{CollectingConsumer, span_batch};
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    fn output(sink: &Arc<CollectingConsumer>) -> ReceiverOutput {
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        ReceiverOutput::new(inputs, &Registry::new(), "test", "api")
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_batch_is_offered_again_with_growing_waits() {
        let sink = Arc::new(CollectingConsumer::default());
        sink.refuse.store(true, Ordering::Relaxed);
        let out = output(&sink);
        let tuning = Tuning::default();
        let shutdown = CancellationToken::new();
        let started = tokio::time::Instant::now();
        let task = {
            let (out, tuning, shutdown) = (out.clone(), tuning.clone(), shutdown.clone());
            tokio::spawn(
                async move { hand_over("test", &out, span_batch(2), &tuning, &shutdown).await },
            )
        };
        // Refused at 0 s, 1 s, 3 s, 7 s; taken at the offer after 15 s.
        tokio::time::sleep(Duration::from_secs(14)).await;
        assert!(sink.item_counts().is_empty());
        sink.refuse.store(false, Ordering::Relaxed);
        assert_eq!(task.await.expect("task"), Ok(()));
        assert_eq!(sink.item_counts(), vec![2]);
        assert_eq!(started.elapsed(), Duration::from_secs(15));
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_ends_the_wait() {
        let sink = Arc::new(CollectingConsumer::default());
        sink.refuse.store(true, Ordering::Relaxed);
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let got = hand_over(
            "test",
            &output(&sink),
            span_batch(1),
            &Tuning::default(),
            &shutdown,
        )
        .await;
        assert_eq!(got, Err(Cancelled));
    }
}
