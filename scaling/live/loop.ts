import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import {
  newMessageId,
  webhookHeaders,
  type AllowList,
  type EventType,
  type HookEvent,
} from '../../hooks/index.ts';
import { attemptDelivery } from '../../hooks/live/index.ts';
import type { MetricReading } from '../hpa.ts';
import { metricKey } from '../policy.ts';
import { createScaler, type Scaler, type ScalingDecision } from '../scaler.ts';
import { observedReplicas, readTargets } from './readings.ts';
import type { DecisionRecord, LatestDecision, ScalingStore, StoredPolicy } from './store.ts';
import { alignDown } from '../../storage/index.ts';

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

interface Cached {
  scaler: Scaler;
  policyUpdatedAt: string;
  /** Start of the last step the scaler has seen. */
  lastStepMs: number;
  /** The last final count decided (what a change is measured against). */
  lastFinal: number | null;
}

/**
 * Every step, for each service with a scaling policy: teaches the policy's forecasters the
 * step's totals, reads the current replicas (reported, else instances seen), asks the
 * scaler for a decision, stores it as the service's latest, and when the desired count
 * changes records it in the audit log, tells subscribers (`scaling.recommended`) and, unless
 * the policy is a dry run, POSTs it to the policy's actuator, signed.
 */
export function createScalingLoop(options: ScalingLoopOptions): ScalingLoop {
  const now = options.now ?? Date.now;
  const stepMs = options.stepMs;
  const checkpointMs = options.checkpointMs ?? 600_000;
  const reportedTtlMs = options.reportedTtlMs ?? 3_600_000;
  const cache = new Map<string, Cached>();
  let lastCheckpointMs = now();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<{ services: number; changed: number }> | undefined;
  let closed = false;

  async function checkpoint(nowMs: number): Promise<void> {
    await options.store.writeScalerStates(
      [...cache].map(([service, cached]) => [
        service,
        {
          policyUpdatedAt: cached.policyUpdatedAt,
          lastStepMs: cached.lastStepMs,
          scaler: cached.scaler.toJSON(),
        },
      ]),
      nowMs,
    );
    lastCheckpointMs = nowMs;
  }

  /** Scalers for these policies: cached, else resumed from a checkpoint, else new. */
  async function scalersFor(policies: StoredPolicy[], endMs: number): Promise<void> {
    const missing = policies.filter(
      (stored) => cache.get(stored.service)?.policyUpdatedAt !== stored.updatedAt,
    );
    if (missing.length === 0) return;
    const saved = await options.store.scalerStates(missing.map((stored) => stored.service));
    const latest = await options.store.latestOf(missing.map((stored) => stored.service));
    for (const stored of missing) {
      const state = saved.get(stored.service);
      const resumable = state !== undefined && state.policyUpdatedAt === stored.updatedAt;
      cache.set(stored.service, {
        scaler: createScaler({
          policy: stored.policy,
          ...(resumable ? { state: state.scaler } : {}),
        }),
        policyUpdatedAt: stored.updatedAt,
        // A new scaler learns the lookback's history first.
        lastStepMs: resumable ? state.lastStepMs : endMs - options.lookbackMs - stepMs,
        lastFinal: latest.get(stored.service)?.final ?? null,
      });
    }
  }

  async function pass(): Promise<{ services: number; changed: number }> {
    const nowMs = now();
    const endMs = alignDown(nowMs - options.settleMs, stepMs);
    const policies = await options.store.policies(options.shard);
    const wanted = new Set(policies.map((stored) => stored.service));
    for (const service of cache.keys()) if (!wanted.has(service)) cache.delete(service);
    await scalersFor(policies, endMs);
    const due = policies.filter((stored) => cache.get(stored.service)!.lastStepMs < endMs - stepMs);
    if (due.length === 0) return { services: 0, changed: 0 };

    const fromMs = Math.min(...due.map((stored) => cache.get(stored.service)!.lastStepMs + stepMs));
    const readings = await readTargets(options.client, {
      targets: new Map(due.map((stored) => [stored.service, stored.policy.metrics])),
      fromMs,
      toMs: endMs,
      stepSeconds: options.stepMs / 1000,
    });
    const services = due.map((stored) => stored.service);
    const lastStepStart = endMs - stepMs;
    const [seen, reported] = await Promise.all([
      observedReplicas(options.client, services, lastStepStart, endMs),
      options.store.reported(services),
    ]);

    const latest: LatestDecision[] = [];
    const changes: Array<{ stored: StoredPolicy; decision: LatestDecision; previous: number }> = [];
    for (const stored of due) {
      const cached = cache.get(stored.service)!;
      const byKey = readings.get(stored.service);
      // Teach the forecasters every step they have not seen, in order.
      for (let t = cached.lastStepMs + stepMs; t < endMs; t += stepMs) {
        for (const target of stored.policy.metrics) {
          const key = metricKey(target);
          const reading = byKey?.get(key)?.get(t);
          if (reading !== undefined) cached.scaler.observe(key, t, reading.total);
        }
      }
      cached.lastStepMs = lastStepStart;

      const report = reported.get(stored.service);
      const fresh = report !== undefined && nowMs - Date.parse(report.reportedAt) <= reportedTtlMs;
      const current = fresh ? report.replicas : (seen.get(stored.service) ?? 0);
      // The last step teaches what a replica carries: its load per replica, latency and errors.
      const served = byKey?.get('request')?.get(lastStepStart);
      if (
        current > 0 &&
        served?.latencyMs !== undefined &&
        served.errorRatio !== undefined &&
        stored.policy.metrics.some((target) => metricKey(target) === 'request')
      ) {
        cached.scaler.observeCapacity('request', {
          loadPerReplica: served.total / current,
          latency: served.latencyMs,
          errorRatio: served.errorRatio,
        });
      }
      const metrics: Record<string, MetricReading | undefined> = {};
      for (const target of stored.policy.metrics) {
        const key = metricKey(target);
        const reading = byKey?.get(key)?.get(lastStepStart);
        metrics[key] =
          reading === undefined
            ? undefined
            : reading.replicas !== undefined && reading.replicas > 0
              ? { perReplica: reading.total / reading.replicas, replicas: reading.replicas }
              : { total: reading.total };
      }
      const dryRun = stored.policy.actuator?.dryRun ?? true;
      const decision: ScalingDecision = cached.scaler.recommend({
        nowMs: endMs,
        currentReplicas: current,
        metrics,
        apply: !dryRun,
      });
      const entry: LatestDecision = {
        ...decision,
        service: stored.service,
        time: new Date(endMs).toISOString(),
        currentSource: fresh ? 'reported' : 'observed',
        dryRun,
      };
      latest.push(entry);
      const previous = cached.lastFinal ?? current;
      if (decision.final !== previous) {
        changes.push({ stored, decision: entry, previous });
      }
      cached.lastFinal = decision.final;
    }
    await options.store.writeLatest(latest, nowMs);

    const records: DecisionRecord[] = [];
    for (const { stored, decision, previous } of changes) {
      const outcome = await actuate(stored, decision, previous, 'scaler');
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
    if (nowMs - lastCheckpointMs >= checkpointMs) await checkpoint(nowMs);
    return { services: due.length, changed: changes.length };
  }

  /** Sends a decision to the policy's actuator (unless a dry run) and says what happened. */
  async function actuate(
    stored: StoredPolicy,
    decision: Omit<LatestDecision, 'forecast'>,
    previous: number,
    source: 'scaler' | 'remediation',
  ): Promise<{ ok: boolean; record: DecisionRecord }> {
    const record: DecisionRecord = {
      service: stored.service,
      time: decision.time,
      current: decision.current,
      reactive: decision.reactive,
      predictive: decision.predictive,
      final: decision.final,
      previous,
      reasons: decision.reasons,
      source,
      dryRun: decision.dryRun,
      outcome: 'dry-run',
      detail: '',
    };
    const actuator = stored.policy.actuator;
    if (!actuator) return { ok: true, record: { ...record, outcome: 'no-actuator' } };
    if (actuator.dryRun) return { ok: true, record };
    const body = JSON.stringify({
      type: 'scaling.decision',
      timestamp: decision.time,
      data: {
        service: stored.service,
        current: decision.current,
        desired: decision.final,
        reactive: decision.reactive,
        predictive: decision.predictive,
        reasons: decision.reasons,
        source,
      },
    });
    const attempt = await attemptDelivery({
      url: actuator.url,
      headers: webhookHeaders(
        // Signed at the wall-clock time of sending, as receivers check it.
        { id: newMessageId(), timestampSeconds: Math.floor(Date.now() / 1000), body },
        [stored.secret],
      ),
      body,
      timeoutMs: options.actuatorTimeoutMs ?? 10_000,
      allow: options.allow,
    });
    const ok = attempt.kind === 'delivered';
    return {
      ok,
      record: {
        ...record,
        outcome: ok ? 'sent' : 'failed',
        detail: ok ? `actuator answered ${attempt.status}` : attempt.reason,
      },
    };
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
      if (cache.size > 0) await checkpoint(now());
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
