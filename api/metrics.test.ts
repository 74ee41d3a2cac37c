import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';
import type { MetricSeries } from './metric-schema.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const MINUTE = 60_000;
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const RANGE = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 3 * MINUTE).toISOString()}&step=1m`;
const JS_SDK_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

function point(metric: string, minute: number, extra: Record<string, unknown>) {
  return {
    ServiceName: 'worker',
    MetricName: metric,
    TimeUnix: nanos(T0 + minute * MINUTE + 30_000),
    StartTimeUnix: nanos(T0 - 10 * MINUTE),
    ...extra,
  };
}

/** Bucket counts with `count` in the bucket whose upper bound is `upper`. */
function bucketsWith(entries: Array<[upper: number, count: number]>): number[] {
  const counts = new Array<number>(JS_SDK_BOUNDS.length + 1).fill(0);
  for (const [upper, count] of entries) counts[JS_SDK_BOUNDS.indexOf(upper)]! += count;
  return counts;
}

describe('metrics API', () => {
  let storage: Storage;
  const get = async <T>(path: string, now = T0 + 10 * MINUTE) => {
    const response = await testApi(storage.client, { now: () => now }).request(path);
    return { status: response.status, body: (await response.json()) as T };
  };
  const values = async (path: string) =>
    (await get<MetricSeries>(path)).body.points.map((p) =>
      p.value === null ? null : Math.round(p.value * 1000) / 1000,
    );
  const insert = (table: string, rows: unknown[]) =>
    storage.client.insert({ table, values: rows, format: 'JSONEachRow' });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const pod = (name: string) => ({ ResourceAttributes: { 'k8s.pod.name': name } });
    await insert('otel_metrics_gauge', [
      point('process.cpu.utilization', 0, { Value: 0.2, ...pod('a'), MetricUnit: '1' }),
      point('process.cpu.utilization', 1, { Value: 0.4, ...pod('a') }),
      point('process.cpu.utilization', 0, { Value: 0.6, ...pod('b') }),
      {
        ...point('process.cpu.utilization', 1, { Value: 0.7, ...pod('b') }),
        TimeUnix: nanos(T0 + MINUTE + 5_000),
      },
      point('process.cpu.utilization', 1, { Value: 0.9, ...pod('b') }),
    ]);
    const counter = (minute: number, queue: string, value: number, startMs = T0 - 10 * MINUTE) =>
      point('jobs.done', minute, {
        Value: value,
        IsMonotonic: true,
        AggregationTemporality: 2,
        Attributes: { queue },
        StartTimeUnix: nanos(startMs),
        MetricUnit: '{job}',
        MetricDescription: 'Jobs finished',
      });
    await insert('otel_metrics_sum', [
      counter(-1, 'a', 40),
      counter(0, 'a', 100),
      counter(1, 'a', 160),
      counter(2, 'a', 30, T0 + 2 * MINUTE), // restarted: counts from zero again
      counter(-1, 'b', 0),
      counter(0, 'b', 10),
      counter(1, 'b', 70),
      counter(2, 'b', 130),
      point('bytes.sent', 0, { Value: 600, IsMonotonic: true, AggregationTemporality: 1 }),
      point('bytes.sent', 1, { Value: 1200, IsMonotonic: true, AggregationTemporality: 1 }),
      point('queue.depth', 0, {
        Value: 5,
        IsMonotonic: false,
        AggregationTemporality: 2,
        Attributes: { q: 'x' },
      }),
      point('queue.depth', 0, {
        Value: 3,
        IsMonotonic: false,
        AggregationTemporality: 2,
        Attributes: { q: 'y' },
      }),
    ]);
    // A cumulative histogram with the JavaScript SDK's default bounds, in ms, min and max kept.
    const histogram = (minute: number, counts: number[], count: number, min: number, max: number) =>
      point('rpc.server.duration', minute, {
        Count: count,
        Sum: count * 60,
        BucketCounts: counts,
        ExplicitBounds: JS_SDK_BOUNDS,
        Min: min,
        Max: max,
        AggregationTemporality: 2,
        MetricUnit: 'ms',
      });
    await insert('otel_metrics_histogram', [
      histogram(-1, bucketsWith([]), 0, 0, 0),
      histogram(0, bucketsWith([[75, 100]]), 100, 52, 70),
      histogram(
        1,
        bucketsWith([
          [75, 100],
          [250, 100],
        ]),
        200,
        52,
        200,
      ),
    ]);
    await insert('otel_metrics_exponential_histogram', [
      point('payload.size', 0, {
        Count: 100,
        Sum: 500,
        Scale: 0,
        PositiveOffset: 0,
        PositiveBucketCounts: [10, 10, 80],
        AggregationTemporality: 1,
      }),
    ]);
    await insert('otel_metrics_summary', [
      point('gc.pause', 0, {
        Count: 10,
        Sum: 200,
        'ValueAtQuantiles.Quantile': [0.5, 0.9, 0.99],
        'ValueAtQuantiles.Value': [10, 20, 50],
      }),
    ]);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('lists what was sent with kind, unit, description, attribute keys and aggregations', async () => {
    const { status, body } = await get<{ metrics: Array<Record<string, unknown>> }>(
      '/v1/metrics?since=1h',
    );
    expect(status).toBe(200);
    expect(body.metrics.map((metric) => metric.name)).toEqual([
      'bytes.sent',
      'gc.pause',
      'jobs.done',
      'payload.size',
      'process.cpu.utilization',
      'queue.depth',
      'rpc.server.duration',
    ]);
    expect(body.metrics.find((metric) => metric.name === 'jobs.done')).toEqual({
      name: 'jobs.done',
      type: 'sum',
      monotonic: true,
      temporality: 'cumulative',
      unit: '{job}',
      description: 'Jobs finished',
      attributeKeys: ['queue'],
      aggregations: ['rate', 'sum', 'avg', 'min', 'max'],
      services: ['worker'],
    });
    expect(body.metrics.find((metric) => metric.name === 'rpc.server.duration')).toMatchObject({
      type: 'histogram',
      unit: 'ms',
      aggregations: ['p95', 'p50', 'p99', 'avg', 'sum', 'rate', 'min', 'max'],
    });
    expect((await get<{ metrics: unknown[] }>('/v1/metrics?service=nobody')).body.metrics).toEqual(
      [],
    );
  });

  it('charts a cumulative counter as a rate, the first step from the step before, a restart counted from zero', async () => {
    expect(await values(`/v1/metrics/jobs.done/series?${RANGE}`)).toEqual([1.167, 2, 1.5]);
    expect(await values(`/v1/metrics/jobs.done/series?${RANGE}&agg=sum`)).toEqual([70, 120, 90]);
    const grouped = (await get<MetricSeries>(`/v1/metrics/jobs.done/series?${RANGE}&by=queue`))
      .body;
    expect(grouped.groups?.map((group) => group.key)).toEqual(['a', 'b']);
    expect(grouped.groups?.[0]?.points.map((p) => p.value)).toEqual([1, 1, 0.5]);
    expect(
      (await get<MetricSeries>(`/v1/metrics/jobs.done/series?${RANGE}&by=queue&limit=1`)).body
        .groups,
    ).toHaveLength(1);
    // A delta counter's points are summed per step.
    expect(await values(`/v1/metrics/bytes.sent/series?${RANGE}&agg=sum`)).toEqual([
      600,
      1200,
      null,
    ]);
    // An up-down counter: the last value of each series, summed.
    expect(await values(`/v1/metrics/queue.depth/series?${RANGE}`)).toEqual([8, null, null]);
  });

  it('charts a gauge across series: mean by default, extremes, quantiles and groups', async () => {
    const path = `/v1/metrics/process.cpu.utilization/series?${RANGE}`;
    expect(await values(path)).toEqual([0.4, 0.6, null]);
    expect(await values(`${path}&agg=max`)).toEqual([0.6, 0.9, null]);
    expect(await values(`${path}&agg=min`)).toEqual([0.2, 0.4, null]);
    const grouped = (await get<MetricSeries>(`${path}&by=k8s.pod.name`)).body;
    expect(grouped.unit).toBe('1');
    expect(grouped.groups?.map((group) => [group.key, group.points[1]?.value])).toEqual([
      ['b', 0.8],
      ['a', 0.4],
    ]);
  });

  it('reads histogram quantiles inside the bucket, narrowed by the min and max sent', async () => {
    const path = `/v1/metrics/rpc.server.duration/series?${RANGE}`;
    const { body } = await get<MetricSeries>(path);
    expect(body).toMatchObject({ type: 'histogram', unit: 'ms', agg: 'p95', stepSeconds: 60 });
    // Step 0: 100 requests in (50, 75] seen between 52 and 70 ms; step 1 adds 100 in (100, 250], max 200.
    expect(await values(path)).toEqual([69.1, 195, null]);
    expect(await values(`${path}&agg=rate`)).toEqual([1.667, 1.667, null]);
    expect(await values(`${path}&agg=avg`)).toEqual([60, 60, null]);
    expect(await values(`${path}&agg=max`)).toEqual([70, 200, null]);
    expect(await values(`/v1/metrics/payload.size/series?${RANGE}&agg=p50`)).toEqual([
      5.5,
      null,
      null,
    ]);
    expect(await values(`/v1/metrics/payload.size/series?${RANGE}`)).toEqual([7.75, null, null]);
    expect(await values(`/v1/metrics/gc.pause/series?${RANGE}`)).toEqual([36.667, null, null]);
    expect(await values(`/v1/metrics/gc.pause/series?${RANGE}&agg=p50`)).toEqual([10, null, null]);
  });

  it('marks the step still open as partial', async () => {
    const now = T0 + 2 * MINUTE + 20_000;
    const { body } = await get<MetricSeries>(`/v1/metrics/jobs.done/series?since=3m&step=1m`, now);
    expect(body.partialFrom).toBe(T0 + 2 * MINUTE);
    expect(body.points.map((p) => [p.t, p.partial ?? false])).toEqual([
      [T0 - MINUTE, false],
      [T0, false],
      [T0 + MINUTE, false],
      [T0 + 2 * MINUTE, true],
    ]);
    expect(body.points.at(-1)?.value).toBe(1.5);
  });

  it('refuses what does not apply with a message that says what does', async () => {
    const cases: Array<[string, number, string]> = [
      [`/v1/metrics/process.cpu.utilization/series?${RANGE}&agg=rate`, 400, 'use one of avg, sum'],
      [`/v1/metrics/queue.depth/series?${RANGE}&agg=p95`, 400, 'use one of sum, avg, min, max'],
      [`/v1/metrics/jobs.done/series?${RANGE}&agg=median`, 400, 'agg'],
      [`/v1/metrics/jobs.done/series?since=90d&step=1s`, 400, 'use a larger step'],
      [`/v1/metrics/no.such.metric/series?${RANGE}`, 404, 'no metric no.such.metric'],
      ['/v1/metrics?colour=red', 400, 'colour'],
    ];
    for (const [path, status, message] of cases) {
      const answer = await get<{ message: string }>(path);
      expect(answer.status, path).toBe(status);
      expect(answer.body.message, path).toContain(message);
    }
  });
});
