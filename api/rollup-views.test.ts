import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

const T0 = Date.parse('2026-11-24T11:00:00Z');

describe('service views read from the RED rollup', () => {
  let storage: Storage;
  const app = () =>
    testApi(storage.client, {
      now: () => T0 + 10 * 60_000,
    });
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await app().request(path);
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const spans: Array<{ service: string; op: string; at: number; ms: number; error: boolean }> =
      [];
    // checkout: minute 0 has 6 × POST /pay (10 ms, one error); minute 5 has 3 × GET /cart (50 ms).
    for (let i = 0; i < 6; i++)
      spans.push({
        service: 'checkout',
        op: 'POST /pay',
        at: T0 + i * 5_000,
        ms: 10,
        error: i === 0,
      });
    for (let i = 0; i < 3; i++)
      spans.push({
        service: 'checkout',
        op: 'GET /cart',
        at: T0 + 300_000 + i * 5_000,
        ms: 50,
        error: false,
      });
    // search: one request in minute 9.
    spans.push({ service: 'search', op: 'GET /q', at: T0 + 540_000, ms: 20, error: false });
    await storage.client.insert({
      table: 'otel_traces',
      values: spans.map((s) => ({
        Timestamp: `${BigInt(s.at) * 1_000_000n}`,
        ServiceName: s.service,
        SpanName: s.op,
        SpanKind: 'Server',
        StatusCode: s.error ? 'Error' : 'Unset',
        Duration: s.ms * 1_000_000,
      })),
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('returns every service’s sparklines in one answer, one value per step, aligned to shared times', async () => {
    const { status, body } = await get<{
      stepSeconds: number;
      times: number[];
      services: Record<
        string,
        { requests: number; errors: number } & Record<string, Array<number | null>>
      >;
    }>('/v1/services/sparklines?since=10m&points=10');
    expect(status).toBe(200);
    expect(body.stepSeconds).toBe(60);
    expect(body.times).toHaveLength(10);
    expect(body.times[0]).toBe(T0);
    expect(Object.keys(body.services).sort()).toEqual(['checkout', 'search']);
    const checkout = body.services.checkout!;
    expect(checkout).toMatchObject({ requests: 9, errors: 1 });
    expect(checkout.request_rate).toEqual([0.1, 0, 0, 0, 0, 0.05, 0, 0, 0, 0]);
    expect(checkout.error_ratio![0]).toBeCloseTo(1 / 6, 3);
    expect(checkout.error_ratio![1]).toBeNull();
    expect(checkout.latency_p99![5]).toBe(50);
    expect(body.services.search!.request_rate![9]).toBeCloseTo(1 / 60, 3);
  });

  it('rounds the sparkline step up to a multiple of 10 s and refuses a bad points count', async () => {
    const { body } = await get<{ stepSeconds: number; times: number[] }>(
      '/v1/services/sparklines?since=10m&points=7',
    );
    expect(body.stepSeconds).toBe(90);
    expect(body.times.length).toBeLessThanOrEqual(8);
    const refused = await get<{ message: string }>('/v1/services/sparklines?points=5000');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/points/);
  });

  it('lists a service’s operations, busiest first, with rate, errors and latency', async () => {
    const { status, body } = await get<{ operations: Array<Record<string, unknown>> }>(
      '/v1/services/checkout/operations?since=10m',
    );
    expect(status).toBe(200);
    expect(body.operations).toEqual([
      {
        name: 'POST /pay',
        requests: 6,
        ratePerSecond: 0.01,
        errors: 1,
        errorRatio: 0.1667,
        p50Ms: 10,
        p95Ms: 10,
        p99Ms: 10,
      },
      {
        name: 'GET /cart',
        requests: 3,
        ratePerSecond: 0.005,
        errors: 0,
        errorRatio: 0,
        p50Ms: 50,
        p95Ms: 50,
        p99Ms: 50,
      },
    ]);
    const limited = await get<{ operations: unknown[] }>(
      '/v1/services/checkout/operations?since=10m&limit=1',
    );
    expect(limited.body.operations).toHaveLength(1);
    expect((await get('/v1/services/checkout/operations?limit=0')).status).toBe(400);
  });
});
