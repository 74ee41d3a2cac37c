import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook as Verifier } from 'standardwebhooks';
import { webhookHeaders } from '../hooks/index.ts';
import { createWebhookStore, parseAllowList, signingSecrets } from '../hooks/live/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

describe('webhook subscriptions API', () => {
  let storage: Storage;
  const now = Date.parse('2026-11-25T12:00:00Z');
  const app = () =>
    testApi(storage.client, {
      now: () => now,
      webhookAllow: parseAllowList('127.0.0.1'),
    });
  const send = (method: string, path: string, body?: unknown) =>
    app().request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('creates a subscription, shows its secret once, and lists it without secrets', async () => {
    const created = await send('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9999/hook',
      events: ['anomaly.opened', 'anomaly.resolved'],
      services: ['checkout'],
      description: 'on-call bot',
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; secret: string; minSeverity: string };
    expect(body.secret).toMatch(/^whsec_/);
    expect(body).toMatchObject({ minSeverity: 'warning', enabled: true, services: ['checkout'] });
    const listed = (await (await send('GET', '/v1/webhooks')).json()) as {
      webhooks: Array<Record<string, unknown>>;
    };
    expect(listed.webhooks.map((webhook) => webhook.id)).toContain(body.id);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    const one = await send('GET', `/v1/webhooks/${body.id}`);
    expect(await one.json()).toMatchObject({ id: body.id, description: 'on-call bot' });
    expect(
      JSON.stringify(await (await send('GET', `/v1/webhooks/${body.id}`)).json()),
    ).not.toContain('whsec_');
  });

  it('refuses internal targets, unknown events and bad URLs with the reason', async () => {
    const refused = async (body: unknown, message: RegExp) => {
      const response = await send('POST', '/v1/webhooks', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    };
    await refused(
      { url: 'http://169.254.169.254/latest', events: ['anomaly.opened'] },
      /url: refused: 169\.254\.169\.254 is not a public address/,
    );
    await refused({ url: 'http://10.0.0.1/', events: ['anomaly.opened'] }, /url: refused/);
    await refused({ url: 'ftp://example.com/', events: ['anomaly.opened'] }, /url/);
    await refused({ url: 'http://127.0.0.1/', events: ['anomaly.exploded'] }, /events/);
    await refused({ url: 'http://127.0.0.1/', events: [] }, /events/);
    const notJson = await app().request('/v1/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'url=x',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ message: 'the body must be JSON' });
    // The alert routes read their optional body the same way.
    const ack = await app().request('/v1/alerts/a1/ack', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{by',
    });
    expect(await ack.json()).toMatchObject({
      message: 'the body must be JSON, e.g. {"by":"ada"}, or empty',
    });
  });

  it('takes PagerDuty and Alertmanager subscriptions, and never shows a routing key', async () => {
    const refused = async (method: string, path: string, body: unknown, message: RegExp) => {
      const response = await send(method, path, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    };
    await refused(
      'POST',
      '/v1/webhooks',
      { kind: 'pagerduty', events: ['anomaly.opened'] },
      /routingKey: is required for kind pagerduty/,
    );
    await refused('POST', '/v1/webhooks', { events: ['anomaly.opened'] }, /url: is required/);
    await refused(
      'POST',
      '/v1/webhooks',
      { url: 'http://127.0.0.1:9999/am', routingKey: 'R1', events: ['anomaly.opened'] },
      /routingKey: only a subscription of kind pagerduty/,
    );
    await refused(
      'POST',
      '/v1/webhooks',
      { kind: 'slack', url: 'http://127.0.0.1:9999/', events: ['anomaly.opened'] },
      /kind/,
    );

    await refused(
      'POST',
      '/v1/webhooks',
      { kind: 'pagerduty', routingKey: 'R1', events: ['anomaly.opened', 'scaling.recommended'] },
      /events: a subscription of kind pagerduty takes anomaly\.\* events only, not scaling\.recommended/,
    );
    const routingKey = 'R0UT1NGKEY0123456789abcdefabcdef';
    const created = await send('POST', '/v1/webhooks', {
      kind: 'pagerduty',
      routingKey,
      events: ['anomaly.opened', 'anomaly.resolved'],
    });
    expect(created.status).toBe(201);
    const pagerduty = (await created.json()) as { id: string };
    expect(pagerduty).toMatchObject({
      kind: 'pagerduty',
      url: 'https://events.pagerduty.com/v2/enqueue',
    });
    expect(JSON.stringify(pagerduty)).not.toContain(routingKey);
    expect(JSON.stringify(await (await send('GET', '/v1/webhooks')).json())).not.toContain(
      routingKey,
    );
    const patched = await send('PATCH', `/v1/webhooks/${pagerduty.id}`, { routingKey: 'NEWKEY' });
    expect(patched.status).toBe(200);
    expect(JSON.stringify(await patched.json())).not.toContain('NEWKEY');
    expect((await createWebhookStore(storage.client).get(pagerduty.id))!.routingKey).toBe('NEWKEY');

    const alertmanager = (await (
      await send('POST', '/v1/webhooks', {
        kind: 'alertmanager',
        url: 'http://127.0.0.1:9999/am',
        events: ['anomaly.opened'],
      })
    ).json()) as { id: string; kind: string };
    expect(alertmanager.kind).toBe('alertmanager');
    await refused(
      'PATCH',
      `/v1/webhooks/${alertmanager.id}`,
      { routingKey: 'X' },
      /routingKey: only a subscription of kind pagerduty/,
    );
    await refused('PATCH', `/v1/webhooks/${alertmanager.id}`, { kind: 'webhook' }, /kind/);
  });

  it('changes, rotates (both secrets sign during the overlap) and deletes', async () => {
    const { id, secret: first } = (await (
      await send('POST', '/v1/webhooks', {
        url: 'http://127.0.0.1:9999/a',
        events: ['anomaly.opened'],
      })
    ).json()) as { id: string; secret: string };
    const patched = await send('PATCH', `/v1/webhooks/${id}`, {
      minSeverity: 'critical',
      enabled: false,
    });
    expect(await patched.json()).toMatchObject({
      minSeverity: 'critical',
      enabled: false,
      disabledReason: 'disabled by a user',
      url: 'http://127.0.0.1:9999/a',
    });

    const rotated = (await (await send('POST', `/v1/webhooks/${id}/rotate-secret`)).json()) as {
      secret: string;
    };
    expect(rotated.secret).not.toBe(first);
    const stored = (await createWebhookStore(storage.client).get(id))!;
    const body = '{"type":"webhook.test"}';
    const headers = webhookHeaders(
      { id: 'msg_1', timestampSeconds: Math.floor(Date.now() / 1000), body },
      signingSecrets(stored, now),
    );
    expect(new Verifier(first).verify(body, headers)).toBeTruthy();
    expect(new Verifier(rotated.secret).verify(body, headers)).toBeTruthy();
    // After the overlap only the new secret signs.
    expect(signingSecrets(stored, now + 86_400_001)).toEqual([rotated.secret]);

    // A disabled endpoint takes no test event; enabled again, it does, and lists it.
    expect((await send('POST', `/v1/webhooks/${id}/test`)).status).toBe(400);
    await send('PATCH', `/v1/webhooks/${id}`, { enabled: true });
    const test = await send('POST', `/v1/webhooks/${id}/test`);
    expect(test.status).toBe(202);
    const queued = (await test.json()) as { id: string };
    const deliveries = (await (await send('GET', `/v1/webhooks/${id}/deliveries`)).json()) as {
      deliveries: Array<Record<string, unknown>>;
    };
    expect(deliveries.deliveries).toEqual([
      expect.objectContaining({
        id: queued.id,
        type: 'webhook.test',
        status: 'pending',
        attempts: 0,
      }),
    ]);

    expect((await send('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await send('GET', `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await send('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await send('POST', `/v1/webhooks/${id}/rotate-secret`)).status).toBe(404);
  });
});
