import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createAlertStore, type AlertStore } from '../../alerts/index.ts';
import { openStorage, type SpanRow, type Storage } from '../../storage/index.ts';
import { evaluateOnce, type EvaluatorOptions } from './evaluator.ts';
import { engineModels } from './models.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_STEPS = 6 * 60; // six hours of minutes

function spansFor(
  minute: number,
  options: { slowPay?: boolean; failing?: boolean } = {},
): Array<Partial<SpanRow>> {
  const rows: Array<Partial<SpanRow>> = [];
  const base = START + minute * STEP;
  // ~30 requests a minute with a gentle wave, three routes.
  const count = 30 + Math.round(5 * Math.sin(minute / 20));
  for (let i = 0; i < count; i++) {
    const route = ['/cart', '/items', '/pay'][i % 3]!;
    const slow = options.slowPay === true && route === '/pay';
    const failed = options.failing === true && i % 2 === 0;
    rows.push({
      Timestamp: `${BigInt(base + Math.floor((i * STEP) / count)) * 1_000_000n}`,
      ServiceName: 'shop',
      SpanName: `GET ${route}`,
      SpanKind: 'Server',
      StatusCode: failed ? 'Error' : 'Unset',
      Duration: (slow ? 900 : 20 + ((i * 7) % 10)) * 1_000_000,
      SpanAttributes: { 'http.route': route, 'http.response.status_code': failed ? '500' : '200' },
      ResourceAttributes: { 'service.version': slow ? '2.0.0' : '1.9.0' },
    });
  }
  return rows;
}

describe('live evaluation over the rollup', () => {
  let storage: Storage;
  let alerts: AlertStore;
  let nowMs = START + HISTORY_STEPS * STEP + 20_000;
  const options = (): EvaluatorOptions => ({
    client: storage.client,
    alerts,
    models: engineModels(),
    stepSeconds: 60,
    lookbackMs: 7 * 86_400_000,
    shard: { index: 0, count: 1 },
    settleMs: 15_000,
    logger: pino({ level: 'silent' }),
    now: () => nowMs,
  });
  const insertMinutes = async (
    from: number,
    to: number,
    extra: { slowPay?: boolean; failing?: boolean } = {},
  ) => {
    const rows = [];
    for (let minute = from; minute < to; minute++) rows.push(...spansFor(minute, extra));
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    await insertMinutes(0, HISTORY_STEPS);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('learns from history without alerting on it, then stays quiet on steady traffic', async () => {
    const first = await evaluateOnce(options());
    expect(first.services).toBe(1);
    expect(first.steps).toBeGreaterThan(HISTORY_STEPS * 4);
    for (let minute = HISTORY_STEPS; minute < HISTORY_STEPS + 5; minute++) {
      await insertMinutes(minute, minute + 1);
      nowMs += STEP;
      expect((await evaluateOnce(options())).alertsOpened).toBe(0);
    }
    expect(await alerts.list({})).toEqual([]);
  });

  it('opens one alert for a latency regression on a route, explained by that route, and resolves it after recovery', async () => {
    let minute = HISTORY_STEPS + 5;
    let opened = 0;
    for (let i = 0; i < 3; i++, minute++) {
      await insertMinutes(minute, minute + 1, { slowPay: true });
      nowMs += STEP;
      opened += (await evaluateOnce(options())).alertsOpened;
    }
    expect(opened).toBe(1);
    const [alert] = await alerts.list({ status: 'open' });
    expect(alert).toMatchObject({ service: 'shop', status: 'open' });
    expect(alert!.signal).toMatch(/^latency_/);
    const explanation = alert!.explanation as {
      contributors: Array<{ dimension: string; value: string }>;
    };
    expect(explanation.contributors.map((c) => `${c.dimension}=${c.value}`)).toContain(
      'http.route=/pay',
    );
    for (let i = 0; i < 6; i++, minute++) {
      await insertMinutes(minute, minute + 1);
      nowMs += STEP;
      await evaluateOnce(options());
    }
    expect(await alerts.get(alert!.id)).toMatchObject({
      status: 'resolved',
      resolvedBy: 'opsless',
    });
  });
});
