import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Alert } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');

const alert = sampleAlert;

describe('alerts API', () => {
  let storage: Storage;
  let now = NOW;
  const app = () =>
    testApi(storage.client, {
      now: () => now,
    });
  const post = (path: string, body?: unknown) =>
    app().request(path, {
      method: 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const store = createAlertStore(storage.client);
    await store.save(alert({}));
    await store.save(
      alert({
        id: 'a2',
        service: 'payments',
        signal: 'error_ratio',
        openedAt: '2026-11-24T11:55:00.000Z',
        updatedAt: '2026-11-24T11:55:00.000Z',
      }),
    );
    await store.save(
      alert({
        id: 'old',
        openedAt: '2026-11-01T00:00:00.000Z',
        updatedAt: '2026-11-01T00:00:00.000Z',
      }),
    );
  });
  afterAll(async () => {
    await storage.close();
  });

  it('lists alerts newest first, filtered by status, service and window', async () => {
    const ids = async (query: string) =>
      (
        (await (await app().request(`/v1/alerts${query}`)).json()) as { alerts: Alert[] }
      ).alerts.map((a) => a.id);
    expect(await ids('')).toEqual(['a2', 'a1']);
    expect(await ids('?service=checkout')).toEqual(['a1']);
    expect(await ids('?since=30d')).toEqual(['a2', 'a1', 'old']);
    expect(await ids('?status=resolved')).toEqual([]);
  });

  it('returns one alert with its explanation, and 404 for an unknown id', async () => {
    const response = await app().request('/v1/alerts/a1');
    expect(await response.json()).toMatchObject({
      id: 'a1',
      explanation: { contributors: [{ dimension: 'http.route', value: '/cart/:id' }] },
      openedAt: '2026-11-24T11:50:00.000Z',
    });
    expect((await app().request('/v1/alerts/nope')).status).toBe(404);
  });

  it('acknowledges then resolves, recording who and when, and refuses to reopen', async () => {
    now = NOW + 60_000;
    const acked = (await (await post('/v1/alerts/a1/ack', { by: 'ada' })).json()) as Alert;
    expect(acked).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'ada',
      acknowledgedAt: '2026-11-24T12:01:00.000Z',
    });
    now = NOW + 120_000;
    const resolved = (await (await post('/v1/alerts/a1/resolve')).json()) as Alert;
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedBy: 'api',
      resolvedAt: '2026-11-24T12:02:00.000Z',
      acknowledgedBy: 'ada',
    });
    const again = await post('/v1/alerts/a1/ack');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe(
      'alert a1 is resolved; it cannot be acknowledged',
    );
    expect(
      (
        (await (await app().request('/v1/alerts?status=resolved')).json()) as { alerts: Alert[] }
      ).alerts.map((a) => a.id),
    ).toEqual(['a1']);
  });

  it('names the invalid parameter or body field', async () => {
    const badStatus = await app().request('/v1/alerts?status=closed');
    expect(badStatus.status).toBe(400);
    expect(((await badStatus.json()) as { message: string }).message).toMatch(
      /^invalid query: status: /,
    );
    const badBody = await post('/v1/alerts/a2/ack', { by: 42 });
    expect(badBody.status).toBe(400);
    expect(((await badBody.json()) as { message: string }).message).toMatch(/^invalid body: by: /);
  });

  it('serves an OpenAPI 3.1 document that a validator accepts', async () => {
    const document = (await (await app().request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/services', '/v1/alerts', '/v1/alerts/{id}/ack']),
    );
  });
});
