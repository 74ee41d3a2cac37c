import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { testEvaluatorOptions } from '../../test/support/evaluator.ts';
import { evaluateOnce } from './evaluator.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_STEPS = 6 * 60;

/** `count` requests of a quiet route in one minute, the first `errors` of them failing. */
function minuteOf(minute: number, count: number, errors: number): Array<Partial<SpanRow>> {
  return Array.from({ length: count }, (_, i) => ({
    Timestamp: `${BigInt(START + minute * STEP + i * 7_000) * 1_000_000n}`,
    ServiceName: 'ledger',
    SpanName: 'POST /settle',
    SpanKind: 'Server',
    StatusCode: i < errors ? 'Error' : 'Unset',
    Duration: (30 + ((minute * 13 + i * 7) % 20)) * 1_000_000,
  }));
}

describe('error ratios of a low-volume route', () => {
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
    // Two to four requests a minute, none failing in six hours.
    for (let at = 0; at < HISTORY_STEPS; at++) {
      rows.push(...minuteOf(at, 2 + (at % 3), 0));
    }
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
    const nowMs = START + HISTORY_STEPS * STEP + 20_000;
    await evaluateOnce(testEvaluatorOptions(storage.client, () => nowMs, { alerts }));
  });
  afterAll(async () => {
    await storage.close();
  });

  it('raises nothing for one error in four requests', async () => {
    let opened = await live(4, 1);
    for (let i = 0; i < 4; i++) opened += await live(3, 0);
    expect(opened).toBe(0);
    expect(await alerts.list({})).toEqual([]);
  });

  it('alerts when half the requests fail for several steps', async () => {
    const opened: number[] = [];
    for (let i = 0; i < 6; i++) opened.push(await live(2, 1));
    expect(opened.reduce((sum, count) => sum + count, 0)).toBe(1);
    const [alert] = await alerts.list({ status: 'open' });
    expect(alert!.signals).toContain('error_ratio');
    expect(alert!.summary).toMatch(/error_ratio is 50%, expected about 0(\.\d+)?%/);
  });
});
