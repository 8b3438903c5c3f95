//! An OTLP/gRPC metrics backend for black-box tests: keeps every export request it is sent,
//! and answers what a person checking a dashboard would ask: the latest cumulative point of a
//! metric's series (by resource `service.name` and point attributes).

use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric, number_data_point};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};

/// A point as a test compares it: its attributes as text, and its value.
#[derive(Debug, Clone, PartialEq)]
pub enum Point {
    /// A sum's value, and whether it is monotonic and cumulative.
    Sum {
        value: i64,
        cumulative: bool,
        monotonic: bool,
    },
    /// A histogram's count, sum, bucket counts and bounds.
    Histogram {
        count: u64,
        sum: f64,
        buckets: Vec<u64>,
        bounds: Vec<f64>,
    },
    /// A gauge's value.
    Gauge(f64),
}

/// A series: the resource's `service.name` and the point's attributes as `key=value` text.
pub type Series = (String, BTreeMap<String, String>);

/// The backend; clones share what it received.
#[derive(Clone, Default)]
pub struct MetricsSink {
    requests: Arc<Mutex<Vec<ExportMetricsServiceRequest>>>,
}

#[tonic::async_trait]
impl MetricsService for MetricsSink {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        self.requests.lock().unwrap().push(request.into_inner());
        Ok(Response::new(ExportMetricsServiceResponse::default()))
    }
}

impl MetricsSink {
    /// Serves on a free 127.0.0.1 port on its own thread; the sink and its port.
    pub fn start() -> (MetricsSink, u16) {
        let sink = MetricsSink::default();
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let port = std_listener.local_addr().expect("address").port();
        let served = sink.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(std_listener).expect("tokio listener");
                let _ = tonic::transport::Server::builder()
                    .add_service(MetricsServiceServer::new(served))
                    .serve_with_incoming(TcpIncoming::from(listener))
                    .await;
            });
        });
        (sink, port)
    }

    /// How many export requests arrived.
    pub fn requests(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// Every metric received, in order, with its resource's `service.name`.
    pub fn metrics(&self) -> Vec<(String, Metric)> {
        let requests = self.requests.lock().unwrap();
        let mut out = Vec::new();
        for rm in requests.iter().flat_map(|r| &r.resource_metrics) {
            let service = rm
                .resource
                .as_ref()
                .map(|r| text(&r.attributes, "service.name"))
                .unwrap_or_default();
            for m in rm.scope_metrics.iter().flat_map(|s| &s.metrics) {
                out.push((service.clone(), m.clone()));
            }
        }
        out
    }

    /// The latest point of every series of metric `name`.
    pub fn latest(&self, name: &str) -> BTreeMap<Series, Point> {
        let mut out = BTreeMap::new();
        for (service, m) in self.metrics().into_iter().filter(|(_, m)| m.name == name) {
            for (attrs, point) in points(&m) {
                out.insert((service.clone(), attrs), point);
            }
        }
        out
    }
}

/// A metric's points with their attributes as text.
pub fn points(m: &Metric) -> Vec<(BTreeMap<String, String>, Point)> {
    match &m.data {
        Some(metric::Data::Sum(s)) => s
            .data_points
            .iter()
            .map(|p| {
                let value = match p.value {
                    Some(number_data_point::Value::AsInt(i)) => i,
                    Some(number_data_point::Value::AsDouble(d)) => d as i64,
                    None => 0,
                };
                (
                    attributes(&p.attributes),
                    Point::Sum {
                        value,
                        cumulative: s.aggregation_temporality == 2,
                        monotonic: s.is_monotonic,
                    },
                )
            })
            .collect(),
        Some(metric::Data::Histogram(h)) => h
            .data_points
            .iter()
            .map(|p| {
                (
                    attributes(&p.attributes),
                    Point::Histogram {
                        count: p.count,
                        sum: p.sum.unwrap_or_default(),
                        buckets: p.bucket_counts.clone(),
                        bounds: p.explicit_bounds.clone(),
                    },
                )
            })
            .collect(),
        Some(metric::Data::Gauge(g)) => g
            .data_points
            .iter()
            .map(|p| {
                let value = match p.value {
                    Some(number_data_point::Value::AsInt(i)) => i as f64,
                    Some(number_data_point::Value::AsDouble(d)) => d,
                    None => 0.0,
                };
                (attributes(&p.attributes), Point::Gauge(value))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Attributes as `key → value` text (arrays as `[a,b]`).
pub fn attributes(kvs: &[KeyValue]) -> BTreeMap<String, String> {
    kvs.iter()
        .map(|kv| (kv.key.clone(), value_text(kv)))
        .collect()
}

fn text(kvs: &[KeyValue], key: &str) -> String {
    kvs.iter()
        .find(|kv| kv.key == key)
        .map(value_text)
        .unwrap_or_default()
}

fn value_text(kv: &KeyValue) -> String {
    match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::ArrayValue(a)) => format!(
            "[{}]",
            a.values
                .iter()
                .map(|v| match &v.value {
                    Some(any_value::Value::StringValue(s)) => s.clone(),
                    _ => String::new(),
                })
                .collect::<Vec<_>>()
                .join(",")
        ),
        _ => String::new(),
    }
}

/// The bucket bounds, in seconds, of ciotel's duration histograms (run durations, queue times,
/// DORA lead times and times to restore).
pub const SECONDS_BOUNDS: [f64; 14] = [
    5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0,
    86400.0,
];

/// The cumulative histogram point that `values` (seconds) make over [`SECONDS_BOUNDS`].
pub fn histogram(values: &[f64]) -> Point {
    let mut buckets = vec![0; SECONDS_BOUNDS.len() + 1];
    for v in values {
        buckets[SECONDS_BOUNDS.partition_point(|b| b < v)] += 1;
    }
    Point::Histogram {
        count: values.len() as u64,
        sum: values.iter().sum(),
        buckets,
        bounds: SECONDS_BOUNDS.to_vec(),
    }
}
