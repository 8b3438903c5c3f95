"""Sends known log records with the OpenTelemetry Python SDK over OTLP, and prints what was sent.

Through Python's `logging` and the SDK's LoggingHandler (logger `ciotel.tests.logs`):
  WARN   "disk /dev/sda1 is 93% full", inside a span (trace context), attributes of every type
  ERROR  "step failed" with an exception (exception.* attributes), inside the same span
  INFO   outside any span: no trace context
  DEBUG  a body with quotes, a newline and non-ASCII text
Through the Logs API (logger `ciotel.tests.events`, with version, schema URL and attributes):
  an event `ci.step.finished` with a map body, explicit timestamps and severity DEBUG2
  a record whose body is a mixed array holding an empty value, and one with a bytes body

Usage: python send_logs.py grpc|http http://host:port [gzip|none]
"""

import logging
import warnings

from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from otlp_recording import Recorder, grpc_compression, http_compression, parse_args

T0 = 1_700_000_000_123_456_789


class RecordingLogExporter(LogRecordExporter):
    """Passes log records to the real exporter and records the request it sent."""

    def __init__(self, inner, recorder):
        self.inner = inner
        self.recorder = recorder

    def export(self, batch):
        result = self.inner.export(batch)
        self.recorder.record(encode_logs(batch), result == LogRecordExportResult.SUCCESS)
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return self.inner.force_flush(timeout_millis)


def exporter(protocol, endpoint, gzip):
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter

        return OTLPLogExporter(endpoint=endpoint, insecure=True, compression=grpc_compression(gzip), timeout=10)
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

    return OTLPLogExporter(endpoint=endpoint + "/v1/logs", compression=http_compression(gzip), timeout=10)


def log_through_logging(provider):
    handler = LoggingHandler(level=logging.DEBUG, logger_provider=provider)
    log = logging.getLogger("ciotel.tests.logs")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(handler)

    tracer = TracerProvider().get_tracer("ciotel.tests.logs")
    with tracer.start_as_current_span("job"):
        log.warning(
            "disk %s is %d%% full",
            "/dev/sda1",
            93,
            extra={
                "ci.job.id": "1234",
                "retry": 2,
                "flaky": True,
                "ratio": 0.93,
                "tags": ["a", "b"],
                "sizes": [1, 2, 3],
            },
        )
        try:
            raise ValueError("exit code 2")
        except ValueError:
            log.error("step failed", exc_info=True, extra={"ci.step": "test"})
    log.info("no trace context here")
    log.debug('debug ✓ "quoted"\nsecond line')
    log.removeHandler(handler)


def log_through_api(provider):
    logger = provider.get_logger(
        "ciotel.tests.events",
        "2.0.0",
        schema_url="https://opentelemetry.io/schemas/1.26.0",
        attributes={"scope.flag": True},
    )
    logger.emit(
        timestamp=T0,
        observed_timestamp=T0 + 1,
        severity_number=SeverityNumber.DEBUG2,
        severity_text="DEBUG2",
        body={"step": "deploy", "duration_ms": 1234, "ok": False, "targets": ["eu", "us"], "meta": {"k": 1.5}},
        attributes={"ci.pipeline.id": "p-1", "bytes": b"\x00\xff"},
        event_name="ci.step.finished",
    )
    logger.emit(
        timestamp=T0 + 2,
        observed_timestamp=T0 + 3,
        severity_number=SeverityNumber.INFO4,
        body=[1, "two", 3.5, True, None],
    )
    logger.emit(timestamp=T0 + 4, observed_timestamp=T0 + 5, severity_number=SeverityNumber.FATAL, body=b"\x01raw\xfe")


def main():
    warnings.simplefilter("ignore", DeprecationWarning)  # LoggingHandler is deprecated but still the SDK's
    protocol, endpoint, gzip = parse_args()
    recorder = Recorder()
    provider = LoggerProvider(
        resource=Resource.create({"service.name": "ciotel-roundtrip-logs", "ci.runner": "r-1"}),
        shutdown_on_exit=False,
    )
    provider.add_log_record_processor(BatchLogRecordProcessor(RecordingLogExporter(exporter(protocol, endpoint, gzip), recorder)))
    log_through_logging(provider)
    log_through_api(provider)
    provider.force_flush()
    provider.shutdown()
    recorder.finish()


if __name__ == "__main__":
    main()
