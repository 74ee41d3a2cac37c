/**
 * The logs and metrics explorers' reads on the embedded engine: full-text log search
 * over `logRows` log records (a day of 20 services, inserted by one INSERT … SELECT in
 * the engine, not through OTLP: the figure is the search, not ingest) and a metric chart
 * of 24 h at 1-min steps (a cumulative histogram of 5 routes and a counter, a point every
 * 10 s). Each request goes through the API's handler (`app.request()`, no socket).
 */
import { pino } from 'pino';
import { createApi } from '../api/live/index.ts';
import { openStorage } from '../storage/live/index.ts';

const DAY_MS = 86_400_000;
const SERVICES = 20;
/** The HTTP semantic conventions' advised bounds for request durations, in seconds. */
const SECONDS_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface ExplorerFigures {
  logRows: number;
  insertSeconds: number;
  /** Per search, the median of its runs, ms. */
  searches: Record<string, number>;
  /** Wall-clock and CPU time (of this process, engine included) per search. */
  logSearchMs: { p50: number; p95: number; max: number; cpuP50: number; cpuP95: number };
  logHistogramMs: { p50: number; p95: number };
  metricPoints: number;
  metricChartMs: Record<string, { p50: number; p95: number; cpuP95: number }>;
}

/** Runs the explorer reads `runs` times each on a fresh in-memory engine. */
export async function benchExplorers(options: {
  logRows: number;
  runs: number;
}): Promise<ExplorerFigures> {
  const storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  const nowMs = Math.floor(Date.now() / 60_000) * 60_000;
  try {
    const started = performance.now();
    await storage.client.command({ query: logInsert(options.logRows, nowMs) });
    await storage.client.command({ query: histogramInsert(nowMs) });
    await storage.client.command({ query: counterInsert(nowMs) });
    const insertSeconds = (performance.now() - started) / 1000;
    const api = createApi({
      client: storage.client,
      isReady: () => true,
      logger: pino({ level: 'silent' }),
      now: () => nowMs,
    });
    // The engine runs in this process, so its CPU time per request is the process's: a
    // figure that a busy machine inflates far less than the wall-clock one.
    const cpuMs: number[] = [];
    const time = async (path: string): Promise<number[]> => {
      const times: number[] = [];
      for (let run = 0; run <= options.runs; run++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const response = await api.request(path);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${path} answered ${response.status}`);
        if (run === 0) continue; // the first run warms caches
        times.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        cpuMs.push((cpu.user + cpu.system) / 1000);
      }
      return times;
    };
    // Words of every frequency: a rare user id (a few records a day), an uncommon
    // error, a common word; with and without filters; the newest page with no query.
    const searches: Record<string, string> = {
      'newest page': '/v1/logs?since=24h&limit=100',
      'rare token (user-4242)': '/v1/logs?since=24h&q=user-4242',
      'uncommon word (deadlock)': '/v1/logs?since=24h&q=deadlock',
      'common word (timeout)': '/v1/logs?since=24h&q=timeout',
      'word + severity + service': '/v1/logs?since=24h&q=timeout&severity=ERROR&service=svc-7',
      'absent word': '/v1/logs?since=24h&q=nonexistentword',
      'trace id': `/v1/logs?since=24h&traceId=${'0'.repeat(28)}4242`,
    };
    const searchTimes: number[] = [];
    const medians: Record<string, number> = {};
    for (const [name, path] of Object.entries(searches)) {
      const times = await time(path);
      searchTimes.push(...times);
      medians[name] = round(percentile(times, 0.5));
    }
    const searchCpu = cpuMs.splice(0);
    const histogramTimes = await time('/v1/logs/histogram?since=24h&q=timeout');
    const charts: Record<string, string> = {
      'histogram p95': '/v1/metrics/http.server.request.duration/series?since=24h&step=1m',
      'histogram p95 by route':
        '/v1/metrics/http.server.request.duration/series?since=24h&step=1m&by=http.route',
      'counter rate': '/v1/metrics/jobs.done/series?since=24h&step=1m',
    };
    const metricChartMs: ExplorerFigures['metricChartMs'] = {};
    for (const [name, path] of Object.entries(charts)) {
      cpuMs.length = 0;
      const times = await time(path);
      metricChartMs[name] = {
        p50: round(percentile(times, 0.5)),
        p95: round(percentile(times, 0.95)),
        cpuP95: round(percentile(cpuMs, 0.95)),
      };
    }
    return {
      logRows: options.logRows,
      insertSeconds: round(insertSeconds),
      searches: medians,
      logSearchMs: {
        p50: round(percentile(searchTimes, 0.5)),
        p95: round(percentile(searchTimes, 0.95)),
        max: round(Math.max(...searchTimes)),
        cpuP50: round(percentile(searchCpu, 0.5)),
        cpuP95: round(percentile(searchCpu, 0.95)),
      },
      logHistogramMs: {
        p50: round(percentile(histogramTimes, 0.5)),
        p95: round(percentile(histogramTimes, 0.95)),
      },
      metricPoints: 5 * 8640 + 5 * 8640,
      metricChartMs,
    };
  } finally {
    await storage.close();
  }
}

/**
 * `rows` log records spread evenly over the day before `nowMs`: 20 services, severities
 * mostly INFO, bodies from templates with request ids, user ids (1 in 50,000 each), routes
 * and durations, and 1 in 100 with an error word.
 */
function logInsert(rows: number, nowMs: number): string {
  const words = "['timeout', 'refused', 'deadlock', 'overflow', 'unavailable', 'reset', 'denied']";
  return `INSERT INTO otel_logs (Timestamp, ServiceName, SeverityText, SeverityNumber, Body,
  TraceId, SpanId, LogAttributes, ResourceAttributes)
SELECT
  fromUnixTimestamp64Milli(toInt64(${nowMs - DAY_MS} + intDiv(number * ${DAY_MS}, ${rows}))) AS Timestamp,
  concat('svc-', toString(number % ${SERVICES})) AS ServiceName,
  multiIf(h % 100 = 0, 'ERROR', h % 100 < 5, 'WARN', h % 100 < 20, 'DEBUG', 'INFO') AS SeverityText,
  multiIf(h % 100 = 0, 17, h % 100 < 5, 13, h % 100 < 20, 5, 9) AS SeverityNumber,
  if(h % 100 = 0,
    concat('request ', hex(h % 1000000), ' failed: ', ${words}[h % 7 + 1], ' after ', toString(h % 30000), ' ms for user-', toString(h % 50000)),
    concat(['GET', 'POST', 'PUT'][h % 3 + 1], ' /api/', ['orders', 'cart', 'items', 'users', 'search'][intDiv(h, 7) % 5 + 1],
      '/', toString(h % 10000), ' ', ['200', '201', '204', '404'][intDiv(h, 11) % 4 + 1], ' in ', toString(h % 900), ' ms user-', toString(intDiv(h, 13) % 50000))) AS Body,
  leftPad(toString(number % 100000), 32, '0') AS TraceId,
  leftPad(hex(number % 65536), 16, '0') AS SpanId,
  map('http.route', concat('/api/', toString(h % 5))) AS LogAttributes,
  map('service.name', concat('svc-', toString(number % ${SERVICES})), 'host.name', concat('host-', toString(number % 40))) AS ResourceAttributes
FROM (SELECT number, cityHash64(number) AS h FROM numbers(${rows}))`;
}

/** A cumulative seconds histogram for 5 routes, a point every 10 s for the day. */
function histogramInsert(nowMs: number): string {
  const buckets = SECONDS_BOUNDS.length + 1;
  return `INSERT INTO otel_metrics_histogram (ServiceName, MetricName, MetricUnit, Attributes,
  StartTimeUnix, TimeUnix, Count, Sum, BucketCounts, ExplicitBounds, Min, Max, AggregationTemporality)
SELECT 'svc-1', 'http.server.request.duration', 's', map('http.route', concat('/api/', toString(route))),
  fromUnixTimestamp64Milli(toInt64(${nowMs - DAY_MS})),
  fromUnixTimestamp64Milli(toInt64(${nowMs - DAY_MS} + step * 10000)),
  step * 100, step * 100 * 0.12,
  arrayMap(i -> toUInt64(step * (if(i = 6, 60, if(i = 7, 30, if(i = 8, 10, 0))))), range(${buckets})),
  [${SECONDS_BOUNDS.join(', ')}], 0.004, 0.74, 2
FROM (SELECT number AS step FROM numbers(8640)) AS steps CROSS JOIN (SELECT number AS route FROM numbers(5)) AS routes`;
}

/** A cumulative counter on 5 queues, a point every 10 s for the day. */
function counterInsert(nowMs: number): string {
  return `INSERT INTO otel_metrics_sum (ServiceName, MetricName, Attributes, StartTimeUnix, TimeUnix,
  Value, AggregationTemporality, IsMonotonic)
SELECT 'svc-1', 'jobs.done', map('queue', toString(queue)),
  fromUnixTimestamp64Milli(toInt64(${nowMs - DAY_MS})),
  fromUnixTimestamp64Milli(toInt64(${nowMs - DAY_MS} + step * 10000)),
  step * (queue + 1), 2, true
FROM (SELECT number AS step FROM numbers(8640)) AS steps CROSS JOIN (SELECT number AS queue FROM numbers(5)) AS queues`;
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
