//! Decoding the metrics signal: every metric type, data point kind and exemplar.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::exponential_histogram_data_point::Buckets;
use opentelemetry_proto::tonic::metrics::v1::summary_data_point::ValueAtQuantile;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint, Gauge,
    Histogram, HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
    Summary, SummaryDataPoint, exemplar, metric::Data, number_data_point,
};
use serde::de::MapAccess;

use super::bytes::{SPAN_ID_BYTES, TRACE_ID_BYTES, hex_id};
use super::scalar::{boolean, double, enumeration, int, string};
use super::{Fields, List, msg, read, read_opt, set, skip};

impl Fields for ExportMetricsServiceRequest {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "resourceMetrics" => self.resource_metrics = read(map, List(msg("resourceMetrics")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ResourceMetrics {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "resource" => self.resource = read_opt(map, msg("resource"))?,
            "scopeMetrics" => self.scope_metrics = read(map, List(msg("scopeMetrics")))?,
            "schemaUrl" => self.schema_url = read(map, string("schemaUrl"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ScopeMetrics {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "scope" => self.scope = read_opt(map, msg("scope"))?,
            "metrics" => self.metrics = read(map, List(msg("metrics")))?,
            "schemaUrl" => self.schema_url = read(map, string("schemaUrl"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Metric {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let data = &mut self.data;
        match key {
            "name" => self.name = read(map, string("name"))?,
            "description" => self.description = read(map, string("description"))?,
            "unit" => self.unit = read(map, string("unit"))?,
            "metadata" => self.metadata = read(map, List(msg("metadata")))?,
            "gauge" => set(data, read_opt(map, msg("gauge"))?.map(Data::Gauge)),
            "sum" => set(data, read_opt(map, msg("sum"))?.map(Data::Sum)),
            "histogram" => set(data, read_opt(map, msg("histogram"))?.map(Data::Histogram)),
            "exponentialHistogram" => set(
                data,
                read_opt(map, msg("exponentialHistogram"))?.map(Data::ExponentialHistogram),
            ),
            "summary" => set(data, read_opt(map, msg("summary"))?.map(Data::Summary)),
            _ => skip(map)?,
        }
        Ok(())
    }
}

fn temporality(name: &str) -> Option<i32> {
    AggregationTemporality::from_str_name(name).map(|t| t as i32)
}

impl Fields for Gauge {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "dataPoints" => self.data_points = read(map, List(msg("dataPoints")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Sum {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "dataPoints" => self.data_points = read(map, List(msg("dataPoints")))?,
            "aggregationTemporality" => {
                self.aggregation_temporality =
                    read(map, enumeration("aggregationTemporality", temporality))?
            }
            "isMonotonic" => self.is_monotonic = read(map, boolean("isMonotonic"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Histogram {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "dataPoints" => self.data_points = read(map, List(msg("dataPoints")))?,
            "aggregationTemporality" => {
                self.aggregation_temporality =
                    read(map, enumeration("aggregationTemporality", temporality))?
            }
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ExponentialHistogram {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "dataPoints" => self.data_points = read(map, List(msg("dataPoints")))?,
            "aggregationTemporality" => {
                self.aggregation_temporality =
                    read(map, enumeration("aggregationTemporality", temporality))?
            }
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Summary {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "dataPoints" => self.data_points = read(map, List(msg("dataPoints")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for NumberDataPoint {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        use number_data_point::Value;
        match key {
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "startTimeUnixNano" => self.start_time_unix_nano = read(map, int("startTimeUnixNano"))?,
            "timeUnixNano" => self.time_unix_nano = read(map, int("timeUnixNano"))?,
            "asDouble" => set(
                &mut self.value,
                read_opt(map, double("asDouble"))?.map(Value::AsDouble),
            ),
            "asInt" => set(
                &mut self.value,
                read_opt(map, int("asInt"))?.map(Value::AsInt),
            ),
            "exemplars" => self.exemplars = read(map, List(msg("exemplars")))?,
            "flags" => self.flags = read(map, int("flags"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for HistogramDataPoint {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "startTimeUnixNano" => self.start_time_unix_nano = read(map, int("startTimeUnixNano"))?,
            "timeUnixNano" => self.time_unix_nano = read(map, int("timeUnixNano"))?,
            "count" => self.count = read(map, int("count"))?,
            "sum" => self.sum = read_opt(map, double("sum"))?,
            "bucketCounts" => self.bucket_counts = read(map, List(int("bucketCounts")))?,
            "explicitBounds" => self.explicit_bounds = read(map, List(double("explicitBounds")))?,
            "exemplars" => self.exemplars = read(map, List(msg("exemplars")))?,
            "flags" => self.flags = read(map, int("flags"))?,
            "min" => self.min = read_opt(map, double("min"))?,
            "max" => self.max = read_opt(map, double("max"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ExponentialHistogramDataPoint {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "startTimeUnixNano" => self.start_time_unix_nano = read(map, int("startTimeUnixNano"))?,
            "timeUnixNano" => self.time_unix_nano = read(map, int("timeUnixNano"))?,
            "count" => self.count = read(map, int("count"))?,
            "sum" => self.sum = read_opt(map, double("sum"))?,
            "scale" => self.scale = read(map, int("scale"))?,
            "zeroCount" => self.zero_count = read(map, int("zeroCount"))?,
            "positive" => self.positive = read_opt(map, msg("positive"))?,
            "negative" => self.negative = read_opt(map, msg("negative"))?,
            "flags" => self.flags = read(map, int("flags"))?,
            "exemplars" => self.exemplars = read(map, List(msg("exemplars")))?,
            "min" => self.min = read_opt(map, double("min"))?,
            "max" => self.max = read_opt(map, double("max"))?,
            "zeroThreshold" => self.zero_threshold = read(map, double("zeroThreshold"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Buckets {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "offset" => self.offset = read(map, int("offset"))?,
            "bucketCounts" => self.bucket_counts = read(map, List(int("bucketCounts")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for SummaryDataPoint {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "startTimeUnixNano" => self.start_time_unix_nano = read(map, int("startTimeUnixNano"))?,
            "timeUnixNano" => self.time_unix_nano = read(map, int("timeUnixNano"))?,
            "count" => self.count = read(map, int("count"))?,
            "sum" => self.sum = read(map, double("sum"))?,
            "quantileValues" => self.quantile_values = read(map, List(msg("quantileValues")))?,
            "flags" => self.flags = read(map, int("flags"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ValueAtQuantile {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "quantile" => self.quantile = read(map, double("quantile"))?,
            "value" => self.value = read(map, double("value"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Exemplar {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        use exemplar::Value;
        match key {
            "filteredAttributes" => {
                self.filtered_attributes = read(map, List(msg("filteredAttributes")))?
            }
            "timeUnixNano" => self.time_unix_nano = read(map, int("timeUnixNano"))?,
            "asDouble" => set(
                &mut self.value,
                read_opt(map, double("asDouble"))?.map(Value::AsDouble),
            ),
            "asInt" => set(
                &mut self.value,
                read_opt(map, int("asInt"))?.map(Value::AsInt),
            ),
            "spanId" => self.span_id = read(map, hex_id("spanId", SPAN_ID_BYTES))?,
            "traceId" => self.trace_id = read(map, hex_id("traceId", TRACE_ID_BYTES))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}
