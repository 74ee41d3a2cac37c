import { metricKey, type MetricTarget, type ScalingPolicy, type ScalingRules } from './policy.ts';

/**
 * The Kubernetes HorizontalPodAutoscaler (autoscaling/v2, with `behavior`) as a pure
 * state machine: the replica calculator (pkg/controller/podautoscaler/replica_calculator.go)
 * and the controller's normalisation (horizontal.go) — stabilisation windows, rate-limit
 * policies, min/max — with time passed in instead of read from a clock.
 *
 * Mapping to opsless, where metrics are aggregates rather than per-pod samples:
 * - A reading `{ total }` (requests per second of the service, queue length) follows the
 *   External/Object AverageValue rule: usage ratio total / (target × current); outside the
 *   tolerance, desired = ceil(total / target). At zero replicas the ratio is infinite, so
 *   any demand scales up (to ceil(total / target) >= 1): that is scale-from-zero.
 * - A reading `{ perReplica, replicas? }` (CPU %) follows the Pods/Resource rule over the
 *   `replicas` that reported it (default: all current replicas): desired = ceil(ratio ×
 *   reporting). Current replicas that did not report are the HPA's "missing pods": assumed
 *   at the target (CPU: max(100%, target)) on a scale-down and at 0 on a scale-up; if that
 *   reverses the direction or lands within the tolerance, that metric keeps the current count.
 *   Readiness is not known here, so the HPA's separate rule for not-yet-ready pods is not applied.
 * - A metric with no reading (or none reporting) is a metric that could not be read: it is
 *   skipped; if every metric is missing, or the readable ones would scale down, nothing
 *   changes (a missing metric blocks scale-down, never scale-up), exactly as the HPA.
 * - Current 0 with minReplicas > 0 means scaling is disabled (Kubernetes' maintenance mode).
 * - Values are plain numbers: the HPA's rounding of quantities to milli-units and of CPU
 *   utilisation to whole percents is not reproduced.
 */

/** One metric's value: a service-wide total, or an average over the replicas that reported it. */
export type MetricReading = { total: number } | { perReplica: number; replicas?: number };

export interface HpaInput {
  nowMs: number;
  /** Replicas the service runs (ready or not), as the scale target reports them. */
  currentReplicas: number;
  /** Readings by metricKey(target); a target with no reading could not be read. */
  metrics: Readonly<Record<string, MetricReading | undefined>>;
  /**
   * Whether the returned count will be applied (default true). A scale event feeds the rate
   * limits only when applied; dry-run callers pass false, or call recordScale with what
   * was really applied.
   */
  apply?: boolean;
  /**
   * Another proposal that joins the metrics' (the predictive count): it goes through the
   * same stabilisation windows and rate limits, so replicas run ahead of demand arrive no
   * faster, and leave no sooner, than reactive ones.
   */
  extraProposal?: { replicas: number; why: string };
  /** Compute without recording the recommendation (default false). */
  dryRun?: boolean;
}

export interface HpaRecommendation {
  /** Replicas to run. Equal to currentReplicas when the HPA would not act. */
  desired: number;
  /** Each metric's proposal before stabilisation and rate limits; null when not readable. */
  proposals: Record<string, number | null>;
  /** Why, in order: one line per metric, then each rule that changed the count. */
  reasons: string[];
}

/** Serialisable state: the recommendation history and recent scale events. */
export interface HpaState {
  version: 1;
  /** [timeMs, unstabilised recommendation]; the first is the replica count found at start. */
  recommendations: Array<[number, number]>;
  /** [timeMs, replicas added] and [timeMs, replicas removed]. */
  scaleUpEvents: Array<[number, number]>;
  scaleDownEvents: Array<[number, number]>;
}

export interface Hpa {
  recommend(input: HpaInput): HpaRecommendation;
  /** Records a change that was applied (by whoever decided it) for the rate limits. */
  recordScale(nowMs: number, fromReplicas: number, toReplicas: number): void;
  toJSON(): HpaState;
}

/** A reactive scaler for one service; pass the state of toJSON() to resume. */
export function createHpa(policy: ScalingPolicy, state?: HpaState): Hpa {
  const current: HpaState = state
    ? structuredClone(state)
    : { version: 1, recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
  if (current.version !== 1) {
    throw new Error(`HPA state version ${String(current.version)} is not supported (expected 1)`);
  }
  const recordScale = (nowMs: number, from: number, to: number): void => {
    if (to > from) storeEvent(current.scaleUpEvents, policy.behavior.scaleUp, nowMs, to - from);
    else if (to < from) {
      storeEvent(current.scaleDownEvents, policy.behavior.scaleDown, nowMs, from - to);
    }
  };
  return {
    recommend(input) {
      const result = reconcile(policy, current, input);
      if (input.apply !== false) recordScale(input.nowMs, input.currentReplicas, result.desired);
      return result;
    },
    recordScale,
    toJSON: () => structuredClone(current),
  };
}

function reconcile(policy: ScalingPolicy, state: HpaState, input: HpaInput): HpaRecommendation {
  const { nowMs, currentReplicas } = input;
  if (!Number.isInteger(currentReplicas) || currentReplicas < 0) {
    throw new Error(`currentReplicas must be a whole number >= 0 (got ${currentReplicas})`);
  }
  if (state.recommendations.length === 0) state.recommendations.push([nowMs, currentReplicas]);
  const proposals: Record<string, number | null> = {};
  const reasons: string[] = [];
  const keep = (why: string): HpaRecommendation => {
    reasons.push(why);
    return { desired: currentReplicas, proposals, reasons };
  };
  if (currentReplicas === 0 && policy.minReplicas !== 0) {
    return keep('scaling is disabled: the service runs 0 replicas and minReplicas is above 0');
  }
  if (currentReplicas > policy.maxReplicas) {
    reasons.push(`current ${currentReplicas} replicas above maxReplicas`);
    return { desired: policy.maxReplicas, proposals, reasons };
  }
  if (currentReplicas < policy.minReplicas) {
    reasons.push(`current ${currentReplicas} replicas below minReplicas`);
    return { desired: policy.minReplicas, proposals, reasons };
  }

  let proposed = 0;
  let unreadable = 0;
  for (const target of policy.metrics) {
    const key = metricKey(target);
    const reading = input.metrics[key];
    const proposal =
      reading === undefined
        ? null
        : replicasForMetric(target, reading, currentReplicas, policy.tolerance);
    proposals[key] = proposal === null ? null : proposal.replicas;
    if (proposal === null) {
      unreadable++;
      reasons.push(`${key}: could not be read`);
      continue;
    }
    reasons.push(`${key}: ${proposal.why}`);
    if (proposed === 0 || proposal.replicas > proposed) proposed = proposal.replicas;
  }
  const extra = input.extraProposal;
  if (extra && unreadable < policy.metrics.length && extra.replicas > proposed) {
    reasons.push(extra.why);
    proposed = Math.min(policy.maxReplicas, extra.replicas);
  }
  if (unreadable === policy.metrics.length) return keep('no metric could be read: no change');
  if (unreadable > 0 && proposed < currentReplicas) {
    return keep('a metric could not be read and the others would scale down: no change');
  }

  const stabilised = stabilise(policy, state, nowMs, currentReplicas, proposed, !input.dryRun);
  if (stabilised !== proposed) {
    reasons.push(
      proposed > currentReplicas
        ? `scale-up stabilised to ${stabilised}: lowest recommendation of the last ${policy.behavior.scaleUp.stabilizationWindowSeconds}s`
        : `scale-down stabilised to ${stabilised}: highest recommendation of the last ${policy.behavior.scaleDown.stabilizationWindowSeconds}s`,
    );
  }
  const desired = limitRate(policy, state, nowMs, currentReplicas, stabilised, reasons);
  return { desired, proposals, reasons };
}

interface Proposal {
  replicas: number;
  why: string;
}

/** One metric's proposal (replica_calculator.go), or null when it cannot be computed. */
function replicasForMetric(
  target: MetricTarget,
  reading: MetricReading,
  currentReplicas: number,
  tolerance: number,
): Proposal | null {
  const within = (ratio: number): boolean => 1 - tolerance <= ratio && ratio <= 1 + tolerance;
  if ('total' in reading) {
    if (!Number.isFinite(reading.total)) return null;
    const ratio = reading.total / (target.target * currentReplicas);
    const replicas = within(ratio) ? currentReplicas : Math.ceil(reading.total / target.target);
    return {
      replicas,
      why: `${fmt(reading.total)} in total, target ${fmt(target.target)} per replica → ${replicas}${within(ratio) ? ' (within tolerance)' : ''}`,
    };
  }
  const reporting = reading.replicas ?? currentReplicas;
  if (!Number.isFinite(reading.perReplica) || !(reporting > 0)) return null;
  const ratio = reading.perReplica / target.target;
  const missing = Math.max(0, currentReplicas - reporting);
  const seen = `${fmt(reading.perReplica)} per replica over ${reporting}, target ${fmt(target.target)}`;
  if (missing === 0) {
    const replicas = within(ratio) ? currentReplicas : Math.ceil(ratio * reporting);
    return { replicas, why: `${seen} → ${replicas}${within(ratio) ? ' (within tolerance)' : ''}` };
  }
  // Missing replicas damp the change: at the target (CPU: at least 100%) going down, 0 going up.
  let assumed = ratio;
  if (ratio < 1) assumed = target.type === 'cpu' ? Math.max(100, target.target) / target.target : 1;
  else if (ratio > 1) assumed = 0;
  const newRatio = (ratio * reporting + assumed * missing) / (reporting + missing);
  const damped = `${seen}, ${missing} not reporting`;
  if (within(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return { replicas: currentReplicas, why: `${damped} → no change` };
  }
  const replicas = Math.ceil(newRatio * (reporting + missing));
  if (
    (newRatio < 1 && replicas > currentReplicas) ||
    (newRatio > 1 && replicas < currentReplicas)
  ) {
    return { replicas: currentReplicas, why: `${damped} → no change` };
  }
  return { replicas, why: `${damped} → ${replicas}` };
}

/**
 * stabilizeRecommendationWithBehaviors: bounds the proposal by the lowest recommendation
 * of the scale-up window and the highest of the scale-down window, then records it,
 * reusing a slot that has fallen out of both windows.
 */
function stabilise(
  policy: ScalingPolicy,
  state: HpaState,
  nowMs: number,
  currentReplicas: number,
  proposed: number,
  record: boolean,
): number {
  const upCutoff = nowMs - policy.behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = nowMs - policy.behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = proposed;
  let downRecommendation = proposed;
  let oldIndex = -1;
  const history = state.recommendations;
  for (let index = 0; index < history.length; index++) {
    const [timeMs, recommendation] = history[index]!;
    if (timeMs > upCutoff) upRecommendation = Math.min(recommendation, upRecommendation);
    if (timeMs > downCutoff) downRecommendation = Math.max(recommendation, downRecommendation);
    if (timeMs < upCutoff && timeMs < downCutoff) oldIndex = index;
  }
  let recommendation = Math.max(currentReplicas, upRecommendation);
  recommendation = Math.min(recommendation, downRecommendation);
  if (!record) return recommendation;
  if (oldIndex >= 0) history[oldIndex] = [nowMs, proposed];
  else history.push([nowMs, proposed]);
  return recommendation;
}

/** convertDesiredReplicasWithBehaviorRate: the rate-limit policies, then min/max. */
function limitRate(
  policy: ScalingPolicy,
  state: HpaState,
  nowMs: number,
  currentReplicas: number,
  desired: number,
  reasons: string[],
): number {
  if (desired > currentReplicas) {
    const rules = policy.behavior.scaleUp;
    const limit = Math.max(scaleLimit(rules, 'up', state, nowMs, currentReplicas), currentReplicas);
    if (policy.maxReplicas > limit) {
      if (desired > limit) {
        reasons.push(`scale-up limited to ${limit} by behavior.scaleUp (${describe(rules)})`);
        return limit;
      }
    } else if (desired > policy.maxReplicas) {
      reasons.push(`capped at maxReplicas ${policy.maxReplicas}`);
      return policy.maxReplicas;
    }
  } else if (desired < currentReplicas) {
    const rules = policy.behavior.scaleDown;
    const limit = Math.min(
      scaleLimit(rules, 'down', state, nowMs, currentReplicas),
      currentReplicas,
    );
    if (policy.minReplicas < limit) {
      if (desired < limit) {
        reasons.push(`scale-down limited to ${limit} by behavior.scaleDown (${describe(rules)})`);
        return limit;
      }
    } else if (desired < policy.minReplicas) {
      reasons.push(`raised to minReplicas ${policy.minReplicas}`);
      return policy.minReplicas;
    }
  }
  return desired;
}

/**
 * calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors: per policy,
 * the count at the start of its period (undoing the changes made within it) plus or minus
 * what the policy allows; Max picks the largest change, Min the smallest.
 */
function scaleLimit(
  rules: ScalingRules,
  direction: 'up' | 'down',
  state: HpaState,
  nowMs: number,
  currentReplicas: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const largestChange = rules.selectPolicy === 'Max';
  // Going up the largest change is the highest limit; going down, the lowest.
  const pickHighest = direction === 'up' ? largestChange : !largestChange;
  let result = pickHighest ? -Infinity : Infinity;
  for (const rule of rules.policies) {
    const cutoff = nowMs - rule.periodSeconds * 1000;
    const periodStart =
      currentReplicas -
      changeSince(state.scaleUpEvents, cutoff) +
      changeSince(state.scaleDownEvents, cutoff);
    let proposed: number;
    if (direction === 'up') {
      proposed =
        rule.type === 'Pods'
          ? periodStart + rule.value
          : Math.ceil(periodStart * (1 + rule.value / 100));
    } else {
      proposed =
        rule.type === 'Pods'
          ? periodStart - rule.value
          : Math.trunc(periodStart * (1 - rule.value / 100));
    }
    result = pickHighest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

function changeSince(events: Array<[number, number]>, cutoffMs: number): number {
  let replicas = 0;
  for (let index = 0; index < events.length; index++) {
    const [timeMs, change] = events[index]!;
    if (timeMs > cutoffMs) replicas += change;
  }
  return replicas;
}

/** storeScaleEvent: events older than the longest policy period can no longer count. */
function storeEvent(
  events: Array<[number, number]>,
  rules: ScalingRules,
  nowMs: number,
  change: number,
): void {
  let longestMs = 0;
  for (const rule of rules.policies) longestMs = Math.max(longestMs, rule.periodSeconds * 1000);
  const cutoff = nowMs - longestMs;
  let kept = 0;
  for (let index = 0; index < events.length; index++) {
    if (events[index]![0] >= cutoff) events[kept++] = events[index]!;
  }
  events.length = kept;
  events.push([nowMs, change]);
}

function describe(rules: ScalingRules): string {
  const each = rules.policies.map(
    (rule) => `${rule.value}${rule.type === 'Percent' ? '%' : ' pods'}/${rule.periodSeconds}s`,
  );
  return `${rules.selectPolicy} of ${each.join(', ')}`;
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
