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
import { makeSpans } from '../test/support/spans.ts';

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

async function logsPayload(items: number, serviceName: string): Promise<Payload> {
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
      body: `request ${i} served in ${i % 100} ms`,
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
