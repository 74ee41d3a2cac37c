import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import type { AllowList, EventType, HookEvent } from '../../hooks/index.ts';
import { alignDown } from '../../storage/index.ts';
import { currentReplicas, decideStep, learnSteps, type ServiceReadings } from '../step-decision.ts';
import { actuate, type ActuatorOptions } from './actuator.ts';
import { observedReplicas, readTargets } from './readings.ts';
import { createScalerCache } from './scalers.ts';
import type { DecisionRecord, LatestDecision, ScalingStore, StoredPolicy } from './store.ts';

export interface ScalingLoopOptions {
  client: ClickHouseClient;
  store: ScalingStore;
  /** The detector step, ms: one decision per service and step. */
  stepMs: number;
  /** History a new policy's forecasters learn from. */
  lookbackMs: number;
  /** A step is decided this long after it ends, so late telemetry is in. */
  settleMs: number;
  /** This process decides for the services whose hash falls in its shard. */
  shard: { index: number; count: number };
  publish: (type: EventType, data: HookEvent['data']) => Promise<void>;
  /** Targets opened deliberately for actuator URLs (OPSLESS_WEBHOOK_ALLOW). */
  allow?: AllowList;
  logger: Logger;
  now?: () => number;
  /** How often learned state is written (default 10 min; always at close). */
  checkpointMs?: number;
  /** A replica count reported by an actuator or the API is trusted this long (default 1 h). */
  reportedTtlMs?: number;
  actuatorTimeoutMs?: number;
}

export interface ScaleRequest {
  /** Replicas to run, or a change of the current count. */
  replicas?: number | undefined;
  by?: number | undefined;
}

export interface ScalingLoop {
  /** Decides every due step of every policy of this shard. */
  runOnce(): Promise<{ services: number; changed: number }>;
  start(): void;
  close(): Promise<void>;
  /** A scale-out asked for by a remediation step, through the policy's actuator. */
  scale(
    service: string,
    request: ScaleRequest,
    reason: string,
  ): Promise<{ ok: boolean; detail: string }>;
}

/** What one pass reads for the services due: their readings and replicas. */
interface PassInputs {
  readings: Map<string, ServiceReadings>;
  seen: Map<string, number>;
  reported: Awaited<ReturnType<ScalingStore['reported']>>;
}

/** A decision whose final count differs from the last one. */
interface Change {
  stored: StoredPolicy;
  decision: LatestDecision;
  previous: number;
}

/**
 * Every step, for each service with a scaling policy: teaches the policy's forecasters the
 * step's totals, reads the current replicas (reported, else instances seen), asks the
 * scaler for a decision (step-decision.ts), stores it as the service's latest, and when the
 * desired count changes records it in the audit log, tells subscribers
 * (`scaling.recommended`) and, unless the policy is a dry run, POSTs it to the policy's
 * actuator, signed (actuator.ts).
 */
export function createScalingLoop(options: ScalingLoopOptions): ScalingLoop {
  const now = options.now ?? Date.now;
  const stepMs = options.stepMs;
  const checkpointMs = options.checkpointMs ?? 600_000;
  const reportedTtlMs = options.reportedTtlMs ?? 3_600_000;
  const actuator: ActuatorOptions = { allow: options.allow, timeoutMs: options.actuatorTimeoutMs };
  const scalers = createScalerCache({
    store: options.store,
    lookbackMs: options.lookbackMs,
    stepMs,
  });
  let lastCheckpointMs = now();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<{ services: number; changed: number }> | undefined;
  let closed = false;

  async function checkpoint(nowMs: number): Promise<void> {
    await scalers.checkpoint(nowMs);
    lastCheckpointMs = nowMs;
  }

  /** The readings of the steps the due services have not seen, and their replicas. */
  async function readInputs(due: StoredPolicy[], endMs: number): Promise<PassInputs> {
    const fromMs = Math.min(...due.map((stored) => scalers.of(stored.service).lastStepMs + stepMs));
    const readings = await readTargets(options.client, {
      targets: new Map(due.map((stored) => [stored.service, stored.policy.metrics])),
      fromMs,
      toMs: endMs,
      stepSeconds: options.stepMs / 1000,
    });
    const services = due.map((stored) => stored.service);
    const [seen, reported] = await Promise.all([
      observedReplicas(options.client, services, endMs - stepMs, endMs),
      options.store.reported(services),
    ]);
    return { readings, seen, reported };
  }

  /** Each due service's decision for the step ending at `endMs`, and those that changed. */
  function decide(
    due: StoredPolicy[],
    inputs: PassInputs,
    nowMs: number,
    endMs: number,
  ): { latest: LatestDecision[]; changes: Change[] } {
    const latest: LatestDecision[] = [];
    const changes: Change[] = [];
    for (const stored of due) {
      const cached = scalers.of(stored.service);
      const readings = inputs.readings.get(stored.service);
      const { scaler } = cached;
      const { policy } = stored;
      learnSteps({ scaler, policy, readings, learnedStepMs: cached.lastStepMs, endMs, stepMs });
      cached.lastStepMs = endMs - stepMs;
      const { current, source } = currentReplicas({
        reported: inputs.reported.get(stored.service),
        seen: inputs.seen.get(stored.service),
        nowMs,
        reportedTtlMs,
      });
      const dryRun = policy.actuator?.dryRun ?? true;
      const decision = decideStep({
        scaler,
        policy,
        readings,
        endMs,
        stepMs,
        currentReplicas: current,
        apply: !dryRun,
      });
      const entry: LatestDecision = {
        ...decision,
        service: stored.service,
        time: new Date(endMs).toISOString(),
        currentSource: source,
        dryRun,
      };
      latest.push(entry);
      const previous = cached.lastFinal ?? current;
      if (decision.final !== previous) changes.push({ stored, decision: entry, previous });
      cached.lastFinal = decision.final;
    }
    return { latest, changes };
  }

  /** Sends each change to its actuator, tells subscribers, and records it in the audit log. */
  async function emit(changes: Change[]): Promise<void> {
    const records: DecisionRecord[] = [];
    for (const { stored, decision, previous } of changes) {
      const outcome = await actuate(stored, decision, previous, 'scaler', actuator);
      records.push(outcome.record);
      await options.publish('scaling.recommended', {
        service: stored.service,
        current: decision.current,
        previous,
        desired: {
          reactive: decision.reactive,
          predictive: decision.predictive,
          final: decision.final,
        },
        reasons: decision.reasons,
        dryRun: decision.dryRun,
        outcome: outcome.record.outcome,
      });
    }
    await options.store.record(records);
  }

  async function pass(): Promise<{ services: number; changed: number }> {
    const nowMs = now();
    const endMs = alignDown(nowMs - options.settleMs, stepMs);
    const policies = await options.store.policies(options.shard);
    await scalers.sync(policies, endMs);
    const due = policies.filter((stored) => scalers.of(stored.service).lastStepMs < endMs - stepMs);
    if (due.length === 0) return { services: 0, changed: 0 };
    const inputs = await readInputs(due, endMs);
    const { latest, changes } = decide(due, inputs, nowMs, endMs);
    await options.store.writeLatest(latest, nowMs);
    await emit(changes);
    if (nowMs - lastCheckpointMs >= checkpointMs) await checkpoint(nowMs);
    return { services: due.length, changed: changes.length };
  }

  const runOnce = () => {
    running ??= pass().finally(() => (running = undefined));
    return running;
  };

  const schedule = (): void => {
    if (closed) return;
    const nowMs = now();
    // Shortly after each step is settled.
    const nextMs = alignDown(nowMs - options.settleMs, stepMs) + stepMs + options.settleMs;
    timer = setTimeout(
      () => {
        runOnce()
          .catch((error: unknown) => options.logger.error({ err: error }, 'scaling pass failed'))
          .finally(schedule);
      },
      Math.max(1_000, nextMs - nowMs + 500),
    ).unref();
  };

  return {
    runOnce,
    start() {
      runOnce()
        .catch((error: unknown) => options.logger.error({ err: error }, 'scaling pass failed'))
        .finally(schedule);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      if (scalers.size > 0) await checkpoint(now());
    },
    async scale(service, request, reason) {
      const stored = await options.store.policy(service);
      if (!stored?.policy.actuator) {
        return { ok: false, detail: `no scaling actuator configured for ${service}` };
      }
      const latest = await options.store.latest(service);
      const current = latest?.current ?? 0;
      const wanted = request.replicas ?? current + (request.by ?? 1);
      const final = Math.min(
        stored.policy.maxReplicas,
        Math.max(stored.policy.minReplicas, wanted),
      );
      const time = new Date(now()).toISOString();
      const { ok, record } = await actuate(
        stored,
        {
          service,
          time,
          current,
          currentSource: latest?.currentSource ?? 'observed',
          reactive: latest?.reactive ?? current,
          predictive: latest?.predictive ?? null,
          final,
          reasons: [reason],
          capacity: latest?.capacity ?? {},
          dryRun: stored.policy.actuator.dryRun,
        },
        current,
        'remediation',
        actuator,
      );
      await options.store.record([record]);
      return {
        ok,
        detail:
          record.outcome === 'dry-run'
            ? `dry run: would scale ${service} from ${current} to ${final}`
            : `${record.outcome}: ${service} from ${current} to ${final}${record.detail ? ` (${record.detail})` : ''}`,
      };
    },
  };
}
