import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { storeSpansAndGauges, watchingDetector } from '../../test/support/watched-metrics.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_MINUTES = 240;
const MEMORY = 'process.memory.usage';
const HEAP = 125 * 1024 * 1024;

function spans(minute: number): Array<Partial<SpanRow>> {
  return Array.from({ length: 20 }, (_, i) => ({
    Timestamp: `${BigInt(START + minute * MINUTE + i * 3_000) * 1_000_000n}`,
    ServiceName: 'web',
    SpanName: 'GET /',
    SpanKind: 'Server',
    StatusCode: 'Unset',
    Duration: (30 + ((minute + i) % 9)) * 1_000_000,
  }));
}

/** A heap with a 3% garbage-collection sawtooth over 30 minutes and a little noise. */
function heap(minute: number, leakedShare: number) {
  const noise = (((minute * 7919) % 101) / 100 - 0.5) * 0.01;
  return {
    ServiceName: 'web',
    MetricName: MEMORY,
    MetricUnit: 'By',
    TimeUnix: `${BigInt(START + minute * MINUTE + 30_000) * 1_000_000n}`,
    Value: Math.round(HEAP * (1 + 0.03 * ((minute % 30) / 30)) * (1 + noise) + HEAP * leakedShare),
  };
}

describe('a metric climbing with its band', () => {
  let storage: Storage;
  let alerts: AlertStore;
  let detector: ReturnType<typeof watchingDetector>;
  let minute = HISTORY_MINUTES;

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    detector = watchingDetector(storage.client, alerts, [MEMORY]);
    const rows = [];
    const points = [];
    for (let at = 0; at < HISTORY_MINUTES; at++) {
      rows.push(...spans(at));
      points.push(heap(at, 0));
    }
    await storeSpansAndGauges(storage.client, rows, points);
    await detector.at(START + HISTORY_MINUTES * MINUTE + 20_000);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('alerts on a leak of 3.4% of the heap a minute though each value stays inside its band', async () => {
    let opened = 0;
    for (let step = 1; step <= 30 && opened === 0; step++) {
      await storeSpansAndGauges(storage.client, spans(minute), [heap(minute, 0.034 * step)]);
      minute++;
      opened += (await detector.at(START + minute * MINUTE + 20_000)).alertsOpened;
    }
    expect(opened).toBe(1);
    const [alert] = await alerts.list({ status: 'open' });
    expect(alert).toMatchObject({ service: 'web', signal: `metric:${MEMORY}` });
    expect(minute - HISTORY_MINUTES).toBeLessThanOrEqual(12);
  });
});
