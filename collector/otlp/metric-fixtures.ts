/**
 * Test fixtures: metrics recorded through the real SDK (`@opentelemetry/sdk-metrics`)
 * and encoded by the real OpenTelemetry serializers.
 */

import { ValueType, type HrTime } from '@opentelemetry/api';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Exact decimal nanoseconds of an SDK time. */
export function hrTimeNanos(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

/**
 * One collection of: an int counter (monotonic sum) with two attribute sets, an
 * up-down counter, a gauge, an explicit-bucket histogram and an exponential histogram.
 */
export async function collectMetrics(): Promise<ResourceMetrics> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'billing', 'host.name': 'box-1' }),
    readers: [reader],
    views: [
      {
        instrumentName: 'queue.wait',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      },
    ],
  });
  const meter = provider.getMeter('opsless-metrics-test', '1.2.3');
  const requests = meter.createCounter('http.requests', {
    valueType: ValueType.INT,
    unit: '{request}',
    description: 'Requests served',
  });
  requests.add(5, { 'http.route': '/a' });
  requests.add(2, { 'http.route': '/b' });
  meter.createUpDownCounter('queue.depth').add(-3);
  meter.createGauge('room.temperature', { unit: 'Cel' }).record(21.5, { room: 'lab' });
  const duration = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.1, 0.5, 1] },
  });
  for (const seconds of [0.05, 0.2, 0.7, 3]) duration.record(seconds);
  const wait = meter.createHistogram('queue.wait');
  for (const value of [0, 1, 2, 4, 1000]) wait.record(value);
  const { resourceMetrics, errors } = await reader.collect();
  await provider.shutdown();
  if (errors.length > 0) throw new Error(`metric collection failed: ${String(errors[0])}`);
  return resourceMetrics;
}

/** Protobuf and JSON request bodies for `metrics`, from the OpenTelemetry serializers. */
export function encodeMetrics(metrics: ResourceMetrics): {
  protobuf: Uint8Array;
  json: Uint8Array;
} {
  const protobuf = ProtobufMetricsSerializer.serializeRequest(metrics);
  const json = JsonMetricsSerializer.serializeRequest(metrics);
  if (!protobuf || !json) throw new Error('the OpenTelemetry serializer produced nothing');
  return { protobuf, json };
}
