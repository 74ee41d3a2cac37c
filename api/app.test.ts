import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../alerts/live/index.ts';
import { MIN_TRAINING_STEPS } from '../detector/index.ts';
import { DETECTOR_STATE_TABLE, type SpanRow, type Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import { testApi } from '../test/support/api.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

function span(overrides: Partial<SpanRow>): Partial<SpanRow> {
  return {
    Timestamp: nanos(NOW - 60_000),
    TraceId: '0af7651916cd43dd8448eb211c80319c',
    SpanId: 'b7ad6b7169203331',
    ServiceName: 'checkout',
    SpanName: 'GET /cart',
    SpanKind: 'Server',
    StatusCode: 'Unset',
    Duration: 10_000_000,
    ...overrides,
  };
}

describe('API', () => {
  let storage: Storage;
  let ready = true;
  const app = () =>
    testApi(storage.client, {
      isReady: () => ready,
      now: () => NOW,
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const rows = [
      // checkout: 4 server spans of 10/20/30/40 ms, one with status ERROR and one 503.
      span({ Duration: 10e6 }),
      span({ Duration: 20e6, StatusCode: 'Error' }),
      span({ Duration: 30e6, SpanAttributes: { 'http.status_code': '503' } }),
      span({ Duration: 40e6, SpanAttributes: { 'http.response.status_code': '404' } }),
      // an internal child span: counted, but not in the entry latency.
      span({ Duration: 900e6, SpanKind: 'Internal', ParentSpanId: 'b7ad6b7169203331' }),
      // a client span that got a 404 is an error for the caller.
      span({
        ServiceName: 'frontend',
        SpanKind: 'Client',
        ParentSpanId: 'aa',
        SpanAttributes: { 'http.response.status_code': '404' },
      }),
      // outside the default 15 minute window.
      span({ ServiceName: 'old', Timestamp: nanos(NOW - 3_600_000) }),
    ];
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('answers /healthz 200 when ready and 503 before', async () => {
    expect(await (await app().request('/healthz')).json()).toEqual({ status: 'ok' });
    ready = false;
    const response = await app().request('/healthz');
    ready = true;
    expect(response.status).toBe(503);
  });

  it('summarises each service in the window with semantic-convention errors and entry-span latency', async () => {
    const response = await app().request('/v1/services');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      services: [
        {
          name: 'checkout',
          spans: 5,
          errorSpans: 2,
          requests: 4,
          errors: 2,
          errorRatio: 0.5,
          p50Ms: 25,
          p95Ms: 38.5,
          p99Ms: 39.7,
          status: 'learning',
          openAlerts: 0,
          environments: [],
          signals: ['traces'],
          metrics: 0,
          logRecords: 0,
          logErrors: 0,
        },
        {
          name: 'frontend',
          spans: 1,
          errorSpans: 1,
          // A client span is work the service did, not a request it served.
          requests: 0,
          errors: 0,
          errorRatio: null,
          p50Ms: 10,
          p95Ms: 10,
          p99Ms: 10,
          status: 'learning',
          openAlerts: 0,
          environments: [],
          signals: ['traces'],
          metrics: 0,
          logRecords: 0,
          logErrors: 0,
        },
      ],
    });
  });

  it('tells learning, ok and anomalous services apart, with their open alerts', async () => {
    const state = (service: string, steps: number) => ({
      Service: service,
      Signal: 'request_rate',
      Operation: '',
      UpdatedAt: NOW,
      LastStep: Math.floor(NOW / 1000),
      State: JSON.stringify({ steps, detector: { version: 1 } }),
    });
    await storage.client.insert({
      table: DETECTOR_STATE_TABLE,
      values: [
        state('checkout', MIN_TRAINING_STEPS + 10),
        state('frontend', MIN_TRAINING_STEPS + 10),
        state('old', MIN_TRAINING_STEPS - 1),
      ],
      format: 'JSONEachRow',
    });
    const alerts = createAlertStore(storage.client);
    await alerts.save(sampleAlert({ id: 'a1', status: 'open' }));
    await alerts.save(sampleAlert({ id: 'a2', status: 'acknowledged' }));
    await alerts.save(sampleAlert({ id: 'a3', status: 'resolved' }));
    const response = await app().request('/v1/services?since=2h');
    const body = (await response.json()) as {
      services: Array<{ name: string; status: string; openAlerts: number }>;
    };
    expect(
      body.services.map(({ name, status, openAlerts }) => ({ name, status, openAlerts })),
    ).toEqual([
      { name: 'checkout', status: 'anomalous', openAlerts: 2 },
      { name: 'frontend', status: 'ok', openAlerts: 0 },
      { name: 'old', status: 'learning', openAlerts: 0 },
    ]);
    await storage.client.command({ query: `TRUNCATE TABLE ${DETECTOR_STATE_TABLE}` });
    await storage.client.command({ query: 'TRUNCATE TABLE opsless_alerts' });
  });

  it('widens the window with since and reads from/to', async () => {
    const names = async (query: string) =>
      (
        (await (await app().request(`/v1/services?${query}`)).json()) as {
          services: Array<{ name: string }>;
        }
      ).services.map((service) => service.name);
    expect(await names('since=2h')).toEqual(['checkout', 'frontend', 'old']);
    expect(await names('from=2026-11-24T10:30:00Z&to=2026-11-24T11:30:00Z')).toEqual(['old']);
  });

  it('lists the environments of each service and narrows to one with environment=', async () => {
    await storage.client.insert({
      table: 'otel_traces',
      values: [
        span({
          ServiceName: 'search',
          ResourceAttributes: { 'deployment.environment.name': 'prod' },
        }),
        span({
          ServiceName: 'search',
          Duration: 90e6,
          ResourceAttributes: { 'deployment.environment': 'staging' },
        }),
      ],
      format: 'JSONEachRow',
    });
    const services = async (query: string) =>
      (
        (await (await app().request(`/v1/services?${query}`)).json()) as {
          services: Array<{ name: string; spans: number; environments: string[] }>;
        }
      ).services.filter((service) => service.name === 'search');
    expect(await services('')).toMatchObject([
      { name: 'search', spans: 2, environments: ['prod', 'staging'] },
    ]);
    expect(await services('environment=staging')).toMatchObject([
      { name: 'search', spans: 1, p99Ms: 90, environments: ['staging'] },
    ]);
    expect(await services('environment=dev')).toEqual([]);
    await storage.client.command({
      query: "ALTER TABLE otel_traces DELETE WHERE ServiceName = 'search'",
      clickhouse_settings: { mutations_sync: '1' },
    });
  });

  it('answers a bad parameter with 400 and a message naming it', async () => {
    const response = await app().request('/v1/services?since=soon');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'bad_request',
      message: 'since must be a duration such as 30s, 15m, 6h or 7d; got "soon"',
    });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await app().request('/v1/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'not_found',
      message: 'no route GET /v1/nothing',
    });
  });

  it('requires the API key on /v1 when one is set, but not on /healthz', async () => {
    const locked = testApi(storage.client, {
      apiKey: 's3cret',
      now: () => NOW,
    });
    expect((await locked.request('/v1/services')).status).toBe(401);
    expect(
      (await locked.request('/v1/services', { headers: { authorization: 'Bearer wrong!' } }))
        .status,
    ).toBe(401);
    expect(
      (await locked.request('/v1/services', { headers: { authorization: 'Bearer s3cret' } }))
        .status,
    ).toBe(200);
    expect((await locked.request('/healthz')).status).toBe(200);
  });

  it("requires the API key on /metrics when one is set: opsless's own metrics are not public", async () => {
    const registry = new Registry();
    new Counter({ name: 'opsless_test_total', help: 'a counter', registers: [registry] }).inc();
    const locked = testApi(storage.client, { apiKey: 's3cret', registry });
    for (const authorization of [undefined, 'Bearer wrong!', 'Basic czNjcmV0', 's3cret']) {
      const response = await locked.request('/metrics', {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.status, authorization).toBe(401);
      expect(await response.text()).not.toContain('opsless_test_total');
    }
    const allowed = await locked.request('/metrics', {
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('opsless_test_total 1');
    // Without a key (the default, on loopback) it is open, as /v1 is.
    const open = await testApi(storage.client, { registry }).request('/metrics');
    expect(open.status).toBe(200);
  });
});
