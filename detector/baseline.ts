/**
 * Robust baselines. Three variants run side by side — no season, a daily and a weekly
 * profile — and the one with the smallest recent forecast error speaks: that is how the
 * period is detected, online, without a separate pass over history.
 *
 * A seasonal variant remembers, per slot of its period (at most a few hundred slots), the
 * mean of each of the last PERIODS periods, and expects the median of those plus the
 * median of the latest residuals. Medians are the robustness: a past anomaly is one
 * period of PERIODS in a slot and a few residuals among RECENT, so it does not poison
 * the baseline, while a genuine level shift is absorbed once it holds for half of RECENT.
 */

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Past periods kept per seasonal slot; the median of three ignores one bad period. */
const PERIODS = 3;
/** Latest residuals whose median corrects the level. */
const RECENT = 12;
/** Mean absolute deviation to standard deviation, for a normal distribution. */
export const MAD_TO_SIGMA = 1.2533;

export interface BaselineTuning {
  /** Scale (mean absolute residual) smoothing per point. */
  rho: number;
  /** Smoothing of the squared forecast error that picks the variant (memory: days). */
  errorRate: number;
}

export const DEFAULT_BASELINE_TUNING: BaselineTuning = { rho: 0.005, errorRate: 0.002 };

type VariantName = 'level' | 'daily' | 'weekly';

export interface VariantState {
  name: VariantName;
  /** Slot width in ms (0 for the variant without season). */
  slotMs: number;
  slots: number;
  /** Slot means of the previous periods, newest first; null where no point fell. */
  history: (number | null)[][];
  /** Slot means of the period in progress. */
  current: (number | null)[];
  period: number | null;
  slot: number | null;
  slotSum: number;
  slotCount: number;
  /** Latest residuals from the seasonal part (ring buffer). */
  residuals: number[];
  next: number;
  scale: number;
  /**
   * The 95th percentile of absolute residuals. Where most residuals are zero and a few are
   * not (sparse errors, quantised values) the mean absolute deviation, robust by design,
   * calls every non-zero residual an outlier; this percentile knows they are routine.
   */
  tail: number;
  /** Typical absolute residual per slot: a season can be calm at night and noisy by day. */
  slotScales: (number | null)[];
  error: number;
}

export interface BaselineState {
  points: number;
  lastTimeMs: number | null;
  /** Median sampling interval, fixed once known (slots are sized from it). */
  stepMs: number | null;
  recentSteps: number[];
  /** Long-run spread of the values: floors the scale of quantised or flat series. */
  spread: number;
  mean: number;
  variants: VariantState[];
}

export interface Forecast {
  expected: number;
  /** Typical absolute residual (mean absolute deviation) around `expected`. */
  scale: number;
  variant: VariantName;
  /** The seasonal part of `expected` (0 without a season). */
  season: number;
}

export function createBaselineState(): BaselineState {
  return {
    points: 0,
    lastTimeMs: null,
    stepMs: null,
    recentSteps: [],
    spread: 0,
    mean: 0,
    variants: [newVariant('level', 0, 0, null)],
  };
}

function newVariant(
  name: VariantName,
  periodMs: number,
  slots: number,
  from: VariantState | null,
): VariantState {
  return {
    name,
    slotMs: slots > 0 ? periodMs / slots : 0,
    slots,
    history: [],
    current: new Array<number | null>(slots).fill(null),
    period: null,
    slot: null,
    slotSum: 0,
    slotCount: 0,
    residuals: [],
    next: 0,
    scale: from?.scale ?? 0,
    tail: from?.tail ?? 0,
    slotScales: new Array<number | null>(slots).fill(null),
    error: from?.error ?? 0,
  };
}

/** Room for the longest list a median is taken of (RECENT residuals, PERIODS slots). */
const scratch = new Float64Array(Math.max(RECENT, PERIODS));

/** Median of the non-null values; insertion sort, as the lists are a dozen long at most. */
function median(values: ArrayLike<number | null>): number | null {
  let count = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (value === null || value === undefined) continue;
    let at = count++;
    while (at > 0 && scratch[at - 1]! > value) {
      scratch[at] = scratch[at - 1]!;
      at--;
    }
    scratch[at] = value;
  }
  if (count === 0) return null;
  const middle = count >> 1;
  return count % 2 === 1 ? scratch[middle]! : (scratch[middle - 1]! + scratch[middle]!) / 2;
}

const seasonScratch: (number | null)[] = [];

/** The seasonal part expected at `timeMs` (0 for the level variant), or null if unknown. */
function seasonalOf(variant: VariantState, timeMs: number): number | null {
  if (variant.slots === 0) return 0;
  const slot = Math.floor(timeMs / variant.slotMs) % variant.slots;
  seasonScratch.length = 0;
  for (let index = 0; index < variant.history.length; index++) {
    seasonScratch.push(variant.history[index]![slot] ?? null);
  }
  return median(seasonScratch);
}

function predict(variant: VariantState, timeMs: number): number | null {
  const season = seasonalOf(variant, timeMs);
  if (season === null) return null;
  return season + (median(variant.residuals) ?? 0);
}

/** A season is trusted once two whole periods are behind it. */
function trusted(variant: VariantState): boolean {
  return variant.slots === 0 || variant.history.length >= 2;
}

/** The forecast of the best trusted variant for `timeMs`; null before the first point. */
export function forecast(state: BaselineState, timeMs: number): Forecast | null {
  if (state.points === 0) return null;
  let best: VariantState | null = null;
  let expected = 0;
  let season = 0;
  for (let index = 0; index < state.variants.length; index++) {
    const variant = state.variants[index]!;
    if (!trusted(variant)) continue;
    // A season must beat the plain level clearly to be believed.
    if (best !== null && !(variant.error < best.error * 0.9)) continue;
    const value = predict(variant, timeMs);
    if (value === null) continue;
    best = variant;
    expected = value;
    season = seasonalOf(variant, timeMs) ?? 0;
  }
  const variant = best!;
  return {
    expected,
    season,
    scale: Math.max(scaleAt(variant, timeMs), floorScale(state)),
    variant: variant.name,
  };
}

/** Slot scales move this far towards each new residual of their slot. */
const SLOT_SCALE_RATE = 0.3;

/** A slot's scale is young and noisy: it is tempered by the variant's overall scale. */
function scaleAt(variant: VariantState, timeMs: number): number {
  const tailScale = variant.tail / TAIL_TO_MAD;
  if (variant.slots === 0) return Math.max(variant.scale, tailScale);
  const slotScale = variant.slotScales[Math.floor(timeMs / variant.slotMs) % variant.slots];
  const scale = slotScale == null ? variant.scale : Math.sqrt(slotScale * variant.scale);
  return Math.max(scale, tailScale);
}

/** The 95th percentile of |normal residuals| over their mean absolute deviation (1.96σ / 0.798σ). */
const TAIL_TO_MAD = 2.456;
/** Step of the percentile tracker: the estimate moves by about this fraction per point. */
const TAIL_RATE = 0.01;

function floorScale(state: BaselineState): number {
  return Math.max(0.02 * state.spread, 1e-9 * Math.abs(state.mean), 1e-12);
}

/** Learns one point (after it was scored against `forecast`). */
export function learn(
  state: BaselineState,
  timeMs: number,
  value: number,
  tuning: BaselineTuning,
): void {
  if (state.points === 0) state.mean = value;
  if (state.stepMs === null && state.lastTimeMs !== null && timeMs > state.lastTimeMs) {
    state.recentSteps.push(timeMs - state.lastTimeMs);
    if (state.recentSteps.length >= 16) addSeasons(state);
  }
  for (let index = 0; index < state.variants.length; index++) {
    learnVariant(state, state.variants[index]!, timeMs, value, tuning);
  }
  const rate = Math.max(1 / (state.points + 1), 0.002);
  state.spread += rate * (Math.abs(value - state.mean) - state.spread);
  state.mean += rate * (value - state.mean);
  state.points++;
  state.lastTimeMs = timeMs;
}

function addSeasons(state: BaselineState): void {
  const sorted = [...state.recentSteps].sort((a, b) => a - b);
  const stepMs = sorted[sorted.length >> 1]!;
  state.stepMs = stepMs;
  state.recentSteps = [];
  const base = state.variants[0]!;
  // A season needs a dozen points per period to mean anything, and slots no finer than a step.
  for (const [name, periodMs, maxSlots] of [
    ['daily', DAY_MS, 288],
    ['weekly', WEEK_MS, 336],
  ] as const) {
    if (periodMs / stepMs < 12) continue;
    const slots = Math.min(maxSlots, Math.round(periodMs / stepMs));
    state.variants.push(newVariant(name, periodMs, slots, base));
  }
}

function learnVariant(
  state: BaselineState,
  variant: VariantState,
  timeMs: number,
  value: number,
  tuning: BaselineTuning,
): void {
  const expected = predict(variant, timeMs);
  const scale = Math.max(variant.scale, floorScale(state));
  if (expected !== null) {
    const error = Math.abs(value - expected);
    const warm = state.points < 10;
    // The squared error picks the variant, so that a season that saves two large misses a
    // day beats a level that is as good on the noise. It is bounded by the series' spread,
    // not by the variant's own scale: a variant that calls everything an outlier must not
    // look good.
    const bounded = Math.min(error, 3 * state.spread);
    variant.error += tuning.errorRate * (bounded * bounded - variant.error);
    variant.scale +=
      (warm ? 0.3 : tuning.rho) * (Math.min(error, warm ? error : 5 * scale) - variant.scale);
    // Multiplicative steps up 19 times larger than down settle where 5% of residuals exceed it.
    if (variant.tail <= 0) variant.tail = error;
    else variant.tail *= Math.exp(TAIL_RATE * (error > variant.tail ? 19 : -1));
    if (variant.slots > 0) {
      const slot = Math.floor(timeMs / variant.slotMs) % variant.slots;
      const slotScale = variant.slotScales[slot];
      variant.slotScales[slot] =
        slotScale == null
          ? Math.min(error, 5 * scale)
          : slotScale +
            SLOT_SCALE_RATE *
              (Math.min(error, 5 * Math.max(slotScale, floorScale(state))) - slotScale);
    }
  }
  const season = seasonalOf(variant, timeMs);
  const residual = value - (season ?? 0);
  if (variant.residuals.length < RECENT) variant.residuals.push(residual);
  else variant.residuals[variant.next] = residual;
  variant.next = (variant.next + 1) % RECENT;
  if (variant.slots > 0) recordSlot(variant, timeMs, value);
}

function recordSlot(variant: VariantState, timeMs: number, value: number): void {
  const slotIndex = Math.floor(timeMs / variant.slotMs);
  const period = Math.floor(slotIndex / variant.slots);
  const slot = slotIndex % variant.slots;
  if (variant.slot !== null && (slot !== variant.slot || period !== variant.period)) {
    variant.current[variant.slot] = variant.slotSum / variant.slotCount;
    variant.slotSum = 0;
    variant.slotCount = 0;
  }
  if (variant.period !== null && period !== variant.period) {
    // Whole periods without data leave empty rows, so a stale season is forgotten in time.
    const gap = Math.min(period - variant.period, PERIODS);
    for (let index = 0; index < gap; index++) {
      variant.history.unshift(
        index === 0 ? variant.current : new Array<number | null>(variant.slots).fill(null),
      );
    }
    variant.history.length = Math.min(variant.history.length, PERIODS);
    variant.current = new Array<number | null>(variant.slots).fill(null);
  }
  variant.period = period;
  variant.slot = slot;
  variant.slotSum += value;
  variant.slotCount++;
}
