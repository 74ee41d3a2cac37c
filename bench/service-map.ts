/**
 * The service map on the embedded engine (a fresh data directory): `GET /v1/service-map`
 * over a day of a `services`-service call graph (each service calls 2–4 others and a
 * database or queue, every minute of 1,440), written straight into the per-minute call
 * rollup and the RED rollup by INSERT … SELECT (the figure is the read, not ingest); then
 * what keeping the rollup costs: 3 minutes of cross-service spans at 10,000 spans/s in
 * otel_traces and one refresh of the view that recomputes those minutes.
 *
 * Each generated latency state holds three values: the map's read merges t-digest states,
 * and a real minute of a busy edge carries many more centroids, so this is a lower bound.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApi } from '../api/live/index.ts';
import { RED_TABLE, SERVICE_EDGES_TABLE } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';

const DAY_MINUTES = 1440;
const SPANS_PER_SECOND = 10_000;
const REFRESH_MINUTES = 3;
const BACKENDS = "['postgres', 'mysql', 'redis', 'kafka', 'rabbitmq']";
const BACKEND_KINDS = "['database', 'database', 'database', 'queue', 'queue']";

export interface ServiceMapFigures {
  services: number;
  edgeRows: number;
  redRows: number;
  insertSeconds: number;
  nodes: number;
  edges: number;
  /** Wall-clock and CPU (this process, engine included) per request, ms. */
  day: { p50: number; p95: number; cpuP95: number };
  hour: { p50: number; p95: number; cpuP95: number };
  refresh: { spans: number; wallMs: number; cpuMs: number; edgeRowsWritten: number };
}

/** Runs the map reads `runs` times each, then one timed refresh of the rollup. */
export async function benchServiceMap(options: {
  services: number;
  runs: number;
}): Promise<ServiceMapFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'opsless-map-'));
  const storage = await openStorage({ dataDir, retentionDays: 0 });
  const nowMs = Math.floor(Date.now() / 60_000) * 60_000;
  const client = storage.client;
  const count = async (query: string) => {
    const result = await client.query({ query, format: 'JSONEachRow' });
    const [row] = await result.json<{ n: string }>();
    return Number(row?.n ?? 0);
  };
  try {
    const started = performance.now();
    await client.command({ query: edgesInsert(options.services, nowMs) });
    await client.command({ query: redInsert(options.services, nowMs) });
    const insertSeconds = (performance.now() - started) / 1000;
    const api = createApi({
      client,
      isReady: () => true,
      logger: pino({ level: 'silent' }),
      now: () => nowMs,
    });
    let shape = { nodes: 0, edges: 0 };
    const time = async (path: string) => {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let run = 0; run <= options.runs; run++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const response = await api.request(path);
        const body = (await response.json()) as { nodes: unknown[]; edges: unknown[] };
        if (!response.ok) throw new Error(`${path} answered ${response.status}`);
        if (run === 0) {
          shape = { nodes: body.nodes.length, edges: body.edges.length };
          continue; // the first run warms caches
        }
        wall.push(performance.now() - t0);
        const used = process.cpuUsage(cpu0);
        cpu.push((used.user + used.system) / 1000);
      }
      return {
        p50: round(percentile(wall, 0.5)),
        p95: round(percentile(wall, 0.95)),
        cpuP95: round(percentile(cpu, 0.95)),
      };
    };
    const hour = await time('/v1/service-map?since=1h');
    const day = await time('/v1/service-map?since=24h');
    const edgeRows = await count(`SELECT count() AS n FROM ${SERVICE_EDGES_TABLE}`);
    const redRows = await count(`SELECT count() AS n FROM ${RED_TABLE}`);
    const refresh = await timeRefresh(storage.client, count, options.services);
    return {
      services: options.services,
      edgeRows,
      redRows,
      insertSeconds: round(insertSeconds),
      ...shape,
      day,
      hour,
      refresh,
    };
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Spans of the minutes the next refresh recomputes, then that refresh, timed. */
async function timeRefresh(
  client: Awaited<ReturnType<typeof openStorage>>['client'],
  count: (query: string) => Promise<number>,
  services: number,
): Promise<ServiceMapFigures['refresh']> {
  const spans = SPANS_PER_SECOND * 60 * REFRESH_MINUTES;
  // The window ends at the minute now starts, as the refresh's does (if the minute turns
  // before it runs, one of the three minutes falls out: edgeRowsWritten shows it).
  const endMs = Math.floor(Date.now() / 60_000) * 60_000;
  await client.command({ query: tracesInsert(spans, services, endMs) });
  const before = await count(`SELECT count() AS n FROM ${SERVICE_EDGES_TABLE}`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await client.command({ query: `SYSTEM REFRESH VIEW ${SERVICE_EDGES_TABLE}_mv` });
  await client.command({ query: `SYSTEM WAIT VIEW ${SERVICE_EDGES_TABLE}_mv` });
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  const after = await count(`SELECT count() AS n FROM ${SERVICE_EDGES_TABLE}`);
  return {
    spans,
    wallMs: round(wallMs),
    cpuMs: round((used.user + used.system) / 1000),
    edgeRowsWritten: after - before,
  };
}

/** Service `i` calls 2–4 services spread over the graph and one database or queue. */
function calleesSql(services: number): string {
  return `arrayMap(k -> if(k < 2 + s % 3,
    concat('svc-', toString((s * 7 + 1 + k * 131) % ${services})),
    ${BACKENDS}[s % 5 + 1]), range(3 + s % 3))`;
}

function edgesInsert(services: number, nowMs: number): string {
  return `INSERT INTO ${SERVICE_EDGES_TABLE}
SELECT Minute, concat('svc-', toString(s)) AS Caller, callee AS Callee,
  if(startsWith(callee, 'svc-'), 'service', ${BACKEND_KINDS}[s % 5 + 1]) AS CalleeKind,
  requests AS Requests, intDiv(requests * (h % 7), 100) AS Errors,
  arrayReduce('quantilesTDigestState(0.5, 0.95, 0.99)',
    [toUInt64(2e6 + h % 5e6), toUInt64(5e6 + h % 2e7), toUInt64(1e6 + h % 3e6)]) AS Latency,
  1 AS Version
FROM (
  SELECT toDateTime(intDiv(${nowMs}, 1000) - 60 * (1 + intDiv(number, ${services}))) AS Minute,
    number % ${services} AS s, arrayJoin(${calleesSql(services)}) AS callee,
    cityHash64(number, callee) AS h, 20 + h % 200 AS requests
  FROM numbers(${DAY_MINUTES * services})
)`;
}

/** One operation per service, a row every 10 s for the day. */
function redInsert(services: number, nowMs: number): string {
  return `INSERT INTO ${RED_TABLE}
SELECT concat('svc-', toString(s)), 'GET /api', Bucket, requests, intDiv(requests * (h % 5), 100),
  arrayReduce('quantilesTDigestState(0.5, 0.95, 0.99)',
    [toUInt64(2e6 + h % 5e6), toUInt64(5e6 + h % 2e7), toUInt64(1e6 + h % 3e6)])
FROM (
  SELECT toDateTime(intDiv(${nowMs}, 1000) - 10 * (1 + intDiv(number, ${services}))) AS Bucket,
    number % ${services} AS s, cityHash64(number) AS h, 5 + h % 50 AS requests
  FROM numbers(${DAY_MINUTES * 6 * services})
)`;
}

/**
 * `spans` spans over the minutes before `endMs`: pairs of a CLIENT span in one service and
 * the SERVER span of another that answered it (same trace, the child names the parent),
 * and one pair in ten a CLIENT span to a database no one answered.
 */
function tracesInsert(spans: number, services: number, endMs: number): string {
  const startMs = endMs - REFRESH_MINUTES * 60_000;
  const pairs = Math.floor(spans / 2);
  return `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind,
  ServiceName, SpanAttributes, Duration, StatusCode)
SELECT fromUnixTimestamp64Milli(toInt64(${startMs} + intDiv(p * ${REFRESH_MINUTES * 60_000}, ${pairs}) + side)),
  hex(cityHash64(p, 'trace')),
  hex(cityHash64(p, side)),
  if(side = 0, '', hex(cityHash64(p, 0))),
  if(side = 0, 'call', 'GET /api'),
  if(side = 0 OR db, 'Client', 'Server'),
  if(side = 0, concat('svc-', toString(p % ${services})), if(db, concat('svc-', toString(p % ${services})),
    concat('svc-', toString((p * 7 + 1) % ${services})))),
  if(db AND side = 1, map('db.system', 'postgresql'), map()),
  toUInt64(1e6 + cityHash64(p) % 5e7),
  if(cityHash64(p) % 50 = 0, 'Error', 'Ok')
FROM (SELECT number AS p, number % 10 = 0 AS db FROM numbers(${pairs})) AS pairs
  ARRAY JOIN [0, 1] AS side`;
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
