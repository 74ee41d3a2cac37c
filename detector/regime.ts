/**
 * Regime change: how far the mean of the last few points sits from the series' long-run
 * mean, in long-run mean absolute deviations. The forecast residual fades once the
 * baseline absorbs a shift; this measure does not, until the shift has become the norm
 * over days — so it sees the start of a new regime and a slow drift into one.
 */

/** Points in the recent mean. */
const RECENT = 6;
/** Long-run memory, per point (about 2,000 points). */
const LONG_RATE = 0.0005;
/** Measures are capped so that a flat series' first change cannot overflow anything. */
const CAP = 1000;

export interface RegimeState {
  recent: number[];
  next: number;
  mean: number;
  spread: number;
  seen: number;
}

export function createRegimeState(): RegimeState {
  return { recent: [], next: 0, mean: 0, spread: 0, seen: 0 };
}

/** Feeds one (deseasonalised or raw) value; returns the regime measure (>= 0). */
export function regimeMeasure(state: RegimeState, value: number): number {
  if (state.recent.length < RECENT) state.recent.push(value);
  else state.recent[state.next] = value;
  state.next = (state.next + 1) % RECENT;
  let sum = 0;
  for (let index = 0; index < state.recent.length; index++) sum += state.recent[index]!;
  const recentMean = sum / state.recent.length;
  const floor = Math.max(1e-9 * Math.abs(state.mean), 1e-12);
  const measure =
    state.seen > 0 ? Math.abs(recentMean - state.mean) / Math.max(state.spread, floor) : 0;
  const rate = Math.max(LONG_RATE, 1 / (state.seen + 1));
  state.spread += rate * (Math.abs(value - state.mean) - state.spread);
  state.mean += rate * (value - state.mean);
  state.seen++;
  return Math.min(measure, CAP);
}
