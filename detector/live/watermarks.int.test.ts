import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { testEvaluatorOptions } from '../../test/support/evaluator.ts';
import { Registry } from 'prom-client';
import { evaluateOnce, type EvaluationReport } from './evaluator.ts';
import { createDetectorLoop } from './loop.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_MINUTES = 6 * 60;

/** A request every two seconds for `service`, from `fromMs` to `toMs` (ms since START). */
function spans(service: string, fromMs: number, toMs: number): Array<Partial<SpanRow>> {
  const rows: Array<Partial<SpanRow>> = [];
  for (let at = Math.ceil(fromMs / 2000) * 2000; at < toMs; at += 2000) {
    rows.push({
      Timestamp: `${BigInt(START + at) * 1_000_000n}`,
      ServiceName: service,
      SpanName: 'GET /',
      SpanKind: 'Server',
      StatusCode: 'Unset',
      Duration: (20 + ((at / 2000) % 7)) * 1_000_000,
    });
  }
  return rows;
}

describe('evaluation of complete steps only', () => {
  let storage: Storage;
  let alerts: AlertStore;
  const store = async (rows: Array<Partial<SpanRow>>) => {
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  };
  const evaluateAt = (ms: number): Promise<EvaluationReport> =>
    evaluateOnce(testEvaluatorOptions(storage.client, () => START + ms, { alerts }));

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    // Both services up to 20 s past the last history minute, as a live collector would have.
    const upTo = HISTORY_MINUTES * MINUTE + 20_000;
    await store([...spans('shop', 0, upTo), ...spans('cron', 0, upTo)]);
    await evaluateAt(upTo);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('does not score a step whose data is still on its way (a loaded host), and says how late it is', async () => {
    const minute = HISTORY_MINUTES;
    // The host is behind: of the next minute only its first 30 s are stored 20 s after it ended.
    await store([
      ...spans('shop', minute * MINUTE + 20_000, minute * MINUTE + 30_000),
      ...spans('cron', minute * MINUTE + 20_000, minute * MINUTE + 30_000),
    ]);
    const late = await evaluateAt((minute + 1) * MINUTE + 20_000);
    expect(late.steps).toBe(0);
    expect(late.lagMs).toBeGreaterThanOrEqual(80_000);
    expect(late.alertsOpened).toBe(0);
    // The rest arrives, with the start of the minute after: now the minute is scored.
    await store([
      ...spans('shop', minute * MINUTE + 30_000, (minute + 1) * MINUTE + 20_000),
      ...spans('cron', minute * MINUTE + 30_000, (minute + 1) * MINUTE + 20_000),
    ]);
    const caughtUp = await evaluateAt((minute + 1) * MINUTE + 25_000);
    expect(caughtUp.steps).toBeGreaterThan(0);
    expect(caughtUp.lagMs).toBeLessThan(MINUTE);
    expect(caughtUp.alertsOpened).toBe(0);
    expect(await alerts.list({})).toEqual([]);
  });

  it('still sees a service whose traffic drops to zero while the others go on', async () => {
    let opened = 0;
    for (let minute = HISTORY_MINUTES + 1; minute < HISTORY_MINUTES + 4; minute++) {
      await store(spans('shop', minute * MINUTE + 20_000, (minute + 1) * MINUTE + 20_000));
      opened += (await evaluateAt((minute + 1) * MINUTE + 20_000)).alertsOpened;
    }
    expect(opened).toBe(1);
    const [alert] = await alerts.list({ status: 'open' });
    expect(alert).toMatchObject({ service: 'cron', signal: 'request_rate', observed: 0 });
  });

  it('tells /metrics how far evaluation lags', async () => {
    const registry = new Registry();
    // Ten minutes after the last data stored: every service's steps end that far back.
    const nowMs = START + (HISTORY_MINUTES + 14) * MINUTE + 20_000;
    const loop = createDetectorLoop({
      ...testEvaluatorOptions(storage.client, () => nowMs, { alerts }),
      registry,
    });
    await loop.evaluate();
    await loop.close();
    const text = await registry.metrics();
    const lag = /^opsless_detector_evaluation_lag_seconds (\S+)$/m.exec(text);
    expect(Number(lag?.[1])).toBe(320); // the longest wait (5 min) and the 20 s into the minute
  });
});
