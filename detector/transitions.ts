/**
 * Transition novelty, a small contextual model in the spirit of CAD OSE: each value is
 * quantised into one of a few levels of the range remembered so far (plus "below" and
 * "above" it), and the step from the previous level to this one is a context. A step never
 * taken before is news, and how much news depends on how rare novelties have become for
 * this series: a new step in a series that has repeated itself for days is surprising,
 * one in a series still exploring its range is not.
 *
 * On the NAB corpus it adds one or two windows to the extremes and residual models, the
 * shape changes they miss (bench/nab.ts); 5 to 7 levels score alike, 3 or 4 add nothing.
 */

export interface TransitionTuning {
  /** Levels across the remembered range; the range's outside adds two more. */
  levels: number;
  /** Smoothing of the rate of novel steps, per point (about 1/memory). */
  rate: number;
  /** Points seen before surprises leave zero. */
  warmup: number;
}

export const DEFAULT_TRANSITION_TUNING: TransitionTuning = {
  levels: 6,
  rate: 0.0003,
  warmup: 100,
};

export interface TransitionState {
  /** Level of the previous point (-1 below the range, `levels` above it), null at first. */
  previous: number | null;
  /** 1 where the step from level a to level b was seen, at (a + 1) * (levels + 2) + (b + 1). */
  seen: number[];
  /** Smoothed share of points whose step was novel. */
  noveltyRate: number;
  points: number;
}

export function createTransitionState(tuning: TransitionTuning): TransitionState {
  const symbols = tuning.levels + 2;
  return {
    previous: null,
    seen: new Array<number>(symbols * symbols).fill(0),
    noveltyRate: 1,
    points: 0,
  };
}

/** Level of `value` in [low, high]: 0..levels-1 inside, -1 below, `levels` above. */
export function levelOf(value: number, low: number, high: number, levels: number): number {
  const range = high - low;
  if (!(range > 0)) return 0;
  if (value > high) return levels;
  if (value < low) return -1;
  return Math.min(levels - 1, Math.floor(((value - low) / range) * levels));
}

/**
 * Feeds the level of one point; returns the surprise (decades) of its step when the step
 * is novel — -log10 of the recent rate of novel steps — and 0 otherwise or while warming up.
 */
export function transitionSurprise(
  state: TransitionState,
  level: number,
  tuning: TransitionTuning,
): number {
  const previous = state.previous;
  state.previous = level;
  if (previous === null) return 0;
  const index = (previous + 1) * (tuning.levels + 2) + (level + 1);
  const novel = state.seen[index] === 0;
  state.seen[index] = 1;
  const surprise =
    novel && state.points >= tuning.warmup ? -Math.log10(Math.max(state.noveltyRate, 1e-12)) : 0;
  const rate = Math.max(tuning.rate, 1 / (state.points + 1));
  state.noveltyRate += rate * ((novel ? 1 : 0) - state.noveltyRate);
  state.points++;
  return surprise;
}
