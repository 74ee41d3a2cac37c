/**
 * The grain of the RED rollup, ms: spans are counted in buckets this long, so any step
 * that is a multiple of it is a GROUP BY away (the detector step, a chart's step).
 */
export const ROLLUP_GRAIN_MS = 10_000;

/** Start of the step of length `stepMs` that holds `timeMs`; steps are aligned to the epoch. */
export function alignDown(timeMs: number, stepMs: number): number {
  return Math.floor(timeMs / stepMs) * stepMs;
}

/** Whether `stepMs` is a whole number of rollup grains (the rollup can serve it). */
export function isRollupStep(stepMs: number): boolean {
  return stepMs >= ROLLUP_GRAIN_MS && stepMs % ROLLUP_GRAIN_MS === 0;
}
