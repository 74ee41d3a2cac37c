/**
 * Abuse benchmark: what one careless or hostile client costs the others, on loopback.
 * The collector runs alone in a child process (bench/abuse-server.ts) with an ingest key.
 *   1. gRPC flood: `--calls` concurrent unauthenticated calls, each a `--mib` MiB message
 *      of zeros sent gzipped (~1/1000 of its size on the wire): the server's RSS growth
 *      (peak over the baseline) and what it keeps afterwards.
 *   2. slow uploads: `--slow` connections send their headers, then one body byte every
 *      `--trickle-ms` (one closed by the server is opened again, as an attacker would);
 *      meanwhile a victim sends `--victim` small OTLP/HTTP requests one after another:
 *      its statuses and latency (p50/p99), beside the same victim with no attack.
 * `--before DIR` runs both against another checkout of opsless too (say, the code before
 * a change: `git archive <commit> | tar -x -C DIR`), with this checkout's node_modules.
 *
 *   npm run bench:abuse [-- --before /tmp/opsless-before --calls 120 --mib 15 --slow 130]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  Client,
  compressionAlgorithms,
  credentials,
  Metadata,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { makePayloads } from './ingest-payloads.ts';

const { values: args } = parseArgs({
  options: {
    before: { type: 'string' },
    calls: { type: 'string', default: '120' },
    mib: { type: 'string', default: '15' },
    slow: { type: 'string', default: '130' },
    'trickle-ms': { type: 'string', default: '2000' },
    victim: { type: 'string', default: '200' },
  },
});
const CALLS = Math.min(Number(args.calls), 500);
const MESSAGE_MIB = Math.min(Number(args.mib), 64);
const SLOW = Math.min(Number(args.slow), 1000);
const TRICKLE_MS = Number(args['trickle-ms']);
const VICTIM_REQUESTS = Math.min(Number(args.victim), 5000);
const KEY = 'abuse-bench-key';
const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number) => Math.round(value * 10) / 10;

interface CollectorProcess {
  http: number;
  grpc: number;
  /** Sends a command; resolves to the JSON after the answer's prefix. */
  ask(command: string, prefix: string): Promise<unknown>;
  stop(): Promise<void>;
}

async function startCollector(root: string): Promise<CollectorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/run-ts.js', 'bench/abuse-server.ts', '--root', root],
    { env: { ...process.env, OPSLESS_INGEST_KEY: KEY }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: Interface = createInterface({ input: child.stdout! });
  const waiting: Array<{ prefix: string; resolve: (value: unknown) => void }> = [];
  lines.on('line', (line) => {
    const index = waiting.findIndex((entry) => line.startsWith(entry.prefix));
    if (index < 0) return;
    const [entry] = waiting.splice(index, 1);
    const json = line.slice(entry!.prefix.length).trim();
    entry!.resolve(json === '' ? undefined : JSON.parse(json));
  });
  const next = (prefix: string) =>
    new Promise<unknown>((resolve) => waiting.push({ prefix, resolve }));
  const ready = (await next('READY')) as { http: number; grpc: number };
  return {
    ...ready,
    ask(command, prefix) {
      const answer = next(prefix);
      child.stdin!.write(`${command}\n`);
      return answer;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.write('exit\n');
      await exited;
    },
  };
}

function unaryCall(client: Client, body: Buffer, key: string | undefined): Promise<string> {
  const metadata = new Metadata();
  if (key) metadata.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      TRACE_EXPORT,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      body,
      metadata,
      { deadline: Date.now() + 120_000 },
      (error) => resolve(error ? (GrpcStatus[error.code] ?? String(error.code)) : 'OK'),
    );
  });
}

function countOf(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

interface Rss {
  rssMiB: number;
  peakMiB: number;
}

async function grpcFlood(collector: CollectorProcess, small: Buffer) {
  const client = new Client(`127.0.0.1:${collector.grpc}`, credentials.createInsecure(), {
    'grpc.default_compression_algorithm': compressionAlgorithms.gzip,
  });
  for (let i = 0; i < 5; i++) await unaryCall(client, small, KEY); // warm-up
  await sleep(1_000);
  await collector.ask('reset', 'RESET');
  const before = (await collector.ask('rss', 'RSS')) as Rss;
  const zeros = Buffer.alloc(MESSAGE_MIB * 1024 * 1024);
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: CALLS }, () => unaryCall(client, zeros, undefined)),
  );
  const seconds = (performance.now() - started) / 1000;
  const during = (await collector.ask('rss', 'RSS')) as Rss;
  await sleep(3_000);
  const after = (await collector.ask('rss', 'RSS')) as Rss;
  client.close();
  return {
    statuses: countOf(statuses),
    seconds: round(seconds),
    baselineRssMiB: round(before.rssMiB),
    peakGrowthMiB: round(during.peakMiB - before.rssMiB),
    retainedAfter3sMiB: round(after.rssMiB - before.rssMiB),
  };
}

/** Keeps `count` slow uploads open until stopped; counts how often the server closed one. */
function slowUploads(port: number, count: number) {
  const head =
    `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/x-protobuf\r\nContent-Length: 65536\r\n` +
    `Authorization: Bearer ${KEY}\r\n\r\n`;
  const sockets = new Set<Socket>();
  let stopping = false;
  let closedByServer = 0;
  let connected = 0;
  const open = (): void => {
    const socket = connect(port, '127.0.0.1', () => {
      connected++;
      socket.write(head + '\0');
    });
    const trickle = setInterval(() => socket.write('\0'), TRICKLE_MS);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(trickle);
      sockets.delete(socket);
      if (stopping) return;
      closedByServer++;
      open();
    });
    sockets.add(socket);
  };
  for (let i = 0; i < count; i++) open();
  return {
    connected: () => connected,
    stop() {
      stopping = true;
      for (const socket of sockets) socket.destroy();
      return { closedByServer, reconnects: connected - count };
    },
  };
}

async function victim(port: number, body: Uint8Array, requests: number) {
  const latencies: number[] = [];
  const statuses: string[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${KEY}` },
      body,
    });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    statuses.push(String(response.status));
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  return { statuses: countOf(statuses), p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function slowUploadAttack(collector: CollectorProcess, body: Uint8Array) {
  const quiet = await victim(collector.http, body, Math.min(50, VICTIM_REQUESTS));
  const attack = slowUploads(collector.http, SLOW);
  while (attack.connected() < SLOW) await sleep(20);
  await sleep(500); // the server has read every request's headers and first byte
  const underAttack = await victim(collector.http, body, VICTIM_REQUESTS);
  const { closedByServer } = attack.stop();
  return { quiet, underAttack, slowClosedByServer: closedByServer };
}

async function measure(root: string) {
  const [payload] = await makePayloads('traces', 1, 20, 'victim');
  const body = payload!.protobuf;
  const collector = await startCollector(root);
  try {
    const flood = await grpcFlood(collector, Buffer.from(body));
    const slow = await slowUploadAttack(collector, body);
    return { grpcFlood: flood, slowUploads: slow };
  } finally {
    await collector.stop();
  }
}

const after = await measure('.');
console.log('this checkout', JSON.stringify(after, null, 2));
const before = args.before === undefined ? undefined : await measure(args.before);
if (before) console.log(`before (${args.before})`, JSON.stringify(before, null, 2));
console.log(
  `RESULT ${JSON.stringify({
    calls: CALLS,
    messageMiB: MESSAGE_MIB,
    slowConnections: SLOW,
    trickleMs: TRICKLE_MS,
    victimRequests: VICTIM_REQUESTS,
    after,
    ...(before ? { before } : {}),
  })}`,
);
