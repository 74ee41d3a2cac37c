/** What each kind of scenario changes in the traffic, with magnitudes drawn in documented ranges. */
import { NEW_ERROR_MESSAGES } from './logs.ts';
import type { Random } from './random.ts';
import type { Change, Kind, Shape } from './scenario-model.ts';
import { callersOf, reachOf, upstreamOf, type ServiceName } from './topology.ts';

const LATENCY = 'latency_';
const CPU = 'metric:process.cpu.utilization';
/** Failed requests log an ERROR line each: their logs' rates and pattern move with them. */
const ERROR_LOGS = ['log_errors', 'log_warnings', 'log_pattern_burst'];

/** What each kind of change moves, and so what an alert about it names. */
export const FAULT_SIGNALS: Record<Change['type'], string[]> = {
  none: [],
  latency: [LATENCY],
  tail: [LATENCY],
  errors: ['error_ratio', ...ERROR_LOGS],
  'memory-leak': ['metric:process.memory.usage'],
  cpu: [CPU, LATENCY],
  queue: ['metric:messaging.queue.depth'],
  'traffic-drop': ['request_rate', CPU],
  cascade: ['error_ratio', LATENCY, ...ERROR_LOGS],
  deploy: [],
  restart: [],
  scale: [],
  surge: [],
  'single-errors': [],
  skew: [],
  late: [],
  'new-log-pattern': ['log_new_pattern', 'log_errors', 'log_warnings'],
  'log-burst': ['log_pattern_burst', 'log_warnings', 'log_errors'],
  'deploy-logs': [],
};

export function affected(plan: Plan): ServiceName[] {
  const reaches = ['latency', 'tail', 'errors', 'cpu', 'cascade'].includes(plan.change.type);
  const upstream = reaches ? plan.services.flatMap((service) => upstreamOf(service)) : [];
  return [...new Set(upstream)].filter((service) => !plan.services.includes(service));
}

export interface Plan {
  change: Change;
  steps: number;
  noticeAfter: number;
  services: ServiceName[];
  description: string;
}

const BUSY: readonly ServiceName[] = ['frontend', 'catalog', 'checkout', 'payments'];

export function planChange(
  kind: Kind,
  random: Random,
  shape: Shape,
  at: { fromStep: number; history: number; liveSteps: number },
): Plan {
  const service = random.pick(BUSY);
  const plan = (
    change: Change,
    steps: number,
    description: string,
    services = [service],
    noticeAfter = 0,
  ): Plan => ({
    change,
    steps,
    noticeAfter,
    services,
    description,
  });
  switch (kind) {
    case 'p50-shift': {
      const factor = random.between(1.5, 2.5);
      return plan(
        { type: 'latency', service, factor, rampSteps: 0 },
        20,
        `${service} latency ×${factor.toFixed(2)} (all requests) for 20 steps`,
      );
    }
    case 'p99-regression': {
      const share = random.between(0.03, 0.06);
      const extraMs = random.between(800, 2000);
      return plan(
        { type: 'tail', service, share, extraMs },
        20,
        `${service}: ${(share * 100).toFixed(1)}% of requests +${extraMs.toFixed(0)} ms (p99 only) for 20 steps`,
      );
    }
    case 'error-burst-high': {
      const ratio = random.between(0.08, 0.4);
      return plan(
        { type: 'errors', service, ratio, rampSteps: 0 },
        15,
        `${service}: ${(ratio * 100).toFixed(0)}% of requests fail for 15 steps`,
      );
    }
    case 'error-burst-low': {
      const ratio = random.between(0.5, 1);
      return plan(
        { type: 'errors', service: 'reports', ratio, rampSteps: 0 },
        10,
        `reports (1–3 requests a step): ${(ratio * 100).toFixed(0)}% fail for 10 steps`,
        ['reports'],
      );
    }
    case 'slow-burn': {
      const ramp = random.integer(40, 50);
      if (random.next() < 0.5) {
        const factor = random.between(2.5, 3.5);
        // Notice at ×1.5: the ramp is linear from ×1.
        const notice = Math.ceil((ramp * 0.5) / (factor - 1));
        return plan(
          { type: 'latency', service, factor, rampSteps: ramp },
          at.liveSteps - 12,
          `${service} latency creeping to ×${factor.toFixed(1)} over ${ramp} steps`,
          [service],
          notice,
        );
      }
      const ratio = random.between(0.15, 0.3);
      const notice = Math.ceil((ramp * 0.05) / ratio);
      return plan(
        { type: 'errors', service, ratio, rampSteps: ramp },
        at.liveSteps - 12,
        `${service} errors creeping to ${(ratio * 100).toFixed(0)}% over ${ramp} steps`,
        [service],
        notice,
      );
    }
    case 'memory-leak': {
      const leaking: ServiceName = random.pick(['frontend', 'catalog', 'checkout', 'payments']);
      const perStep = random.between(0.02, 0.04);
      const instance = random.integer(0, 1);
      return plan(
        { type: 'memory-leak', service: leaking, instance, perStep },
        30,
        `${leaking} instance ${instance} leaks ${(perStep * 100).toFixed(1)}% of its heap a step for 30 steps`,
        [leaking],
        Math.ceil(0.5 / perStep),
      );
    }
    case 'cpu-saturation': {
      const level = random.between(0.9, 0.98);
      return plan(
        { type: 'cpu', service, level, latencyFactor: 1.3 },
        20,
        `${service} CPU at ${(level * 100).toFixed(0)}% on every instance (latency ×1.3) for 20 steps`,
      );
    }
    case 'queue-backlog': {
      const perStep = random.integer(15, 40);
      return plan(
        { type: 'queue', perStep },
        25,
        `orders queue grows by ${perStep} messages a step for 25 steps`,
        ['orders-worker'],
        Math.ceil(90 / perStep),
      );
    }
    case 'traffic-drop': {
      if (random.next() < 0.5) {
        return plan(
          { type: 'traffic-drop', route: 'shop+cart' },
          15,
          'frontend receives no requests for 15 steps',
          reachOf('frontend'),
        );
      }
      return plan(
        { type: 'traffic-drop', route: 'cart' },
        15,
        'POST /cart/checkout receives no requests for 15 steps',
        ['frontend', ...reachOf('checkout')],
      );
    }
    case 'cascade': {
      const ratio = random.between(0.5, 0.8);
      const latencyFactor = random.between(2, 3);
      const cascade: ServiceName[] = ['payments', ...callersOf('payments'), 'frontend'];
      return plan(
        { type: 'cascade', root: 'payments', ratio, latencyFactor },
        15,
        `payments fails ${(ratio * 100).toFixed(0)}% (latency ×${latencyFactor.toFixed(1)}), checkout and frontend follow, for 15 steps`,
        [...new Set(cascade)],
      );
    }
    case 'new-error-pattern': {
      const perStep = random.between(3, 8);
      const message = random.integer(0, NEW_ERROR_MESSAGES.length - 1);
      return plan(
        { type: 'new-log-pattern', service, perStep, message },
        15,
        `${service} starts logging a never-seen ERROR line about ${perStep.toFixed(1)} times a step for 15 steps`,
      );
    }
    case 'log-error-burst': {
      const level = random.pick(['WARN', 'ERROR'] as const);
      const perStep = random.integer(15, 40);
      return plan(
        { type: 'log-burst', service, level, perStep },
        15,
        `${service}'s known ${level} line (a few an hour) comes ${perStep} times a step for 15 steps`,
      );
    }
    case 'daily-wave':
      shape.amplitude = random.between(0.4, 0.5);
      return plan(
        { type: 'none' },
        30,
        `daily wave ±${(shape.amplitude * 100).toFixed(0)}% (a ${shape.daySteps}-step day)`,
      );
    case 'weekly-wave': {
      // A compressed week whose weekend history has seen once, and which comes again live.
      const periodSteps = at.history - 20;
      shape.daySteps = Math.round(periodSteps / 7);
      shape.weekend = {
        periodSteps,
        offsetStep: at.fromStep % periodSteps,
        lengthSteps: 2 * shape.daySteps,
        factor: random.between(0.5, 0.65),
      };
      return plan(
        { type: 'none' },
        30,
        `weekend at ${(shape.weekend.factor * 100).toFixed(0)}% of weekday traffic, seen once in history`,
      );
    }
    case 'deploy':
      return plan(
        { type: 'deploy', service, version: `2.${random.integer(0, 9)}.0` },
        30,
        `${service} rolls out a new version (new instances), same behaviour`,
      );
    case 'deploy-new-info-patterns':
      return plan(
        { type: 'deploy-logs', service, version: `3.${random.integer(0, 9)}.0` },
        30,
        `${service} rolls out a new version whose instances log new INFO lines (start-up, feature flags, one more line per request)`,
      );
    case 'restart':
      return plan(
        { type: 'restart', service, instance: random.integer(0, 1) },
        30,
        `${service} instance restarts (new service.instance.id, memory reset)`,
      );
    case 'scale-out-in':
      return plan(
        { type: 'scale', service, inAtStep: at.fromStep + 15 },
        30,
        `${service} scales out by one instance, back in 15 steps later (CPU shifts)`,
      );
    case 'surge': {
      const factor =
        Math.min(...shape.historySurges.map((surge) => surge.factor)) * random.between(0.85, 1);
      return plan(
        { type: 'surge', factor },
        10,
        `traffic ×${factor.toFixed(2)} for 10 steps (history had two such surges)`,
      );
    }
    case 'gc-sawtooth':
      shape.gc = { service, periodSteps: random.integer(8, 15), height: random.between(0.3, 0.5) };
      return plan(
        { type: 'none' },
        30,
        `${service} memory saw-tooth of ${(shape.gc.height * 100).toFixed(0)}% every ${shape.gc.periodSteps} steps (as in history)`,
      );
    case 'low-volume-errors': {
      const atSteps = [3, 11, 19, 26].map((offset) => at.fromStep + offset + random.integer(0, 3));
      return plan(
        { type: 'single-errors', atSteps },
        30,
        `reports (1–3 requests a step): a single failed request at ${atSteps.length} steps`,
      );
    }
    case 'clock-skew': {
      const skewMs = random.pick([-1, 1]) * random.between(2000, 8000);
      return plan(
        { type: 'skew', service, instance: random.integer(0, 1), skewMs },
        30,
        `${service} instance clock ${(skewMs / 1000).toFixed(1)} s off`,
      );
    }
    case 'slow-host': {
      const share = random.between(0.3, 0.7);
      return plan(
        { type: 'late', share },
        20,
        `${(share * 100).toFixed(0)}% of each step's data arrives after the step is evaluated, for 20 steps`,
      );
    }
  }
}
