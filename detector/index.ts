export { createDetector, DEFAULT_NEURAL, DEFAULT_THRESHOLD, restoreDetector } from './engine.ts';
export { initTensorflow } from './neural.ts';
export {
  DEFAULT_ENGINE_TUNING,
  engineTuning,
  type EngineTuning,
  type EngineTuningOverrides,
} from './tuning.ts';
export type { Detector, DetectorOptions, DetectorState, ForecastPoint, Verdict } from './types.ts';
export type { DetectorLoop } from './live/loop.ts';
export type { EvaluationReport, EvaluatorOptions } from './live/evaluator.ts';
export { engineModels, MIN_TRAINING_STEPS, type SeriesModels } from './live/models.ts';
