import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRow, Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import type { Trace, TraceSummary } from './trace-schema.ts';
import { testApi } from '../test/support/api.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const TRACE_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TRACE_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const TRACE_OLD = 'cccccccccccccccccccccccccccccccc';

function span(overrides: Partial<SpanRow>): Partial<SpanRow> {
  return {
    Timestamp: nanos(NOW - 60_000),
    TraceId: TRACE_A,
    SpanId: '0000000000000001',
    ParentSpanId: '',
    ServiceName: 'frontend',
    SpanName: 'GET /',
    SpanKind: 'Server',
    StatusCode: 'Unset',
    Duration: 120e6,
    ResourceAttributes: { 'service.name': 'frontend', 'deployment.environment.name': 'prod' },
    ...overrides,
  };
}

describe('trace API', () => {
  let storage: Storage;
  const app = () =>
    testApi(storage.client, {
      now: () => NOW,
    });
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await app().request(path);
    return { status: response.status, body: (await response.json()) as T };
  };
  const search = async (query: string) =>
    (await get<{ traces: TraceSummary[] }>(`/v1/traces?${query}`)).body.traces;

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const rows = [
      // Trace A, a minute ago: frontend → checkout (slow, failing) → an internal step.
      span({}),
      span({
        Timestamp: nanos(NOW - 60_000 + 5),
        SpanId: '0000000000000002',
        ParentSpanId: '0000000000000001',
        ServiceName: 'checkout',
        SpanName: 'POST /pay',
        Duration: 100e6,
        StatusCode: 'Error',
        StatusMessage: 'card declined',
        SpanAttributes: { 'http.route': '/pay', 'http.response.status_code': '500' },
        'Events.Timestamp': [nanos(NOW - 60_000 + 50)],
        'Events.Name': ['exception'],
        'Events.Attributes': [{ 'exception.message': 'card declined' }],
      }),
      span({
        Timestamp: nanos(NOW - 60_000 + 10),
        SpanId: '0000000000000003',
        ParentSpanId: '0000000000000002',
        ServiceName: 'checkout',
        SpanName: 'charge card',
        SpanKind: 'Internal',
        Duration: 80e6,
      }),
      // Trace B, two minutes ago: a fast, healthy checkout request in staging.
      span({
        Timestamp: nanos(NOW - 120_000),
        TraceId: TRACE_B,
        SpanId: '0000000000000004',
        ServiceName: 'checkout',
        SpanName: 'POST /pay',
        Duration: 15e6,
        SpanAttributes: { 'http.route': '/pay', 'http.response.status_code': '200' },
        ResourceAttributes: { 'deployment.environment.name': 'staging' },
      }),
      // Two hours ago: outside the default hour.
      span({ Timestamp: nanos(NOW - 7_200_000), TraceId: TRACE_OLD, SpanId: '0000000000000005' }),
    ];
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('finds traces of the last hour, newest first, with their extent, root and span count', async () => {
    const traces = await search('');
    expect(traces.map((trace) => trace.traceId)).toEqual([TRACE_A, TRACE_B]);
    expect(traces[0]).toMatchObject({
      traceId: TRACE_A,
      startTime: new Date(NOW - 60_000).toISOString(),
      durationMs: 120,
      spans: 3,
      errorSpans: 1,
      root: { service: 'frontend', operation: 'GET /' },
    });
    expect((await search('since=3h')).map((trace) => trace.traceId)).toContain(TRACE_OLD);
  });

  it('filters by service, operation, duration, status and attributes, naming the span that matched', async () => {
    const ids = async (query: string) => (await search(query)).map((trace) => trace.traceId);
    expect(await ids('service=checkout')).toEqual([TRACE_A, TRACE_B]);
    expect(await ids('service=checkout&operation=POST%20%2Fpay&minDurationMs=50')).toEqual([
      TRACE_A,
    ]);
    expect(await ids('service=checkout&maxDurationMs=20')).toEqual([TRACE_B]);
    expect(await ids('status=error')).toEqual([TRACE_A]);
    expect(await ids('status=ok&service=checkout&operation=POST%20%2Fpay')).toEqual([TRACE_B]);
    // Span and resource attributes; several filters must all match.
    expect(await ids('attribute=http.response.status_code=500')).toEqual([TRACE_A]);
    expect(await ids('attribute=deployment.environment.name=staging')).toEqual([TRACE_B]);
    expect(
      await ids('attribute=http.route=/pay&attribute=deployment.environment.name=staging'),
    ).toEqual([TRACE_B]);
    expect(await ids('service=nobody')).toEqual([]);
    const [failing] = await search('status=error');
    expect(failing!.match).toMatchObject({
      spanId: '0000000000000002',
      service: 'checkout',
      operation: 'POST /pay',
      statusCode: 'Error',
      error: true,
      durationMs: 100,
    });
    expect(await search('limit=1')).toHaveLength(1);
  });

  it('refuses unbounded or malformed searches with a message naming the parameter', async () => {
    const refused = async (query: string) => {
      const { status, body } = await get<{ error: string; message: string }>(`/v1/traces?${query}`);
      expect(status).toBe(400);
      return body.message;
    };
    expect(await refused('limit=5000')).toMatch(/limit/);
    expect(await refused('minDurationMs=fast')).toMatch(/minDurationMs/);
    expect(await refused('status=broken')).toMatch(/status/);
    expect(await refused('attribute=novalue')).toMatch(/attribute.*key=value/);
    expect(await refused(new Array(6).fill('attribute=a=b').join('&'))).toMatch(/attribute/);
    expect(await refused('since=30d')).toMatch(/7 days/);
    expect(await refused('minDurationMs=10&maxDurationMs=5')).toMatch(/maxDurationMs/);
    // Past 2^53 nanoseconds the bound is no longer an exact integer for ClickHouse.
    expect(await refused('minDurationMs=9007199255')).toMatch(/minDurationMs/);
    expect(await refused('maxDurationMs=1e300')).toMatch(/maxDurationMs/);
    expect(await refused('sevice=checkout')).toMatch(/sevice/);
    expect(await refused('cursor=yesterday')).toMatch(/cursor.*nextCursor/);
  });

  it('pages past the limit with nextCursor, each trace once, by its newest matching span', async () => {
    type Page = { traces: TraceSummary[]; nextCursor: string | null };
    // Trace A matches with three spans: its older ones must not bring it back on page 2.
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 5; pages++) {
      const query: string = cursor === null ? 'limit=1' : `limit=1&cursor=${cursor}`;
      const { status, body } = await get<Page>(`/v1/traces?${query}`);
      expect(status).toBe(200);
      seen.push(...body.traces.map((trace) => trace.traceId));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([TRACE_A, TRACE_B]);
    expect(cursor).toBeNull();
    // Filters hold on every page: only checkout's spans, of A and B, match.
    const first = (await get<Page>('/v1/traces?service=checkout&limit=1')).body;
    expect(first.traces.map((trace) => trace.traceId)).toEqual([TRACE_A]);
    const second = (
      await get<Page>(`/v1/traces?service=checkout&limit=1&cursor=${first.nextCursor}`)
    ).body;
    expect(second.traces.map((trace) => trace.traceId)).toEqual([TRACE_B]);
    // A page shorter than the limit is the last.
    expect((await get<Page>('/v1/traces?limit=50')).body.nextCursor).toBeNull();
  });

  it('returns every span of a trace in start order, with offsets, status, attributes and events', async () => {
    const { status, body } = await get<Trace>(`/v1/traces/${TRACE_A.toUpperCase()}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      traceId: TRACE_A,
      durationMs: 120,
      spanCount: 3,
      truncated: false,
      services: ['checkout', 'frontend'],
    });
    expect(body.spans.map((s) => [s.spanId, s.parentSpanId, s.startOffsetMs])).toEqual([
      ['0000000000000001', null, 0],
      ['0000000000000002', '0000000000000001', 5],
      ['0000000000000003', '0000000000000002', 10],
    ]);
    expect(body.spans[1]).toMatchObject({
      service: 'checkout',
      kind: 'Server',
      statusCode: 'Error',
      statusMessage: 'card declined',
      error: true,
      durationMs: 100,
      attributes: { 'http.route': '/pay', 'http.response.status_code': '500' },
      events: [
        { name: 'exception', offsetMs: 50, attributes: { 'exception.message': 'card declined' } },
      ],
    });
  });

  it('answers 404 for an unknown trace and 400 for a malformed id', async () => {
    expect((await get(`/v1/traces/${'d'.repeat(32)}`)).status).toBe(404);
    const malformed = await get<{ message: string }>('/v1/traces/not-a-trace');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/32 hexadecimal/);
  });

  it('is documented in the OpenAPI document, with the other routes the UI reads', async () => {
    const document = (await get<{ paths: Record<string, unknown> }>('/openapi.json')).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/traces',
        '/v1/traces/{traceId}',
        '/v1/services/sparklines',
        '/v1/services/{name}/series',
        '/v1/services/{name}/operations',
        '/v1/alerts/{id}/deliveries',
      ]),
    );
  });

  it('reads a trace by id, with its root, when its spans start and end within one second', async () => {
    // Inserted last: the searches above see only traces A and B.
    const TRACE_SHORT = 'dddddddddddddddddddddddddddddddd';
    const startMs = NOW - 30 * 60_000 + 51; // a fraction of a second past the second
    await storage.client.insert({
      table: 'otel_traces',
      values: [
        span({
          Timestamp: nanos(startMs),
          TraceId: TRACE_SHORT,
          SpanId: '00000000000000d1',
          Duration: 1e6,
        }),
      ],
      format: 'JSONEachRow',
    });
    const { status, body } = await get<Trace>(`/v1/traces/${TRACE_SHORT}`);
    expect(status).toBe(200);
    expect(body.spans.map((one) => one.spanId)).toEqual(['00000000000000d1']);
    const found = (await search('operation=GET%20%2F')).find(
      (trace) => trace.traceId === TRACE_SHORT,
    );
    expect(found?.root).toEqual({ service: 'frontend', operation: 'GET /' });
  });
});
