import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { readMetricSeries } from './metrics.ts';

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

  it('reads a seconds histogram in the SDK default buckets within its max, and leaves a top-bucket p95 without a max out', async () => {
    const sdkBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    const counts = (bucket: number, n: number) =>
      sdkBounds.map((_, i) => (i === bucket ? n : 0)).concat(bucket === sdkBounds.length ? n : 0);
    await insert('otel_metrics_histogram', [
      // Python SDK: http.server.request.duration in seconds, default bounds; all <= 0.4 s.
      point('http.server.request.duration', 5, 30, {
        Count: 100,
        BucketCounts: counts(1, 100),
        ExplicitBounds: sdkBounds,
        Min: 0.05,
        Max: 0.4,
        AggregationTemporality: 1,
        MetricUnit: 's',
      }),
      // Everything above the last bound and no max recorded: p95 is only known to be >= 10000.
      point('queue.wait', 5, 30, {
        Count: 10,
        BucketCounts: counts(sdkBounds.length, 10),
        ExplicitBounds: sdkBounds,
        AggregationTemporality: 1,
      }),
    ]);
    const query = {
      services: ['worker'],
      metrics: ['http.server.request.duration', 'queue.wait'],
      fromMs: T0 + 5 * MINUTE,
      toMs: T0 + 6 * MINUTE,
      stepSeconds: 60,
    };
    const series = (await readMetricSeries(storage.client, query)).get('worker')!;
    const p95 = series.get('http.server.request.duration')![0]!.value;
    expect(p95).toBeLessThanOrEqual(0.4);
    expect(p95).toBeCloseTo(0.05 + 0.35 * 0.95, 10);
    expect(series.get('queue.wait')).toEqual([]);
    const shown = await readMetricSeries(storage.client, { ...query, withLowerBounds: true });
    expect(shown.get('worker')!.get('queue.wait')).toEqual([
      { timeMs: T0 + 5 * MINUTE, value: 10000, lowerBound: true },
    ]);
  });
});
