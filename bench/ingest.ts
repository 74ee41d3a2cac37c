/**
 * OTLP/HTTP ingest benchmark. Starts `opsless start` as its own process on a fresh
 * data directory, sends pre-encoded protobuf batches (512 spans, ~10 attributes each)
 * from this process over loopback, and reads the opsless process's CPU and memory
 * from /proc. Phases: a fixed 10k spans/s, then closed-loop senders for the ceiling.
 *
 *   npm run bench:ingest [-- --seconds 15 --concurrency 8]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { spawnOpsless, stopProcess } from '../test/support/process.ts';
import { makeSpans } from '../test/support/spans.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '8' },
    'batch-spans': { type: 'string', default: '512' },
  },
});
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const BATCH_SPANS = Number(args['batch-spans']);
const CLOCK_TICKS = 100;

interface PhaseResult {
  spansPerSecond: number;
  requests: number;
  failed: number;
  cpuPercentOfOneCore: number;
  p50Ms: number;
  p99Ms: number;
}

async function main(): Promise<void> {
  const batches: Uint8Array[] = [];
  for (let i = 0; i < 16; i++) {
    const bytes = ProtobufTraceSerializer.serializeRequest(
      await makeSpans({ spans: BATCH_SPANS, errorEvery: 50 }),
    );
    if (!bytes) throw new Error('serializer returned nothing');
    batches.push(bytes);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-bench-'));
  const { child, otlpPort, apiPort } = await spawnOpsless({ OPSLESS_DATA_DIR: dataDir });
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const send = (body: Uint8Array) => post(agent, otlpPort, body);

    await runClosedLoop(send, batches, 2, 2); // warm-up: JIT, first parts
    const rate = await runAtRate(send, batches, child.pid!, 10_000);
    const ceiling = await runClosedLoopMeasured(send, batches, child.pid!);
    const memory = readMemory(child.pid!);
    const stored = await storedSpans(apiPort);

    const table = [
      ['phase', 'spans/s', 'CPU % of one core', 'p50 ms', 'p99 ms', 'failed requests'],
      [
        '10k spans/s target',
        rate.spansPerSecond,
        rate.cpuPercentOfOneCore,
        rate.p50Ms,
        rate.p99Ms,
        rate.failed,
      ],
      [
        `ceiling, ${CONCURRENCY} senders`,
        ceiling.spansPerSecond,
        ceiling.cpuPercentOfOneCore,
        ceiling.p50Ms,
        ceiling.p99Ms,
        ceiling.failed,
      ],
    ];
    for (const row of table)
      console.log(
        row
          .map((cell) =>
            String(typeof cell === 'number' ? Math.round(cell * 10) / 10 : cell).padEnd(22),
          )
          .join(''),
      );
    console.log(
      `opsless RSS ${memory.rssMiB} MiB (peak ${memory.peakMiB} MiB); spans stored ${stored}`,
    );
    console.log(
      'RESULT ' +
        JSON.stringify({
          bench: 'ingest',
          batchSpans: BATCH_SPANS,
          seconds: SECONDS,
          at10k: rate,
          ceiling: { concurrency: CONCURRENCY, ...ceiling },
          rssMiB: memory.rssMiB,
          peakRssMiB: memory.peakMiB,
          spansStored: stored,
        }),
    );
    agent.destroy();
  } finally {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function post(agent: Agent, port: number, body: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/traces',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function readMemory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function measure(
  pid: number,
  work: () => Promise<{ latencies: number[]; failed: number }>,
): Promise<PhaseResult> {
  const ticks = cpuTicks(pid);
  const started = performance.now();
  const { latencies, failed } = await work();
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  return {
    spansPerSecond: (ok * BATCH_SPANS) / elapsedS,
    requests: ok + failed,
    failed,
    cpuPercentOfOneCore: ((cpuTicks(pid) - ticks) / CLOCK_TICKS / elapsedS) * 100,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

async function timed(
  send: (body: Uint8Array) => Promise<number>,
  body: Uint8Array,
  latencies: number[],
): Promise<boolean> {
  const started = performance.now();
  const status = await send(body);
  if (status !== 200) return false;
  latencies.push(performance.now() - started);
  return true;
}

function runAtRate(
  send: (body: Uint8Array) => Promise<number>,
  batches: Uint8Array[],
  pid: number,
  spansPerSecond: number,
): Promise<PhaseResult> {
  return measure(pid, async () => {
    const latencies: number[] = [];
    let failed = 0;
    const intervalMs = (BATCH_SPANS / spansPerSecond) * 1000;
    const total = Math.round((SECONDS * 1000) / intervalMs);
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const due = started + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        timed(send, batches[i % batches.length]!, latencies).then((ok) => void (ok || failed++)),
      );
    }
    await Promise.all(inFlight);
    return { latencies, failed };
  });
}

async function runClosedLoop(
  send: (body: Uint8Array) => Promise<number>,
  batches: Uint8Array[],
  seconds: number,
  concurrency: number,
) {
  const latencies: number[] = [];
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; performance.now() < deadline; i += concurrency) {
        if (!(await timed(send, batches[i % batches.length]!, latencies))) failed++;
      }
    }),
  );
  return { latencies, failed };
}

function runClosedLoopMeasured(
  send: (body: Uint8Array) => Promise<number>,
  batches: Uint8Array[],
  pid: number,
): Promise<PhaseResult> {
  return measure(pid, () => runClosedLoop(send, batches, SECONDS, CONCURRENCY));
}

async function storedSpans(apiPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/v1/services?since=1h`);
  const body = (await response.json()) as { services: Array<{ spans: number }> };
  return body.services.reduce((sum, service) => sum + service.spans, 0);
}

await main();
