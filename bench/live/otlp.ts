/**
 * Planned telemetry as OTLP/protobuf, encoded by the OpenTelemetry serializers that the
 * SDK exporters use, and sent to the collector's OTLP/HTTP receiver.
 */
import { SpanKind, SpanStatusCode, TraceFlags, ValueType, type HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { LogLevel, PlannedLog } from './logs.ts';
import type { PlannedPoint, PlannedSpan } from './planned-telemetry.ts';

type SdkSpan = Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0][number];
type SdkLogRecord = Parameters<typeof ProtobufLogsSerializer.serializeRequest>[0][number];

const SCOPE = { name: 'opsless-bench-live', version: '1.0.0' };

/** One Resource object per instance: the serializer groups spans by resource identity. */
export function createResources(): (
  service: string,
  instance: string,
  version: string,
) => Resource {
  const cache = new Map<string, Resource>();
  return (service, instance, version) => {
    const key = `${service}\u0000${instance}\u0000${version}`;
    let resource = cache.get(key);
    if (!resource) {
      resource = resourceFromAttributes({
        'service.name': service,
        'service.instance.id': instance,
        'service.version': version,
        'deployment.environment.name': 'bench',
        'telemetry.sdk.language': 'nodejs',
      });
      cache.set(key, resource);
    }
    return resource;
  };
}

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export function encodeSpans(
  spans: readonly PlannedSpan[],
  resources: ReturnType<typeof createResources>,
): Uint8Array {
  const sdkSpans = spans.map((span): SdkSpan => {
    const context = { traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
    const attributes =
      span.kind === 'server'
        ? {
            'http.request.method': span.method,
            'http.route': span.route,
            'http.response.status_code': span.error ? 500 : 200,
          }
        : {
            'messaging.system': 'kafka',
            'messaging.destination.name': 'orders',
            'messaging.operation.type': 'process',
          };
    return {
      name: span.name,
      kind: span.kind === 'server' ? SpanKind.SERVER : SpanKind.CONSUMER,
      spanContext: () => context,
      ...(span.parentSpanId
        ? {
            parentSpanContext: {
              traceId: span.traceId,
              spanId: span.parentSpanId,
              traceFlags: TraceFlags.SAMPLED,
              isRemote: true,
            },
          }
        : {}),
      startTime: hrTime(span.startMs),
      endTime: hrTime(span.startMs + span.durationMs),
      duration: hrTime(span.durationMs),
      status: span.error ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.UNSET },
      attributes,
      links: [],
      events: [],
      ended: true,
      resource: resources(span.service, span.instance, span.version),
      instrumentationScope: SCOPE,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  });
  return required(ProtobufTraceSerializer.serializeRequest(sdkSpans));
}

const SEVERITY: Record<LogLevel, SeverityNumber> = {
  INFO: SeverityNumber.INFO,
  WARN: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
};

/** Log records as the logs SDK hands them to its exporter (trace context on request lines). */
export function encodeLogs(
  logs: readonly PlannedLog[],
  resources: ReturnType<typeof createResources>,
): Uint8Array {
  const records = logs.map((log): SdkLogRecord => ({
    hrTime: hrTime(log.timeMs),
    hrTimeObserved: hrTime(log.timeMs),
    ...(log.traceId !== null && log.spanId !== null
      ? {
          spanContext: {
            traceId: log.traceId,
            spanId: log.spanId,
            traceFlags: TraceFlags.SAMPLED,
          },
        }
      : {}),
    severityText: log.level,
    severityNumber: SEVERITY[log.level],
    body: log.body,
    resource: resources(log.service, log.instance, log.version),
    instrumentationScope: SCOPE,
    attributes: {},
    droppedAttributesCount: 0,
  }));
  return required(ProtobufLogsSerializer.serializeRequest(records));
}

/** Gauges and cumulative up-down sums, one data point per instance and metric. */
export function encodePoints(
  points: readonly PlannedPoint[],
  resources: ReturnType<typeof createResources>,
): Uint8Array {
  const byResource = new Map<Resource, PlannedPoint[]>();
  for (const point of points) {
    const resource = resources(point.service, point.instance, point.version);
    const list = byResource.get(resource) ?? [];
    list.push(point);
    byResource.set(resource, list);
  }
  const encoded = [...byResource].map(([resource, list]) => ({
    resource,
    scopeMetrics: [{ scope: SCOPE, metrics: list.map(metricData) }],
  }));
  // The serializer takes one ResourceMetrics; several are concatenated as OTLP allows.
  const parts = encoded.map((resourceMetrics) =>
    required(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)),
  );
  return concat(parts);
}

function metricData(point: PlannedPoint): MetricData {
  const descriptor = {
    name: point.metric.name,
    description: '',
    unit: point.metric.unit,
    valueType: ValueType.DOUBLE,
  };
  const dataPoints = [
    { startTime: hrTime(0), endTime: hrTime(point.timeMs), attributes: {}, value: point.value },
  ];
  if (point.metric.kind === 'gauge') {
    return {
      descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints,
    };
  }
  return {
    descriptor,
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: false,
    dataPoints,
  };
}

/** Protobuf messages of one repeated top-level field concatenate into one message. */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function required(bytes: Uint8Array | undefined): Uint8Array {
  if (!bytes) throw new Error('the OpenTelemetry serializer produced nothing');
  return bytes;
}

/** POSTs an OTLP/protobuf body; throws unless the collector stored it (2xx). */
export async function send(url: string, body: Uint8Array): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
}
