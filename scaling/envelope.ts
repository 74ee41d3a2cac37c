/**
 * The noise envelope of predictive scaling. A seasonal forecast knows the level of demand,
 * not its step-to-step noise; the noise is what outruns capacity while a new replica starts.
 * So the scaler keeps the forecaster's latest one-step errors (demand minus what was
 * expected before it was seen) and runs an extra replica only while it buys enough safety:
 * the count chosen is the one that minimises
 *
 *   P(expected + error > replicas × capacity) + riskPerReplica × (replicas − floor)
 *
 * over the recent errors, where `floor` is the count that runs anyway (the reactive one).
 * A calm series has small errors and gets no extra replica; a noisy one gets them where the
 * forecast is high enough for its noise to matter.
 *
 * The objective counts outruns, not their size: a rise that would take more than
 * 1 / riskPerReplica replicas to cover is left to the reactive HPA, as is a forecast far
 * above the demand seen (the forecaster lags for a while after a burst). On the NAB traces
 * provisioning for the forecast level whatever the cost cut under-provisioned minutes by 0.4
 * points more for 1.4 points more replica-hours (bench/scaling.ts).
 */

/** Forecast errors kept per metric: a day at the 5-minute step. */
export const ERROR_WINDOW = 288;
/** Errors needed before the envelope is trusted; until then the forecast alone speaks. */
export const MIN_ERRORS = 24;

/** The latest one-step forecast errors of one metric, bounded to ERROR_WINDOW. */
export interface ForecastErrors {
  /** Records demand minus its forecast; the oldest error leaves once the window is full. */
  add(error: number): void;
  /** Fraction of the kept errors above `error` (0 when none is kept). */
  shareAbove(error: number): number;

  readonly size: number;
  /** The kept errors, oldest first. */
  toJSON(): number[];
}

/** An error window, resumed from toJSON() when `saved` is given. */
export function createForecastErrors(saved: readonly number[] = []): ForecastErrors {
  const recent = saved.filter(Number.isFinite).slice(-ERROR_WINDOW);
  const sorted = [...recent].sort((a, b) => a - b);
  return {
    add(error) {
      if (!Number.isFinite(error)) return;
      recent.push(error);
      sorted.splice(firstAbove(sorted, error), 0, error);
      if (recent.length > ERROR_WINDOW) {
        const oldest = recent.shift()!;
        // firstAbove(x) - 1 is the last copy of x, which is in the list.
        sorted.splice(firstAbove(sorted, oldest) - 1, 1);
      }
    },
    shareAbove: (error) =>
      sorted.length === 0 ? 0 : (sorted.length - firstAbove(sorted, error)) / sorted.length,

    get size() {
      return sorted.length;
    },
    toJSON: () => [...recent],
  };
}

/** Index of the first element above `value` in ascending `sorted` (its length if none). */
function firstAbove(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export interface EnvelopeInput {
  /** The forecast total for one step. */
  expected: number;
  errors: ForecastErrors;
  /** What one replica can serve, in the total's units. */
  capacityPerReplica: number;
  /** Replicas that run anyway (the reactive count); the result is never below it. */
  floor: number;
  /** The result is never above it. */
  maxReplicas: number;
  /** The chance of demand outrunning capacity one replica must take away, on average. */
  riskPerReplica: number;
}

export interface EnvelopeCount {
  replicas: number;
  /** Chance, by the recent errors, that demand outruns `replicas` replicas. */
  risk: number;
}

/** The replica count worth running for one forecast step (see the top of this file). */
export function envelopeReplicas(input: EnvelopeInput): EnvelopeCount {
  const { expected, errors, capacityPerReplica, riskPerReplica } = input;
  const floor = Math.min(input.maxReplicas, input.floor);
  const riskWith = (replicas: number): number =>
    errors.shareAbove(replicas * capacityPerReplica - expected);
  let best: EnvelopeCount = { replicas: floor, risk: riskWith(floor) };
  let bestCost = best.risk;
  // Once the added replicas alone cost more than the best so far, no larger count can be
  // cheaper; the loop also ends once no recent error would outrun capacity.
  for (
    let replicas = floor + 1;
    replicas <= input.maxReplicas && riskPerReplica * (replicas - floor) < bestCost;
    replicas++
  ) {
    const risk = riskWith(replicas);
    const cost = risk + riskPerReplica * (replicas - floor);
    if (cost < bestCost) {
      best = { replicas, risk };
      bestCost = cost;
    }
    if (risk === 0) break;
  }
  return best;
}
