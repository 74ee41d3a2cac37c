import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { testEvaluatorOptions, WHOLE_MINUTES } from '../../test/support/evaluator.ts';
import { evaluateOnce } from './evaluator.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_STEPS = 6 * 60;
const QUEUE = 'messaging.queue.depth';

function spans(minute: number): Array<Partial<SpanRow>> {
  return Array.from({ length: 20 }, (_, i) => ({
    Timestamp: `${BigInt(START + minute * STEP + i * 3_000) * 1_000_000n}`,
    ServiceName: 'mailer',
    SpanName: 'send',
    SpanKind: 'Consumer',
    StatusCode: 'Unset',
    Duration: (40 + ((minute * 7 + i) % 10)) * 1_000_000,
  }));
}

function depth(minute: number, value: number) {
  return {
    ServiceName: 'mailer',
    MetricName: QUEUE,
    MetricUnit: '{message}',
    TimeUnix: `${BigInt(START + minute * STEP + 30_000) * 1_000_000n}`,
    StartTimeUnix: `${BigInt(START) * 1_000_000n}`,
    Value: value,
    IsMonotonic: false,
    AggregationTemporality: 2,
  };
}

describe('an alert that follows its incident', () => {
  let storage: Storage;
  let alerts: AlertStore;
  let minute = HISTORY_STEPS;
  const events: Array<{ type: string; alert: Alert }> = [];
  const live = async (queue: number): Promise<void> => {
    await storage.client.insert({
      table: 'otel_traces',
      values: spans(minute),
      format: 'JSONEachRow',
    });
    await storage.client.insert({
      table: 'otel_metrics_sum',
      values: [depth(minute, queue)],
      format: 'JSONEachRow',
    });
    minute++;
    const nowMs = START + minute * STEP + 20_000;
    await evaluateOnce(
      testEvaluatorOptions(storage.client, () => nowMs, {
        ...WHOLE_MINUTES,
        alerts,
        watchedMetrics: [QUEUE],
        onAlert: async (type, alert) => {
          events.push({ type, alert });
        },
      }),
    );
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    const rows = [];
    const points = [];
    for (let at = 0; at < HISTORY_STEPS; at++) {
      rows.push(...spans(at));
      points.push(depth(at, 10 + ((at * 7) % 5)));
    }
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
    await storage.client.insert({
      table: 'otel_metrics_sum',
      values: points,
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('stays open while a queue climbs to ten times its level and beyond, its text following', async () => {
    // A backlog that grows by 8 messages a minute for 40 minutes: the band gets used to it.
    for (let i = 0; i < 40; i++) await live(20 + 8 * i);
    const all = await alerts.list({});
    expect(all).toHaveLength(1);
    const alert = all[0]!;
    expect(alert).toMatchObject({ status: 'open', signal: `metric:${QUEUE}`, observed: 332 });
    expect(alert.summary).toMatch(
      /is 332 message, expected about 1\d(\.\d)? message \(peak 332 message, since \d\d:\d\d:\d\d UTC\)/,
    );
    // One page, then updates as the backlog doubled, each with the text of its time.
    expect(events.filter((event) => event.type === 'anomaly.opened')).toHaveLength(1);
    const updates = events.filter((event) => event.type === 'anomaly.updated');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThan(8);
    for (const update of updates) {
      expect(update.alert.summary).toContain(`is ${update.alert.observed} message`);
    }
  });

  it('resolves once the queue is back to its usual depth for a few steps, not on one quiet step', async () => {
    await live(11);
    await live(300);
    await live(12);
    await live(11);
    expect((await alerts.list({}))[0]).toMatchObject({ status: 'open' });
    await live(12);
    // Resolved with the figures of now, the peak of the whole incident kept.
    expect((await alerts.list({}))[0]).toMatchObject({
      status: 'resolved',
      resolvedBy: 'opsless',
      observed: 12,
      peak: 332,
    });
    expect(events.at(-1)).toMatchObject({ type: 'anomaly.resolved' });
  });
});
