import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import { createWebhookStore, enqueue, parseAllowList } from '../hooks/live/index.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

const NOW = Date.parse('2026-11-25T12:00:00Z');

const alert = (id: string): Alert => sampleAlert({ id });

describe('GET /v1/alerts/:id/deliveries', () => {
  let storage: Storage;
  const app = () =>
    testApi(storage.client, {
      now: () => NOW,
      webhookAllow: parseAllowList('127.0.0.1'),
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const alerts = createAlertStore(storage.client);
    await alerts.save(alert('a1'));
    await alerts.save(alert('a2'));
    for (const url of ['http://127.0.0.1:9/one', 'http://127.0.0.1:9/two']) {
      const created = await app().request('/v1/webhooks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url, events: ['anomaly.opened', 'anomaly.resolved'] }),
      });
      expect(created.status).toBe(201);
    }
    const webhooks = await createWebhookStore(storage.client).all();
    const event = (type: 'anomaly.opened' | 'anomaly.resolved', id: string, atMs: number) =>
      enqueue(
        storage.client,
        webhooks,
        { type, timestamp: new Date(atMs).toISOString(), data: alert(id) },
        atMs,
      );
    await event('anomaly.opened', 'a1', NOW - 100_000);
    await event('anomaly.opened', 'a2', NOW - 90_000);
    await event('anomaly.resolved', 'a1', NOW - 10_000);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('lists the deliveries of one alert’s events to every subscription, oldest first', async () => {
    const response = await app().request('/v1/alerts/a1/deliveries');
    expect(response.status).toBe(200);
    const { deliveries } = (await response.json()) as {
      deliveries: Array<{ type: string; status: string; webhookId: string; attempts: number }>;
    };
    expect(deliveries.map((delivery) => delivery.type)).toEqual([
      'anomaly.opened',
      'anomaly.opened',
      'anomaly.resolved',
      'anomaly.resolved',
    ]);
    expect(new Set(deliveries.map((delivery) => delivery.webhookId)).size).toBe(2);
    expect(deliveries[0]).toMatchObject({ status: 'pending', attempts: 0, lastStatus: null });
  });

  it('answers 404 for an unknown alert', async () => {
    expect((await app().request('/v1/alerts/nope/deliveries')).status).toBe(404);
  });
});
