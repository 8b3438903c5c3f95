"""Sends the spans of one Jenkins pipeline build as the Jenkins OpenTelemetry plugin shapes
them (its docs/job-traces.md): scope `io.jenkins.opentelemetry`, a `BUILD` root span with the
plugin's `ci.pipeline.*` attributes, `Phase: Run`, a stage and an `sh` step with
`jenkins.pipeline.step.*`. Prints the trace id (hex).

Usage: python send_jenkins_spans.py http://host:port   (OTLP gRPC)
"""

import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

T0 = 1_700_000_000_000_000_000
SECOND = 1_000_000_000


def main():
    endpoint = sys.argv[1]
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": "jenkins",
                "service.namespace": "jenkins",
                "jenkins.url": "https://jenkins.example.com/",
            }
        )
    )
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=endpoint, insecure=True, timeout=10)))
    tracer = provider.get_tracer("io.jenkins.opentelemetry", "3.1423")

    root = tracer.start_span(
        "BUILD my-team/my-app/main",
        kind=SpanKind.SERVER,
        start_time=T0,
        attributes={
            "ci.pipeline.id": "my-team/my-app/main",
            "ci.pipeline.name": "my-team » my-app » main",
            "ci.pipeline.type": "workflow",
            "ci.pipeline.multibranch.type": "branch",
            "ci.pipeline.run.number": 42,
            "ci.pipeline.run.url": "https://jenkins.example.com/job/my-team/job/my-app/job/main/42/",
            "ci.pipeline.run.result": "UNSTABLE",
            "ci.pipeline.run.completed": True,
            "ci.pipeline.run.durationMillis": 30000,
            "ci.pipeline.run.user": "ada",
            "ci.pipeline.agent.id": "linux-agent-7",
        },
    )
    root_ctx = trace.set_span_in_context(root)
    phase = tracer.start_span("Phase: Run", context=root_ctx, start_time=T0 + SECOND)
    phase_ctx = trace.set_span_in_context(phase)
    stage = tracer.start_span(
        "Stage: test",
        context=phase_ctx,
        start_time=T0 + 2 * SECOND,
        attributes={
            "jenkins.pipeline.step.name": "Stage",
            "jenkins.pipeline.step.type": "stage",
            "jenkins.pipeline.step.id": "14",
            "jenkins.pipeline.step.plugin.name": "pipeline-stage-step",
        },
    )
    step = tracer.start_span(
        "sh",
        context=trace.set_span_in_context(stage),
        start_time=T0 + 3 * SECOND,
        attributes={
            "jenkins.pipeline.step.name": "Shell Script",
            "jenkins.pipeline.step.type": "sh",
            "jenkins.pipeline.step.id": "15",
            "jenkins.pipeline.step.plugin.name": "workflow-durable-task-step",
            "jenkins.computer.name": "linux-agent-7",
        },
    )
    step.set_status(Status(StatusCode.OK))
    step.end(end_time=T0 + 20 * SECOND)
    stage.end(end_time=T0 + 21 * SECOND)
    phase.end(end_time=T0 + 28 * SECOND)
    root.end(end_time=T0 + 30 * SECOND)
    provider.shutdown()
    print(format(root.get_span_context().trace_id, "032x"))


if __name__ == "__main__":
    main()
