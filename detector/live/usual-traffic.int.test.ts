import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import { readServicesSeries, readUsualTraffic } from '../../signals/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { testEvaluatorOptions } from '../../test/support/evaluator.ts';
import { evaluateOnce } from './evaluator.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_STEPS = 6 * 60;

/** `count` requests of a route in one minute, the first `errors` of them failing. */
function minuteOf(minute: number, count: number, errors: number): Array<Partial<SpanRow>> {
  return Array.from({ length: count }, (_, i) => ({
    Timestamp: `${BigInt(START + minute * STEP + i * 2_500) * 1_000_000n}`,
    ServiceName: 'search',
    SpanName: 'GET /suggest',
    SpanKind: 'Server',
    StatusCode: i < errors ? 'Error' : 'Unset',
    Duration: (20 + ((minute * 13 + i * 7) % 20)) * 1_000_000,
  }));
}

describe('what a route usually does', () => {
  let storage: Storage;
  let alerts: AlertStore;
  let minute = HISTORY_STEPS;
  const live = async (count: number, errors: number): Promise<number> => {
    await storage.client.insert({
      table: 'otel_traces',
      values: minuteOf(minute, count, errors),
      format: 'JSONEachRow',
    });
    minute++;
    const nowMs = START + minute * STEP + 20_000;
    return (await evaluateOnce(testEvaluatorOptions(storage.client, () => nowMs, { alerts })))
      .alertsOpened;
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    const rows = [];
    // Twenty requests a minute for six hours, a quarter of them failing (a flaky backend).
    for (let at = 0; at < HISTORY_STEPS; at++) rows.push(...minuteOf(at, 20, 5));
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
    const nowMs = START + HISTORY_STEPS * STEP + 20_000;
    await evaluateOnce(testEvaluatorOptions(storage.client, () => nowMs, { alerts }));
  });
  afterAll(async () => {
    await storage.close();
  });

  it('reads the usual error ratio and requests per step, by service and operation', async () => {
    const usual = await readUsualTraffic(storage.client, {
      services: ['search', 'absent'],
      fromMs: START - 3 * 3_600_000,
      toMs: START + HISTORY_STEPS * STEP,
      stepMs: STEP,
    });
    // Per step from the first request, not from the window's start three hours earlier.
    expect(usual.get('search')?.get('')).toEqual({ errorRatio: 0.25, requestsPerStep: 20 });
    expect(usual.get('search')?.get('GET /suggest')).toEqual({
      errorRatio: 0.25,
      requestsPerStep: 20,
    });
    expect(usual.has('absent')).toBe(false);
  });

  it('reads latency below the median too, for how sure a median is', async () => {
    const series = await readServicesSeries(storage.client, {
      operations: new Map([['search', []]]),
      fromMs: START,
      toMs: START + 2 * STEP,
      stepSeconds: 60,
    });
    const [first] = series.get('search')!.get('')!;
    // Minute 0: 20 requests of 20 + (7i mod 20) ms, i = 0..19: every value 20..39 ms once.
    // The digest of so few keeps each value: a level reads the value at its rank, 20% → the 4th.
    expect(first!.requests).toBe(20);
    expect(first!.belowMedian).toEqual([23, 25, 27]);
    expect(first!.values.latency_p50).toBe(29);
  });

  it('judges errors against the ratio the route usually fails at', async () => {
    // 40% is out of a band learned on a steady 25%, but not twice what the route usually fails.
    let opened = 0;
    for (let i = 0; i < 6; i++) opened += await live(20, 8);
    expect(opened).toBe(0);
    expect(await alerts.list({})).toEqual([]);
  });
});
