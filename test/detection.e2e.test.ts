import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Alert } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import { createLiveDetection, type LiveDetection } from './support/live-detection.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';
import { createTraffic, MINUTE, type Traffic } from './support/traffic.ts';

/** The live part starts here; two days of history come before it. */
const LIVE_START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_MINUTES = 2 * 24 * 60;

describe('live detection, end to end through the OpenTelemetry SDK', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-detection-'));
  let opsless: TestOpsless;
  let traffic: Traffic;
  let detection: LiveDetection;
  let hook: Server;
  let secret = '';
  const received: Array<{ headers: Record<string, string>; body: string }> = [];

  const start = async () => {
    // The test drives the detector's cycles itself on a virtual clock, so the process runs
    // the collector and API only (the detector role would evaluate on the wall clock).
    opsless = await startTestOpsless(
      { OPSLESS_DATA_DIR: dataDir, OPSLESS_WEBHOOK_ALLOW: '127.0.0.1' },
      { collector: true, api: true, detector: null },
    );
  };
  const alerts = () => createAlertStore(opsless.clickhouse);
  /** Sends the next minutes, evaluating each once it has settled; alerts opened per minute. */
  const live = (minutes: number, incidents?: Parameters<LiveDetection['live']>[1]) =>
    detection.live(minutes, incidents);
  const all = async (): Promise<Alert[]> => alerts().list({ status: 'all' });

  beforeAll(async () => {
    await start();
    // A subscriber, through the API, that records what it is sent.
    hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers as Record<string, string>, body });
        response.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const subscription = await fetch(`${opsless.apiUrl}/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/opsless`,
        events: ['anomaly.opened', 'anomaly.resolved'],
      }),
    });
    expect(subscription.status).toBe(201);
    secret = ((await subscription.json()) as { secret: string }).secret;
    traffic = createTraffic({ otlpUrl: opsless.otlpUrl, startMs: LIVE_START });
    detection = createLiveDetection({
      traffic,
      client: () => opsless.clickhouse,
      startMs: LIVE_START,
    });
    // Two days of history, backfilled with past span times.
    await traffic.send(-HISTORY_MINUTES, 0);
  }, 240_000);
  afterAll(async () => {
    await new Promise((resolve) => hook.close(resolve));
    await opsless.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('learns every series from the backfilled history and alerts on none of it', async () => {
    expect(await live(1)).toEqual([0]);
    // 3 services x (the service and its 2 operations) x 5 signals x two days of minutes,
    // learned at once.
    expect(detection.reports[0]!.services).toBe(3);
    expect(detection.reports[0]!.steps).toBeGreaterThan(3 * 3 * 5 * HISTORY_MINUTES * 0.99);
    expect(await live(9)).toEqual(new Array(9).fill(0));
    expect(await all()).toEqual([]);
  });

  it('opens one alert for a latency regression on a route, naming the route, and keeps it across a restart', async () => {
    const slow = { checkout: { slowRoute: '/pay' } };
    const opened = await live(2, slow);
    expect(opened.reduce((sum, count) => sum + count, 0)).toBe(1);
    const [alert] = await all();
    expect(alert).toMatchObject({ service: 'checkout', status: 'open' });
    expect(alert!.signal).toMatch(/^latency_p(50|95|99)$/);
    expect(JSON.stringify(alert!.explanation)).toContain('/pay');
    // The route has a series of its own, with the detector's band and scores.
    const from = new Date(LIVE_START).toISOString();
    const to = new Date(LIVE_START + detection.minute * MINUTE).toISOString();
    const response = await fetch(
      `${opsless.apiUrl}/v1/services/checkout/series?signal=latency_p99&operation=${encodeURIComponent('POST /pay')}&from=${from}&to=${to}&step=1m`,
    );
    const body = (await response.json()) as {
      points: Array<{ observed: number; upper: number | null; score: number | null }>;
    };
    expect(body.points).toHaveLength(detection.minute);
    const last = body.points[body.points.length - 1]!;
    expect(last.observed).toBeGreaterThan(last.upper!);
    expect(body.points.slice(0, -2).every((point) => point.observed <= point.upper!)).toBe(true);

    // Restart in the middle of the incident: the alert and the models survive.
    await opsless.stop();
    await start();
    traffic.retarget(opsless.otlpUrl);
    expect(await live(2, slow)).toEqual([0, 0]);
    // Models resumed: the evaluation after the restart scored the new step only, of
    // 3 services x (the service and its 2 operations) x 5 signals.
    expect(detection.reports[detection.reports.length - 2]!.steps).toBe(3 * 3 * 5);
    expect(await all()).toHaveLength(1);

    await live(8);
    expect(await alerts().get(alert!.id)).toMatchObject({
      status: 'resolved',
      resolvedBy: 'opsless',
    });
  });

  it('opens one alert for an error burst in a dependency, naming the failing route', async () => {
    const opened = await live(3, { payments: { failingRoute: '/charge' } });
    expect(opened.slice(0, 2).reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(opened[2]).toBe(0);
    const alert = (await alerts().list({ status: 'open' }))[0]!;
    expect(alert).toMatchObject({ service: 'payments', signal: 'error_ratio' });
    expect(JSON.stringify(alert.explanation)).toContain('/charge');
    await live(8);
    expect(await alerts().get(alert.id)).toMatchObject({ status: 'resolved' });
  });

  it('opens one alert for a traffic drop on a route, naming the route, and steady traffic opens nothing more', async () => {
    const opened = await live(3, {
      frontend: { droppedRoute: '/products', trafficShare: 0.1 },
    });
    expect(opened.slice(0, 2).reduce((sum, count) => sum + count, 0)).toBe(1);
    const alert = (await alerts().list({ status: 'open' }))[0]!;
    expect(alert).toMatchObject({ service: 'frontend', signal: 'request_rate' });
    expect(alert.observed).toBeLessThan(alert.expected / 2);
    expect(alert.operation).toBe('GET /products');
    const explanation = alert.explanation as {
      focus: string;
      contributors: Array<{ dimension: string; value: string }>;
    };
    expect(explanation.focus).toBe('missing');
    expect(explanation.contributors[0]).toMatchObject({
      dimension: 'operation',
      value: 'GET /products',
    });
    await live(8);
    expect(await alerts().get(alert.id)).toMatchObject({ status: 'resolved' });
    expect(await live(10)).toEqual(new Array(10).fill(0));
    expect((await all()).map((entry) => `${entry.service}:${entry.status}`).sort()).toEqual([
      'checkout:resolved',
      'frontend:resolved',
      'payments:resolved',
    ]);
    // The subscriber got each opening and resolution once, signed.
    const events = received.map(({ headers, body }) => {
      new Webhook(secret).verify(body, headers);
      const event = JSON.parse(body) as { type: string; data: { service: string } };
      return `${event.type}:${event.data.service}`;
    });
    expect(events).toEqual([
      'anomaly.opened:checkout',
      'anomaly.resolved:checkout',
      'anomaly.opened:payments',
      'anomaly.resolved:payments',
      'anomaly.opened:frontend',
      'anomaly.resolved:frontend',
    ]);
    expect(new Set(received.map(({ headers }) => headers['webhook-id'])).size).toBe(6);
  });
});
