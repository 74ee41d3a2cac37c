import { spawn, type ChildProcess } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { tracing } from '@opentelemetry/sdk-node';
import type { Logger } from 'pino';
import { signatureHeader } from '../hooks/index.ts';
import type { Config } from './config.ts';
import { createStory, scheduleLines, type StoryIncident } from './demo-story.ts';
import { ALL_ROLES, localUrl, startOpsless } from './start.ts';

/**
 * `opsless demo`: opsless plus three instrumented services (frontend → checkout →
 * payments) under a generated load with a daily-looking wave, a few hours of history sent
 * first so that baselines exist at once, then a scripted story of incidents: a slow new
 * checkout version (rolled back by a remediation runbook), an error burst in payments, a
 * traffic surge that needs more frontend replicas. A built-in receiver takes the webhooks
 * and checks their signatures; the console narrates. The UI's Demo page (`/v1/demo`) runs an
 * incident at once or skips it.
 */

const SERVICE_JS = fileURLToPath(new URL('../demo/service.js', import.meta.url));
// By file URL, not the package name: `npx opsless demo` runs from a folder whose own
// node_modules need not hold opsless, and `--import` resolves names from the working folder.
const INSTRUMENT_URL = new URL('../packages/instrument/index.js', import.meta.url).href;
const SERVICES = ['payments', 'checkout', 'frontend'] as const;
type ServiceName = (typeof SERVICES)[number];
const STABLE_VERSION = '1.4.0';
const BAD_VERSION = '1.5.0';
/** Requests per second to the frontend at the middle of the wave. */
const BASE_RATE = 4;
const BACKFILL_HOURS = 3;
const HISTORY_EXPORT_TIMEOUT_MS = 120_000;

/**
 * The story, in story minutes (one detector step each). Each incident can also be run at
 * once or skipped from the UI's Demo page (`/v1/demo`).
 */
export const DEMO_STORY: readonly StoryIncident[] = [
  {
    id: 'checkout-slow-release',
    at: 2,
    description: `checkout ${BAD_VERSION} is deployed: POST /checkout gets 350 ms slower`,
  },
  {
    id: 'payments-error-burst',
    at: 15,
    description: 'payments: 40% of POST /pay fail',
    end: { after: 3, description: 'payments recovers' },
  },
  {
    id: 'frontend-traffic-surge',
    at: 25,
    description: 'traffic surge: three times the requests to the frontend',
    end: { after: 4, description: 'the surge ends' },
  },
];

/** One story "minute": a detector step of the demo's default configuration. */
export function demoMinuteMs(realtime: boolean): number {
  return realtime ? 60_000 : 10_000;
}

export interface DemoOptions {
  realtime: boolean;
  /** Where the story is told (default: stdout). */
  write?: (line: string) => void;
  /** Stops the demo (tests); otherwise it runs until SIGINT or SIGTERM. */
  signal?: AbortSignal;
}

interface Child {
  process: ChildProcess;
  url: string;
}

/** A wave with a one-hour "day" (compressed) or a real day, within ±25% of the base. */
function rateAt(timeMs: number, dayMs: number, surge: number): number {
  const phase = (2 * Math.PI * (timeMs % dayMs)) / dayMs;
  return BASE_RATE * (1 + 0.25 * Math.sin(phase)) * surge;
}

export async function runDemo(
  config: Config,
  logger: Logger,
  options: DemoOptions,
): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stepMs = config.detect.stepMs;
  const dayMs = options.realtime ? 86_400_000 : 3_600_000;
  const minute = demoMinuteMs(options.realtime);
  let historySent!: () => void;
  const history = new Promise<void>((resolve) => (historySent = resolve));
  const story = createStory({ incidents: DEMO_STORY, minuteMs: minute, write });
  // The detector waits for the history, so it learns from all of it at once.
  const opsless = await startOpsless(config, logger, ALL_ROLES, {
    holdDetector: history,
    demo: story,
  });
  const api = localUrl(config.host, opsless.apiPort!);
  const otlp = localUrl(config.host, opsless.otlpHttpPort!);
  write(`opsless demo — UI at ${api}/  (OTLP ${otlp}, ${stepMs / 1000} s steps)`);

  const children = new Map<ServiceName, Child>();
  let receiver: Server | undefined;
  let loadTimer: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(loadTimer);
    clearInterval(progressTimer);
    timers.forEach(clearTimeout);
    story.stop();
    for (const child of children.values()) child.process.kill('SIGTERM');
    receiver?.close();
    await opsless.close();
  };

  try {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path}: ${String(answer.message)}`);
      return answer;
    };

    // The built-in receiver: subscriber webhooks, the rollback runbook, the scaler.
    const secrets: Record<string, string> = {};
    const counts = { deliveries: 0, badSignatures: 0 };
    receiver = createServer((request, response) => {
      void readBody(request).then(async (body) => {
        const path = request.url ?? '';
        const secret = secrets[path];
        const ok = secret !== undefined && verify(request, body, secret);
        if (!ok) counts.badSignatures++;
        response.statusCode = ok ? 200 : 401;
        response.end();
        if (!ok) {
          write(`  ! ${path}: a request whose signature does not verify was refused`);
          return;
        }
        const message = JSON.parse(body) as { type: string; data: Record<string, unknown> };
        if (path === '/webhook') {
          counts.deliveries++;
          write(`  webhook ${describeEvent(message)}  (signature verified)`);
        } else if (path === '/rollback') {
          write(
            `  runbook: rolling checkout back to ${STABLE_VERSION} (remediation webhook received)`,
          );
          await restartCheckout(STABLE_VERSION, 0);
        } else if (path === '/scale') {
          const data = message.data as { service: string; desired: number };
          write(`  scaler: ${data.service} → ${data.desired} replicas (actuator webhook received)`);
          await call('PUT', `/v1/scaling/${data.service}/current`, {
            replicas: data.desired,
            by: 'demo scaler',
          }).catch(() => undefined);
        }
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const subscription = await call('POST', '/v1/webhooks', {
      url: `${hooks}/webhook`,
      events: [
        'anomaly.opened',
        'anomaly.updated',
        'anomaly.resolved',
        'scaling.recommended',
        'remediation.started',
        'remediation.succeeded',
        'remediation.failed',
      ],
      description: 'opsless demo receiver',
    });
    secrets['/webhook'] = subscription.secret as string;
    const policy = await call('PUT', '/v1/scaling/policies/frontend', {
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'request', target: BASE_RATE * 1.5 }],
      predictive: { enabled: true, lookahead: options.realtime ? '1h' : '10m' },
      actuator: { url: `${hooks}/scale`, dryRun: false },
    }).catch(async () => call('GET', '/v1/scaling/policies/frontend'));
    if (typeof policy.secret === 'string') secrets['/scale'] = policy.secret;
    const rule = await call('PUT', '/v1/remediations/rules/checkout-rollback', {
      description: 'Roll checkout back when a new version is slow',
      match: { service: 'checkout', signal: 'latency_*' },
      steps: [{ type: 'webhook', url: `${hooks}/rollback` }],
      mode: 'auto',
      cooldownSeconds: 600,
      verifyWithinSeconds: Math.round((24 * minute) / 1000),
    });
    if (typeof rule.secret === 'string') secrets['/rollback'] = rule.secret;

    const spawnService = async (
      service: ServiceName,
      version: string,
      extraLatencyMs: number,
      among: Map<ServiceName, Child> = children,
    ): Promise<Child> => {
      const downstream =
        service === 'frontend'
          ? among.get('checkout')!.url
          : service === 'checkout'
            ? among.get('payments')!.url
            : '';
      // The services `among` a throwaway set (latency samples) send no telemetry.
      const quiet = among !== children;
      const child = spawn(process.execPath, ['--import', INSTRUMENT_URL, SERVICE_JS], {
        env: {
          ...process.env,
          DEMO_SERVICE: service,
          DEMO_DOWNSTREAM: downstream,
          DEMO_LATENCY_MS: service === 'frontend' ? '15' : service === 'checkout' ? '40' : '60',
          DEMO_EXTRA_LATENCY_MS: String(extraLatencyMs),
          OTEL_SERVICE_NAME: service,
          ...(quiet ? { OTEL_SDK_DISABLED: 'true' } : {}),
          OTEL_RESOURCE_ATTRIBUTES: `service.version=${version},deployment.environment.name=demo`,
          OTEL_METRIC_EXPORT_INTERVAL: String(Math.min(stepMs, 60_000)),
          OPSLESS_ENDPOINT: otlp,
          ...(config.ingestKey ? { OPSLESS_INGEST_KEY: config.ingestKey } : {}),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening (\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', (code) => reject(new Error(`${service} exited (${code})`)));
      });
      child.removeAllListeners('exit');
      return { process: child, url: `http://127.0.0.1:${port}` };
    };
    let checkoutVersion = STABLE_VERSION;
    const restartCheckout = async (version: string, extraLatencyMs: number) => {
      const old = children.get('checkout');
      const fresh = await spawnService('checkout', version, extraLatencyMs);
      children.set('checkout', fresh);
      // The frontend keeps its port; it is told where checkout is now.
      await restartFrontendDownstream();
      old?.process.kill('SIGTERM');
      checkoutVersion = version;
    };
    const restartFrontendDownstream = async () => {
      const old = children.get('frontend');
      if (!old) return;
      children.set('frontend', await spawnService('frontend', STABLE_VERSION, 0));
      old.process.kill('SIGTERM');
    };
    for (const service of SERVICES) {
      children.set(service, await spawnService(service, STABLE_VERSION, 0));
    }
    write(`services running: ${SERVICES.map((s) => `${s} ${children.get(s)!.url}`).join(', ')}`);

    // History first, shaped like the live services (their latencies are sampled), up to
    // the moment live traffic begins, so the detector sees no gap; it waits for all of it.
    const samplers = new Map<ServiceName, Child>();
    for (const service of SERVICES) {
      samplers.set(service, await spawnService(service, STABLE_VERSION, 0, samplers));
    }
    const latencies = {
      payments: await sampleLatencies(`${samplers.get('payments')!.url}/pay`, 'POST'),
      checkout: await sampleLatencies(`${samplers.get('checkout')!.url}/checkout`, 'POST'),
      frontend: await sampleLatencies(`${samplers.get('frontend')!.url}/shop/1`, 'GET'),
    };
    for (const sampler of samplers.values()) sampler.process.kill('SIGTERM');
    write(`sending ${BACKFILL_HOURS} hours of history …`);
    const historyFromMs = Date.now() - BACKFILL_HOURS * 3_600_000;
    let sentUntil = historyFromMs;
    // The long part, then the seconds it took, then live traffic takes over.
    for (let pass = 0; pass < 2; pass++) {
      const until = Date.now();
      await backfill(otlp, config.ingestKey, sentUntil, until, latencies, (t) =>
        rateAt(t, dayMs, 1),
      );
      sentUntil = until;
    }

    // Live load: requests to the frontend at the wave's rate (times the surge).
    let surge = 1;
    let debt = 0;
    let sent = 0;
    let inFlight = 0;
    const tickMs = 100;
    loadTimer = setInterval(() => {
      debt += (rateAt(Date.now(), dayMs, surge) * tickMs) / 1000;
      for (; debt >= 1 && inFlight < 256; debt--) {
        inFlight++;
        sent++;
        const item = 1 + Math.floor(Math.random() * 50);
        fetch(`${children.get('frontend')!.url}/shop/${item}`)
          .then((response) => response.arrayBuffer())
          .catch(() => undefined)
          .finally(() => inFlight--);
      }
    }, tickMs);
    historySent();
    write('history sent; the detector learns from it now');

    const steer = (service: ServiceName, incident: Record<string, number>) =>
      fetch(`${children.get(service)!.url}/__demo`, {
        method: 'POST',
        body: JSON.stringify(incident),
      }).catch(() => undefined);
    const startedAt = Date.now();
    write('the story (one "minute" here is one detector step):');
    for (const line of scheduleLines(DEMO_STORY, minute)) write(line);
    write(`run an incident now or skip it on the UI's Demo page: ${api}/demo`);
    story.begin({
      'checkout-slow-release': { start: () => restartCheckout(BAD_VERSION, 350) },
      'payments-error-burst': {
        start: () => steer('payments', { errorShare: 0.4 }),
        end: () => steer('payments', { errorShare: 0 }),
      },
      'frontend-traffic-surge': {
        start: async () => (surge = 3),
        end: async () => (surge = 1),
      },
    });
    progressTimer = setInterval(() => {
      void call('GET', '/v1/alerts?status=open')
        .then((answer) => {
          const open = (answer.alerts as unknown[]).length;
          const seconds = Math.round((Date.now() - startedAt) / 1000);
          write(
            `[+${seconds}s] ${sent} requests sent, checkout ${checkoutVersion}, ${open} open alert(s), ${counts.deliveries} webhook(s) received`,
          );
        })
        .catch(() => undefined);
    }, stepMs);

    const storyEndMs = 30 * minute;
    timers.push(
      setTimeout(
        () => write('the story is over; opsless keeps running (Ctrl-C stops it)'),
        storyEndMs,
      ),
    );
    // Runs until interrupted (or stopped by the caller).
    await new Promise<void>((resolve) => {
      const done = () => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      if (options.signal?.aborted) return done();
      options.signal?.addEventListener('abort', done, { once: true });
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
      timers.push(setInterval(() => undefined, 3_600_000)); // keeps the event loop alive
    });
    await stop();
    return counts.badSignatures === 0 ? 0 : 1;
  } catch (error) {
    historySent();
    await stop();
    throw error;
  }
}

/** How long a service answers, measured from outside: the history is drawn from these. */
async function sampleLatencies(url: string, method: string, count = 150): Promise<number[]> {
  const samples: number[] = [];
  const worker = async () => {
    while (samples.length < count) {
      const started = performance.now();
      await fetch(url, { method }).then((response) => response.arrayBuffer());
      samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return samples;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });
}

/** Checks a Standard Webhooks signature, as any receiver should. */
function verify(request: IncomingMessage, body: string, secret: string): boolean {
  const id = request.headers['webhook-id'];
  const timestamp = Number(request.headers['webhook-timestamp']);
  const signatures = String(request.headers['webhook-signature'] ?? '').split(' ');
  if (typeof id !== 'string' || !Number.isFinite(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const expected = Buffer.from(
    signatureHeader({ id, timestampSeconds: timestamp, body }, [secret]),
  );
  return signatures.some((signature) => {
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function describeEvent(event: { type: string; data: Record<string, unknown> }): string {
  const data = event.data;
  if (event.type.startsWith('anomaly.')) {
    const services = Array.isArray(data.services) ? (data.services as string[]) : [];
    const incident = services.length > 1 ? `  [incident: ${services.join(', ')}]` : '';
    return `${event.type}: ${String(data.summary)}${incident}`;
  }
  if (event.type === 'scaling.recommended') {
    const desired = data.desired as { final: number; predictive: number | null };
    return `${event.type}: ${String(data.service)} ${String(data.previous)} → ${desired.final} replicas${desired.predictive !== null ? ` (forecast asks ${desired.predictive})` : ''}`;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  // A run's reason says why it ended as it did (why a rollback was not verified, say).
  const why = data.status && data.reason ? ` (${text(data.reason)})` : '';
  return `${event.type}: ${text(data.service)} ${text(data.status) || text(data.reason)}${why}`.trim();
}

/**
 * Sends [fromMs, toMs) of past traffic through the OpenTelemetry SDK: per request a
 * frontend, a checkout and a payments server span.
 */
async function backfill(
  otlp: string,
  ingestKey: string | undefined,
  fromMs: number,
  toMs: number,
  latencies: Record<ServiceName, number[]>,
  rate: (timeMs: number) => number,
): Promise<void> {
  const stepMs = 10_000;
  const providers = SERVICES.map(
    (service) =>
      new tracing.BasicTracerProvider({
        forceFlushTimeoutMillis: HISTORY_EXPORT_TIMEOUT_MS,
        resource: resourceFromAttributes({
          'service.name': service,
          'service.version': STABLE_VERSION,
          'service.instance.id': `${service}-history`,
          'deployment.environment.name': 'demo',
        }),
        spanProcessors: [
          new tracing.BatchSpanProcessor(
            // On a busy host one batch of history may take longer than the exporter's
            // default 10 s (or a flush than the provider's 30 s), which would end the demo.
            new OTLPTraceExporter({
              url: `${otlp}/v1/traces`,
              timeoutMillis: HISTORY_EXPORT_TIMEOUT_MS,
              ...(ingestKey ? { headers: { authorization: `Bearer ${ingestKey}` } } : {}),
            }),
            {
              maxQueueSize: 200_000,
              maxExportBatchSize: 4_000,
              scheduledDelayMillis: 200,
              exportTimeoutMillis: HISTORY_EXPORT_TIMEOUT_MS,
            },
          ),
        ],
      }),
  );
  const [payments, checkout, frontend] = providers.map((p) => p.getTracer('opsless-demo')) as [
    Tracer,
    Tracer,
    Tracer,
  ];
  let random = 42;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let step = fromMs; step < toMs; step += stepMs) {
    const length = Math.min(stepMs, toMs - step);
    const count = Math.max(0, Math.round((rate(step) * length) / 1000 + (next() - 0.5) * 2));
    for (let i = 0; i < count; i++) {
      const start = step + Math.floor(next() * length);
      const pick = (samples: number[]) => samples[Math.floor(next() * samples.length)]!;
      const pay = pick(latencies.payments);
      const check = Math.max(pick(latencies.checkout), pay + 2);
      const front = Math.max(pick(latencies.frontend), check + 2);
      const root = frontend.startSpan('GET /shop/:item', {
        kind: SpanKind.SERVER,
        startTime: start,
        attributes: serverAttributes('GET', '/shop/:item'),
      });
      const inRoot = trace.setSpan(context.active(), root);
      const mid = checkout.startSpan(
        'POST /checkout',
        {
          kind: SpanKind.SERVER,
          startTime: start + 2,
          attributes: serverAttributes('POST', '/checkout'),
        },
        inRoot,
      );
      const leaf = payments.startSpan(
        'POST /pay',
        {
          kind: SpanKind.SERVER,
          startTime: start + 4,
          attributes: serverAttributes('POST', '/pay'),
        },
        trace.setSpan(context.active(), mid),
      );
      leaf.setStatus({ code: SpanStatusCode.UNSET });
      leaf.end(start + 4 + pay);
      mid.end(start + 2 + check);
      root.end(start + front);
    }
    // Every ten minutes of history is flushed before the next is made: the exporters keep
    // up however busy the host is, instead of a queue of hours flushed against a deadline.
    if ((step - fromMs) % (60 * stepMs) === 0) {
      await Promise.all(providers.map((provider) => provider.forceFlush()));
    }
  }
  await Promise.all(providers.map((provider) => provider.forceFlush()));
  await Promise.all(providers.map((provider) => provider.shutdown()));
}

function serverAttributes(method: string, route: string) {
  return {
    'http.request.method': method,
    'http.route': route,
    'http.response.status_code': 200,
  };
}
