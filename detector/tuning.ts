import { DEFAULT_AGREEMENT_TUNING, type AgreementTuning } from './agreement.ts';

/**
 * The constants that shape the engine's score, as one options object. They were chosen
 * on labelled series, so each is a claim that can overfit: bench:nab --cv chooses them by
 * leave-one-category-out cross-validation over a small grid (bench/nab/grid.ts) and
 * docs/detection-validation.md gives the in-sample and held-out figures behind each default.
 */
export interface EngineTuning {
  /** Combined surprise (decades) of the residual models that maps to 0.5: score = s / (s + half). */
  halfSurprise: number;
  /**
   * One incident should raise one alarm: residual evidence that does not beat the strongest
   * evidence of the recent past by this margin is halved (that peak fades over a week).
   */
  freshMargin: number;
  /**
   * Weight of the residual models' score beside the extremes and transitions: alone they
   * flag the ordinary bursts of spiky series (tweets, CPU peaks) too often.
   */
  residualWeight: number;
  /**
   * The excess beyond the range remembered (a fraction of that range) that scores 0.5, for
   * the extremes of the value, of the recent mean and of the forecast residual.
   */
  extremeMargins: { value: number; mean: number; residual: number };
  /** For this many points after a score reached the threshold, scores are halved (0: never). */
  restPoints: number;
  /** Surprise (decades) of a novel transition that scores 0.5. */
  transitionHalfSurprise: number;
  /**
   * A new extreme of the forecast residual counts in full only when such records have been
   * rarer than 1 in 10^recordDecades points (0: always in full): on series the baseline
   * forecasts poorly the residual keeps setting records.
   */
  recordDecades: number;
  /**
   * A young range understates the series' spread: excesses of the value and of the mean
   * count at n / (n + youngPoints) of their size after n points (0: in full from the start).
   */
  youngPoints: number;
  /** How much the two views (forecast and range) agreeing raises a score (bonus 0: not at all). */
  agreement: AgreementTuning;
}

/** The shipped constants (see docs/detection-validation.md for how they were chosen). */
export const DEFAULT_ENGINE_TUNING: Readonly<EngineTuning> = Object.freeze({
  halfSurprise: 5,
  freshMargin: 0.2,
  residualWeight: 0.55,
  extremeMargins: Object.freeze({ value: 0.005, mean: 0.05, residual: 0.005 }),
  restPoints: 20,
  transitionHalfSurprise: 2,
  recordDecades: 4,
  youngPoints: 200,
  agreement: Object.freeze({ ...DEFAULT_AGREEMENT_TUNING }),
});

/** Overrides of some constants; nested objects replace the default's as a whole. */
export type EngineTuningOverrides = Partial<EngineTuning>;

/** The defaults with `overrides` applied; throws naming the first constant out of range. */
export function engineTuning(overrides: EngineTuningOverrides = {}): EngineTuning {
  const tuning: EngineTuning = {
    ...DEFAULT_ENGINE_TUNING,
    ...overrides,
    extremeMargins: { ...(overrides.extremeMargins ?? DEFAULT_ENGINE_TUNING.extremeMargins) },
    agreement: { ...(overrides.agreement ?? DEFAULT_ENGINE_TUNING.agreement) },
  };
  const positive: Array<[string, number]> = [
    ['halfSurprise', tuning.halfSurprise],
    ['transitionHalfSurprise', tuning.transitionHalfSurprise],
    ['extremeMargins.value', tuning.extremeMargins.value],
    ['extremeMargins.mean', tuning.extremeMargins.mean],
    ['extremeMargins.residual', tuning.extremeMargins.residual],
  ];
  const nonNegative: Array<[string, number]> = [
    ['freshMargin', tuning.freshMargin],
    ['residualWeight', tuning.residualWeight],
    ['recordDecades', tuning.recordDecades],
    ['youngPoints', tuning.youngPoints],
    ['agreement.level', tuning.agreement.level],
    ['agreement.bonus', tuning.agreement.bonus],
  ];
  for (const [name, value] of positive) {
    if (!(value > 0 && Number.isFinite(value))) {
      throw new Error(`detector tuning ${name} must be a finite number > 0 (got ${value})`);
    }
  }
  for (const [name, value] of nonNegative) {
    if (!(value >= 0 && Number.isFinite(value))) {
      throw new Error(`detector tuning ${name} must be a finite number >= 0 (got ${value})`);
    }
  }
  if (!(Number.isInteger(tuning.restPoints) && tuning.restPoints >= 0)) {
    throw new Error(
      `detector tuning restPoints must be a whole number >= 0 (got ${tuning.restPoints})`,
    );
  }
  if (tuning.residualWeight > 1) {
    throw new Error(
      `detector tuning residualWeight must be at most 1 (got ${tuning.residualWeight})`,
    );
  }
  return tuning;
}
