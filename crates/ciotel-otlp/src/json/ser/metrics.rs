//! Encoding the metrics signal: every metric type, data point kind and exemplar.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::exponential_histogram_data_point::Buckets;
use opentelemetry_proto::tonic::metrics::v1::summary_data_point::ValueAtQuantile;
use opentelemetry_proto::tonic::metrics::v1::{
    Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram,
    HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary,
    SummaryDataPoint, exemplar, metric::Data, number_data_point,
};

use super::{Encode, Obj};

impl Encode for ExportMetricsServiceRequest {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("resourceMetrics", &self.resource_metrics);
    }
}

impl Encode for ResourceMetrics {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("resource", self.resource.as_ref());
        obj.messages("scopeMetrics", &self.scope_metrics);
        obj.string("schemaUrl", &self.schema_url);
    }
}

impl Encode for ScopeMetrics {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("scope", self.scope.as_ref());
        obj.messages("metrics", &self.metrics);
        obj.string("schemaUrl", &self.schema_url);
    }
}

impl Encode for Metric {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.string("name", &self.name);
        obj.string("description", &self.description);
        obj.string("unit", &self.unit);
        match &self.data {
            Some(Data::Gauge(v)) => obj.always().message("gauge", v),
            Some(Data::Sum(v)) => obj.always().message("sum", v),
            Some(Data::Histogram(v)) => obj.always().message("histogram", v),
            Some(Data::ExponentialHistogram(v)) => obj.always().message("exponentialHistogram", v),
            Some(Data::Summary(v)) => obj.always().message("summary", v),
            None => {}
        }
        obj.messages("metadata", &self.metadata);
    }
}

impl Encode for Gauge {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("dataPoints", &self.data_points);
    }
}

impl Encode for Sum {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("dataPoints", &self.data_points);
        obj.int32("aggregationTemporality", self.aggregation_temporality);
        obj.boolean("isMonotonic", self.is_monotonic);
    }
}

impl Encode for Histogram {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("dataPoints", &self.data_points);
        obj.int32("aggregationTemporality", self.aggregation_temporality);
    }
}

impl Encode for ExponentialHistogram {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("dataPoints", &self.data_points);
        obj.int32("aggregationTemporality", self.aggregation_temporality);
    }
}

impl Encode for Summary {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("dataPoints", &self.data_points);
    }
}

impl Encode for NumberDataPoint {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("attributes", &self.attributes);
        obj.uint64("startTimeUnixNano", self.start_time_unix_nano);
        obj.uint64("timeUnixNano", self.time_unix_nano);
        match self.value {
            Some(number_data_point::Value::AsDouble(v)) => obj.always().double("asDouble", v),
            Some(number_data_point::Value::AsInt(v)) => obj.always().int64("asInt", v),
            None => {}
        }
        obj.messages("exemplars", &self.exemplars);
        obj.int32("flags", self.flags);
    }
}

impl Encode for HistogramDataPoint {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("attributes", &self.attributes);
        obj.uint64("startTimeUnixNano", self.start_time_unix_nano);
        obj.uint64("timeUnixNano", self.time_unix_nano);
        obj.uint64("count", self.count);
        obj.opt_double("sum", self.sum);
        obj.uint64s("bucketCounts", &self.bucket_counts);
        obj.doubles("explicitBounds", &self.explicit_bounds);
        obj.messages("exemplars", &self.exemplars);
        obj.int32("flags", self.flags);
        obj.opt_double("min", self.min);
        obj.opt_double("max", self.max);
    }
}

impl Encode for ExponentialHistogramDataPoint {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("attributes", &self.attributes);
        obj.uint64("startTimeUnixNano", self.start_time_unix_nano);
        obj.uint64("timeUnixNano", self.time_unix_nano);
        obj.uint64("count", self.count);
        obj.opt_double("sum", self.sum);
        obj.int32("scale", self.scale);
        obj.uint64("zeroCount", self.zero_count);
        obj.message("positive", self.positive.as_ref());
        obj.message("negative", self.negative.as_ref());
        obj.int32("flags", self.flags);
        obj.messages("exemplars", &self.exemplars);
        obj.opt_double("min", self.min);
        obj.opt_double("max", self.max);
        obj.double("zeroThreshold", self.zero_threshold);
    }
}

impl Encode for Buckets {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.int32("offset", self.offset);
        obj.uint64s("bucketCounts", &self.bucket_counts);
    }
}

impl Encode for SummaryDataPoint {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("attributes", &self.attributes);
        obj.uint64("startTimeUnixNano", self.start_time_unix_nano);
        obj.uint64("timeUnixNano", self.time_unix_nano);
        obj.uint64("count", self.count);
        obj.double("sum", self.sum);
        obj.messages("quantileValues", &self.quantile_values);
        obj.int32("flags", self.flags);
    }
}

impl Encode for ValueAtQuantile {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.double("quantile", self.quantile);
        obj.double("value", self.value);
    }
}

impl Encode for Exemplar {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("filteredAttributes", &self.filtered_attributes);
        obj.uint64("timeUnixNano", self.time_unix_nano);
        match self.value {
            Some(exemplar::Value::AsDouble(v)) => obj.always().double("asDouble", v),
            Some(exemplar::Value::AsInt(v)) => obj.always().int64("asInt", v),
            None => {}
        }
        obj.hex("spanId", &self.span_id);
        obj.hex("traceId", &self.trace_id);
    }
}
