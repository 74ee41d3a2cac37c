import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../storage/index.ts';
import { bucketQuantile, readMetricSeries } from './metrics.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const MINUTE = 60_000;
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

function point(metric: string, minute: number, second: number, extra: Record<string, unknown>) {
  return {
    ServiceName: 'worker',
    MetricName: metric,
    TimeUnix: nanos(T0 + minute * MINUTE + second * 1000),
    StartTimeUnix: nanos(T0),
    ...extra,
  };
}

describe('watched metric series', () => {
  let storage: Storage;
  const insert = (table: string, values: unknown[]) =>
    storage.client.insert({ table, values, format: 'JSONEachRow' });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    await insert('otel_metrics_gauge', [
      point('process.cpu.utilization', 0, 10, { Value: 0.2 }),
      point('process.cpu.utilization', 0, 40, { Value: 0.4 }),
      point('process.cpu.utilization', 1, 10, { Value: 0.9 }),
      // another service's point is not read
      { ...point('process.cpu.utilization', 1, 20, { Value: 99 }), ServiceName: 'other' },
    ]);
    await insert('otel_metrics_sum', [
      // a cumulative counter on two series (attributes), one of which resets in minute 2
      ...[0, 1, 2].flatMap((minute) => [
        point('jobs.done', minute, 30, {
          Value: [100, 160, 220][minute],
          IsMonotonic: true,
          AggregationTemporality: 2,
          Attributes: { queue: 'a' },
        }),
        point('jobs.done', minute, 30, {
          Value: [10, 70, 30][minute],
          IsMonotonic: true,
          AggregationTemporality: 2,
          Attributes: { queue: 'b' },
        }),
      ]),
      // a delta counter
      point('bytes.sent', 0, 5, { Value: 600, IsMonotonic: true, AggregationTemporality: 1 }),
      point('bytes.sent', 0, 50, { Value: 600, IsMonotonic: true, AggregationTemporality: 1 }),
      // an up-down counter on two queues: the total, from each queue's last value
      point('messaging.queue.depth', 0, 10, {
        Value: 5,
        IsMonotonic: false,
        Attributes: { q: 'a' },
      }),
      point('messaging.queue.depth', 0, 50, {
        Value: 7,
        IsMonotonic: false,
        Attributes: { q: 'a' },
      }),
      point('messaging.queue.depth', 0, 50, {
        Value: 3,
        IsMonotonic: false,
        Attributes: { q: 'b' },
      }),
    ]);
    const bounds = [10, 50, 100, 500];
    await insert('otel_metrics_histogram', [
      // delta: 100 requests, 95th is in (50, 100]
      point('http.server.request.duration', 0, 30, {
        Count: 100,
        BucketCounts: [40, 50, 10, 0, 0],
        ExplicitBounds: bounds,
        AggregationTemporality: 1,
      }),
      // cumulative: minute 1 adds 100 requests, all in (100, 500]
      ...[0, 1].map((minute) =>
        point('rpc.duration', minute, 30, {
          Count: [100, 200][minute],
          BucketCounts: [
            [100, 0, 0, 0, 0],
            [100, 0, 0, 100, 0],
          ][minute],
          ExplicitBounds: bounds,
          AggregationTemporality: 2,
        }),
      ),
    ]);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('reads gauges, rates of counters, totals of up-down counters and histogram p95 per step', async () => {
    const byService = await readMetricSeries(storage.client, {
      services: ['worker', 'idle'],
      metrics: [
        'process.cpu.utilization',
        'jobs.done',
        'bytes.sent',
        'messaging.queue.depth',
        'http.server.request.duration',
        'rpc.duration',
        'absent.metric',
      ],
      fromMs: T0,
      toMs: T0 + 3 * MINUTE,
      stepSeconds: 60,
    });
    // a service without points has empty series; 'other' was not asked for
    expect([...byService.get('idle')!.values()].flat()).toEqual([]);
    expect(byService.has('other')).toBe(false);
    const series = byService.get('worker')!;
    const values = (metric: string) =>
      series
        .get(metric)!
        .map((point) => [(point.timeMs - T0) / MINUTE, Number(point.value.toFixed(4))]);
    expect(values('process.cpu.utilization')).toEqual([
      [0, 0.3],
      [1, 0.9],
    ]);
    // minute 1: (160-100) + (70-10) = 120 per minute; minute 2: 60 + 30 (reset) = 90
    expect(values('jobs.done')).toEqual([
      [1, 2],
      [2, 1.5],
    ]);
    expect(values('bytes.sent')).toEqual([[0, 20]]);
    expect(values('messaging.queue.depth')).toEqual([[0, 10]]);
    // rank 95 of 100: 5 of the 10 requests into (50, 100] -> 75
    expect(values('http.server.request.duration')).toEqual([[0, 75]]);
    // the first cumulative step has no increase; minute 1: 100 new in (100, 500] -> 95th at 480
    expect(values('rpc.duration')).toEqual([[1, 480]]);
    expect(values('absent.metric')).toEqual([]);
  });

  it('interpolates a quantile inside its bucket and caps it at the open top bucket', () => {
    expect(bucketQuantile([0, 10], [100], 0.5)).toBe(100);
    expect(bucketQuantile([10, 0], [100], 0.5)).toBe(50);
    expect(bucketQuantile([0, 0, 0], [1, 2], 0.5)).toBeNull();
  });
});
