//! Wiring: what a receiver hands its data to, per signal, across every pipeline it feeds.
//!
//! Files: `mod.rs` ([`PipelineInputs`], [`ReceiverOutput`]), `signals.rs` (a receiver's metrics
//! and logs ends, [`signals::SignalSink`], for receivers that make them from events).

pub mod signals;

use crate::consumer::{ConsumeError, NextConsumer};
use crate::signal::{Batch, Signal};
use crate::telemetry::{Counter, Registry};

/// A receiver's way into the pipelines: the first stage of every pipeline it feeds, by signal.
/// A batch going to several pipelines is copied for all but the last, since processors edit it.
#[derive(Clone, Default)]
pub struct PipelineInputs {
    by_signal: [Vec<NextConsumer>; 3],
}

impl PipelineInputs {
    /// No pipelines yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the first stage of a pipeline carrying `signal`.
    pub fn add(&mut self, signal: Signal, first_stage: NextConsumer) {
        self.by_signal[signal as usize].push(first_stage);
    }

    /// Whether any pipeline takes `signal` from this receiver.
    pub fn accepts(&self, signal: Signal) -> bool {
        !self.by_signal[signal as usize].is_empty()
    }

    /// Hands `batch` to every pipeline of its signal. Refused if any pipeline refuses.
    pub fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        let stages = &self.by_signal[batch.signal() as usize];
        let Some((last, rest)) = stages.split_last() else {
            return Err(ConsumeError::Permanent(format!(
                "no pipeline takes {} from this receiver",
                batch.signal()
            )));
        };
        let mut result = Ok(());
        for stage in rest {
            if let Err(e) = stage.consume(batch.clone()) {
                result = Err(e);
            }
        }
        last.consume(batch).and(result)
    }
}

/// What a receiver reports to its pipelines, with accepted/refused counters per signal for
/// one transport (`grpc`, `http`, `webhook` …).
#[derive(Clone)]
pub struct ReceiverOutput {
    inputs: PipelineInputs,
    registry: Registry,
    accepted: [Counter; 3],
    refused: [Counter; 3],
}

impl ReceiverOutput {
    /// Output for receiver `id` over `transport`, counting into `registry`.
    pub fn new(inputs: PipelineInputs, registry: &Registry, id: &str, transport: &str) -> Self {
        let labels = [("receiver", id), ("transport", transport)];
        let counter = |what: &str, signal: Signal| {
            let item = signal.item_name();
            registry.counter(
                &format!("ciotel_receiver_{what}_{item}"),
                &format!("{item} {what} by the receiver."),
                &labels,
            )
        };
        ReceiverOutput {
            inputs,
            registry: registry.clone(),
            accepted: Signal::ALL.map(|s| counter("accepted", s)),
            refused: Signal::ALL.map(|s| counter("refused", s)),
        }
    }

    /// The registry this output counts into, for a receiver's other counters (refusals).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Whether any pipeline takes `signal`.
    pub fn accepts(&self, signal: Signal) -> bool {
        self.inputs.accepts(signal)
    }

    /// Hands `batch` on and counts the outcome.
    pub fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        let signal = batch.signal() as usize;
        let items = batch.item_count() as u64;
        let result = self.inputs.consume(batch);
        match &result {
            Ok(()) => self.accepted[signal].add(items),
            Err(_) => self.refused[signal].add(items),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{CollectingConsumer, span_batch};
    use std::sync::Arc;

    #[test]
    fn fans_out_to_every_pipeline_of_the_signal_and_counts() {
        let a = Arc::new(CollectingConsumer::default());
        let b = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, a.clone());
        inputs.add(Signal::Traces, b.clone());
        let registry = Registry::new();
        let out = ReceiverOutput::new(inputs, &registry, "otlp", "grpc");
        out.consume(span_batch(3)).unwrap();
        assert_eq!((a.item_counts(), b.item_counts()), (vec![3], vec![3]));
        b.refuse.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(out.consume(span_batch(2)).unwrap_err().is_retryable());
        let labels = [("receiver", "otlp"), ("transport", "grpc")];
        assert_eq!(
            registry.value("ciotel_receiver_accepted_spans", &labels),
            Some(3)
        );
        assert_eq!(
            registry.value("ciotel_receiver_refused_spans", &labels),
            Some(2)
        );
        assert!(!out.accepts(Signal::Logs));
    }
}
