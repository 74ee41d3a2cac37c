// @opsless/instrument (also published inside opsless as opsless/instrument): OpenTelemetry
// for a Node.js service in one import.
//
//   node --import @opsless/instrument app.js        (or: import '@opsless/instrument' first)
//
// Traces, metrics and logs go over OTLP/HTTP (protobuf) to OPSLESS_ENDPOINT (default
// http://localhost:4318), with OPSLESS_INGEST_KEY as a bearer token when set. Plain
// OpenTelemetry variables win when present (OTEL_EXPORTER_OTLP_ENDPOINT, …_HEADERS,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_SDK_DISABLED), so nothing here locks a
// service to opsless. Plain JavaScript: it runs in any Node.js app without a build step.
import { randomUUID } from 'node:crypto';
import { register } from 'node:module';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { metrics } from '@opentelemetry/api';
// The SDK's own logs, metrics and resources packages, so their versions always match it.
// The exporters and the instrumentation base are pinned in package.json to the versions
// this SDK release pins: OpenTelemetry packages depend on each other's exact versions,
// and one patch release apart installs a second copy of half the SDK.
import {
  logs as sdkLogs,
  metrics as sdkMetrics,
  resources as sdkResources,
  NodeSDK,
} from '@opentelemetry/sdk-node';

const env = process.env;

/** Where a signal goes: the OTEL_* variables when set (the exporter reads them), else opsless. */
function exporterOptions(signal) {
  const specific = env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`];
  const options = {};
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !specific) {
    const base = (env.OPSLESS_ENDPOINT || 'http://localhost:4318').replace(/\/+$/, '');
    options.url = `${base}/v1/${signal}`;
  }
  if (env.OPSLESS_INGEST_KEY && !env.OTEL_EXPORTER_OTLP_HEADERS) {
    options.headers = { authorization: `Bearer ${env.OPSLESS_INGEST_KEY}` };
  }
  return options;
}

function positive(value, fallback) {
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : fallback;
}

/** The running SDK (undefined when OTEL_SDK_DISABLED=true). */
export let sdk;

if (env.OTEL_SDK_DISABLED !== 'true') {
  // ES modules are patched through a loader hook; CommonJS through require.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  sdk = new NodeSDK({
    // service.instance.id tells replicas apart (opsless counts them for scaling);
    // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME are merged on top by the SDK.
    resource: sdkResources.resourceFromAttributes({ 'service.instance.id': randomUUID() }),
    traceExporter: new OTLPTraceExporter(exporterOptions('traces')),
    metricReader: new sdkMetrics.PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter(exporterOptions('metrics')),
      exportIntervalMillis: positive(env.OTEL_METRIC_EXPORT_INTERVAL, 60_000),
    }),
    logRecordProcessors: [
      new sdkLogs.BatchLogRecordProcessor({
        exporter: new OTLPLogExporter(exporterOptions('logs')),
      }),
    ],
    instrumentations: [
      getNodeAutoInstrumentations({
        // File-system spans are noise for a service's RED signals.
        '@opentelemetry/instrumentation-fs': { enabled: false },
      }),
    ],
  });
  sdk.start();
  // CPU and memory of the process and host: process.cpu.utilization drives CPU scaling.
  new HostMetrics({
    meterProvider: metrics.getMeterProvider(),
    name: 'opsless-instrument',
  }).start();

  let stopping;
  const shutdown = () =>
    (stopping ??= sdk.shutdown().catch((error) => {
      process.stderr.write(`@opsless/instrument: flushing telemetry failed: ${error}\n`);
    }));
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      void shutdown().then(() => {
        // The app's own handler, if any, decides when to exit; otherwise exit as the
        // signal would have.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    });
  }
  process.once('beforeExit', () => void shutdown());
}
