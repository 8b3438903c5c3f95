//! `debug` exporter: prints what passes through on stdout, for people watching a terminal.

use super::{BoxFuture, ExportError, Exporter};
use crate::signal::Batch;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use serde::Deserialize;
use std::fmt::Write;
use std::io::Write as _;
use std::sync::Arc;

/// How much the `debug` exporter prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verbosity {
    /// One line per batch: counts.
    Basic,
    /// One line per span, log record or metric.
    #[default]
    Normal,
    /// Every span with its attributes.
    Detailed,
}

/// Config of the `debug` exporter.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DebugConfig {
    /// How much to print.
    #[serde(default)]
    pub verbosity: Verbosity,
}

/// Renders a batch's spans as text for `verbosity: detailed`. ciotel-core knows nothing of CI
/// runs, so the binary passes in ciotel-cicd's waterfall with owners and verdicts.
pub type TraceRenderer = Arc<dyn Fn(&[ResourceSpans]) -> String + Send + Sync>;

/// The `debug` exporter.
pub struct DebugExporter {
    id: String,
    verbosity: Verbosity,
    traces: Option<TraceRenderer>,
}

impl DebugExporter {
    /// A debug exporter printing under `id`.
    pub fn new(id: &str, config: &DebugConfig) -> Self {
        DebugExporter {
            id: id.to_string(),
            verbosity: config.verbosity,
            traces: None,
        }
    }

    /// Uses `renderer` for spans at `verbosity: detailed`, after the batch's count line.
    pub fn with_trace_renderer(mut self, renderer: TraceRenderer) -> Self {
        self.traces = Some(renderer);
        self
    }
}

impl Exporter for DebugExporter {
    fn export<'a>(&'a self, batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        let text = match (&self.traces, self.verbosity, batch) {
            (Some(waterfall), Verbosity::Detailed, Batch::Traces(groups)) => {
                format!(
                    "{}{}",
                    render(&self.id, Verbosity::Basic, batch),
                    waterfall(groups)
                )
            }
            _ => render(&self.id, self.verbosity, batch),
        };
        Box::pin(async move {
            let mut out = std::io::stdout().lock();
            // stdout gone (closed pipe) is not a reason to retry or to fail the pipeline.
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
            Ok(())
        })
    }
}

/// The text printed for one batch.
pub fn render(id: &str, verbosity: Verbosity, batch: &Batch) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{id}: {} resource group(s), {} {}",
        batch.resource_count(),
        batch.item_count(),
        batch.signal().item_name().replace('_', " ")
    );
    if verbosity == Verbosity::Basic {
        return out;
    }
    match batch {
        Batch::Traces(groups) => {
            for group in groups {
                let service = group
                    .resource
                    .as_ref()
                    .and_then(|r| find(&r.attributes, "service.name"));
                for span in group.scope_spans.iter().flat_map(|s| &s.spans) {
                    span_line(&mut out, service.as_deref(), span, verbosity);
                }
            }
        }
        Batch::Metrics(groups) => {
            for metric in groups
                .iter()
                .flat_map(|g| &g.scope_metrics)
                .flat_map(|s| &s.metrics)
            {
                let _ = writeln!(
                    out,
                    "  metric {} ({} points)",
                    metric.name,
                    crate::signal::metric_point_count(metric.data.as_ref())
                );
            }
        }
        Batch::Logs(groups) => {
            for record in groups
                .iter()
                .flat_map(|g| &g.scope_logs)
                .flat_map(|s| &s.log_records)
            {
                let body = record.body.as_ref().map(value_text).unwrap_or_default();
                let _ = writeln!(out, "  log {} {}", record.severity_text, body);
            }
        }
    }
    out
}

fn span_line(out: &mut String, service: Option<&str>, span: &Span, verbosity: Verbosity) {
    let millis = span
        .end_time_unix_nano
        .saturating_sub(span.start_time_unix_nano) as f64
        / 1e6;
    let status = span.status.as_ref().map(|s| s.code).unwrap_or(0);
    let status = ["", " status=OK", " status=ERROR"]
        .get(status as usize)
        .copied()
        .unwrap_or("");
    let _ = writeln!(
        out,
        "  span {:?} trace={} span={} parent={} {:.1}ms{}{}",
        span.name,
        hex(&span.trace_id),
        hex(&span.span_id),
        if span.parent_span_id.is_empty() {
            "-".into()
        } else {
            hex(&span.parent_span_id)
        },
        millis,
        status,
        service.map(|s| format!(" service={s}")).unwrap_or_default(),
    );
    if verbosity == Verbosity::Detailed {
        for kv in &span.attributes {
            let _ = writeln!(
                out,
                "      {} = {}",
                kv.key,
                kv.value.as_ref().map(value_text).unwrap_or_default()
            );
        }
    }
}

fn find(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .map(value_text)
}

/// A value as a person reads it.
pub fn value_text(value: &AnyValue) -> String {
    match &value.value {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::BytesValue(b)) => hex(b),
        Some(any_value::Value::ArrayValue(a)) => {
            format!(
                "[{}]",
                a.values
                    .iter()
                    .map(value_text)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Some(any_value::Value::KvlistValue(l)) => format!(
            "{{{}}}",
            l.values
                .iter()
                .map(|kv| format!(
                    "{}: {}",
                    kv.key,
                    kv.value.as_ref().map(value_text).unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(any_value::Value::StringValueStrindex(i)) => format!("<string #{i}>"),
        None => String::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::span_batch;

    #[test]
    fn basic_prints_counts_and_normal_prints_spans() {
        let batch = span_batch(2);
        assert_eq!(
            render("debug", Verbosity::Basic, &batch),
            "debug: 1 resource group(s), 2 spans\n"
        );
        let normal = render("debug", Verbosity::Normal, &batch);
        assert_eq!(normal.lines().count(), 3);
        assert!(
            normal.contains("span \"span-1\" trace= span= parent=- 0.0ms"),
            "{normal}"
        );
    }
}
