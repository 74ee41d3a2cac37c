import type { EngineTuningOverrides } from './tuning.ts';

/** What the engine says of one point. */
export interface Verdict {
  /** Anomaly score in [0, 1]; calibrated so that one threshold serves every series. */
  score: number;
  /** The value the baseline expected at this point. */
  expected: number;
  /** Lower edge of the band of normal values. */
  lower: number;
  /** Upper edge of the band of normal values. */
  upper: number;
  /** The models whose evidence drove the score (empty when nothing stands out). */
  models: string[];
}

export interface DetectorOptions {
  /**
   * A learned forecaster to join the ensemble (default none): the TensorFlow.js one from
   * `await loadNeuralForecaster()`. Passed in so that the engine loads no TensorFlow.js.
   */
  neural?: StepForecasterFactory;
  /** Constants that shape the score (default DEFAULT_ENGINE_TUNING; see tuning.ts). */
  tuning?: EngineTuningOverrides;
  /**
   * Who decides that a point was an alarm, after which scores are damped for a while:
   * 'engine' (default) when the score reaches DEFAULT_THRESHOLD, 'caller' only when the
   * caller says so through Detector.rest() (a live evaluator that raised an alert).
   */
  restAfter?: 'engine' | 'caller';
}

/** An online detector for one univariate series. */
export interface Detector {
  /** Scores one point from the past only, then learns it. Timestamps in ms, non-decreasing. */
  update(timestampMs: number, value: number): Verdict;
  /** Same as calling update for each point in order; faster for long histories. */
  updateBatch(timestampsMs: ArrayLike<number>, values: ArrayLike<number>): Verdict[];
  /**
   * The baseline's expected value and band for each of the next `steps` sampling intervals
   * after the last point learned (at most 10,000), from the past only; learns nothing and
   * changes no score. Empty until the sampling interval is known (after 17 points).
   */
  forecast(steps: number): ForecastPoint[];
  /** Damps the scores of the next points as after an alarm (see DetectorOptions.restAfter). */
  rest(): void;
  /** Everything needed to resume exactly where this detector stands. */
  toJSON(): DetectorState;
}

/** What the baseline expects at one future time. */
export interface ForecastPoint {
  timestampMs: number;
  expected: number;
  /** The band of normal values, as in Verdict (it does not widen with the horizon). */
  lower: number;
  upper: number;
}

/** Serialised detector; opaque to callers, versioned for forward compatibility. */
export interface DetectorState {
  version: number;
  [key: string]: unknown;
}

/** A forecaster of a series' next value that learns from the stream as it goes. */
export interface StepForecaster {
  /** Prediction for the next value from the past only (NaN until trained), then learns `value`. */
  step(value: number): number;
  /** Same as calling step for each value in order. */
  stepBatch(values: ArrayLike<number>): ArrayLike<number>;
  /** JSON that StepForecasterFactory.restore resumes from. */
  toJSON(): unknown;
}

/** Makes and resumes one kind of StepForecaster (DetectorOptions.neural). */
export interface StepForecasterFactory {
  create(): StepForecaster;
  /** Resumes from toJSON(); throws on a malformed state. */
  restore(state: unknown): StepForecaster;
}
