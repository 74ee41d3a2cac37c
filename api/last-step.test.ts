import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

const T0 = Date.parse('2026-11-24T11:00:00Z');
/** Now: 20 s into minute 10. */
const NOW = T0 + 10 * 60_000 + 20_000;
const TRACE = 'abababababababababababababababab';

interface SpanSpec {
  at: number;
  kind: string;
  parent?: string;
  error?: boolean;
  id: string;
}

/**
 * checkout, minute 9: 4 requests (SERVER spans), one failing, each with a database
 * child span (CLIENT) that fails too on one more; minute 10 (open): 2 requests.
 */
const SPANS: SpanSpec[] = [
  ...[0, 1, 2, 3].flatMap((i): SpanSpec[] => [
    { at: T0 + 9 * 60_000 + i * 10_000, kind: 'Server', error: i === 0, id: `10${i}` },
    {
      at: T0 + 9 * 60_000 + i * 10_000 + 1,
      kind: 'Client',
      parent: `10${i}`,
      error: i <= 1,
      id: `20${i}`,
    },
  ]),
  { at: T0 + 10 * 60_000 + 5_000, kind: 'Server', id: '301' },
  { at: T0 + 10 * 60_000 + 15_000, kind: 'Server', id: '302' },
];

describe('the last, still open step and one definition of a request', () => {
  let storage: Storage;
  const get = async <T>(path: string): Promise<T> => {
    const response = await testApi(storage.client, { now: () => NOW }).request(path);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    await storage.client.insert({
      table: 'otel_traces',
      values: SPANS.map((span) => ({
        Timestamp: `${BigInt(span.at) * 1_000_000n}`,
        TraceId: TRACE,
        SpanId: span.id.padStart(16, '0'),
        ParentSpanId: span.parent ? span.parent.padStart(16, '0') : '',
        ServiceName: 'checkout',
        SpanName: span.kind === 'Server' ? 'POST /pay' : 'SELECT orders',
        SpanKind: span.kind,
        StatusCode: span.error ? 'Error' : 'Unset',
        Duration: 5_000_000,
      })),
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('lists requests (entry spans) and their error ratio beside all spans', async () => {
    const { services } = await get<{ services: Array<Record<string, unknown>> }>(
      '/v1/services?since=15m',
    );
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({
      name: 'checkout',
      spans: 10,
      errorSpans: 3,
      requests: 6,
      errors: 1,
      errorRatio: 0.1667,
    });
  });

  it('includes the open step in sparklines, its rate over the seconds passed, and marks it', async () => {
    const body = await get<{
      times: number[];
      partialFrom: number | null;
      services: Record<string, { requests: number; request_rate: number[]; error_ratio: number[] }>;
    }>('/v1/services/sparklines?since=10m&points=10');
    const open = T0 + 10 * 60_000;
    expect(body.times.at(-1)).toBe(open);
    expect(body.partialFrom).toBe(open);
    const checkout = body.services.checkout!;
    expect(checkout.requests).toBe(6);
    expect(checkout.request_rate.at(-2)).toBeCloseTo(4 / 60, 4);
    // 2 requests in the 20 s passed: 0.1/s, not 2/60.
    expect(checkout.request_rate.at(-1)).toBeCloseTo(0.1, 4);
    expect(checkout.error_ratio.at(-2)).toBeCloseTo(0.25, 4);
  });

  it('marks the open step of a service series partial, with the same error ratio as the list', async () => {
    const rate = await get<{
      partialFrom: number | null;
      points: Array<{ time: string; observed: number; partial?: boolean }>;
    }>('/v1/services/checkout/series?signal=request_rate&since=3m&step=1m');
    expect(rate.partialFrom).toBe(T0 + 10 * 60_000);
    const last = rate.points.at(-1)!;
    expect(last).toMatchObject({ time: new Date(T0 + 10 * 60_000).toISOString(), partial: true });
    expect(last.observed).toBeCloseTo(0.1, 4);
    expect(rate.points.at(-2)!.partial).toBeUndefined();
    const errors = await get<{ points: Array<{ observed: number }> }>(
      '/v1/services/checkout/series?signal=error_ratio&since=3m&step=1m',
    );
    expect(errors.points.at(-2)!.observed).toBeCloseTo(0.25, 4);
  });

  it('reads a trace by id whose spans start within a second, as SDKs time them', async () => {
    const traceId = 'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd';
    await storage.client.insert({
      table: 'otel_traces',
      values: [159, 480].map((ms, i) => ({
        Timestamp: `${BigInt(NOW - 5_000 + ms) * 1_000_000n + 123n}`,
        TraceId: traceId,
        SpanId: `${i + 1}`.padStart(16, '0'),
        ParentSpanId: i === 0 ? '' : '0000000000000001',
        ServiceName: 'checkout',
        SpanName: 'GET /',
        SpanKind: i === 0 ? 'Server' : 'Client',
        StatusCode: 'Unset',
        Duration: 1_000_000,
      })),
      format: 'JSONEachRow',
    });
    const trace = await get<{ spanCount: number }>(`/v1/traces/${traceId}`);
    expect(trace.spanCount).toBe(2);
  });

  it('reads a trace by id when its lookup row is not there yet, as search finds it', async () => {
    await storage.client.command({ query: 'TRUNCATE TABLE otel_traces_trace_id_ts' });
    const search = await get<{ traces: Array<{ traceId: string }> }>('/v1/traces?since=15m');
    expect(search.traces.map((trace) => trace.traceId)).toContain(TRACE);
    const trace = await get<{ spanCount: number }>(`/v1/traces/${TRACE}`);
    expect(trace.spanCount).toBe(SPANS.length);
  });
});
