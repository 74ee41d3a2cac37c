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
  /** Use the TensorFlow.js forecaster in the ensemble (default: see DEFAULT_NEURAL). */
  neural?: boolean;
}

/** An online detector for one univariate series. */
export interface Detector {
  /** Scores one point from the past only, then learns it. Timestamps in ms, non-decreasing. */
  update(timestampMs: number, value: number): Verdict;
  /** Same as calling update for each point in order; faster for long histories. */
  updateBatch(timestampsMs: ArrayLike<number>, values: ArrayLike<number>): Verdict[];
  /** Everything needed to resume exactly where this detector stands. */
  toJSON(): DetectorState;
}

/** Serialised detector; opaque to callers, versioned for forward compatibility. */
export interface DetectorState {
  version: number;
  [key: string]: unknown;
}
