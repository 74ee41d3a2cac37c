export { createDetector, DEFAULT_THRESHOLD, restoreDetector } from './engine.ts';
export { loadNeuralForecaster, type NeuralForecasterFactory } from './neural-loader.ts';
export {
  DEFAULT_ENGINE_TUNING,
  engineTuning,
  type EngineTuning,
  type EngineTuningOverrides,
} from './tuning.ts';
export type {
  Detector,
  DetectorOptions,
  DetectorState,
  ForecastPoint,
  StepForecaster,
  StepForecasterFactory,
  Verdict,
} from './types.ts';
export type { DetectorLoop } from './live/loop.ts';
export type { EvaluationReport } from './live/evaluator.ts';
export type { EvaluatorOptions } from './live/evaluator-options.ts';
export { engineModels, MIN_TRAINING_STEPS, type SeriesModels } from './live/models.ts';
