"""Sends a known set of spans with the OpenTelemetry Python SDK over OTLP, and prints what was sent.

Spans (all times explicit, in ns, beyond 2^53 so a float anywhere on the way would show):
  pipeline-run   SERVER    root, status OK, attributes of every value type
    build        INTERNAL  status ERROR with a description, events with attributes, an exception
    deploy       CLIENT    a link with attributes to `linked-target`, more events than the limit
  linked-target  PRODUCER  a root in another trace
  queue-receive  CONSUMER  child of a remote parent with a trace state

Usage: python send_traces.py grpc|http http://host:port [gzip|none]
"""

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.trace import TraceFlags, TraceState

from otlp_recording import Recorder, grpc_compression, http_compression, parse_args

T0 = 1_700_000_000_123_456_789

# Attributes of every value type, with the edges a JSON encoder can get wrong.
EVERY_TYPE = {
    "str": "hello",
    "str.empty": "",
    "str.escapes": 'quote " backslash \\ newline \n tab \t nul \x00 é ✓ 🚀',
    "bool.true": True,
    "bool.false": False,
    "int.zero": 0,
    "int.negative": -42,
    "int.max": 9_223_372_036_854_775_807,
    "int.min": -9_223_372_036_854_775_808,
    "double": 3.141592653589793,
    "double.tenth": 0.1,
    "double.zero": 0.0,
    "double.negative": -2.5e-300,
    "double.whole": 2.0,
    "double.inf": float("inf"),
    "double.nan": float("nan"),
    "str.array": ["a", "", "c"],
    "bool.array": [True, False, True],
    "int.array": [1, -2, 9_223_372_036_854_775_807],
    "double.array": [1.5, -0.25, 0.0],
    "bytes": b"\x00\x01\xfe\xff",
    "map": {"k": "v", "n": 7, "nested": {"ok": True}},
}


class RecordingSpanExporter(SpanExporter):
    """Passes spans to the real exporter and records the request it sent."""

    def __init__(self, inner, recorder):
        self.inner = inner
        self.recorder = recorder

    def export(self, spans):
        result = self.inner.export(spans)
        self.recorder.record(encode_spans(spans), result == SpanExportResult.SUCCESS)
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return self.inner.force_flush(timeout_millis)


def exporter(protocol, endpoint, gzip):
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=endpoint, insecure=True, compression=grpc_compression(gzip), timeout=10)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint + "/v1/traces", compression=http_compression(gzip), timeout=10)


def send(tracer):
    linked = tracer.start_span("linked-target", kind=SpanKind.PRODUCER, start_time=T0 - 1_000_000_000)
    linked.end(end_time=T0 - 1)

    parent = tracer.start_span("pipeline-run", kind=SpanKind.SERVER, attributes=EVERY_TYPE, start_time=T0)
    in_parent = trace.set_span_in_context(parent)

    build = tracer.start_span("build", context=in_parent, start_time=T0 + 1_000)
    build.set_attribute("ci.step", "compile")
    build.add_event("compile.start", {"files": 12, "cached": True}, timestamp=T0 + 2_000)
    build.add_event("compile.done", {"warnings": ["w1", "w2"], "ratio": 0.75}, timestamp=T0 + 1_000_000_003)
    try:
        raise RuntimeError("3 tests failed")
    except RuntimeError as e:
        build.record_exception(e, attributes={"ci.test.count": 120}, timestamp=T0 + 1_500_000_000)
    build.set_status(Status(StatusCode.ERROR, "tests failed: 3 of 120"))
    build.end(end_time=T0 + 2_000_000_007)

    link = Link(linked.get_span_context(), {"link.kind": "triggered-by", "link.n": 2, "link.flag": False})
    deploy = tracer.start_span(
        "deploy", context=in_parent, kind=SpanKind.CLIENT, links=[link], start_time=T0 + 2_000_000_100
    )
    for i in range(4):  # one more than the limit: droppedEventsCount 1
        deploy.add_event(f"deploy.step.{i}", {"i": i}, timestamp=T0 + 3_000_000_000 + i)
    deploy.end(end_time=T0 + 4_999_999_999)

    parent.set_status(Status(StatusCode.OK))
    parent.end(end_time=T0 + 5_000_000_001)

    remote = SpanContext(
        trace_id=0x5B8EFFF798038103D269B633813FC60C,
        span_id=0xEEE19B7EC3C1B174,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
        trace_state=TraceState([("ciotel", "t61rcWkgMzE"), ("other", "x")]),
    )
    consumer = tracer.start_span(
        "queue-receive",
        context=trace.set_span_in_context(NonRecordingSpan(remote)),
        kind=SpanKind.CONSUMER,
        start_time=T0 + 10,
    )
    consumer.end(end_time=T0 + 20)


def main():
    protocol, endpoint, gzip = parse_args()
    recorder = Recorder()
    resource = Resource.create(
        {
            "service.name": "ciotel-roundtrip",
            "service.version": "1.2.3",
            "deployment.environment.name": "test",
            "host.cpu.count": 8,
            "host.arch.list": ["amd64", "arm64"],
        }
    )
    provider = TracerProvider(resource=resource, span_limits=SpanLimits(max_events=3))
    provider.add_span_processor(BatchSpanProcessor(RecordingSpanExporter(exporter(protocol, endpoint, gzip), recorder)))
    tracer = provider.get_tracer(
        "ciotel.tests.roundtrip",
        "0.9.1",
        schema_url="https://opentelemetry.io/schemas/1.26.0",
        attributes={"scope.attr": "s", "scope.n": 1},
    )
    send(tracer)
    provider.force_flush()
    provider.shutdown()
    recorder.finish()


if __name__ == "__main__":
    main()
