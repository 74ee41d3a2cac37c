import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Webhook as Verifier } from 'standardwebhooks';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import type { HookEvent } from './index.ts';
import {
  createDeliveryWorker,
  createWebhookStore,
  deliveriesOf,
  enqueue,
  parseAllowList,
} from './live/index.ts';

/** A receiver that answers from a script of behaviours, then 200; it records every request. */
async function receiver(script: Array<number | 'hang'>) {
  const requests: Array<{ headers: IncomingHttpHeaders; body: string; answered: number | 'hang' }> =
    [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const answer = script.shift() ?? 200;
      requests.push({ headers: request.headers, body, answered: answer });
      if (answer === 'hang') return; // the worker's timeout ends it
      if (answer === 429) response.setHeader('retry-after', '120');
      if (answer === 302) response.setHeader('location', 'http://10.0.0.1/internal');
      response.statusCode = answer;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  return { url, requests, close };
}

const event = (n: number, service = 'checkout'): HookEvent => ({
  type: 'anomaly.opened',
  timestamp: new Date(Date.now() + n).toISOString(),
  data: { id: `alert-${n}`, service, severity: 'warning' },
});

describe('webhook delivery', () => {
  let storage: Storage;
  let clock = Date.now();
  const allow = parseAllowList('127.0.0.1');
  const worker = () =>
    createDeliveryWorker({
      client: storage.client,
      store: createWebhookStore(storage.client),
      logger: pino({ level: 'silent' }),
      allow,
      now: () => clock,
      retryScheduleMs: [1_000, 1_000, 1_000, 1_000],
      jitter: 0,
      timeoutMs: 300,
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('delivers every event once, in order, after 500s, a timeout and a 429 with Retry-After', async () => {
    const target = await receiver([500, 500, 'hang', 429]);
    const store = createWebhookStore(storage.client);
    const { webhook, secret } = await store.create(
      { url: target.url, events: ['anomaly.opened'] },
      clock,
    );
    await enqueue(storage.client, await store.all(), event(1), clock);
    await enqueue(storage.client, await store.all(), event(2), clock);
    await enqueue(storage.client, await store.all(), event(3), clock);

    // Each pass tries the head of the endpoint once; the clock moves past each wait.
    for (const advanceMs of [0, 1_000, 1_000, 1_000]) {
      clock += advanceMs;
      const totals = await worker().runOnce();
      expect(totals).toMatchObject({ delivered: 0, retried: 1 });
    }
    // Retry-After (120 s) beats the 1 s schedule: nothing is due a second later.
    clock += 1_000;
    expect(await worker().runOnce()).toMatchObject({ delivered: 0, retried: 0 });
    clock += 120_000;
    expect(await worker().runOnce()).toMatchObject({ delivered: 3, retried: 0 });

    const delivered = target.requests.filter((request) => request.answered === 200);
    expect(delivered.map((request) => (JSON.parse(request.body) as HookEvent).data.id)).toEqual([
      'alert-1',
      'alert-2',
      'alert-3',
    ]);
    // The same webhook-id on every attempt of the first event, and signatures that verify.
    const firstIds = new Set(
      target.requests.slice(0, 5).map((request) => request.headers['webhook-id']),
    );
    expect(firstIds.size).toBe(1);
    for (const request of delivered) {
      expect(
        new Verifier(secret).verify(request.body, request.headers as Record<string, string>),
      ).toBeTruthy();
    }
    const log = await deliveriesOf(storage.client, webhook.id, 10);
    expect(log.map((delivery) => delivery.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(log[2]).toMatchObject({ attempts: 5, lastStatus: 200 });
    await target.close();
  });

  it('disables an endpoint that answers 410 and one whose retries run out, saying why', async () => {
    const gone = await receiver([410]);
    const failing = await receiver([500, 500, 500, 500, 500, 500]);
    const store = createWebhookStore(storage.client);
    const a = await store.create({ url: gone.url, events: ['anomaly.opened'] }, clock);
    const b = await store.create({ url: failing.url, events: ['anomaly.opened'] }, clock);
    await enqueue(storage.client, await store.all(), event(10, 'cart'), clock);
    for (let pass = 0; pass < 6; pass++) {
      await worker().runOnce();
      clock += 1_000;
    }
    expect(await store.get(a.webhook.id)).toMatchObject({
      enabled: false,
      disabledReason: 'the endpoint answered 410 Gone',
    });
    expect(await store.get(b.webhook.id)).toMatchObject({
      enabled: false,
      disabledReason: '5 attempts failed; the last: answered 500',
    });
    expect(failing.requests).toHaveLength(5);
    // A disabled endpoint gets nothing more.
    await enqueue(storage.client, await store.all(), event(11, 'cart'), clock);
    await worker().runOnce();
    expect(gone.requests).toHaveLength(1);
    await gone.close();
    await failing.close();
  });

  it('never follows a redirect: a 302 to a private address is a failed attempt', async () => {
    const redirecting = await receiver([302]);
    const store = createWebhookStore(storage.client);
    const { webhook } = await store.create(
      { url: redirecting.url, events: ['anomaly.opened'] },
      clock,
    );
    await enqueue(storage.client, [(await store.get(webhook.id))!], event(20), clock);
    expect(await worker().runOnce()).toMatchObject({ delivered: 0, retried: 1 });
    const [delivery] = await deliveriesOf(storage.client, webhook.id, 1);
    expect(delivery).toMatchObject({
      status: 'pending',
      lastStatus: 302,
      lastError: 'answered 302: redirects are not followed',
    });
    expect(redirecting.requests).toHaveLength(1);
    await redirecting.close();
  });

  it('sends PagerDuty Events v2 with one dedup_key per alert, and does not retry a refused event', async () => {
    const pagerduty = await receiver([202, 202, 202, 400]);
    const store = createWebhookStore(storage.client);
    const routingKey = 'R0UT1NGKEY0123456789abcdefabcdef';
    const { webhook, secret } = await store.create(
      {
        kind: 'pagerduty',
        url: pagerduty.url,
        routingKey,
        events: ['anomaly.opened', 'anomaly.acknowledged', 'anomaly.resolved'],
      },
      clock,
    );
    const alert = sampleAlert({ id: 'alrt_pd' });
    const lifecycle = ['anomaly.opened', 'anomaly.acknowledged', 'anomaly.resolved'] as const;
    for (const [n, type] of lifecycle.entries()) {
      await enqueue(
        storage.client,
        [(await store.get(webhook.id))!],
        { type, timestamp: new Date(clock + n).toISOString(), data: alert },
        clock,
      );
    }
    await enqueue(
      storage.client,
      [(await store.get(webhook.id))!],
      {
        type: 'anomaly.opened',
        timestamp: new Date(clock + 9).toISOString(),
        data: sampleAlert({ id: 'alrt_pd_2' }),
      },
      clock,
    );
    expect(await worker().runOnce()).toMatchObject({ delivered: 3, failed: 1, retried: 0 });

    const bodies = pagerduty.requests.map((request) => JSON.parse(request.body) as unknown);
    expect(bodies[0]).toEqual({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: 'alrt_pd',
      payload: {
        summary: 'checkout latency_p99 is 812 ms, expected 120 ms',
        source: 'checkout',
        severity: 'warning',
        timestamp: alert.openedAt,
        component: 'GET /cart/:id',
        group: 'checkout',
        class: 'latency_p99',
        custom_details: {
          signals: ['latency_p99'],
          observed: 812,
          expected: 120,
          score: 0.93,
          explanation: 'http.route=/cart/:id: 92% of slow spans (baseline 10%)',
        },
      },
      client: 'opsless',
      client_url: 'http://127.0.0.1:8080/alerts/alrt_pd',
      links: [{ href: 'http://127.0.0.1:8080/alerts/alrt_pd', text: 'Alert in opsless' }],
    });
    expect(bodies.slice(1, 3)).toEqual([
      { routing_key: routingKey, event_action: 'acknowledge', dedup_key: 'alrt_pd' },
      { routing_key: routingKey, event_action: 'resolve', dedup_key: 'alrt_pd' },
    ]);
    for (const request of pagerduty.requests) {
      expect(
        new Verifier(secret).verify(request.body, request.headers as Record<string, string>),
      ).toBeTruthy();
    }
    // The 400 is final for that event (PagerDuty would refuse it again); the endpoint stays.
    const [refused] = await deliveriesOf(storage.client, webhook.id, 1);
    expect(refused).toMatchObject({
      status: 'failed',
      lastStatus: 400,
      lastError: 'refused, not retried: answered 400',
    });
    expect(await store.get(webhook.id)).toMatchObject({ enabled: true });
    // The routing key is never written to the outbox.
    const log = await deliveriesOf(storage.client, webhook.id, 10);
    expect(JSON.stringify(log)).not.toContain(routingKey);
    await pagerduty.close();
  });

  it('sends Alertmanager webhook payloads (version 4) to an alertmanager-kind subscription', async () => {
    const target = await receiver([]);
    const store = createWebhookStore(storage.client);
    const { webhook } = await store.create(
      {
        kind: 'alertmanager',
        url: target.url,
        events: ['anomaly.opened', 'anomaly.resolved'],
      },
      clock,
    );
    const opened = sampleAlert({ id: 'alrt_am' });
    const resolvedAt = '2026-11-24T12:10:00.000Z';
    for (const [n, [type, data]] of (
      [
        ['anomaly.opened', opened],
        ['anomaly.resolved', { ...opened, status: 'resolved', resolvedAt }],
      ] as const
    ).entries()) {
      await enqueue(
        storage.client,
        [(await store.get(webhook.id))!],
        { type, timestamp: new Date(clock + n).toISOString(), data },
        clock,
      );
    }
    expect(await worker().runOnce()).toMatchObject({ delivered: 2 });
    const [firing, resolved] = target.requests.map(
      (request) =>
        JSON.parse(request.body) as {
          version: string;
          status: string;
          alerts: Array<{ status: string; labels: Record<string, string>; endsAt: string }>;
        },
    );
    expect(firing).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'opsless',
      alerts: [{ status: 'firing', endsAt: '0001-01-01T00:00:00Z' }],
    });
    expect(firing!.alerts[0]!.labels).toMatchObject({ service: 'checkout', alert_id: 'alrt_am' });
    expect(resolved).toMatchObject({
      status: 'resolved',
      alerts: [{ status: 'resolved', endsAt: resolvedAt }],
    });
    await target.close();
  });

  it('keeps delivering to other endpoints while one hangs (no head-of-line blocking)', async () => {
    const hanging = await receiver(['hang']);
    const healthy = await receiver([]);
    const store = createWebhookStore(storage.client);
    const slow = await store.create({ url: hanging.url, events: ['anomaly.opened'] }, Date.now());
    const fine = await store.create({ url: healthy.url, events: ['anomaly.opened'] }, Date.now());
    const running = createDeliveryWorker({
      client: storage.client,
      store,
      logger: pino({ level: 'silent' }),
      allow,
      timeoutMs: 60_000,
      pollMs: 50,
    });
    running.start();
    try {
      await enqueue(storage.client, [(await store.get(slow.webhook.id))!], event(30), Date.now());
      while (hanging.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      // The hanging attempt is open; an event for another endpoint arrives now.
      await enqueue(storage.client, [(await store.get(fine.webhook.id))!], event(31), Date.now());
      while (healthy.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect((JSON.parse(healthy.requests[0]!.body) as HookEvent).data.id).toBe('alert-31');
      const [stillWaiting] = await deliveriesOf(storage.client, slow.webhook.id, 1);
      expect(stillWaiting).toMatchObject({ status: 'pending', attempts: 0 });
    } finally {
      await hanging.close();
      await store.disable(slow.webhook.id, 'test over', Date.now());
      await running.close();
      await healthy.close();
    }
  }, 30_000);
});
