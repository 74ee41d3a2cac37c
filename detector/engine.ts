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
import { createNeuralForecaster, restoreNeuralForecaster, type NeuralState } from './neural.ts';
import { createRegimeState, regimeMeasure, type RegimeState } from './regime.ts';
import type { Detector, DetectorOptions, DetectorState, ForecastPoint, Verdict } from './types.ts';

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
/** Smoothing of the neural forecaster's residual scale per point. */
const NEURAL_SCALE_RATE = 0.005;
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
  /** The TensorFlow.js forecaster, its residual scale and calibration (null when off). */
  neural: { model: NeuralState; scale: number; residual: GaussianState } | null;
}

/** Whether the TensorFlow.js forecaster joins the ensemble by default (see bench/nab.ts). */
export const DEFAULT_NEURAL = false;

/** A detector for one series; see Detector. */
export function createDetector(options: DetectorOptions = {}): Detector {
  const neural = options.neural ?? DEFAULT_NEURAL;
  return fromState({
    version: 1,
    baseline: createBaselineState(),
    residual: createGaussianState(),
    regime: createRegimeState(),
    regimeRarity: createRarityState(REGIME),
    peak: 0,
    peakTimeMs: null,
    neural: neural
      ? { model: createNeuralForecaster().toJSON(), scale: 0, residual: createGaussianState() }
      : null,
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
  // The forecaster lives as an object while the detector runs; its JSON is taken on toJSON.
  const forecaster = state.neural ? restoreNeuralForecaster(state.neural.model) : null;
  return {
    update: (timestampMs, value) =>
      step(state, timestampMs, value, forecaster ? forecaster.step(value) : Number.NaN),
    updateBatch(timestampsMs, values) {
      if (timestampsMs.length !== values.length) {
        throw new Error(
          `updateBatch needs one timestamp per value (got ${timestampsMs.length} and ${values.length})`,
        );
      }
      // The forecaster's predictions depend on past values only, so they can all be made
      // first, in batched tensor calls, with the same results as one at a time.
      const predictions = forecaster ? forecaster.stepBatch(values) : null;
      const verdicts = new Array<Verdict>(values.length);
      for (let index = 0; index < values.length; index++) {
        const predicted = predictions ? predictions[index]! : Number.NaN;
        verdicts[index] = step(state, timestampsMs[index]!, values[index]!, predicted);
      }
      return verdicts;
    },
    forecast: (steps) => forecastAhead(state.baseline, steps),
    toJSON: () => {
      const copy = structuredClone(state);
      if (copy.neural && forecaster) copy.neural.model = forecaster.toJSON();
      return copy;
    },
  };
}

function step(
  state: EngineState,
  timeMs: number,
  value: number,
  neuralPrediction: number,
): Verdict {
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
    const neural = neuralSurprise(state, value, neuralPrediction, sigma);
    const surprise = Math.max(residual, neural) + regime;
    verdict = {
      score: freshScore(state, timeMs, surprise / (surprise + HALF_SURPRISE)),
      expected: predicted.expected,
      lower: predicted.expected - BAND_SIGMAS * sigma,
      upper: predicted.expected + BAND_SIGMAS * sigma,
      models: drivers([
        [predicted.variant === 'level' ? 'level' : `seasonal-${predicted.variant}`, residual],
        ['regime-shift', regime],
        ['neural-forecast', neural],
      ]),
    };
  }
  learn(state.baseline, timeMs, value, DEFAULT_BASELINE_TUNING);
  return verdict;
}

/** Longest forecast one call may ask for: bounds the work of a request. */
const MAX_FORECAST_STEPS = 10_000;

/** The baseline's forecast, with the band of step(), for the intervals after the last point. */
function forecastAhead(baseline: BaselineState, steps: number): ForecastPoint[] {
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_FORECAST_STEPS) {
    throw new Error(
      `forecast steps must be a whole number from 0 to ${MAX_FORECAST_STEPS} (got ${steps})`,
    );
  }
  const points: ForecastPoint[] = [];
  if (baseline.stepMs === null || baseline.lastTimeMs === null) return points;
  for (let ahead = 1; ahead <= steps; ahead++) {
    const timestampMs = baseline.lastTimeMs + ahead * baseline.stepMs;
    const predicted = forecast(baseline, timestampMs);
    if (predicted === null) break;
    const sigma = MAD_TO_SIGMA * predicted.scale;
    points.push({
      timestampMs,
      expected: predicted.expected,
      lower: predicted.expected - BAND_SIGMAS * sigma,
      upper: predicted.expected + BAND_SIGMAS * sigma,
    });
  }
  return points;
}

/** The neural forecaster's residual as a surprise (0 until it has trained, or when off). */
function neuralSurprise(
  state: EngineState,
  value: number,
  prediction: number,
  baselineSigma: number,
): number {
  const neural = state.neural;
  if (!neural || !Number.isFinite(prediction)) return 0;
  const error = Math.abs(value - prediction);
  const scale = neural.scale > 0 ? neural.scale : error;
  const z = Math.min(error / Math.max(MAD_TO_SIGMA * scale, baselineSigma * 0.1), Z_CAP);
  neural.scale += NEURAL_SCALE_RATE * (Math.min(error, 5 * scale) - neural.scale);
  return gaussianSurprise(neural.residual, Math.log1p(z), RESIDUAL);
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
