//! The `filter` processor: drops spans, span events, log records, metrics and metric data
//! points, in either of the OpenTelemetry Collector's two config shapes.
//!
//! Conditions (OTTL, see [`crate::condition`]): a record matching any condition of its list is
//! dropped.
//!
//! ```yaml
//! processors:
//!   filter:
//!     traces:
//!       span: ['attributes["ciotel.owner"] == "platform" and name == "queue"']
//!       spanevent: ['name == "exception"']
//!     logs:
//!       log_record: ['severity_number < SEVERITY_NUMBER_WARN']
//!     metrics:
//!       metric: ['name == "ci.runner.idle"']
//!       datapoint: ['attributes["env"] == "dev"']
//! ```
//!
//! The legacy (non-OTTL) `include` / `exclude` shape:
//!
//! ```yaml
//! processors:
//!   filter:
//!     spans:
//!       exclude:
//!         match_type: regexp
//!         span_names: ["^healthcheck"]
//!     metrics:
//!       exclude:
//!         match_type: strict
//!         datapoint_attributes: [{ key: env, value: dev }]   # ciotel's own: drops data points
//! ```
//!
//! An item is kept if it matches `include` (when given) and does not match `exclude`. Within one
//! match, every given criterion must hold: a list of names matches if any name does, a list of
//! attributes if all of them do. With `match_type: strict` an attribute's string form must equal
//! the value; with `regexp` the regex must match somewhere in it (unanchored, as in Go); an
//! attribute without `value` only has to be present. As in the Collector, one signal takes
//! either conditions or `include`/`exclude`, not both. Resource and scope groups left empty are
//! removed.
//!
//! The include/exclude matches stay their own model (`compiled.rs`): they compare an
//! attribute's *string form* (an int 5 matches `value: "5"`), which OTTL's typed `==` does not.
//!
//! Files, one concern each:
//! - `config.rs`: the config as written (rules, match configs, conditions) and its errors;
//! - `compiled.rs`: patterns, attribute matchers and the compiled include/exclude matches;
//! - `apply.rs`: walking a batch and dropping what the rules rule out;
//! - `tests/`: per signal, the config, and shared builders.

mod apply;
mod compiled;
mod config;
#[cfg(test)]
mod tests;

pub use crate::condition::serde::ErrorMode;
pub use compiled::{LogMatch, MetricMatch, SpanMatch};
pub use config::{
    AttributeMatchConfig, FilterConfig, FilterConfigError, LogMatchConfig, LogRules, MatchType,
    MetricMatchConfig, MetricRules, Rules, SpanMatchConfig, TraceConditions,
};

use super::Transform;
use crate::signal::Batch;

/// Drops the spans, log records, metrics and data points its [`FilterConfig`] rules out.
#[derive(Debug, Clone)]
pub struct FilterProcessor {
    config: FilterConfig,
}

impl FilterProcessor {
    /// Builds the processor; the patterns and conditions were compiled when the config was read.
    pub fn new(config: FilterConfig) -> Self {
        FilterProcessor { config }
    }
}

impl Transform for FilterProcessor {
    fn apply(&self, batch: &mut Batch) {
        match batch {
            Batch::Traces(resources) => {
                apply::filter_spans(self.config.spans.sides(), resources);
                apply::drop_spans(&self.config.traces, resources);
            }
            Batch::Logs(resources) => {
                apply::filter_logs(self.config.logs.sides(), resources);
                apply::drop_logs(&self.config.logs.log_record, resources);
            }
            Batch::Metrics(resources) => {
                apply::filter_metrics(self.config.metrics.sides(), resources);
                apply::drop_metrics(&self.config.metrics, resources);
            }
        }
    }
}
