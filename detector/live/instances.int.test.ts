import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { storeSpansAndGauges, watchingDetector } from '../../test/support/watched-metrics.ts';

const MINUTE = 60_000;
const MIB = 1024 * 1024;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_MINUTES = 6 * 60;
const MEMORY = 'process.memory.usage';

function spans(minute: number): Array<Partial<SpanRow>> {
  return Array.from({ length: 20 }, (_, i) => ({
    Timestamp: `${BigInt(START + minute * MINUTE + i * 3_000) * 1_000_000n}`,
    ServiceName: 'worker',
    SpanName: 'job',
    SpanKind: 'Consumer',
    StatusCode: 'Unset',
    Duration: (40 + ((minute + i) % 9)) * 1_000_000,
  }));
}

/** One instance's memory at a minute: about 300 MiB, a few MiB of noise, plus `extraMiB`. */
function memory(minute: number, instance: string, extraMiB = 0) {
  const noise = ((minute * 37 + instance.charCodeAt(0) * 11) % 7) - 3;
  return {
    ServiceName: 'worker',
    MetricName: MEMORY,
    MetricUnit: 'By',
    TimeUnix: `${BigInt(START + minute * MINUTE + 30_000) * 1_000_000n}`,
    Value: (300 + noise + extraMiB) * MIB,
    ResourceAttributes: { 'service.instance.id': instance },
  };
}

describe('memory watched per instance', () => {
  let storage: Storage;
  let alerts: AlertStore;
  let detector: ReturnType<typeof watchingDetector>;
  let minute = HISTORY_MINUTES;
  /** Sends a minute of jobs and of each instance's memory; evaluates it; alerts opened. */
  const live = async (memoryMiB: Record<string, number>): Promise<number> => {
    const points = Object.entries(memoryMiB).map(([instance, extra]) =>
      memory(minute, instance, extra),
    );
    await storeSpansAndGauges(storage.client, spans(minute), points);
    minute++;
    return (await detector.at(START + minute * MINUTE + 20_000)).alertsOpened;
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    detector = watchingDetector(storage.client, alerts, [MEMORY]);
    const rows = [];
    const points = [];
    for (let at = 0; at < HISTORY_MINUTES; at++) {
      rows.push(...spans(at));
      for (const instance of ['a', 'b', 'c']) points.push(memory(at, instance));
    }
    await storeSpansAndGauges(storage.client, rows, points);
    await detector.at(START + HISTORY_MINUTES * MINUTE + 20_000);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('raises nothing when an instance restarts under a new id with its memory starting afresh', async () => {
    let opened = 0;
    // c is replaced by d, which starts at 120 MiB and warms up to the others' level.
    for (let i = 0; i < 40; i++)
      opened += await live({ a: 0, b: 0, d: -180 + 12 * Math.min(i, 15) });
    expect(opened).toBe(0);
    expect(await alerts.list({})).toEqual([]);
  }, 180_000); // 40 evaluation cycles: minutes on a loaded host

  it('raises nothing on one minute of an instance far above its band', async () => {
    let opened = 0;
    // A spike of 40 MiB (the noise is a few) on a for one minute, then back.
    for (let i = 0; i < 6; i++) opened += await live({ a: i === 1 ? 40 : 0, b: 0, d: 0 });
    expect(opened).toBe(0);
  }, 60_000);

  it('catches one instance leaking among several, and names it', async () => {
    let opened = 0;
    for (let i = 0; i < 30 && opened === 0; i++)
      opened += await live({ a: 0, b: 4 * (i + 1), d: 0 });
    expect(opened).toBe(1);
    const [alert] = await alerts.list({ status: 'open' });
    expect(alert).toMatchObject({
      service: 'worker',
      signal: `metric:${MEMORY}`,
      operation: 'service.instance.id=b',
    });
    expect(alert!.summary).toMatch(
      /^worker service\.instance\.id=b: metric:process\.memory\.usage is \d+ MiB, expected about 30\d MiB/,
    );
    const explanation = alert!.explanation as {
      focus: string;
      contributors: Array<{ value: string }>;
    };
    expect(explanation.focus).toBe('metric');
    expect(explanation.contributors[0]!.value).toBe('b');
  });

  it('forgets the series of an instance that went away', async () => {
    const instances = () =>
      [...detector.cache.series.values()]
        .filter((entry) => entry.operation.startsWith('service.instance.id='))
        .map((entry) => entry.operation.slice('service.instance.id='.length))
        .sort();
    expect(instances()).toEqual(['a', 'b', 'c', 'd']);
    minute += 90; // an hour and a half without c
    await live({ a: 0, b: 0, d: 0 });
    expect(instances()).toEqual(['a', 'b', 'd']);
  });
});
