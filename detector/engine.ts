import {
  createBaselineState,
  DEFAULT_BASELINE_TUNING,
  forecast,
  learn,
  MAD_TO_SIGMA,
  type BaselineState,
} from './baseline.ts';
import {
  createGaussianState,
  createRarityState,
  gaussianSurprise,
  raritySurprise,
  type GaussianState,
  type GaussianTuning,
  type RarityState,
  type RarityTuning,
} from './calibration.ts';
import { createRegimeState, regimeMeasure, type RegimeState } from './regime.ts';
import type { Detector, DetectorOptions, DetectorState, Verdict } from './types.ts';

/**
 * Score at or above which a point is an anomaly. Chosen on the NAB corpus, where the best
 * threshold of the standard profile lands within 0.01 of it (bench/nab.ts).
 */
export const DEFAULT_THRESHOLD = 0.5;

/** Half-width of the band of normal values, in standard deviations of the residual. */
const BAND_SIGMAS = 3;
/** Residuals are measured in scales up to this many, so early points cannot overflow. */
const Z_CAP = 1000;
/** Combined surprise (decades) that maps to a score of 0.5: score = s / (s + HALF). */
const HALF_SURPRISE = 5;
/**
 * One incident should raise one alarm. Evidence that does not beat the strongest evidence
 * of the recent past by this margin is halved; that peak fades by a whole score unit over
 * PEAK_FADE_MS, so an incident as strong as the last one alarms again after about a day.
 */
const FRESH_MARGIN = 0.1;
const PEAK_FADE_MS = 7 * 86_400_000;

/** The forecast residual, log-scaled, is close enough to normal for a Gaussian calibration. */
const RESIDUAL: GaussianTuning = { rate: 0.001, warmup: 100, minDeviation: 0.3, clip: 2 };
/** The regime measure has no useful shape: its calibration is empirical. */
const REGIME: RarityTuning = {
  binWidth: 0.05,
  bins: 80,
  rate: 0.0005,
  warmup: 100,
  beyondSlope: 2,
};
/** A model whose surprise reaches this many decades is named among those that drove a score. */
const NAMED_SURPRISE = 1;

interface EngineState extends DetectorState {
  version: 1;
  baseline: BaselineState;
  residual: GaussianState;
  regime: RegimeState;
  regimeRarity: RarityState;
  /** Strongest recent evidence and when it was last faded. */
  peak: number;
  peakTimeMs: number | null;
}

/** A detector for one series; see Detector. */
export function createDetector(_options: DetectorOptions = {}): Detector {
  return fromState({
    version: 1,
    baseline: createBaselineState(),
    residual: createGaussianState(),
    regime: createRegimeState(),
    regimeRarity: createRarityState(REGIME),
    peak: 0,
    peakTimeMs: null,
  });
}

/** Resumes a detector from toJSON(); it scores the next points as if it had never stopped. */
export function restoreDetector(state: DetectorState): Detector {
  if (state.version !== 1) {
    throw new Error(
      `detector state version ${String(state.version)} is not supported (expected 1)`,
    );
  }
  return fromState(structuredClone(state) as EngineState);
}

function fromState(state: EngineState): Detector {
  return {
    update: (timestampMs, value) => step(state, timestampMs, value),
    updateBatch(timestampsMs, values) {
      if (timestampsMs.length !== values.length) {
        throw new Error(
          `updateBatch needs one timestamp per value (got ${timestampsMs.length} and ${values.length})`,
        );
      }
      const verdicts = new Array<Verdict>(values.length);
      for (let index = 0; index < values.length; index++) {
        verdicts[index] = step(state, timestampsMs[index]!, values[index]!);
      }
      return verdicts;
    },
    toJSON: () => structuredClone(state),
  };
}

function step(state: EngineState, timeMs: number, value: number): Verdict {
  if (!Number.isFinite(value) || !Number.isFinite(timeMs)) {
    throw new Error(`detector input must be finite (got time ${timeMs}, value ${value})`);
  }
  const predicted = forecast(state.baseline, timeMs);
  let verdict: Verdict;
  if (predicted === null) {
    verdict = { score: 0, expected: value, lower: value, upper: value, models: [] };
  } else {
    const sigma = MAD_TO_SIGMA * predicted.scale;
    const z = Math.min(Math.abs(value - predicted.expected) / sigma, Z_CAP);
    const residual = gaussianSurprise(state.residual, Math.log1p(z), RESIDUAL);
    const regime = raritySurprise(
      state.regimeRarity,
      Math.log1p(regimeMeasure(state.regime, value)),
      REGIME,
    );
    const surprise = residual + regime;
    verdict = {
      score: freshScore(state, timeMs, surprise / (surprise + HALF_SURPRISE)),
      expected: predicted.expected,
      lower: predicted.expected - BAND_SIGMAS * sigma,
      upper: predicted.expected + BAND_SIGMAS * sigma,
      models: drivers([
        [predicted.variant === 'level' ? 'level' : `seasonal-${predicted.variant}`, residual],
        ['regime-shift', regime],
      ]),
    };
  }
  learn(state.baseline, timeMs, value, DEFAULT_BASELINE_TUNING);
  return verdict;
}

/** Halves evidence that is not news (see FRESH_MARGIN) and keeps the fading peak. */
function freshScore(state: EngineState, timeMs: number, evidence: number): number {
  const elapsed = state.peakTimeMs === null ? 0 : Math.max(0, timeMs - state.peakTimeMs);
  state.peakTimeMs = timeMs;
  const score = evidence > state.peak + FRESH_MARGIN ? evidence : evidence / 2;
  state.peak = Math.max(evidence, state.peak - elapsed / PEAK_FADE_MS);
  return score;
}

function drivers(surprises: Array<[string, number]>): string[] {
  return surprises
    .filter(([, surprise]) => surprise >= NAMED_SURPRISE)
    .sort((a, b) => b[1] - a[1])
    .map(([name]) => name);
}
