/**
 * What the simulated services log, step by step: a line per request (an ERROR line when it
 * fails), a GC line per instance, start-up lines from every new process, and two known
 * background problems per service (a WARN and an ERROR pattern, a few times an hour) —
 * plus what the log kinds of scenario change in it.
 */
import { createRandom } from './random.ts';
import type { Scenario } from './scenario-model.ts';
import { SERVICES, type ServiceName } from './topology.ts';
import type { PlannedSpan } from './planned-telemetry.ts';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/** One log record, as an instrumented service's logs exporter would send it. */
export interface PlannedLog {
  service: ServiceName;
  instance: string;
  version: string;
  timeMs: number;
  level: LogLevel;
  body: string;
  /** The request it was logged in, if any. */
  traceId: string | null;
  spanId: string | null;
  /** Sent only after the step has been evaluated (a slow host). */
  late: boolean;
}

/** A running process, as the traffic knows it. */
export interface LoggingInstance {
  id: string;
  version: string;
  startStep: number;
  skewMs: number;
}

/** Never-seen ERROR lines the `new-error-pattern` kind starts logging (one per scenario). */
export const NEW_ERROR_MESSAGES: ReadonlyArray<(n: number, hex: string) => string> = [
  (n) => `TLS handshake with bank-${n % 4}.example.com:443 failed: certificate has expired`,
  (n, hex) => `cannot write audit record ${hex}: disk quota exceeded on /var/lib/audit/${n % 8}`,
  (n) => `exchange rates refresh failed: unexpected token < in JSON at position ${n % 500}`,
];

/** The service's known background problems; the `log-error-burst` kind makes one pour. */
export const KNOWN_PROBLEMS: Record<'WARN' | 'ERROR', (n: number) => string> = {
  WARN: (n) => `connection pool exhausted: ${n % 16} waiting, ${32 - (n % 16)} active`,
  ERROR: (n) => `lost connection to cache-${n % 3}:6379, reconnecting in ${50 + (n % 200)} ms`,
};

/** The logs of a scenario, step by step, from the spans and the instances of each step. */
export function createLogs(scenario: Scenario): {
  step(
    step: number,
    spans: readonly PlannedSpan[],
    instances: ReadonlyMap<ServiceName, readonly LoggingInstance[]>,
  ): PlannedLog[];
} {
  // Its own stream: the spans and points of a scenario are the same with or without logs.
  const random = createRandom(scenario.seed ^ 0x10c5);
  const { change } = scenario;
  const problemRates = new Map(
    SERVICES.map((service) => [
      service,
      { WARN: random.between(0.1, 0.4), ERROR: random.between(0.03, 0.12) },
    ]),
  );
  const live = (step: number) => step >= scenario.fromStep && step < scenario.toStep;
  let counter = 0;

  return {
    step(step, spans, instances) {
      const stepStart = scenario.startMs + step * scenario.stepMs;
      const late = () => change.type === 'late' && live(step) && random.next() < change.share;
      const logs: PlannedLog[] = [];
      const log = (
        service: ServiceName,
        instance: LoggingInstance,
        level: LogLevel,
        body: string,
        timeMs = stepStart + random.next() * (scenario.stepMs - 1000) + instance.skewMs,
        span: PlannedSpan | null = null,
      ) =>
        logs.push({
          service,
          instance: instance.id,
          version: instance.version,
          timeMs,
          level,
          body,
          traceId: span?.traceId ?? null,
          spanId: span?.spanId ?? null,
          late: late(),
        });
      const newVersion = (version: string) =>
        change.type === 'deploy-logs' && version === change.version;

      for (const span of spans) {
        const instance = instances.get(span.service)?.find((entry) => entry.id === span.instance);
        if (!instance) continue;
        const ms = Math.round(span.durationMs);
        const at = span.startMs + span.durationMs;
        const body =
          span.kind === 'consumer'
            ? `processed order ${span.spanId} in ${ms} ms`
            : `${span.name} ${span.error ? 500 : 200} in ${ms} ms`;
        log(span.service, instance, 'INFO', body, at, span);
        if (span.error)
          log(
            span.service,
            instance,
            'ERROR',
            `${span.name} failed: internal error after ${ms} ms`,
            at,
            span,
          );
        if (newVersion(instance.version))
          log(
            span.service,
            instance,
            'INFO',
            `request ${span.spanId} served by engine v2 with ${ms % 7} cache hits`,
            at,
            span,
          );
      }

      for (const service of SERVICES) {
        const pool = instances.get(service) ?? [];
        for (const instance of pool) {
          if (instance.startStep === step) {
            for (const body of startUpLines(service, instance))
              log(service, instance, 'INFO', body);
            if (newVersion(instance.version)) {
              for (const flag of ['pricing-v2', 'bulk-discounts', 'async-receipts'])
                log(
                  service,
                  instance,
                  'INFO',
                  `feature flag ${flag} enabled for ${random.integer(5, 100)}% of requests`,
                );
              log(
                service,
                instance,
                'INFO',
                `migrated local cache schema to v${random.integer(2, 9)} in ${random.integer(20, 900)} ms`,
              );
            }
          }
          log(
            service,
            instance,
            'INFO',
            `GC pause ${random.integer(2, 40)} ms, heap ${random.integer(80, 400)} MB`,
          );
        }
        const someone = () => pool[Math.floor(random.next() * pool.length)]!;
        if (pool.length === 0) continue;
        const rates = problemRates.get(service)!;
        for (const level of ['WARN', 'ERROR'] as const) {
          let count = random.poisson(rates[level]);
          if (
            change.type === 'log-burst' &&
            change.service === service &&
            change.level === level &&
            live(step)
          )
            count += random.poisson(change.perStep);
          for (let i = 0; i < count; i++)
            log(service, someone(), level, KNOWN_PROBLEMS[level](++counter));
        }
        if (change.type === 'new-log-pattern' && change.service === service && live(step)) {
          const message = NEW_ERROR_MESSAGES[change.message % NEW_ERROR_MESSAGES.length]!;
          const count = random.poisson(change.perStep);
          for (let i = 0; i < count; i++)
            log(service, someone(), 'ERROR', message(++counter, random.hex(8)));
        }
      }
      return logs;
    },
  };
}

function startUpLines(service: ServiceName, instance: LoggingInstance): string[] {
  return [
    `starting ${service} version ${instance.version} as ${instance.id}`,
    `connected to database primary in ${40 + (instance.startStep % 50)} ms`,
    `listening on port 8080`,
  ];
}
