import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { createAlertStore, type Alert } from '../alerts/index.ts';
import {
  createDeliveryWorker,
  createWebhookStore,
  enqueue,
  parseAllowList,
} from '../hooks/index.ts';
import { evaluateOnce, type EvaluationReport } from '../detector/live/evaluator.ts';
import { testEvaluatorOptions } from './support/evaluator.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

const MINUTE = 60_000;
/** The live part starts here; two days of history come before it. */
const LIVE_START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_MINUTES = 2 * 24 * 60;

const ROUTES: Record<string, Array<{ method: string; route: string }>> = {
  frontend: [
    { method: 'GET', route: '/' },
    { method: 'GET', route: '/products' },
  ],
  checkout: [
    { method: 'GET', route: '/cart' },
    { method: 'POST', route: '/pay' },
  ],
  payments: [
    { method: 'POST', route: '/charge' },
    { method: 'GET', route: '/status' },
  ],
};

/** What goes wrong, and where, in one minute. */
interface Incident {
  slowRoute?: string;
  failingRoute?: string;
  /** A route whose traffic drops to `trafficShare` of the usual. */
  droppedRoute?: string;
  trafficShare?: number;
}

/** A small deterministic generator, so that every run sends the same traffic. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One minute of one service's server spans, with a daily wave and small noise. */
function minuteOfSpans(
  tracer: ReturnType<BasicTracerProvider['getTracer']>,
  service: string,
  minute: number,
  incident: Incident = {},
): void {
  const next = random(minute * 31 + service.length * 7919);
  const startMs = LIVE_START + minute * MINUTE;
  const wave = Math.sin((2 * Math.PI * minute) / 1440);
  for (const { method, route } of ROUTES[service]!) {
    const usual = 10 + Math.round(3 * wave + 2 * next());
    const share = incident.droppedRoute === route ? (incident.trafficShare ?? 1) : 1;
    const count = Math.max(0, Math.round(usual * share));
    for (let i = 0; i < count; i++) {
      const at = startMs + Math.floor(((i + next()) * MINUTE) / (count + 1));
      const slow = incident.slowRoute === route;
      const failed = incident.failingRoute === route ? next() < 0.6 : next() < 0.005;
      const durationMs = slow ? 700 + 200 * next() : 20 + 8 * next() + 4 * wave;
      const attributes: Attributes = {
        'http.request.method': method,
        'http.route': route,
        'http.response.status_code': failed ? 500 : 200,
      };
      const span = tracer.startSpan(`${method} ${route}`, {
        kind: SpanKind.SERVER,
        startTime: at,
        attributes,
      });
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
      span.end(at + durationMs);
    }
  }
}

/** Real SDK spans per service, sent through the real OTLP/proto exporter. */
class Traffic {
  private readonly providers = new Map<
    string,
    { provider: BasicTracerProvider; memory: InMemorySpanExporter }
  >();

  constructor(private otlpUrl: string) {
    for (const service of Object.keys(ROUTES)) {
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          'service.name': service,
          'service.version': '1.0.0',
        }),
        spanProcessors: [new SimpleSpanProcessor(memory)],
      });
      this.providers.set(service, { provider, memory });
    }
  }

  retarget(otlpUrl: string): void {
    this.otlpUrl = otlpUrl;
  }

  /** Sends minutes [from, to) of every service; incidents by service name. */
  async send(from: number, to: number, incidents: Record<string, Incident> = {}): Promise<void> {
    const spans: ReadableSpan[] = [];
    for (const [service, { provider, memory }] of this.providers) {
      const tracer = provider.getTracer('opsless-e2e');
      for (let minute = from; minute < to; minute++) {
        minuteOfSpans(tracer, service, minute, incidents[service]);
      }
      spans.push(...memory.getFinishedSpans());
      memory.reset();
    }
    const exporter = new OTLPTraceExporter({ url: `${this.otlpUrl}/v1/traces` });
    for (let start = 0; start < spans.length; start += 2000) {
      const batch = spans.slice(start, start + 2000);
      await new Promise<void>((resolve, reject) => {
        exporter.export(batch, (result) => {
          if (result.code === ExportResultCode.SUCCESS) resolve();
          else reject(result.error ?? new Error('export failed'));
        });
      });
    }
    await exporter.shutdown();
  }
}

describe('live detection, end to end through the OpenTelemetry SDK', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-detection-'));
  let opsless: TestOpsless;
  let traffic: Traffic;
  let minute = 0;
  const reports: EvaluationReport[] = [];
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
  /** Sends the next minute and evaluates once it has settled; returns the alerts opened. */
  const liveMinute = async (incidents: Record<string, Incident> = {}): Promise<number> => {
    await traffic.send(minute, minute + 1, incidents);
    minute++;
    const report = await evaluateOnce(
      testEvaluatorOptions(opsless.clickhouse, () => LIVE_START + minute * MINUTE + 20_000, {
        // As `opsless start` wires it: every alert event goes to the webhook outbox.
        onAlert: async (type, alert) => {
          const webhooks = await createWebhookStore(opsless.clickhouse).all();
          await enqueue(
            opsless.clickhouse,
            webhooks,
            { type, timestamp: new Date().toISOString(), data: alert },
            Date.now(),
          );
        },
      }),
    );
    await createDeliveryWorker({
      client: opsless.clickhouse,
      store: createWebhookStore(opsless.clickhouse),
      logger: pino({ level: 'silent' }),
      allow: parseAllowList('127.0.0.1'),
    }).runOnce();
    reports.push(report);
    return report.alertsOpened;
  };
  const live = async (minutes: number, incidents: Record<string, Incident> = {}) => {
    const opened: number[] = [];
    for (let i = 0; i < minutes; i++) opened.push(await liveMinute(incidents));
    return opened;
  };
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
    traffic = new Traffic(opsless.otlpUrl);
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
    expect(reports[0]!.services).toBe(3);
    expect(reports[0]!.steps).toBeGreaterThan(3 * 3 * 5 * HISTORY_MINUTES * 0.99);
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
    const to = new Date(LIVE_START + minute * MINUTE).toISOString();
    const response = await fetch(
      `${opsless.apiUrl}/v1/services/checkout/series?signal=latency_p99&operation=${encodeURIComponent('POST /pay')}&from=${from}&to=${to}&step=1m`,
    );
    const body = (await response.json()) as {
      points: Array<{ observed: number; upper: number | null; score: number | null }>;
    };
    expect(body.points).toHaveLength(minute);
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
    expect(reports[reports.length - 2]!.steps).toBe(3 * 3 * 5);
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
