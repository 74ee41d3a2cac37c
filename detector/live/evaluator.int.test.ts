import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { evaluateOnce, type EvaluatorOptions } from './evaluator.ts';
import { DEFAULT_INCIDENT_POLICY } from './incidents.ts';
import { testEvaluatorOptions, WHOLE_MINUTES } from '../../test/support/evaluator.ts';
import { testApi } from '../../test/support/api.ts';

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
  const options = (): EvaluatorOptions =>
    testEvaluatorOptions(storage.client, () => nowMs, { ...WHOLE_MINUTES, alerts });
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

  it('watches a metric: a queue that fills up opens one alert on that metric', async () => {
    let minute = HISTORY_STEPS + 14;
    const depth = (at: number, value: number) => ({
      ServiceName: 'shop',
      MetricName: 'messaging.queue.depth',
      TimeUnix: `${BigInt(START + at * STEP + 30_000) * 1_000_000n}`,
      StartTimeUnix: `${BigInt(START) * 1_000_000n}`,
      Value: value,
      IsMonotonic: false,
      AggregationTemporality: 2,
    });
    const history = [];
    for (let at = 0; at < minute; at++) history.push(depth(at, 10 + ((at * 7) % 5)));
    await storage.client.insert({
      table: 'otel_metrics_sum',
      values: history,
      format: 'JSONEachRow',
    });
    const watching = () => ({ ...options(), watchedMetrics: ['messaging.queue.depth'] });
    const before = (await alerts.list({ status: 'all' })).length;
    let opened = 0;
    // A few quiet minutes first: a relapse right after the last alert resolved reopens it.
    for (let i = 0; i < 6; i++, minute++) {
      await insertMinutes(minute, minute + 1);
      await storage.client.insert({
        table: 'otel_metrics_sum',
        values: [depth(minute, i < 4 ? 12 : 400)],
        format: 'JSONEachRow',
      });
      nowMs = START + (minute + 1) * STEP + 20_000;
      opened += (await evaluateOnce(watching())).alertsOpened;
    }
    expect(opened).toBe(1);
    const all = await alerts.list({ status: 'all' });
    expect(all).toHaveLength(before + 1);
    const alert = all.find((entry) => entry.signal === 'metric:messaging.queue.depth');
    expect(alert).toMatchObject({ service: 'shop', status: 'open', observed: 400 });
    expect(alert!.summary).toContain('metric:messaging.queue.depth is 400');
    // The API serves the metric's series with the detector's band and scores.
    const api = testApi(storage.client, {
      now: () => nowMs,
    });
    const response = await api.request(
      '/v1/services/shop/series?signal=metric:messaging.queue.depth&since=10m&step=1m',
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      points: Array<{ observed: number; upper: number | null; score: number | null }>;
    };
    const last = body.points[body.points.length - 1]!;
    expect(last.observed).toBe(400);
    expect(last.observed).toBeGreaterThan(last.upper!);
    expect(body.points.filter((point) => point.score !== null).length).toBeGreaterThan(5);
  });

  it('keeps an alert escalated to critical (a failed remediation) critical when its incident grows', async () => {
    const [open] = await alerts.list({ status: 'open' });
    expect(open).toMatchObject({ signal: 'metric:messaging.queue.depth' });
    await alerts.save({ ...open!, severity: 'critical' });
    // Scores never make this incident critical by themselves: only the escalation can.
    const neverCritical = { ...DEFAULT_INCIDENT_POLICY, criticalScore: 2 };
    let minute = HISTORY_STEPS + 20;
    for (let i = 0; i < 2; i++, minute++) {
      await insertMinutes(minute, minute + 1, { failing: true });
      nowMs = START + (minute + 1) * STEP + 20_000;
      await evaluateOnce({ ...options(), policy: neverCritical });
    }
    const updated = await alerts.get(open!.id);
    expect(updated!.signals).toContain('error_ratio');
    expect(updated!.severity).toBe('critical');
  });
});
