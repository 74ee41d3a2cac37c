import { createDetector, DEFAULT_THRESHOLD, restoreDetector } from '../engine.ts';
import type { DetectorState, Verdict } from '../types.ts';

/** One series' model as the live loop uses it. */
export interface SeriesModel {
  update(timeMs: number, value: number): Verdict;
  /** True until the model has seen enough steps to be trusted with alerts. */
  learning(): boolean;
  state(): unknown;
}

export interface SeriesModels {
  threshold: number;
  create(): SeriesModel;
  restore(state: unknown): SeriesModel;
}

interface Stored {
  steps: number;
  detector: DetectorState;
}

/** Steps a series' model must see before its alarms count (the series is "learning" until then). */
export const MIN_TRAINING_STEPS = 30;

/** The detector engine, counting steps so that a young series is "learning". */
export function engineModels(
  options: { minTrainingSteps?: number; threshold?: number } = {},
): SeriesModels {
  const minTrainingSteps = options.minTrainingSteps ?? MIN_TRAINING_STEPS;
  const wrap = (detector: ReturnType<typeof createDetector>, steps: number): SeriesModel => ({
    update(timeMs, value) {
      steps++;
      return detector.update(timeMs, value);
    },
    learning: () => steps < minTrainingSteps,
    state: (): Stored => ({ steps, detector: detector.toJSON() }),
  });
  return {
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    create: () => wrap(createDetector(), 0),
    restore: (state) => {
      const stored = state as Stored;
      return wrap(restoreDetector(stored.detector), stored.steps);
    },
  };
}
