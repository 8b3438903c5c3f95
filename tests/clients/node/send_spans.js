// A build step instrumented with the OpenTelemetry JS SDK, as a Node tool in a CI job would be:
// the exporter and the resource are configured from the environment only
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES), and the job's TRACEPARENT, when set, is the parent of the root span.
//
// Sends a root span "npm run build" (attributes of every type, status ERROR) and a child
// "compile" (kind CLIENT, an event, status OK). Prints {"traceId", "root", "child"} (hex) and
// exits 1 if the exporter reported a failed export.
//
// Usage: node send_spans.js grpc|http

'use strict';

const api = require('@opentelemetry/api');
const { W3CTraceContextPropagator, ExportResultCode } = require('@opentelemetry/core');
const { detectResources, envDetector } = require('@opentelemetry/resources');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');

function exporterFor(protocol) {
  if (protocol === 'grpc') {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
    return new OTLPTraceExporter();
  }
  if (protocol === 'http') {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
    return new OTLPTraceExporter();
  }
  throw new Error(`unknown protocol ${protocol}: grpc or http`);
}

// Records every export's outcome, so a refused request fails the script instead of vanishing
// in the batch processor.
function recording(exporter, failures) {
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          failures.push(result.error ? String(result.error) : `code ${result.code}`);
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => (exporter.forceFlush ? exporter.forceFlush() : Promise.resolve()),
  };
}

async function main() {
  const failures = [];
  const provider = new BasicTracerProvider({
    resource: detectResources({ detectors: [envDetector] }),
    spanProcessors: [new BatchSpanProcessor(recording(exporterFor(process.argv[2]), failures))],
  });
  const tracer = provider.getTracer('ciotel-works-with-node', '1.0.0');

  let parent = api.ROOT_CONTEXT;
  if (process.env.TRACEPARENT) {
    parent = new W3CTraceContextPropagator().extract(
      api.ROOT_CONTEXT,
      { traceparent: process.env.TRACEPARENT },
      api.defaultTextMapGetter,
    );
  }

  const root = tracer.startSpan(
    'npm run build',
    {
      attributes: {
        'build.tool': 'npm',
        'build.files': 3,
        'build.cached': true,
        'build.ratio': 0.75,
        'build.targets': ['linux', 'darwin'],
      },
    },
    parent,
  );
  const child = tracer.startSpan(
    'compile',
    { kind: api.SpanKind.CLIENT, attributes: { 'compile.target': 'linux' } },
    api.trace.setSpan(parent, root),
  );
  child.addEvent('cache miss', { 'cache.key': 'deps-v1' });
  child.setStatus({ code: api.SpanStatusCode.OK });
  child.end();
  root.setStatus({ code: api.SpanStatusCode.ERROR, message: '2 files failed to compile' });
  root.end();

  await provider.shutdown();
  console.log(
    JSON.stringify({
      traceId: root.spanContext().traceId,
      root: root.spanContext().spanId,
      child: child.spanContext().spanId,
    }),
  );
  if (failures.length > 0) {
    console.error(`export failed: ${failures.join('; ')}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
