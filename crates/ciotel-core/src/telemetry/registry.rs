//! A small metrics registry: named counters and gauges with labels, rendered as Prometheus
//! text. Components take handles once at start-up; updating one is a single atomic add.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A monotonically increasing count (or a gauge, set with [`Counter::set`]).
#[derive(Debug, Default, Clone)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// Sets the value (for gauges).
    pub fn set(&self, n: u64) {
        self.0.store(n, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
}

type Labels = Vec<(String, String)>;

#[derive(Debug, Default)]
struct Family {
    help: String,
    kind: Option<Kind>,
    series: BTreeMap<Labels, Counter>,
}

/// Every metric of the daemon, shared by all components.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    families: Arc<Mutex<BTreeMap<String, Family>>>,
}

impl Registry {
    /// A new, empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The counter `name{labels}`, created on first use.
    pub fn counter(&self, name: &str, help: &str, labels: &[(&str, &str)]) -> Counter {
        self.series(name, help, labels, Kind::Counter)
    }

    /// The gauge `name{labels}`, created on first use.
    pub fn gauge(&self, name: &str, help: &str, labels: &[(&str, &str)]) -> Counter {
        self.series(name, help, labels, Kind::Gauge)
    }

    fn series(&self, name: &str, help: &str, labels: &[(&str, &str)], kind: Kind) -> Counter {
        let mut families = self.families.lock().unwrap_or_else(|p| p.into_inner());
        let family = families.entry(name.to_string()).or_default();
        family.help = help.to_string();
        family.kind = Some(kind);
        let labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        family.series.entry(labels).or_default().clone()
    }

    /// The value of `name{labels}`, if it exists (for tests and the shutdown report).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<u64> {
        let families = self.families.lock().unwrap_or_else(|p| p.into_inner());
        let labels: Labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        families.get(name)?.series.get(&labels).map(Counter::get)
    }

    /// Prometheus text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let families = self.families.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        for (name, family) in families.iter() {
            let kind = match family.kind {
                Some(Kind::Gauge) => "gauge",
                _ => "counter",
            };
            let _ = writeln!(out, "# HELP {name} {}", family.help);
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in &family.series {
                out.push_str(name);
                if !labels.is_empty() {
                    out.push('{');
                    for (i, (k, v)) in labels.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let v = v
                            .replace('\\', "\\\\")
                            .replace('"', "\\\"")
                            .replace('\n', "\\n");
                        let _ = write!(out, "{k}=\"{v}\"");
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", value.get());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let r = Registry::new();
        r.counter(
            "ciotel_receiver_accepted_spans",
            "Spans accepted.",
            &[("receiver", "otlp"), ("transport", "grpc")],
        )
        .add(3);
        r.gauge(
            "ciotel_exporter_queue_size",
            "Batches queued.",
            &[("exporter", "a\"b")],
        )
        .set(2);
        let text = r.render();
        assert!(text.contains("# TYPE ciotel_receiver_accepted_spans counter\n"));
        assert!(
            text.contains(
                "ciotel_receiver_accepted_spans{receiver=\"otlp\",transport=\"grpc\"} 3\n"
            )
        );
        assert!(text.contains("ciotel_exporter_queue_size{exporter=\"a\\\"b\"} 2\n"));
        assert_eq!(
            r.value("ciotel_exporter_queue_size", &[("exporter", "a\"b")]),
            Some(2)
        );
    }

    #[test]
    fn the_same_series_is_shared() {
        let r = Registry::new();
        r.counter("c", "h", &[("a", "1")]).add(1);
        r.counter("c", "h", &[("a", "1")]).add(1);
        assert_eq!(r.value("c", &[("a", "1")]), Some(2));
    }
}
