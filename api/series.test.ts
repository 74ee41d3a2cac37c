import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCORES_TABLE, type Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

const T0 = Date.parse('2026-11-24T11:00:00Z');

describe('GET /v1/services/:name/series', () => {
  let storage: Storage;
  const app = () =>
    testApi(storage.client, {
      now: () => T0 + 3 * 60_000,
      stepMs: 60_000,
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const spans = [];
    // Minute 0: 6 requests of 10 ms, one error. Minute 1: 3 requests of 50 ms.
    for (let i = 0; i < 6; i++) spans.push({ at: T0 + i * 5_000, ms: 10, error: i === 0 });
    for (let i = 0; i < 3; i++) spans.push({ at: T0 + 60_000 + i * 5_000, ms: 50, error: false });
    await storage.client.insert({
      table: 'otel_traces',
      values: spans.map((s) => ({
        Timestamp: `${BigInt(s.at) * 1_000_000n}`,
        ServiceName: 'checkout',
        SpanName: 'GET /cart',
        SpanKind: 'Server',
        StatusCode: s.error ? 'Error' : 'Unset',
        Duration: s.ms * 1_000_000,
      })),
      format: 'JSONEachRow',
    });
    await storage.client.insert({
      table: SCORES_TABLE,
      values: [
        {
          Service: 'checkout',
          Signal: 'latency_p99',
          Operation: '',
          Time: (T0 + 60_000) / 1000,
          Observed: 50,
          Expected: 12,
          Lower: 8,
          Upper: 16,
          Score: 0.97,
          Model: 'test',
        },
      ],
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('returns observed values per step from the rollup with the stored band and score', async () => {
    const response = await app().request(
      '/v1/services/checkout/series?signal=latency_p99&since=10m',
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      unit: string;
      stepSeconds: number;
      points: Array<Record<string, unknown>>;
    };
    expect(body).toMatchObject({ unit: 'ms', stepSeconds: 60 });
    expect(body.points).toEqual([
      {
        time: '2026-11-24T11:00:00.000Z',
        observed: 10,
        expected: null,
        lower: null,
        upper: null,
        score: null,
      },
      {
        time: '2026-11-24T11:01:00.000Z',
        observed: 50,
        expected: 12,
        lower: 8,
        upper: 16,
        score: expect.closeTo(0.97, 5) as number,
      },
    ]);
  });

  it('computes rate and error ratio per step, at another step', async () => {
    const rate = (await (
      await app().request('/v1/services/checkout/series?signal=request_rate&since=10m&step=2m')
    ).json()) as { points: Array<{ observed: number }> };
    expect(rate.points.map((p) => p.observed)).toEqual([9 / 120]);
    const errors = (await (
      await app().request('/v1/services/checkout/series?signal=error_ratio&since=10m')
    ).json()) as { points: Array<{ observed: number }> };
    expect(errors.points.map((p) => p.observed)).toEqual([1 / 6, 0]);
  });

  it('serves a watched metric in its own unit, a p95 known only as a lower bound marked so', async () => {
    const bounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    const histogram = (minute: number, counts: number[], max: number) => ({
      ServiceName: 'checkout',
      MetricName: 'http.server.request.duration',
      MetricUnit: 's',
      TimeUnix: `${BigInt(T0 + minute * 60_000 + 30_000) * 1_000_000n}`,
      Count: 10,
      BucketCounts: counts,
      ExplicitBounds: bounds,
      Min: max === 0 ? 0 : 0.1,
      Max: max,
      AggregationTemporality: 1,
    });
    const only = (index: number) => bounds.map((_, i) => (i === index ? 10 : 0)).concat(0);
    const overflow = bounds.map(() => 0).concat(10);
    await storage.client.insert({
      table: 'otel_metrics_histogram',
      values: [histogram(0, only(1), 0.3), histogram(1, overflow, 0)],
      format: 'JSONEachRow',
    });
    const response = await app().request(
      '/v1/services/checkout/series?signal=metric:http.server.request.duration&since=3m&step=1m',
    );
    const body = (await response.json()) as {
      unit: string;
      points: Array<{ observed: number; lowerBound?: boolean }>;
    };
    expect(body.unit).toBe('s');
    expect(body.points).toHaveLength(2);
    expect(body.points[0]!.observed).toBeCloseTo(0.1 + 0.2 * 0.95, 10);
    expect(body.points[0]!.lowerBound).toBeUndefined();
    expect(body.points[1]).toMatchObject({ observed: 10000, lowerBound: true });
  });

  it('names a bad signal or step', async () => {
    const bad = await app().request('/v1/services/checkout/series?signal=latency');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'must be one of request_rate, error_ratio',
    );
    expect(
      (await app().request('/v1/services/checkout/series?signal=error_ratio&step=15s')).status,
    ).toBe(400);
  });
});
