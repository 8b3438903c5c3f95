"""Sends one span with the OpenTelemetry Python SDK's OTLP/gRPC exporter to an https endpoint,
trusting the CA in OTEL_EXPORTER_OTLP_CERTIFICATE (and presenting the client certificate in
OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE / _CLIENT_KEY when set). Exits 1 if the export failed.

Usage: python send_span_tls.py https://localhost:port span-name [timeout-seconds]
"""

import sys

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult


class CheckedExporter(OTLPSpanExporter):
    """The real exporter, remembering whether every export succeeded."""

    ok = True

    def export(self, spans):
        result = super().export(spans)
        if result != SpanExportResult.SUCCESS:
            CheckedExporter.ok = False
        return result


def main():
    endpoint, name = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(CheckedExporter(endpoint=endpoint, timeout=timeout)))
    provider.get_tracer("ciotel.tests.tls").start_span(name).end()
    provider.shutdown()
    print("sent" if CheckedExporter.ok else "export FAILED")
    sys.exit(0 if CheckedExporter.ok else 1)


if __name__ == "__main__":
    main()
