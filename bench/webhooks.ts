/**
 * Webhook delivery benchmark: the outbox and delivery worker on an on-disk embedded
 * ClickHouse, delivering to 20 local endpoints — 14 healthy, 3 slow (answer after
 * `--slow-ms`), 2 failing with 500 and 1 that never answers (the worker's timeout ends
 * each attempt). Each endpoint subscribes to its own service; events go round-robin.
 *   1. burst: `--events` events enqueued at once, delivered as fast as the worker can
 *   2. steady: the same number of events at `--rate` per second while the bad endpoints
 *      fail: event-to-delivery latency at healthy endpoints shows whether a slow or failing
 *      endpoint holds up the others (head-of-line blocking)
 *
 *   npm run bench:webhooks [-- --events 10000 --rate 500 --slow-ms 250]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { HookEvent, StoredWebhook } from '../hooks/index.ts';
import {
  createDeliveryWorker,
  createWebhookStore,
  enqueue,
  parseAllowList,
} from '../hooks/live/index.ts';
import { openStorage } from '../storage/live/index.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '500' },
    'slow-ms': { type: 'string', default: '250' },
    'timeout-ms': { type: 'string', default: '5000' },
  },
});
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const SLOW_MS = Number(args['slow-ms']);
const TIMEOUT_MS = Number(args['timeout-ms']);

type Behaviour = 'healthy' | 'slow' | 'failing' | 'hanging';
const BEHAVIOURS: Behaviour[] = [
  ...Array<Behaviour>(14).fill('healthy'),
  ...Array<Behaviour>(3).fill('slow'),
  ...Array<Behaviour>(2).fill('failing'),
  'hanging',
];

interface Endpoint {
  behaviour: Behaviour;
  service: string;
  server: Server;
  url: string;
  /** Event time → receive time (ms) of each delivered event, by webhook-id. */
  received: Map<string, { eventMs: number; receivedMs: number }>;
  attempts: number;
}

async function endpoint(behaviour: Behaviour, index: number): Promise<Endpoint> {
  const received = new Map<string, { eventMs: number; receivedMs: number }>();
  const self: Endpoint = {
    behaviour,
    service: `service-${index}`,
    server: createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        self.attempts++;
        const answer = () => {
          const id = request.headers['webhook-id'] as string;
          if (!received.has(id)) {
            const event = JSON.parse(body) as HookEvent;
            received.set(id, { eventMs: Date.parse(event.timestamp), receivedMs: Date.now() });
          }
          response.end();
        };
        if (behaviour === 'healthy') answer();
        else if (behaviour === 'slow') setTimeout(answer, SLOW_MS);
        else if (behaviour === 'failing') {
          response.statusCode = 500;
          response.end();
        } // hanging: never answered; the worker's timeout closes it
      });
    }),
    url: '',
    received,
    attempts: 0,
  };
  await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
  self.url = `http://127.0.0.1:${(self.server.address() as AddressInfo).port}/hook`;
  return self;
}

function rssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dataDir = mkdtempSync(join(tmpdir(), 'opsless-bench-webhooks-'));
const storage = await openStorage({ dataDir, retentionDays: 0 });
const store = createWebhookStore(storage.client);
const endpoints = await Promise.all(BEHAVIOURS.map((behaviour, i) => endpoint(behaviour, i)));
for (const target of endpoints) {
  await store.create(
    { url: target.url, events: ['anomaly.opened'], services: [target.service] },
    Date.now(),
  );
}
const webhooks: StoredWebhook[] = await store.all();
const worker = createDeliveryWorker({
  client: storage.client,
  store,
  logger: pino({ level: 'silent' }),
  allow: parseAllowList('127.0.0.1'),
  timeoutMs: TIMEOUT_MS,
});
let rssPeak = rssMiB();
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB())), 250);

let sequence = 0;
async function send(): Promise<void> {
  const n = sequence++;
  const target = endpoints[n % endpoints.length]!;
  const nowMs = Date.now();
  await enqueue(
    storage.client,
    webhooks,
    {
      type: 'anomaly.opened',
      timestamp: new Date(nowMs).toISOString(),
      data: { id: `alert-${n}`, service: target.service, severity: 'warning' },
    },
    nowMs,
  );
}

/**
 * Events come from concurrent producers (detector shards, API calls): at most
 * MAX_IN_FLIGHT enqueues are waiting at once.
 */
const MAX_IN_FLIGHT = 256;
const inFlight = new Set<Promise<void>>();
async function paced(): Promise<void> {
  if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
  const sending = send().finally(() => inFlight.delete(sending));
  inFlight.add(sending);
}

const healthy = endpoints.filter((target) => target.behaviour === 'healthy');
const deliveredTo = (targets: Endpoint[]) =>
  targets.reduce((sum, target) => sum + target.received.size, 0);
const forget = () => endpoints.forEach((target) => target.received.clear());

// 1. Burst: everything enqueued first, then drained.
console.log(`burst: enqueueing ${EVENTS} events …`);
const enqueueStart = performance.now();
for (let i = 0; i < EVENTS; i++) await paced();
await Promise.all(inFlight);
const enqueuePerSecond = EVENTS / ((performance.now() - enqueueStart) / 1000);
const healthyBurst = healthy.length * Math.ceil(EVENTS / endpoints.length);
const drainStart = performance.now();
worker.start();
while (deliveredTo(healthy) < healthyBurst && performance.now() - drainStart < 600_000) {
  await sleep(50);
}
const drainSeconds = (performance.now() - drainStart) / 1000;
const burst = {
  enqueuedPerSecond: Math.round(enqueuePerSecond),
  healthyDelivered: deliveredTo(healthy),
  healthyDeliveriesPerSecond: Math.round(deliveredTo(healthy) / drainSeconds),
  drainSeconds: Number(drainSeconds.toFixed(1)),
};
console.log(
  `burst: enqueue ${burst.enqueuedPerSecond} events/s; ${burst.healthyDelivered} deliveries to healthy endpoints in ${burst.drainSeconds} s = ${burst.healthyDeliveriesPerSecond}/s`,
);

// 2. Steady: events at RATE/s while the bad endpoints keep failing.
forget();
const steadyFrom = sequence;
console.log(`steady: ${EVENTS} events at ${RATE}/s …`);
const steadyStart = performance.now();
for (let i = 0; i < EVENTS; i++) {
  const due = steadyStart + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  await paced();
}
const sendSeconds = (performance.now() - steadyStart) / 1000;
await Promise.all(inFlight);
const healthySteady = Array.from({ length: EVENTS }, (_, i) => steadyFrom + i).filter(
  (n) => endpoints[n % endpoints.length]!.behaviour === 'healthy',
).length;
const settleStart = performance.now();
while (deliveredTo(healthy) < healthySteady && performance.now() - settleStart < 120_000) {
  await sleep(50);
}
const latencies = healthy.flatMap((target) =>
  [...target.received.values()].map((r) => r.receivedMs - r.eventMs),
);
const steady = {
  offeredEventsPerSecond: Math.round(EVENTS / sendSeconds),
  healthyDelivered: deliveredTo(healthy),
  healthyExpected: healthySteady,
  healthyP50Ms: quantile(latencies, 0.5),
  healthyP99Ms: quantile(latencies, 0.99),
  healthyMaxMs: quantile(latencies, 1),
  slowDelivered: deliveredTo(endpoints.filter((target) => target.behaviour === 'slow')),
  badAttempts: endpoints
    .filter((target) => target.behaviour === 'failing' || target.behaviour === 'hanging')
    .reduce((sum, target) => sum + target.attempts, 0),
};
console.log(
  `steady: offered ${steady.offeredEventsPerSecond} events/s; healthy endpoints got ${steady.healthyDelivered}/${steady.healthyExpected}, event-to-delivery p50 ${steady.healthyP50Ms} ms, p99 ${steady.healthyP99Ms} ms, max ${steady.healthyMaxMs} ms; slow endpoints got ${steady.slowDelivered}; failing endpoints were tried ${steady.badAttempts} times`,
);

clearInterval(sampler);
await worker.close();
await storage.close();
await Promise.all(
  endpoints.map(
    (target) =>
      new Promise((resolve) => {
        target.server.closeAllConnections();
        target.server.close(resolve);
      }),
  ),
);
rmSync(dataDir, { recursive: true, force: true });
const result = {
  events: EVENTS,
  endpoints: { healthy: 14, slow: 3, failing: 2, hanging: 1 },
  burst,
  steady,
  rssPeakMiB: Math.round(rssPeak),
};
console.log(`RSS peak ${result.rssPeakMiB} MiB`);
console.log(`RESULT ${JSON.stringify(result)}`);
