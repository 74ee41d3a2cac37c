/**
 * Pre-encoded OTLP requests for the ingest benchmark: each holds `items` spans, data
 * points or log records of realistic size (~10 attributes), produced by the real SDKs
 * and serialised by the OpenTelemetry serializers, in protobuf and in JSON.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { makeSpans } from '../harness/index.ts';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface Payload {
  protobuf: Uint8Array;
  json: Uint8Array;
  items: number;
}

/** A reader that collects on demand. */
class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const resource = (serviceName: string) =>
  resourceFromAttributes({
    'service.name': serviceName,
    'service.version': '1.4.2',
    'deployment.environment.name': 'bench',
  });

function required(bytes: Uint8Array | undefined): Uint8Array {
  if (!bytes) throw new Error('the OpenTelemetry serializer produced nothing');
  return bytes;
}

async function tracesPayload(items: number, serviceName: string): Promise<Payload> {
  const spans = await makeSpans({ spans: items, serviceName, errorEvery: 50 });
  return {
    items,
    protobuf: required(ProtobufTraceSerializer.serializeRequest(spans)),
    json: required(JsonTraceSerializer.serializeRequest(spans)),
  };
}

/** One counter point per attribute set: `items` sum data points. */
async function metricsPayload(items: number, serviceName: string): Promise<Payload> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ resource: resource(serviceName), readers: [reader] });
  const counter = provider.getMeter('opsless-bench').createCounter('http.server.requests');
  for (let i = 0; i < items; i++) {
    const attributes: Record<string, string> = {
      'http.route': `/api/items/${i % 20}`,
      'http.request.method': 'GET',
      'http.response.status_code': '200',
      shard: String(i),
    };
    for (let a = 0; a < 6; a++) attributes[`app.attribute_${a}`] = `value-${i % 97}-${a}`;
    counter.add(1 + (i % 7), attributes);
  }
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return {
    items,
    protobuf: required(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)),
    json: required(JsonMetricsSerializer.serializeRequest(resourceMetrics)),
  };
}

/**
 * Log bodies of a service's everyday life: a few dozen events with ids, numbers, names,
 * addresses and paths in them, so a pattern miner meets new values on every line.
 */
const VARIED_BODIES: Array<(i: number) => string> = [
  (i) => `request ${i} served in ${i % 100} ms`,
  (i) => `GET /api/items/${i % 50} 200 ${i % 900} bytes`,
  (i) =>
    `user ${['ada', 'bob', 'cyd', 'dee', 'eve'][i % 5]} logged in from 10.0.${i % 255}.${i % 7}`,
  (i) => `cache miss for key item:${i}`,
  (i) => `payment ${i} failed: card declined (code ${i % 9})`,
  (i) => `retrying call to inventory in ${i % 5}s (attempt ${(i % 3) + 1} of 3)`,
  (i) => `order ${i} shipped to warehouse ${['north', 'south', 'east'][i % 3]}`,
  (i) => `connection pool exhausted: ${i % 32} waiting, ${32 - (i % 32)} active`,
  (i) => `slow query took ${i % 2000} ms: SELECT * FROM orders WHERE id = ${i}`,
  (i) => `session ${i.toString(16)} expired after ${i % 60} minutes`,
  (i) => `wrote /var/data/shard-${i % 8}/segment-${i}.log`,
  (i) => `job ${i} finished with status ${['ok', 'failed', 'skipped'][i % 3]}`,
  (i) => `upstream 10.1.${i % 255}.1:8080 answered 503 after ${i % 300} ms`,
  (i) => `config reloaded: ${i % 12} keys changed`,
  (i) => `GC pause ${i % 40} ms, heap ${100 + (i % 400)} MB`,
  (i) => `token refresh for client ${['web', 'ios', 'android'][i % 3]}-${i % 1000} succeeded`,
];

async function logsPayload(items: number, serviceName: string, varied = false): Promise<Payload> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resource(serviceName),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('opsless-bench');
  for (let i = 0; i < items; i++) {
    const attributes: Record<string, string> = { 'http.route': `/api/items/${i % 20}` };
    for (let a = 0; a < 9; a++) attributes[`app.attribute_${a}`] = `value-${i % 97}-${a}`;
    logger.emit({
      body: varied
        ? VARIED_BODIES[i % VARIED_BODIES.length]!(i)
        : `request ${i} served in ${i % 100} ms`,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      attributes,
    });
  }
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  await provider.shutdown();
  return {
    items,
    protobuf: required(ProtobufLogsSerializer.serializeRequest(records)),
    json: required(JsonLogsSerializer.serializeRequest(records)),
  };
}

/** `count` distinct payloads of `items` items each for `signal`. */
export async function makePayloads(
  signal: Signal,
  count: number,
  items: number,
  serviceName = 'bench-service',
): Promise<Payload[]> {
  const make =
    signal === 'traces' ? tracesPayload : signal === 'metrics' ? metricsPayload : logsPayload;
  const payloads: Payload[] = [];
  for (let i = 0; i < count; i++) payloads.push(await make(items, serviceName));
  return payloads;
}

/** Log requests whose bodies vary as a service's real logs do (for the pattern miner's cost). */
export async function makeVariedLogPayloads(
  count: number,
  items: number,
  serviceName = 'bench-service',
): Promise<Payload[]> {
  const payloads: Payload[] = [];
  for (let i = 0; i < count; i++) payloads.push(await logsPayload(items, serviceName, true));
  return payloads;
}
