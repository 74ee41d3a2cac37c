/**
 * Extremes: is this the furthest a measure has ever gone? A value beyond everything the
 * series has shown is the plainest anomaly there is, and it calibrates itself: a noisy
 * series has a wide range and a calm one a narrow range, so no per-series threshold is
 * needed. On the NAB corpus a detector that only flags new extremes of the value scores
 * about 60 (standard profile) where the residual models alone score about 50 (bench/nab.ts).
 *
 * The range forgets slowly, contracting towards the long-run mean, so that one old incident
 * does not blind the model to smaller ones for ever.
 *
 * A record is news in proportion to how rare records are for the measure: a steady series
 * sets one about every n-th point after n points, while a measure that keeps setting them
 * (the residual of a series the baseline forecasts poorly) says little by setting another.
 * Each range therefore keeps the recent share of its points that were records.
 */

export interface ExtremeTuning {
  /** Points seen before excesses leave zero (the first points set the range). */
  warmup: number;
  /** Contraction of the range towards the mean, per point (about 1/memory). */
  fadeRate: number;
  /** Smoothing of the share of records, per point (about 1/memory). */
  recordRate: number;
}

export const DEFAULT_EXTREME_TUNING: ExtremeTuning = {
  warmup: 50,
  fadeRate: 1e-5,
  recordRate: 0.0003,
};

export interface ExtremeState {
  low: number;
  high: number;
  mean: number;
  seen: number;
  /** Smoothed share of points that went beyond the range (1 before the second point). */
  records: number;
}

export function createExtremeState(): ExtremeState {
  return { low: 0, high: 0, mean: 0, seen: 0, records: 1 };
}

/**
 * The share of records expected of `seen` steady points, both ends counted (about 2 ln n / n):
 * the starting estimate for a range saved before records were kept.
 */
export function expectedRecords(seen: number): number {
  return seen < 2 ? 1 : Math.min(1, (2 * Math.log(seen)) / seen);
}

/**
 * How much a record of this measure counts, in [0, 1]: the decades of its rarity (-log10 of
 * the share of records) over `decades`, so that a measure setting records more often than
 * once in 10^decades points is discounted in proportion.
 */
export function recordWeight(state: ExtremeState, decades: number): number {
  return Math.min(1, -Math.log10(Math.max(state.records, 1e-12)) / decades);
}

/**
 * Feeds one measure; returns how far it lies beyond the range remembered so far, as a
 * fraction of that range (0 inside it, while warming up, or while the range is empty).
 */
export function extremeExcess(state: ExtremeState, measure: number, tuning: ExtremeTuning): number {
  let excess = 0;
  if (state.seen === 0) {
    state.low = measure;
    state.high = measure;
    state.mean = measure;
  } else {
    const range = state.high - state.low;
    if (state.seen >= tuning.warmup && range > 0) {
      if (measure > state.high) excess = (measure - state.high) / range;
      else if (measure < state.low) excess = (state.low - measure) / range;
    }
    const record = measure > state.high || measure < state.low ? 1 : 0;
    state.records += Math.max(tuning.recordRate, 1 / (state.seen + 1)) * (record - state.records);
    if (measure > state.high) state.high = measure;
    if (measure < state.low) state.low = measure;
    state.mean += Math.max(tuning.fadeRate, 1 / (state.seen + 1)) * (measure - state.mean);
  }
  state.high -= tuning.fadeRate * (state.high - state.mean);
  state.low -= tuning.fadeRate * (state.low - state.mean);
  state.seen++;
  return excess;
}

/** An excess as a score in [0, 1): 0.5 when it equals `margin` (fractions of the range). */
export function excessScore(excess: number, margin: number): number {
  return excess / (excess + margin);
}
