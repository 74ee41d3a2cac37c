import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRow, Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';
import { logConditions } from './log-filters.ts';
import type { LogHistogram, LogPage } from './log-schema.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const nanos = (ms: number, extra = 0) => `${BigInt(ms) * 1_000_000n + BigInt(extra)}`;
const TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SPAN = '00000000000000a1';

function record(overrides: Partial<LogRow>): Partial<LogRow> {
  return {
    Timestamp: nanos(NOW - 60_000),
    ServiceName: 'checkout',
    SeverityText: 'INFO',
    SeverityNumber: 9,
    Body: 'request done',
    ResourceAttributes: { 'service.name': 'checkout', 'k8s.pod.name': 'checkout-1' },
    ...overrides,
  };
}

describe('logs API', () => {
  let storage: Storage;
  const get = async <T>(path: string, now = NOW): Promise<{ status: number; body: T }> => {
    const response = await testApi(storage.client, { now: () => now }).request(path);
    return { status: response.status, body: (await response.json()) as T };
  };
  const bodies = async (query: string) =>
    (await get<LogPage>(`/v1/logs?${query}`)).body.logs.map((log) => log.body);

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const rows = [
      record({
        Timestamp: nanos(NOW - 10_000),
        SeverityText: 'ERROR',
        SeverityNumber: 17,
        Body: 'payment failed: Timeout after 30s for user-42',
        TraceId: TRACE,
        SpanId: SPAN,
        LogAttributes: { 'http.route': '/pay', 'user.id': '42' },
      }),
      record({ Timestamp: nanos(NOW - 20_000), Body: 'TIMEOUT talking to the bank' }),
      record({
        Timestamp: nanos(NOW - 30_000),
        ServiceName: 'frontend',
        SeverityText: 'critical',
        SeverityNumber: 0,
        Body: 'frontend out of memory',
        ResourceAttributes: { 'k8s.pod.name': 'frontend-7' },
      }),
      record({
        Timestamp: nanos(NOW - 40_000),
        SeverityText: 'WARN',
        SeverityNumber: 13,
        Body: 'timeouts rising',
      }),
      record({
        Timestamp: nanos(NOW - 50_000),
        SeverityText: '',
        SeverityNumber: 21,
        Body: 'disk gone',
      }),
      record({
        Timestamp: nanos(NOW - 60_000),
        SeverityText: 'debug',
        SeverityNumber: 0,
        Body: 'cache miss',
      }),
      // Two hours ago: outside the default hour.
      record({ Timestamp: nanos(NOW - 7_200_000), Body: 'old news' }),
    ];
    await storage.client.insert({ table: 'otel_logs', values: rows, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('lists the last hour newest first with severity, trace context, attributes and resource', async () => {
    const { status, body } = await get<LogPage>('/v1/logs');
    expect(status).toBe(200);
    expect(body.logs.map((log) => log.body)).toEqual([
      'payment failed: Timeout after 30s for user-42',
      'TIMEOUT talking to the bank',
      'frontend out of memory',
      'timeouts rising',
      'disk gone',
      'cache miss',
    ]);
    expect(body.nextCursor).toBeNull();
    expect(body.logs[0]).toEqual({
      time: new Date(NOW - 10_000).toISOString(),
      service: 'checkout',
      severity: 'ERROR',
      severityNumber: 17,
      body: 'payment failed: Timeout after 30s for user-42',
      traceId: TRACE,
      spanId: SPAN,
      attributes: { 'http.route': '/pay', 'user.id': '42' },
      resource: { 'service.name': 'checkout', 'k8s.pod.name': 'checkout-1' },
    });
    // A number without text is named by its level; text without a number gives the level.
    expect(body.logs[4]).toMatchObject({ severity: 'FATAL', severityNumber: 21 });
    expect(body.logs[2]).toMatchObject({ severity: 'critical', severityNumber: 21 });
    expect(body.logs[5]).toMatchObject({ severity: 'debug', severityNumber: 5 });
    expect(await bodies('since=3h')).toContain('old news');
  });

  it('keeps a severity and above, by number or, without one, by text', async () => {
    expect(await bodies('severity=ERROR')).toEqual([
      'payment failed: Timeout after 30s for user-42',
      'frontend out of memory',
      'disk gone',
    ]);
    expect(await bodies('severity=warn')).toHaveLength(4);
    expect(await bodies('severity=FATAL')).toEqual(['frontend out of memory', 'disk gone']);
    expect(await bodies('severity=TRACE')).toHaveLength(6);
  });

  it('filters by service, trace, span and log or resource attributes', async () => {
    expect(await bodies('service=frontend')).toEqual(['frontend out of memory']);
    expect(await bodies(`traceId=${TRACE.toUpperCase()}`)).toEqual([
      'payment failed: Timeout after 30s for user-42',
    ]);
    expect(await bodies(`spanId=${SPAN}&service=checkout`)).toHaveLength(1);
    expect(await bodies('attr.http.route=/pay')).toHaveLength(1);
    expect(await bodies('attr.k8s.pod.name=frontend-7')).toEqual(['frontend out of memory']);
    expect(await bodies('attr.k8s.pod.name=checkout-1&attr.user.id=42')).toHaveLength(1);
    expect(await bodies('attr.k8s.pod.name=nowhere')).toEqual([]);
  });

  it('searches the body for whole words in the usual spellings, and phrases as written', async () => {
    expect(await bodies('q=timeout')).toEqual([
      'payment failed: Timeout after 30s for user-42',
      'TIMEOUT talking to the bank',
    ]);
    expect(await bodies('q=time')).toEqual([]);
    expect(await bodies('q=timeout%20bank')).toEqual(['TIMEOUT talking to the bank']);
    expect(await bodies('q=USER-42')).toEqual(['payment failed: Timeout after 30s for user-42']);
    expect(await bodies('q=failed:')).toHaveLength(1);
    expect(await bodies('q=timeouts&severity=WARN')).toEqual(['timeouts rising']);
  });

  it('answers a word of q from the body token index', async () => {
    const { where, params } = logConditions({
      q: 'timeout',
      attributes: [],
      range: { fromMs: NOW - 3_600_000, toMs: NOW },
    });
    const plan = await (
      await storage.client.query({
        query: `EXPLAIN indexes = 1 SELECT count() FROM otel_logs WHERE ${where.join(' AND ')}`,
        query_params: params,
        format: 'TabSeparated',
      })
    ).text();
    expect(plan).toContain('idx_body');
  });

  it('refuses bad filters with a message naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['severity=LOUD', 'severity'],
      ['traceId=xyz', 'traceId: must be 32 hexadecimal digits'],
      ['cursor=bm9wZQ', 'cursor is not one this API returned'],
      ['since=8d', 'a log search may cover 7 days at most'],
      ['limit=5000', 'limit'],
      ['colour=red', 'colour'],
      ['attr.a=1&attr.b=2&attr.c=3&attr.d=4&attr.e=5&attr.f=6', 'at most 5 attr.<key> filters'],
      [`q=${'a%20'.repeat(11)}`, 'q may hold 10 words at most'],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await get<{ error: string; message: string }>(`/v1/logs?${query}`);
      expect(status, query).toBe(400);
      expect(body.message, query).toContain(message);
    }
  });

  it('counts records per step and level, every step present, the open step marked partial', async () => {
    const now = NOW - 5_000;
    const { status, body } = await get<LogHistogram>(
      '/v1/logs/histogram?since=2m&step=30s&service=checkout',
      now,
    );
    expect(status).toBe(200);
    expect(body.stepSeconds).toBe(30);
    const openStep = Math.floor(now / 30_000) * 30_000;
    expect(body.partialFrom).toBe(openStep);
    expect(body.points.map((point) => point.t)).toEqual(
      [4, 3, 2, 1, 0].map((back) => openStep - back * 30_000),
    );
    expect(body.points.map((point) => point.partial ?? false)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    const total = body.points.reduce((sum, point) => sum + point.total, 0);
    expect(total).toBe(5);
    const bySeverity: Record<string, number> = {};
    for (const point of body.points)
      for (const [level, n] of Object.entries(point.bySeverity))
        bySeverity[level] = (bySeverity[level] ?? 0) + n;
    expect(bySeverity).toEqual({ ERROR: 1, INFO: 1, WARN: 1, FATAL: 1, DEBUG: 1 });
    const errors = await get<LogHistogram>('/v1/logs/histogram?since=2m&severity=ERROR', now);
    expect(errors.body.points.reduce((sum, point) => sum + point.total, 0)).toBe(3);
  });
});

describe('logs API document', () => {
  it('is described in a valid OpenAPI document', async () => {
    const storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    try {
      const response = await testApi(storage.client).request('/openapi.json');
      const document = (await response.json()) as { paths: Record<string, unknown> };
      await expect(
        SwaggerParser.validate(structuredClone(document) as never),
      ).resolves.toBeTruthy();
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          '/v1/logs',
          '/v1/logs/histogram',
          '/v1/metrics',
          '/v1/metrics/{name}/series',
        ]),
      );
    } finally {
      await storage.close();
    }
  });
});

describe('logs API paging', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    // 25 records over 8 distinct times, with exact duplicates: pages must still cover each once.
    const rows = Array.from({ length: 25 }, (_, i) =>
      record({
        Timestamp: nanos(NOW - 1_000 * Math.floor(i / 3), 7),
        Body: i % 3 === 2 ? 'duplicate' : `record ${i}`,
      }),
    );
    await storage.client.insert({ table: 'otel_logs', values: rows, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('pages through every record once, newest first, with a stable cursor', async () => {
    const app = testApi(storage.client, { now: () => NOW + 1 });
    const all = (await (await app.request('/v1/logs?limit=100')).json()) as LogPage;
    expect(all.logs).toHaveLength(25);
    const seen: LogPage['logs'] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const suffix: string = cursor === '' ? '' : `&cursor=${cursor}`;
      const page = (await (await app.request(`/v1/logs?limit=4${suffix}`)).json()) as LogPage;
      seen.push(...page.logs);
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBe(7);
    expect(seen).toEqual(all.logs);
    const times = seen.map((log) => Date.parse(log.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // The same cursor gives the same page.
    const first = (await (await app.request('/v1/logs?limit=5')).json()) as LogPage;
    const again = async () =>
      (await (await app.request(`/v1/logs?limit=5&cursor=${first.nextCursor}`)).json()) as LogPage;
    expect(await again()).toEqual(await again());
  });
});
