import { badRequest } from './errors.ts';
import { parseDuration, type TimeRange } from './time-range.ts';
import { alignDown } from '../storage/index.ts';

/** Step lengths a chart is given when it asks for none, seconds. */
const STEP_LADDER = [
  1, 5, 10, 30, 60, 300, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400,
] as const;

/** Steps a chart gets by default: about this many across the range. */
const DEFAULT_POINTS = 120;

/** Most steps one chart request may ask for: bounds the work and the payload. */
export const MAX_CHART_STEPS = 5_000;

export interface StepGrid {
  stepSeconds: number;
  /** Start of the first step (aligned to the step), ms since the epoch. */
  firstMs: number;
  /** End of the last step, exclusive: the step holding the range's end is included whole. */
  endMs: number;
}

/**
 * The steps of a chart over `range`: `step` when given (a duration such as 10s or 1m),
 * else the smallest of a fixed ladder (at least `defaultMinSeconds`) that draws about
 * 120 steps. Steps are aligned to
 * the epoch; the last one holds `range.toMs` and may still be open (see `partialFrom`).
 */
export function stepGrid(
  range: TimeRange,
  step: string | undefined,
  options: { minSeconds?: number; defaultMinSeconds?: number } = {},
): StepGrid {
  const minSeconds = options.minSeconds ?? 1;
  const defaultMinSeconds = Math.max(minSeconds, options.defaultMinSeconds ?? 1);
  const spanSeconds = (range.toMs - range.fromMs) / 1000;
  let stepSeconds: number;
  if (step !== undefined) {
    stepSeconds = parseDuration(step, 'step') / 1000;
    if (stepSeconds < minSeconds) throw badRequest(`step must be at least ${minSeconds}s`);
  } else {
    stepSeconds =
      STEP_LADDER.find(
        (candidate) => candidate >= defaultMinSeconds && spanSeconds / candidate <= DEFAULT_POINTS,
      ) ?? 86_400;
  }
  if (spanSeconds / stepSeconds > MAX_CHART_STEPS) {
    throw badRequest(
      `that range has more than ${MAX_CHART_STEPS} steps of ${stepSeconds}s; use a larger step`,
    );
  }
  const stepMs = stepSeconds * 1000;
  const firstMs = alignDown(range.fromMs, stepMs);
  const endMs = alignDown(range.toMs - 1, stepMs) + stepMs;
  return { stepSeconds, firstMs, endMs };
}

/**
 * Start of the first step that is still open at `nowMs` (its end is after now), or null
 * when every step of the grid is complete. Charts draw steps from there dashed: their
 * data is still arriving.
 */
export function partialFrom(grid: StepGrid, nowMs: number): number | null {
  const stepMs = grid.stepSeconds * 1000;
  const open = alignDown(nowMs, stepMs);
  return open < grid.endMs ? Math.max(open, grid.firstMs) : null;
}
