/**
 * Ingest benchmark. Starts `opsless start` as its own process on a fresh data
 * directory and sends pre-encoded OTLP requests (512 items of ~10 attributes each)
 * from this process over loopback, reading the opsless process's CPU and memory
 * from /proc. Runs, in order:
 *   1. traces at a fixed 10k spans/s on a fresh instance (the cost of a typical load,
 *      merges included), again with OPSLESS_FLUSH_INTERVAL_MS=1000 (one insert a second),
 *      then the same load on `opsless collector` alone writing to a
 *      ClickHouse endpoint that accepts and discards: the collector's own cost, measured
 *      the way the OpenTelemetry Collector's testbed measures its own (a sink backend)
 *   2. every {traces, metrics, logs} x {HTTP protobuf, HTTP JSON, gRPC} x {1, 8 clients}
 *   3. the storage ceiling: the same rows inserted straight into chDB in this process
 *   4. overload: 3x the best sustained traces rate, open loop; nothing acknowledged may be lost
 *
 *   5. logs at 20k lines/s on `opsless collector` alone (discarding endpoint), log pattern
 *      mining on and off, interleaved: what the miner costs
 *
 *   npm run bench:ingest [-- --seconds 5 --batch 512] [--log-patterns-only]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Client, credentials } from '@grpc/grpc-js';
import {
  decodeLogsProtobuf,
  decodeMetricsProtobuf,
  decodeTracesProtobuf,
} from '../collector/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { spawnOpsless, stopProcess } from '../harness/index.ts';
import {
  makePayloads,
  makeVariedLogPayloads,
  type Payload,
  type Signal,
} from './ingest-payloads.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '512' },
    'log-patterns-only': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const BATCH = Number(args.batch);
const CLOCK_TICKS = 100;
const OVERLOAD_QUEUE_BYTES = 32 * 1024 * 1024;
const OVERLOAD_MAX_REQUESTS = 16;
const SIGNALS: Signal[] = ['traces', 'metrics', 'logs'];
const TRANSPORTS = ['http-protobuf', 'http-json', 'grpc'] as const;
type Transport = (typeof TRANSPORTS)[number];
const GRPC_PATHS: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

/** Sends one request; resolves to 200 on success, else the HTTP status (gRPC: 1000 + code). */
type Send = (signal: Signal, transport: Transport, payload: Payload) => Promise<number>;

interface RunResult {
  itemsPerSecond: number;
  cpuPercentOfOneCore: number;
  /** The JavaScript thread alone: decoding, serialising, HTTP; not the engine's threads. */
  mainThreadCpuPercent: number;
  /** From the first request sent to the last answer received. */
  elapsedSeconds: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  notOk: number;
}

/** `maxSockets` bounds requests in flight; the overload run needs none, or the client would queue what it offers. */
function senders(
  otlpPort: number,
  grpcPort: number,
  maxSockets = 64,
): { send: Send; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const grpc = new Client(`127.0.0.1:${grpcPort}`, credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 << 20,
  });
  const send: Send = (signal, transport, payload) => {
    if (transport === 'grpc') {
      return new Promise((resolve) => {
        grpc.makeUnaryRequest(
          GRPC_PATHS[signal],
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(payload.protobuf),
          (error) => resolve(error ? 1000 + error.code : 200),
        );
      });
    }
    const body = transport === 'http-json' ? payload.json : payload.protobuf;
    const contentType = transport === 'http-json' ? 'application/json' : 'application/x-protobuf';
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port: otlpPort,
          method: 'POST',
          path: `/v1/${signal}`,
          headers: { 'content-type': contentType, 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.once('error', reject);
      req.end(body);
    });
  };
  return { send, close: () => (agent.destroy(), grpc.close()) };
}

/** CPU ticks of the whole process, or with `mainThread` of its JavaScript thread only. */
function cpuTicks(pid: number, mainThread = false): number {
  const path = mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function measure(
  pid: number,
  items: number,
  work: (latencies: number[]) => Promise<{ ok: number; notOk: number }>,
): Promise<RunResult> {
  const ticks = cpuTicks(pid);
  const mainTicks = cpuTicks(pid, true);
  const started = performance.now();
  const latencies: number[] = [];
  const { ok, notOk } = await work(latencies);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    itemsPerSecond: (ok * items) / elapsed,
    cpuPercentOfOneCore: ((cpuTicks(pid) - ticks) / CLOCK_TICKS / elapsed) * 100,
    mainThreadCpuPercent: ((cpuTicks(pid, true) - mainTicks) / CLOCK_TICKS / elapsed) * 100,
    elapsedSeconds: elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    requests: ok + notOk,
    notOk,
  };
}

async function timed(send: () => Promise<number>, latencies: number[]): Promise<boolean> {
  const started = performance.now();
  const status = await send();
  if (status !== 200) return false;
  latencies.push(performance.now() - started);
  return true;
}

function closedLoop(
  pid: number,
  clients: number,
  payloads: Payload[],
  send: (payload: Payload) => Promise<number>,
  seconds = SECONDS,
): Promise<RunResult> {
  return measure(pid, BATCH, async (latencies) => {
    let ok = 0;
    let notOk = 0;
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let i = client; performance.now() < deadline; i += clients) {
          if (await timed(() => send(payloads[i % payloads.length]!), latencies)) ok++;
          else notOk++;
        }
      }),
    );
    return { ok, notOk };
  });
}

/** Fires requests on a fixed schedule whatever the answers (open loop); counts each status. */
async function openLoop(
  pid: number,
  itemsPerSecond: number,
  payloads: Payload[],
  send: (payload: Payload) => Promise<number>,
  seconds = SECONDS,
) {
  const statuses = new Map<number, number>();
  const result = await measure(pid, BATCH, async (latencies) => {
    const intervalMs = (BATCH / itemsPerSecond) * 1000;
    const total = Math.round((seconds * 1000) / intervalMs);
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const wait = started + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        (async () => {
          const begun = performance.now();
          const status = await send(payloads[i % payloads.length]!).catch(() => 0);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 200) latencies.push(performance.now() - begun);
        })(),
      );
    }
    await Promise.all(inFlight);
    const ok = statuses.get(200) ?? 0;
    return { ok, notOk: total - ok };
  });
  return { ...result, statuses: Object.fromEntries(statuses) };
}

/** Rows of one payload per signal, inserted straight into an embedded chDB in this process. */
async function storageCeiling(payloads: Record<Signal, Payload>): Promise<Record<Signal, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-bench-ceiling-'));
  const storage = await openStorage({ dataDir, retentionDays: 0 });
  const result = {} as Record<Signal, number>;
  try {
    for (const signal of SIGNALS) {
      const tables: Array<[string, object[]]> = [];
      if (signal === 'traces') {
        const decoded = decodeTracesProtobuf(payloads.traces.protobuf);
        if (decoded.ok) tables.push(['otel_traces', decoded.rows]);
      } else if (signal === 'logs') {
        const decoded = decodeLogsProtobuf(payloads.logs.protobuf);
        if (decoded.ok) tables.push(['otel_logs', decoded.rows]);
      } else {
        const decoded = decodeMetricsProtobuf(payloads.metrics.protobuf);
        if (decoded.ok) tables.push(['otel_metrics_sum', decoded.rows.sum]);
      }
      const [table, rows] = tables[0]!;
      const lines = rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
      const repeat = Math.ceil(20_000 / rows.length);
      const body = lines.repeat(repeat);
      let inserted = 0;
      const started = performance.now();
      while (performance.now() - started < SECONDS * 1000) {
        const res = await storage.client.exec({
          query: `INSERT INTO ${table} FORMAT JSONEachRow`,
          values: Readable.from([body], { objectMode: false }),
        });
        res.stream.resume();
        inserted += rows.length * repeat;
      }
      result[signal] = inserted / ((performance.now() - started) / 1000);
    }
  } finally {
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

/**
 * A stand-in for a ClickHouse server that answers every query with an empty result and
 * discards inserts, counting them: a backend that costs the collector nothing.
 */
async function discardingClickHouse(): Promise<{
  url: string;
  inserts: () => number;
  server: Server;
}> {
  let inserts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const query = new URL(req.url ?? '/', 'http://sink').searchParams.get('query') ?? '';
      if (/^INSERT INTO otel_traces\b/.test(query)) inserts++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, inserts: () => inserts, server };
}

/** `rate` items/s (default 10k spans/s) for `seconds` on a fresh `opsless <command>` with `env`, stopped afterwards. */
async function steadyOnFreshInstance(
  env: Record<string, string>,
  command: 'start' | 'collector',
  payloads: Payload[],
  seconds: number,
  signal: Signal = 'traces',
  rate = 10_000,
): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-bench-steady-'));
  const instance = await spawnOpsless({ OPSLESS_DATA_DIR: dataDir, ...env }, command);
  const { send, close } = senders(instance.otlpPort, 0);
  try {
    return await openLoop(
      instance.child.pid!,
      rate,
      payloads,
      (p) => send(signal, 'http-protobuf', p),
      seconds,
    );
  } finally {
    close();
    await stopProcess(instance.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function storedSpans(apiPort: number, service: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/v1/services?since=1h`);
  const body = (await response.json()) as { services: Array<{ name: string; spans: number }> };
  return body.services.find((entry) => entry.name === service)?.spans ?? 0;
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * What log pattern mining costs: 20k varied log lines/s into `opsless collector` alone
 * (a discarding ClickHouse endpoint, so the engine's cost does not drown it), with mining
 * on and off, interleaved twice so drift of a shared machine falls on both.
 */
async function logPatternCost(seconds: number): Promise<{
  linesPerSecond: number;
  onCpuPercent: number;
  offCpuPercent: number;
  costShare: number;
}> {
  const payloads = await makeVariedLogPayloads(16, BATCH);
  const sink = await discardingClickHouse();
  const cpu = { on: [] as number[], off: [] as number[] };
  try {
    for (let round = 0; round < 2; round++) {
      for (const mode of ['off', 'on'] as const) {
        const run = await steadyOnFreshInstance(
          { CLICKHOUSE_URL: sink.url, OPSLESS_LOG_PATTERNS: mode === 'on' ? 'true' : 'false' },
          'collector',
          payloads,
          seconds,
          'logs',
          20_000,
        );
        cpu[mode].push(run.cpuPercentOfOneCore);
      }
    }
  } finally {
    sink.server.close();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const on = mean(cpu.on);
  const off = mean(cpu.off);
  console.log(
    `logs at 20k lines/s, opsless collector alone: CPU ${round(off)}% of one core without pattern mining, ${round(on)}% with it (+${round(((on - off) / off) * 100)}%)`,
  );
  return {
    linesPerSecond: 20_000,
    onCpuPercent: round(on),
    offCpuPercent: round(off),
    costShare: Math.round(((on - off) / off) * 1000) / 1000,
  };
}

async function main(): Promise<void> {
  if (args['log-patterns-only']) {
    const logPatterns = await logPatternCost(Math.max(10, 2 * SECONDS));
    console.log('RESULT ' + JSON.stringify({ bench: 'ingest', logPatterns }));
    return;
  }
  const payloads = {} as Record<Signal, Payload[]>;
  for (const signal of SIGNALS) payloads[signal] = await makePayloads(signal, 8, BATCH);
  const overloadPayloads = await makePayloads('traces', 8, BATCH, 'overload');
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-bench-'));
  const opsless = await spawnOpsless({ OPSLESS_DATA_DIR: dataDir });
  const pid = opsless.child.pid!;
  const { send, close } = senders(
    opsless.otlpPort,
    Number(/OTLP\/gRPC\s+\S+:(\d+)/.exec(opsless.output())![1]),
  );
  try {
    // A steady load long enough for the engine's merges of its own parts to count.
    const steadySeconds = Math.max(10, 2 * SECONDS);
    const at10k = await openLoop(
      pid,
      10_000,
      payloads.traces,
      (p) => send('traces', 'http-protobuf', p),
      steadySeconds,
    );
    console.log(
      `traces at 10k spans/s for ${steadySeconds} s on a fresh instance: ${Math.round(at10k.itemsPerSecond)} spans/s, CPU ${round(at10k.cpuPercentOfOneCore)}% of one core (JavaScript thread ${round(at10k.mainThreadCpuPercent)}%, the rest is the embedded ClickHouse), p50 ${round(at10k.p50Ms)} ms, p99 ${round(at10k.p99Ms)} ms`,
    );
    // The same on a fresh instance that inserts at most once a second (fewer, larger parts).
    const at10kEverySecond = await steadyOnFreshInstance(
      { OPSLESS_FLUSH_INTERVAL_MS: '1000' },
      'start',
      payloads.traces,
      steadySeconds,
    );
    console.log(
      `traces at 10k spans/s with OPSLESS_FLUSH_INTERVAL_MS=1000: CPU ${round(at10kEverySecond.cpuPercentOfOneCore)}% of one core (JavaScript thread ${round(at10kEverySecond.mainThreadCpuPercent)}%), p50 ${round(at10kEverySecond.p50Ms)} ms, p99 ${round(at10kEverySecond.p99Ms)} ms`,
    );
    const sink = await discardingClickHouse();
    const collectorAt10k = await steadyOnFreshInstance(
      { CLICKHOUSE_URL: sink.url },
      'collector',
      payloads.traces,
      steadySeconds,
    );
    sink.server.close();
    console.log(
      `traces at 10k spans/s, opsless collector alone writing to a discarding ClickHouse endpoint (${sink.inserts()} inserts): CPU ${round(collectorAt10k.cpuPercentOfOneCore)}% of one core, p50 ${round(collectorAt10k.p50Ms)} ms, p99 ${round(collectorAt10k.p99Ms)} ms`,
    );
    const logPatterns = await logPatternCost(steadySeconds);
    await closedLoop(pid, 2, payloads.traces, (p) => send('traces', 'http-protobuf', p), 2); // warm-up
    const matrix: Array<{ signal: Signal; transport: Transport; clients: number } & RunResult> = [];
    console.log('signal   transport      clients  items/s    CPU%1core  p50 ms   p99 ms   not-ok');
    for (const signal of SIGNALS) {
      for (const transport of TRANSPORTS) {
        for (const clients of [1, 8]) {
          const run = await closedLoop(pid, clients, payloads[signal], (p) =>
            send(signal, transport, p),
          );
          matrix.push({ signal, transport, clients, ...run });
          console.log(
            [
              signal.padEnd(8),
              transport.padEnd(14),
              String(clients).padEnd(8),
              String(Math.round(run.itemsPerSecond)).padEnd(10),
              String(round(run.cpuPercentOfOneCore)).padEnd(10),
              String(round(run.p50Ms)).padEnd(8),
              String(round(run.p99Ms)).padEnd(8),
              run.notOk,
            ].join(' '),
          );
        }
      }
    }
    // Acknowledging after the insert makes throughput grow with requests in flight (the
    // batches grow), so the sustainable rate is measured with many senders.
    const sustained = await closedLoop(pid, 32, payloads.traces, (p) =>
      send('traces', 'http-protobuf', p),
    );
    console.log(
      `traces, 32 senders (sustainable rate): ${Math.round(sustained.itemsPerSecond)} spans/s, CPU ${round(sustained.cpuPercentOfOneCore)}%`,
    );
    const overloadRate = 3 * sustained.itemsPerSecond;
    // One sender process on this 2-core machine cannot offer 3x what opsless sustains
    // while opsless takes most of the CPU, so the overload run uses an instance whose
    // queue and request limits are scaled down to the load that can be offered.
    const overloadDir = mkdtempSync(join(tmpdir(), 'opsless-bench-overload-'));
    const tight = await spawnOpsless({
      OPSLESS_DATA_DIR: overloadDir,
      OPSLESS_QUEUE_MAX_BYTES: String(OVERLOAD_QUEUE_BYTES),
      OPSLESS_MAX_CONCURRENT_REQUESTS: String(OVERLOAD_MAX_REQUESTS),
    });
    const unbounded = senders(tight.otlpPort, 0, Infinity);
    const overload = await openLoop(
      tight.child.pid!,
      overloadRate,
      overloadPayloads,
      (p) => unbounded.send('traces', 'http-protobuf', p),
      3 * SECONDS,
    );
    unbounded.close();
    const acknowledged = (overload.statuses[200] ?? 0) * BATCH;
    const stored = await storedSpans(tight.apiPort, 'overload');
    const memory = memoryMiB(tight.child.pid!);
    await stopProcess(tight.child);
    rmSync(overloadDir, { recursive: true, force: true });
    const throttledShare =
      ((overload.statuses[429] ?? 0) + (overload.statuses[503] ?? 0)) / overload.requests;
    console.log(
      `overload (queue ${OVERLOAD_QUEUE_BYTES >> 20} MiB, ${OVERLOAD_MAX_REQUESTS} requests at once) offered ${Math.round(overloadRate)} spans/s for ${3 * SECONDS} s, acknowledged ${Math.round(overload.itemsPerSecond)} spans/s until the last answer at ${round(overload.elapsedSeconds)} s: statuses ${JSON.stringify(overload.statuses)}, throttled ${round(throttledShare * 100)}%, acknowledged ${acknowledged} spans, stored ${stored}, lost ${Math.max(0, acknowledged - stored)}; RSS ${memory.rss} MiB, peak ${memory.peak} MiB`,
    );

    await stopProcess(opsless.child);
    const ceiling = await storageCeiling({
      traces: payloads.traces[0]!,
      metrics: payloads.metrics[0]!,
      logs: payloads.logs[0]!,
    });
    const ratios = Object.fromEntries(
      SIGNALS.map((signal) => {
        const bestCollector = Math.max(
          ...matrix.filter((run) => run.signal === signal).map((run) => run.itemsPerSecond),
          signal === 'traces' ? sustained.itemsPerSecond : 0,
        );
        return [
          signal,
          {
            collectorItemsPerSecond: Math.round(bestCollector),
            storageRowsPerSecond: Math.round(ceiling[signal]),
            ratio: Math.round((bestCollector / ceiling[signal]) * 100) / 100,
          },
        ];
      }),
    );
    for (const [signal, ratio] of Object.entries(ratios)) {
      console.log(
        `${signal}: collector ${ratio.collectorItemsPerSecond}/s vs straight into chDB ${ratio.storageRowsPerSecond} rows/s = ${ratio.ratio}`,
      );
    }
    console.log(
      'RESULT ' +
        JSON.stringify({
          bench: 'ingest',
          batch: BATCH,
          secondsPerRun: SECONDS,
          matrix: matrix.map((run) => ({
            ...run,
            itemsPerSecond: Math.round(run.itemsPerSecond),
            cpuPercentOfOneCore: round(run.cpuPercentOfOneCore),
            p50Ms: round(run.p50Ms),
            p99Ms: round(run.p99Ms),
          })),
          at10k: {
            seconds: steadySeconds,
            spansPerSecond: Math.round(at10k.itemsPerSecond),
            cpuPercentOfOneCore: round(at10k.cpuPercentOfOneCore),
            mainThreadCpuPercent: round(at10k.mainThreadCpuPercent),
            p50Ms: round(at10k.p50Ms),
            p99Ms: round(at10k.p99Ms),
          },
          at10kFlushEverySecond: {
            cpuPercentOfOneCore: round(at10kEverySecond.cpuPercentOfOneCore),
            mainThreadCpuPercent: round(at10kEverySecond.mainThreadCpuPercent),
            p50Ms: round(at10kEverySecond.p50Ms),
            p99Ms: round(at10kEverySecond.p99Ms),
          },
          collectorAloneAt10k: {
            spansPerSecond: Math.round(collectorAt10k.itemsPerSecond),
            cpuPercentOfOneCore: round(collectorAt10k.cpuPercentOfOneCore),
            p50Ms: round(collectorAt10k.p50Ms),
            p99Ms: round(collectorAt10k.p99Ms),
            inserts: sink.inserts(),
          },
          logPatterns,
          sustainedSpansPerSecond32Senders: Math.round(sustained.itemsPerSecond),
          storageCeiling: ratios,
          overload: {
            queueMiB: OVERLOAD_QUEUE_BYTES >> 20,
            maxConcurrentRequests: OVERLOAD_MAX_REQUESTS,
            offeredSpansPerSecond: Math.round(overloadRate),
            acknowledgedSpansPerSecond: Math.round(overload.itemsPerSecond),
            lastAnswerSeconds: round(overload.elapsedSeconds),
            p99Ms: round(overload.p99Ms),
            statuses: overload.statuses,
            throttledShare: round(throttledShare * 1000) / 1000,
            acknowledgedSpans: acknowledged,
            storedSpans: stored,
            lostSpans: Math.max(0, acknowledged - stored),
            rssMiB: memory.rss,
            peakRssMiB: memory.peak,
          },
        }),
    );
  } finally {
    close();
    await stopProcess(opsless.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
