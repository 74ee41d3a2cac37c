import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { MAX_INSTANCES, readInstanceMetricSeries } from './instances.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const MINUTE = 60_000;
const CPU = 'process.cpu.utilization';

/** A CPU point of `instance` in `minute`, taken `second` seconds into it. */
function point(instance: string, minute: number, second: number) {
  return {
    ServiceName: 'api',
    MetricName: CPU,
    TimeUnix: `${BigInt(T0 + minute * MINUTE + second * 1000) * 1_000_000n}`,
    Value: 0.3,
    ResourceAttributes: { 'service.instance.id': instance },
  };
}

const names = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

describe('instances read past the cap', () => {
  let storage: Storage;
  const read = async (fromMinute: number, toMinute: number) => {
    const series = await readInstanceMetricSeries(storage.client, {
      services: ['api'],
      metrics: [CPU],
      fromMs: T0 + fromMinute * MINUTE,
      toMs: T0 + toMinute * MINUTE,
      stepSeconds: 60,
    });
    return [...(series.get('api')?.get(CPU)?.keys() ?? [])].sort();
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const points = [];
    // 30 old instances report for 100 minutes, then 25 new ones replace them.
    for (let minute = 0; minute < 100; minute++)
      for (const instance of names('old', 30)) points.push(point(instance, minute, 5));
    const fresh = names('new', 25);
    for (let minute = 100; minute < 200; minute++) {
      // Each instance reports at another second of each minute, as exporters drift.
      fresh.forEach((instance, i) => points.push(point(instance, minute, (i * 7 + minute) % 60)));
    }
    await storage.client.insert({
      table: 'otel_metrics_gauge',
      values: points,
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('watches at most MAX_INSTANCES, the same ones from one cycle to the next', async () => {
    const first = await read(150, 151);
    expect(first).toHaveLength(MAX_INSTANCES);
    for (let minute = 151; minute < 160; minute++)
      expect(await read(minute, minute + 1)).toEqual(first);
  });

  it('prefers instances still alive over ones replaced long ago, on a read of days', async () => {
    const watched = await read(0, 200);
    expect(watched).toHaveLength(MAX_INSTANCES);
    expect(watched.every((instance) => instance.startsWith('new-'))).toBe(true);
    expect(watched).toEqual(await read(150, 151));
  });
});
