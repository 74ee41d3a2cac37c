import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LATENCY_BUCKET_BOUNDS_NS,
  SERVICE_EDGES_GRAINS,
  SERVICE_EDGES_HOURLY_TABLE,
  SERVICE_EDGES_10M_TABLE,
  SERVICE_EDGES_TABLE,
  type Storage,
} from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';
import { mapGrains } from './service-map-grains.ts';

interface Numbers {
  requests: number;
  errorRatio: number;
  p95Ms: number;
}
interface MapAnswer {
  nodes: Array<Numbers & { service: string; kind: string; openAlerts: number }>;
  edges: Array<Numbers & { from: string; to: string }>;
  truncated: boolean;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const BUCKETS = LATENCY_BUCKET_BOUNDS_NS.length + 1;
// Calls between services, to a database, and each service's own requests (a row to itself).
const PAIRS = [
  ['web', 'cart', 'service'],
  ['cart', 'stock', 'service'],
  ['cart', 'postgres', 'database'],
  ['web', 'web', 'service'],
  ['cart', 'cart', 'service'],
  ['stock', 'stock', 'service'],
] as const;

/** Minute rows that vary by minute and pair, so a minute counted twice or lost shows. */
function minuteRow(minuteMs: number, pair: number, version: number) {
  const [caller, callee, kind] = PAIRS[pair]!;
  const m = minuteMs / MINUTE;
  const requests = 1 + ((m * 7 + pair * 13 + version) % 50);
  const buckets = new Array<number>(BUCKETS).fill(0);
  const centre = 20 + ((m + pair * 5) % 40);
  for (let k = -2; k <= 2; k++) buckets[centre + k] = Math.ceil(requests / (1 + Math.abs(k)));
  return {
    Minute: minuteMs / 1000,
    Caller: caller,
    Callee: callee,
    CalleeKind: kind,
    Requests: requests,
    Errors: (m + pair) % 3 === 0 ? Math.floor(requests / 4) : 0,
    LatencyBuckets: buckets,
    Version: version,
  };
}

describe('GET /v1/service-map over the hourly and the minute rollup', () => {
  let storage: Storage;
  // Six hour boundaries, all closed and settled on the real clock the hourly view runs by.
  const base = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
  const first = base - 25 * MINUTE;
  const last = base + 4 * HOUR + 40 * MINUTE;
  const range = { fromMs: base - 13 * MINUTE - 20_000, toMs: base + 4 * HOUR + 17 * MINUTE };
  const query = `from=${new Date(range.fromMs).toISOString()}&to=${new Date(range.toMs).toISOString()}`;
  const expectedCalls = (pair: number) => {
    let sum = 0;
    for (let t = base - 14 * MINUTE; t < range.toMs; t += MINUTE) {
      sum += minuteRow(t, pair, t === base + 2 * HOUR + 30 * MINUTE ? 2 : 1).Requests;
    }
    return sum;
  };
  const read = async (nowMs: number) => {
    const response = await testApi(storage.client, { now: () => nowMs }).request(
      `/v1/service-map?${query}`,
    );
    expect(response.status).toBe(200);
    const map = (await response.json()) as MapAnswer;
    map.edges.sort((a, b) => `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`));
    map.nodes.sort((a, b) => a.service.localeCompare(b.service));
    return map;
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const rows = [];
    for (let t = first; t < last; t += MINUTE) {
      for (let pair = 0; pair < PAIRS.length; pair++) rows.push(minuteRow(t, pair, 1));
    }
    // A minute recomputed later: the newer rows replace the older in both rollups.
    for (let pair = 0; pair < PAIRS.length; pair++) {
      rows.push(minuteRow(base + 2 * HOUR + 30 * MINUTE, pair, 2));
    }
    await storage.client.insert({
      table: SERVICE_EDGES_TABLE,
      values: rows,
      format: 'JSONEachRow',
    });
    for (const { table } of SERVICE_EDGES_GRAINS) {
      await storage.client.command({ query: `SYSTEM REFRESH VIEW ${table}_mv` });
      await storage.client.command({ query: `SYSTEM WAIT VIEW ${table}_mv` });
    }
  });
  afterAll(async () => {
    await storage.close();
  });

  it('answers from whole hours and 10 minutes plus ragged minutes exactly what the minutes alone answer', async () => {
    const starts = async (table: string) => {
      const result = await storage.client.query({
        query: `SELECT uniqExact(Start) AS n FROM ${table}`,
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: number }>();
      return row?.n;
    };
    expect(await starts(SERVICE_EDGES_HOURLY_TABLE)).toBe(6);
    expect(await starts(SERVICE_EDGES_10M_TABLE)).toBe(31);
    const now = Date.now();
    const grains = mapGrains(range, now);
    expect(grains.hours.to - grains.hours.from).toBe(4 * 3600);
    expect(grains.tenMinutes.map(({ from, to }) => (to - from) / 600)).toEqual([1, 1]);
    // Asked as if nothing had settled yet, the same code reads minutes only.
    const minutesOnly = mapGrains(range, range.fromMs);
    expect(minutesOnly.hours.to - minutesOnly.hours.from).toBe(0);
    expect(minutesOnly.tenMinutes.every(({ from, to }) => from === to)).toBe(true);

    const combined = await read(now);
    const fromMinutes = await read(range.fromMs);
    expect(combined).toEqual(fromMinutes);
    expect(combined.edges.map((e) => [e.from, e.to, e.requests])).toEqual([
      ['cart', 'postgres', expectedCalls(2)],
      ['cart', 'stock', expectedCalls(1)],
      ['web', 'cart', expectedCalls(0)],
    ]);
    expect(combined.nodes.map((n) => [n.service, n.kind, n.requests])).toEqual([
      ['cart', 'service', expectedCalls(4)],
      ['postgres', 'database', expectedCalls(2)],
      ['stock', 'service', expectedCalls(5)],
      ['web', 'service', expectedCalls(3)],
    ]);
    for (const item of [...combined.edges, ...combined.nodes]) {
      expect(item.p95Ms).toBeGreaterThan(0);
      expect(item.errorRatio).toBeGreaterThan(0);
    }
  });
});
