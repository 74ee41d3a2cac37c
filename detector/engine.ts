import { agreedScore } from './agreement.ts';
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
import {
  createExtremeState,
  DEFAULT_EXTREME_TUNING,
  excessScore,
  expectedRecords,
  extremeExcess,
  recordWeight,
  type ExtremeState,
} from './extremes.ts';
import {
  createTransitionState,
  DEFAULT_TRANSITION_TUNING,
  levelOf,
  transitionSurprise,
  type TransitionState,
} from './transitions.ts';
import { createRegimeState, regimeMeasure, type RegimeState } from './regime.ts';
import { engineTuning, type EngineTuning } from './tuning.ts';
import type {
  Detector,
  DetectorOptions,
  DetectorState,
  ForecastPoint,
  StepForecasterFactory,
  Verdict,
} from './types.ts';

/**
 * Score at or above which a point is an anomaly. Chosen on the NAB corpus, where the best
 * threshold of all three profiles lands within 0.01 of it (bench/nab.ts).
 */
export const DEFAULT_THRESHOLD = 0.5;

/** Half-width of the band of normal values, in standard deviations of the residual. */
export const BAND_SIGMAS = 3;
/** Residuals are measured in scales up to this many, so early points cannot overflow. */
const Z_CAP = 1000;
/** The strongest recent evidence (see EngineTuning.freshMargin) fades by a whole unit over a week. */
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
/** Values in the recent mean whose new extremes count (see EngineTuning.extremeMargins). */
const MEAN_POINTS = 24;

interface EngineState extends DetectorState {
  version: 3;
  baseline: BaselineState;
  residual: GaussianState;
  regime: RegimeState;
  regimeRarity: RarityState;
  /** Strongest recent evidence and when it was last faded. */
  peak: number;
  peakTimeMs: number | null;
  /** The learned forecaster's state, its residual scale and calibration (null when off). */
  neural: { model: unknown; scale: number; residual: GaussianState } | null;
  extremes: ExtremesState;
  transitions: TransitionState;
  /** True when only rest() starts a rest (DetectorOptions.restAfter 'caller'); absent is false. */
  restByCaller?: boolean;
}

/** Ranges of the value, of its recent mean and of the forecast residual. */
interface ExtremesState {
  value: ExtremeState;
  mean: ExtremeState;
  residual: ExtremeState;
  /** The last MEAN_POINTS values (ring buffer) and the slot of the next. */
  recent: number[];
  next: number;
  /** Points left in which scores are halved after an alarm. */
  restPoints: number;
}

function createExtremes(): ExtremesState {
  return {
    value: createExtremeState(),
    mean: createExtremeState(),
    residual: createExtremeState(),
    recent: [],
    next: 0,
    restPoints: 0,
  };
}

/** A detector for one series; see Detector. */
export function createDetector(options: DetectorOptions = {}): Detector {
  const neural = options.neural;
  const tuning = engineTuning(options.tuning);
  return fromState(tuning, neural, {
    version: 3,
    baseline: createBaselineState(),
    residual: createGaussianState(),
    regime: createRegimeState(),
    regimeRarity: createRarityState(REGIME),
    peak: 0,
    peakTimeMs: null,
    neural: neural
      ? { model: neural.create().toJSON(), scale: 0, residual: createGaussianState() }
      : null,
    extremes: createExtremes(),
    transitions: createTransitionState(DEFAULT_TRANSITION_TUNING),
    ...(options.restAfter === 'caller' ? { restByCaller: true } : {}),
  });
}

/**
 * Resumes a detector from toJSON(); it scores the next points as if it had never stopped.
 * The tuning is not part of the state: pass the one the detector was created with;
 * `options.restAfter`, when given, replaces the stored choice. A state with a learned
 * forecaster needs the factory that made it as `options.neural`.
 */
export function restoreDetector(
  state: DetectorState,
  options: Pick<DetectorOptions, 'tuning' | 'restAfter' | 'neural'> = {},
): Detector {
  const restored = upgradedState(state);
  if (options.restAfter !== undefined) restored.restByCaller = options.restAfter === 'caller';
  return fromState(engineTuning(options.tuning), options.neural, restored);
}

function upgradedState(state: DetectorState): EngineState {
  if (state.version === 1) {
    // Version 1 had no extremes or transitions: they start afresh and score after warming up.
    return {
      ...(structuredClone(state) as object),
      version: 3,
      extremes: createExtremes(),
      transitions: createTransitionState(DEFAULT_TRANSITION_TUNING),
    } as EngineState;
  }
  if (state.version === 2) {
    // Version 2 kept no share of records: start from what a steady series would have set.
    const upgraded = structuredClone(state) as unknown as EngineState;
    const extremes = upgraded.extremes;
    for (const range of [extremes.value, extremes.mean, extremes.residual]) {
      range.records = expectedRecords(range.seen);
    }
    upgraded.version = 3;
    return upgraded;
  }
  if (state.version !== 3) {
    throw new Error(
      `detector state version ${String(state.version)} is not supported (expected 1, 2 or 3)`,
    );
  }
  return structuredClone(state) as EngineState;
}

function fromState(
  tuning: EngineTuning,
  neural: StepForecasterFactory | undefined,
  state: EngineState,
): Detector {
  if (state.neural && !neural) {
    throw new Error(
      'this detector state has a neural forecaster: restore it with options.neural (await loadNeuralForecaster())',
    );
  }
  // The forecaster lives as an object while the detector runs; its JSON is taken on toJSON.
  const forecaster = state.neural && neural ? neural.restore(state.neural.model) : null;
  return {
    update: (timestampMs, value) =>
      step(state, tuning, timestampMs, value, forecaster ? forecaster.step(value) : Number.NaN),
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
        verdicts[index] = step(state, tuning, timestampsMs[index]!, values[index]!, predicted);
      }
      return verdicts;
    },
    forecast: (steps) => forecastAhead(state.baseline, steps),
    rest: () => {
      state.extremes.restPoints = tuning.restPoints;
    },
    toJSON: () => {
      const copy = structuredClone(state);
      if (copy.neural && forecaster) copy.neural.model = forecaster.toJSON();
      return copy;
    },
  };
}

function step(
  state: EngineState,
  tuning: EngineTuning,
  timeMs: number,
  value: number,
  neuralPrediction: number,
): Verdict {
  if (!Number.isFinite(value) || !Number.isFinite(timeMs)) {
    throw new Error(`detector input must be finite (got time ${timeMs}, value ${value})`);
  }
  const predicted = forecast(state.baseline, timeMs);
  const extremes = state.extremes;
  // The level is taken within the range remembered before this value widens it.
  const level = levelOf(
    value,
    extremes.value.low,
    extremes.value.high,
    DEFAULT_TRANSITION_TUNING.levels,
  );
  const transition = transitionSurprise(state.transitions, level, DEFAULT_TRANSITION_TUNING);
  const transitionScore = transition / (transition + tuning.transitionHalfSurprise);
  const valueScore = excessScore(
    youthWeight(extremes.value, tuning.youngPoints) *
      extremeExcess(extremes.value, value, DEFAULT_EXTREME_TUNING),
    tuning.extremeMargins.value,
  );
  // The mean's range starts once the mean spans MEAN_POINTS: shorter means are noisier.
  const mean = recentMean(extremes, value);
  const meanScore =
    extremes.recent.length < MEAN_POINTS
      ? 0
      : excessScore(
          youthWeight(extremes.mean, tuning.youngPoints) *
            extremeExcess(extremes.mean, mean, DEFAULT_EXTREME_TUNING),
          tuning.extremeMargins.mean,
        );
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
    const residualScore = excessScore(
      residualRecordWeight(extremes.residual, tuning.recordDecades) *
        extremeExcess(extremes.residual, value - predicted.expected, DEFAULT_EXTREME_TUNING),
      tuning.extremeMargins.residual,
    );
    const evidence =
      tuning.residualWeight *
      freshScore(state, timeMs, surprise / (surprise + tuning.halfSurprise), tuning.freshMargin);
    const variant = predicted.variant === 'level' ? 'level' : `seasonal-${predicted.variant}`;
    verdict = {
      score: restedScore(
        extremes,
        tuning.restPoints,
        state.restByCaller !== true,
        // Two views, the forecast's and the range's; agreement raises the stronger.
        agreedScore(
          [Math.max(evidence, residualScore), Math.max(valueScore, meanScore, transitionScore)],
          tuning.agreement,
        ),
      ),
      expected: predicted.expected,
      lower: predicted.expected - BAND_SIGMAS * sigma,
      upper: predicted.expected + BAND_SIGMAS * sigma,
      models: drivers(
        [
          [variant, residual],
          ['regime-shift', regime],
          ['neural-forecast', neural],
        ],
        [
          ['extreme-value', valueScore],
          ['extreme-mean', meanScore],
          [`extreme-${variant}-residual`, residualScore],
          ['new-transition', transitionScore],
        ],
      ),
    };
  }
  learn(state.baseline, timeMs, value, DEFAULT_BASELINE_TUNING);
  return verdict;
}

/** The weight of an excess beyond a range built from `seen` points (see EngineTuning.youngPoints). */
function youthWeight(range: ExtremeState, youngPoints: number): number {
  return youngPoints === 0 ? 1 : range.seen / (range.seen + youngPoints);
}

/** recordWeight, with 0 decades meaning every record counts in full. */
function residualRecordWeight(range: ExtremeState, decades: number): number {
  return decades === 0 ? 1 : recordWeight(range, decades);
}

/** Adds a value to the recent ones; returns their mean. */
function recentMean(extremes: ExtremesState, value: number): number {
  if (extremes.recent.length < MEAN_POINTS) extremes.recent.push(value);
  else extremes.recent[extremes.next] = value;
  extremes.next = (extremes.next + 1) % MEAN_POINTS;
  let sum = 0;
  for (let index = 0; index < extremes.recent.length; index++) sum += extremes.recent[index]!;
  return sum / extremes.recent.length;
}

/**
 * Halves the scores of the `restPoints` points after an alarm: a score reaching the
 * threshold when `restOnScore`, else only a rest() of the caller.
 */
function restedScore(
  extremes: ExtremesState,
  restPoints: number,
  restOnScore: boolean,
  score: number,
): number {
  if (extremes.restPoints > 0) {
    extremes.restPoints--;
    return score / 2;
  }
  if (restOnScore && score >= DEFAULT_THRESHOLD) extremes.restPoints = restPoints;
  return score;
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

/** Halves evidence that is not news (see EngineTuning.freshMargin) and keeps the fading peak. */
function freshScore(
  state: EngineState,
  timeMs: number,
  evidence: number,
  freshMargin: number,
): number {
  const elapsed = state.peakTimeMs === null ? 0 : Math.max(0, timeMs - state.peakTimeMs);
  state.peakTimeMs = timeMs;
  const score = evidence > state.peak + freshMargin ? evidence : evidence / 2;
  state.peak = Math.max(evidence, state.peak - elapsed / PEAK_FADE_MS);
  return score;
}

/** Extremes scoring at least the threshold first (the strongest first), then surprising models. */
function drivers(surprises: Array<[string, number]>, extremes: Array<[string, number]>): string[] {
  const byStrength = (a: [string, number], b: [string, number]): number => b[1] - a[1];
  return [
    ...extremes.filter(([, score]) => score >= DEFAULT_THRESHOLD).sort(byStrength),
    ...surprises.filter(([, surprise]) => surprise >= NAMED_SURPRISE).sort(byStrength),
  ].map(([name]) => name);
}
