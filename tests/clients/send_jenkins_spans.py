"""Sends the spans of one Jenkins pipeline build as the Jenkins OpenTelemetry plugin shapes
them (its docs/job-traces.md and its tests' span chains): scope `io.jenkins.opentelemetry`, a
`BUILD` root span with the plugin's `ci.pipeline.*` attributes and, under it, `Phase: Start`,
`Phase: Run` → `Agent` → `Stage: build` → an `sh` step with `jenkins.pipeline.step.*`, and
`Phase: Finalise`. Prints {"trace": trace id, "sh": the sh step's span id} (hex): the plugin
gives a shell step that span as its TRACEPARENT.

Usage: python send_jenkins_spans.py http://host:port   (OTLP gRPC)
"""

import json
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
    start = tracer.start_span("Phase: Start", context=root_ctx, start_time=T0)
    start.end(end_time=T0 + SECOND)
    phase = tracer.start_span("Phase: Run", context=root_ctx, start_time=T0 + SECOND)
    phase_ctx = trace.set_span_in_context(phase)
    agent = tracer.start_span(
        "Agent",
        context=phase_ctx,
        start_time=T0 + SECOND,
        attributes={"jenkins.pipeline.step.type": "node", "jenkins.pipeline.step.name": "Allocate node : Start"},
    )
    stage = tracer.start_span(
        "Stage: build",
        context=trace.set_span_in_context(agent),
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
            "jenkins.pipeline.step.result": "UNSTABLE",
        },
    )
    step.set_status(Status(StatusCode.OK))
    step.end(end_time=T0 + 20 * SECOND)
    stage.end(end_time=T0 + 21 * SECOND)
    agent.end(end_time=T0 + 21 * SECOND)
    phase.end(end_time=T0 + 28 * SECOND)
    finalise = tracer.start_span("Phase: Finalise", context=root_ctx, start_time=T0 + 28 * SECOND)
    finalise.end(end_time=T0 + 30 * SECOND)
    root.end(end_time=T0 + 30 * SECOND)
    provider.shutdown()
    ids = {
        "trace": format(root.get_span_context().trace_id, "032x"),
        "sh": format(step.get_span_context().span_id, "016x"),
    }
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
