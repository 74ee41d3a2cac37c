/**
 * Calibration: each model's raw measure becomes a surprise — -log10 of how probable a
 * measure at least this large is for this series, judged against the series' own
 * history of that measure. The same residual is alarming on a calm series and routine
 * on a noisy one; in surprise units both are comparable, which is what lets one
 * threshold serve every series (the idea behind Numenta's anomaly likelihood).
 */

/** Gaussian calibration, for measures whose spread is roughly normal (a log-scaled z). */
export interface GaussianTuning {
  /** Smoothing of the long-run mean and variance per point (about 1/memory). */
  rate: number;
  /** Points seen before surprises leave zero. */
  warmup: number;
  /**
   * Smallest deviation believed: a series predicted perfectly so far has none, and
   * without a floor its first harmless wobble would be infinitely surprising.
   */
  minDeviation: number;
  /** A measure beyond this many deviations teaches the distribution only this much. */
  clip: number;
}

export interface GaussianState {
  mean: number;
  variance: number;
  seen: number;
}

export function createGaussianState(): GaussianState {
  return { mean: 0, variance: 0, seen: 0 };
}

/** Feeds one measure; returns its surprise in decades (0 while warming up). */
export function gaussianSurprise(
  state: GaussianState,
  measure: number,
  tuning: GaussianTuning,
): number {
  const deviation = Math.sqrt(state.variance);
  let surprise = 0;
  if (state.seen >= tuning.warmup) {
    surprise = normalSurprise((measure - state.mean) / Math.max(deviation, tuning.minDeviation));
  }
  // An incident teaches the distribution only a bounded amount, so that it does not
  // learn that incidents are normal.
  const rate = Math.max(tuning.rate, 1 / (state.seen + 1));
  const bounded =
    state.seen < tuning.warmup ? measure : Math.min(measure, state.mean + tuning.clip * deviation);
  const delta = bounded - state.mean;
  state.mean += rate * delta;
  state.variance = (1 - rate) * (state.variance + rate * delta * delta);
  state.seen++;
  return surprise;
}

/**
 * Empirical calibration, for measures with no useful shape: how often, in recent memory,
 * the measure was at least this high. Beyond the largest value remembered, surprise grows
 * with the distance past it, so record-breaking events still rank among themselves.
 */
export interface RarityTuning {
  /** Histogram bin width and count over the measure (from 0; the last bin is open). */
  binWidth: number;
  bins: number;
  /** Forgetting per point (about 1/memory). */
  rate: number;
  /** Points seen before surprises leave zero. */
  warmup: number;
  /** Decades of surprise per unit of the measure beyond the largest value remembered. */
  beyondSlope: number;
}

export interface RarityState {
  weights: number[];
  total: number;
  seen: number;
}

export function createRarityState(tuning: RarityTuning): RarityState {
  return { weights: new Array<number>(tuning.bins).fill(0), total: 0, seen: 0 };
}

/** Weights below this are empty bins (forgetting never reaches exactly zero). */
const EMPTY = 1e-9;

/** Feeds one measure (>= 0); returns its surprise in decades (0 while warming up). */
export function raritySurprise(state: RarityState, measure: number, tuning: RarityTuning): number {
  const weights = state.weights;
  const bins = weights.length;
  const bin = Math.min(bins - 1, Math.max(0, Math.floor(measure / tuning.binWidth)));
  let surprise = 0;
  if (state.seen >= tuning.warmup) {
    let above = weights[bin]! / 2;
    let top = -1;
    for (let index = bins - 1; index > bin; index--) {
      above += weights[index]!;
      if (top < 0 && weights[index]! > EMPTY) top = index;
    }
    for (let index = bin; top < 0 && index >= 0; index--) {
      if (weights[index]! > EMPTY) top = index;
    }
    surprise = -Math.log10((above + 0.5) / (state.total + 1));
    const largest = (top + 1) * tuning.binWidth;
    if (measure > largest) surprise += tuning.beyondSlope * (measure - largest);
  }
  const keep = 1 - Math.max(tuning.rate, 1 / (state.seen + 1));
  let total = 0;
  for (let index = 0; index < bins; index++) {
    weights[index] = weights[index]! * keep;
    total += weights[index]!;
  }
  weights[bin] = weights[bin]! + 1;
  state.total = total + 1;
  state.seen++;
  return surprise;
}

/** P(Z > z) for a standard normal Z (Chebyshev erfc, relative error < 1.2e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** -log10 P(Z > z), accurate far into the tail where the probability underflows. */
export function normalSurprise(z: number): number {
  if (z < 5) return -Math.log10(normalTail(z));
  // Mills ratio: P(Z > z) ~ phi(z)/z * (1 - 1/z^2 + 3/z^4).
  const log =
    -0.5 * z * z - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / (z * z) + 3 / z ** 4);
  return -log / Math.LN10;
}
