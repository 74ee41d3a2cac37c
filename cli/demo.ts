import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { backfill } from './demo-history.ts';
import { startDemoReceiver, type DemoReceiver } from './demo-receiver.ts';
import {
  BAD_VERSION,
  createDemoServices,
  DEMO_SERVICES,
  STABLE_VERSION,
  type DemoService,
  type DemoServices,
} from './demo-services.ts';
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

/** Requests per second to the frontend at the middle of the wave. */
const BASE_RATE = 4;
const BACKFILL_HOURS = 3;

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

/** A wave with a one-hour "day" (compressed) or a real day, within ±25% of the base. */
function rateAt(timeMs: number, dayMs: number, surge: number): number {
  const phase = (2 * Math.PI * (timeMs % dayMs)) / dayMs;
  return BASE_RATE * (1 + 0.25 * Math.sin(phase)) * surge;
}

/** Calls opsless's API as the demo's operator; rejects with the API's message on an error. */
type ApiCall = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

function apiCaller(api: string, apiKey: string | undefined): ApiCall {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return async (method, path, body) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${method} ${path}: ${String(answer.message)}`);
    return answer;
  };
}

/**
 * Through the API, as a user would: a webhook subscription to the receiver, a scaling
 * policy for the frontend whose actuator is the receiver, and the checkout rollback
 * runbook; the receiver learns each one's signing secret.
 */
async function configureDemo(
  call: ApiCall,
  receiver: DemoReceiver,
  options: { realtime: boolean; minuteMs: number },
): Promise<void> {
  const hooks = receiver.url;
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
  receiver.secrets['/webhook'] = subscription.secret as string;
  const policy = await call('PUT', '/v1/scaling/policies/frontend', {
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [{ type: 'request', target: BASE_RATE * 1.5 }],
    predictive: { enabled: true, lookahead: options.realtime ? '1h' : '10m' },
    actuator: { url: `${hooks}/scale`, dryRun: false },
  }).catch(async () => call('GET', '/v1/scaling/policies/frontend'));
  if (typeof policy.secret === 'string') receiver.secrets['/scale'] = policy.secret;
  const rule = await call('PUT', '/v1/remediations/rules/checkout-rollback', {
    description: 'Roll checkout back when a new version is slow',
    match: { service: 'checkout', signal: 'latency_*' },
    steps: [{ type: 'webhook', url: `${hooks}/rollback` }],
    mode: 'auto',
    cooldownSeconds: 600,
    verifyWithinSeconds: Math.round((24 * options.minuteMs) / 1000),
  });
  if (typeof rule.secret === 'string') receiver.secrets['/rollback'] = rule.secret;
}

/**
 * History shaped like the live services (`latencies` sampled from them), up to the moment
 * live traffic begins, so the detector sees no gap.
 */
async function sendHistory(
  latencies: Record<DemoService, number[]>,
  options: { otlp: string; ingestKey: string | undefined; dayMs: number },
): Promise<void> {
  let sentUntil = Date.now() - BACKFILL_HOURS * 3_600_000;
  // The long part, then the seconds it took, then live traffic takes over.
  for (let pass = 0; pass < 2; pass++) {
    const until = Date.now();
    await backfill(options.otlp, options.ingestKey, sentUntil, until, latencies, (t) =>
      rateAt(t, options.dayMs, 1),
    );
    sentUntil = until;
  }
}

/** Live load: requests to the frontend at the wave's rate times the surge, 256 at most in flight. */
function startLoad(services: DemoServices, dayMs: number) {
  let surge = 1;
  let debt = 0;
  let sent = 0;
  let inFlight = 0;
  const tickMs = 100;
  const timer = setInterval(() => {
    debt += (rateAt(Date.now(), dayMs, surge) * tickMs) / 1000;
    for (; debt >= 1 && inFlight < 256; debt--) {
      inFlight++;
      sent++;
      const item = 1 + Math.floor(Math.random() * 50);
      fetch(`${services.url('frontend')}/shop/${item}`)
        .then((response) => response.arrayBuffer())
        .catch(() => undefined)
        .finally(() => inFlight--);
    }
  }, tickMs);
  return {
    sent: () => sent,
    setSurge: (factor: number) => {
      surge = factor;
    },
    stop: () => clearInterval(timer),
  };
}

/** Resolves on SIGINT, SIGTERM or `signal`'s abort. */
function untilStopped(signal: AbortSignal | undefined, timers: NodeJS.Timeout[]): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    if (signal?.aborted) return done();
    signal?.addEventListener('abort', done, { once: true });
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    timers.push(setInterval(() => undefined, 3_600_000)); // keeps the event loop alive
  });
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

  const services = createDemoServices({ otlp, stepMs, ingestKey: config.ingestKey });
  let receiver: DemoReceiver | undefined;
  let load: ReturnType<typeof startLoad> | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    load?.stop();
    clearInterval(progressTimer);
    timers.forEach(clearTimeout);
    story.stop();
    services.stop();
    receiver?.close();
    await opsless.close();
  };

  try {
    const call = apiCaller(api, config.apiKey);
    receiver = await startDemoReceiver({
      write,
      onRollback: async () => {
        write(
          `  runbook: rolling checkout back to ${STABLE_VERSION} (remediation webhook received)`,
        );
        await services.restartCheckout(STABLE_VERSION, 0);
      },
      onScale: async (service, desired) => {
        await call('PUT', `/v1/scaling/${service}/current`, {
          replicas: desired,
          by: 'demo scaler',
        }).catch(() => undefined);
      },
    });
    await configureDemo(call, receiver, { realtime: options.realtime, minuteMs: minute });
    await services.start();
    write(`services running: ${DEMO_SERVICES.map((s) => `${s} ${services.url(s)}`).join(', ')}`);

    const latencies = await services.sampleLatencies();
    write(`sending ${BACKFILL_HOURS} hours of history …`);
    await sendHistory(latencies, { otlp, ingestKey: config.ingestKey, dayMs });
    load = startLoad(services, dayMs);
    historySent();
    write('history sent; the detector learns from it now');

    const startedAt = Date.now();
    write('the story (one "minute" here is one detector step):');
    for (const line of scheduleLines(DEMO_STORY, minute)) write(line);
    write(`run an incident now or skip it on the UI's Demo page: ${api}/demo`);
    const surging = load;
    story.begin({
      'checkout-slow-release': { start: () => services.restartCheckout(BAD_VERSION, 350) },
      'payments-error-burst': {
        start: () => services.steer('payments', { errorShare: 0.4 }),
        end: () => services.steer('payments', { errorShare: 0 }),
      },
      'frontend-traffic-surge': {
        start: async () => surging.setSurge(3),
        end: async () => surging.setSurge(1),
      },
    });
    const counts = receiver.counts;
    progressTimer = setInterval(() => {
      void call('GET', '/v1/alerts?status=open')
        .then((answer) => {
          const open = (answer.alerts as unknown[]).length;
          const seconds = Math.round((Date.now() - startedAt) / 1000);
          write(
            `[+${seconds}s] ${surging.sent()} requests sent, checkout ${services.checkoutVersion()}, ${open} open alert(s), ${counts.deliveries} webhook(s) received`,
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
    await untilStopped(options.signal, timers);
    await stop();
    return counts.badSignatures === 0 ? 0 : 1;
  } catch (error) {
    historySent();
    await stop();
    throw error;
  }
}
