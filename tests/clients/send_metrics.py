"""Sends known metrics with the OpenTelemetry Python SDK over OTLP, and prints what was sent.

Instruments, all with attributes, collected once:
  ci.jobs.completed   Counter (int), two attribute sets; counters are DELTA, the rest CUMULATIVE
  ci.build.cpu_time   Counter (double)
  ci.queue.depth      UpDownCounter (int, goes below zero): a non-monotonic sum
  ci.job.duration     Histogram with explicit buckets (a View sets the boundaries)
  ci.step.duration    Histogram as a base-2 exponential histogram (a View), with a zero count
  ci.runners.idle     ObservableGauge, an int and a double point
Measurements are made inside a span with the always-on exemplar filter, so data points carry
exemplars with trace and span ids.

Usage: python send_metrics.py grpc|http http://host:port [gzip|none]
"""

import math

from opentelemetry.exporter.otlp.proto.common._internal.metrics_encoder import encode_metrics
from opentelemetry.metrics import Observation
from opentelemetry.sdk.metrics import Counter, MeterProvider
from opentelemetry.sdk.metrics._internal.exemplar import AlwaysOnExemplarFilter
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.metrics.view import (
    ExplicitBucketHistogramAggregation,
    ExponentialBucketHistogramAggregation,
    View,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from otlp_recording import Recorder, grpc_compression, http_compression, parse_args


class RecordingMetricExporter(MetricExporter):
    """Passes metrics to the real exporter and records the request it sent."""

    def __init__(self, inner, recorder):
        super().__init__(
            preferred_temporality=inner._preferred_temporality,
            preferred_aggregation=inner._preferred_aggregation,
        )
        self.inner = inner
        self.recorder = recorder

    def export(self, metrics_data, timeout_millis=10_000, **kwargs):
        result = self.inner.export(metrics_data, timeout_millis=timeout_millis)
        self.recorder.record(encode_metrics(metrics_data), result == MetricExportResult.SUCCESS)
        return result

    def force_flush(self, timeout_millis=10_000):
        return self.inner.force_flush(timeout_millis=timeout_millis)

    def shutdown(self, timeout_millis=30_000, **kwargs):
        self.inner.shutdown()


def exporter(protocol, endpoint, gzip):
    temporality = {Counter: AggregationTemporality.DELTA}
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

        return OTLPMetricExporter(
            endpoint=endpoint,
            insecure=True,
            compression=grpc_compression(gzip),
            timeout=10,
            preferred_temporality=temporality,
        )
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter(
        endpoint=endpoint + "/v1/metrics",
        compression=http_compression(gzip),
        timeout=10,
        preferred_temporality=temporality,
    )


def measure(meter):
    jobs = meter.create_counter("ci.jobs.completed", unit="{job}", description="Jobs that finished")
    jobs.add(3, {"ci.result": "success", "ci.runner.os": "linux"})
    jobs.add(1, {"ci.result": "failure", "ci.runner.os": "linux"})
    jobs.add(2, {"ci.result": "success", "ci.runner.os": "linux"})

    cpu = meter.create_counter("ci.build.cpu_time", unit="s", description="CPU time of builds")
    cpu.add(1.25, {"ci.job": "build"})
    cpu.add(2.5, {"ci.job": "build"})

    depth = meter.create_up_down_counter("ci.queue.depth", unit="{job}")
    depth.add(5, {"ci.queue": "default"})
    depth.add(-7, {"ci.queue": "default"})

    duration = meter.create_histogram("ci.job.duration", unit="s", description="Job wall time")
    for v in (0.5, 3, 42, 1200, 7.25):
        duration.record(v, {"ci.job": "build", "ci.attempt": 1})

    steps = meter.create_histogram("ci.step.duration", unit="ms")
    for v in (0, 0, 0.5, 1, 2.5, 100, 12345.678):
        steps.record(v, {"ci.step": "test"})

    def idle_runners(_options):
        return [Observation(4, {"ci.pool": "linux"}), Observation(1.5, {"ci.pool": "mac"})]

    meter.create_observable_gauge("ci.runners.idle", callbacks=[idle_runners], unit="{runner}")


def main():
    protocol, endpoint, gzip = parse_args()
    recorder = Recorder()
    reader = PeriodicExportingMetricReader(
        RecordingMetricExporter(exporter(protocol, endpoint, gzip), recorder),
        export_interval_millis=math.inf,  # one collection, on force_flush
    )
    provider = MeterProvider(
        metric_readers=[reader],
        resource=Resource.create({"service.name": "ciotel-roundtrip-metrics", "ci.worker.id": 17}),
        exemplar_filter=AlwaysOnExemplarFilter(),
        views=[
            View(
                instrument_name="ci.job.duration",
                aggregation=ExplicitBucketHistogramAggregation(boundaries=[0.0, 1.0, 10.0, 100.0, 1000.0]),
            ),
            View(instrument_name="ci.step.duration", aggregation=ExponentialBucketHistogramAggregation(max_size=20)),
        ],
        shutdown_on_exit=False,
    )
    meter = provider.get_meter("ciotel.tests.metrics", "1.0.0", schema_url="https://opentelemetry.io/schemas/1.26.0")
    tracer = TracerProvider().get_tracer("ciotel.tests.metrics")
    with tracer.start_as_current_span("measure"):  # exemplars get this span's ids
        measure(meter)
    provider.force_flush()
    provider.shutdown()
    recorder.finish()


if __name__ == "__main__":
    main()
