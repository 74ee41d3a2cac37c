import { createDetector, DEFAULT_THRESHOLD, restoreDetector } from '../engine.ts';
import type { DetectorState, Verdict } from '../types.ts';

/** One series' model as the live loop uses it. */
export interface SeriesModel {
  update(timeMs: number, value: number): Verdict;
  /** True until the model has seen enough steps to be trusted with alerts. */
  learning(): boolean;
  /** Steps in a row, up to the last, whose score reached the threshold (0 when unknown). */
  highRun?(): number;
  /** The last step fed (undefined before any, or in a state saved before it was kept). */
  lastStep?(): { timeMs: number; value: number } | undefined;
  /** Told that the last step raised an alarm: the next scores are damped (one alarm per incident). */
  rest?(): void;
  state(): unknown;
}

export interface SeriesModels {
  threshold: number;
  create(): SeriesModel;
  restore(state: unknown): SeriesModel;
}

interface Stored {
  steps: number;
  highRun?: number;
  last?: { timeMs: number; value: number };
  detector: DetectorState;
}

/** Steps a series' model must see before its alarms count (the series is "learning" until then). */
export const MIN_TRAINING_STEPS = 30;

/**
 * The detector engine, counting steps so that a young series is "learning". Its scores are
 * damped after an alarm the evaluator raised, not after any high score: a high score for a
 * value inside its band raises nothing and must not mute what follows (a leak, a burst).
 */
export function engineModels(
  options: { minTrainingSteps?: number; threshold?: number } = {},
): SeriesModels {
  const minTrainingSteps = options.minTrainingSteps ?? MIN_TRAINING_STEPS;
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const wrap = (
    detector: ReturnType<typeof createDetector>,
    steps: number,
    highRun = 0,
    last: Stored['last'] = undefined,
  ): SeriesModel => ({
    update(timeMs, value) {
      steps++;
      const verdict = detector.update(timeMs, value);
      highRun = verdict.score >= threshold ? highRun + 1 : 0;
      last = { timeMs, value };
      return verdict;
    },
    highRun: () => highRun,
    lastStep: () => last,
    learning: () => steps < minTrainingSteps,
    rest: () => detector.rest(),
    state: (): Stored => ({
      steps,
      highRun,
      ...(last ? { last } : {}),
      detector: detector.toJSON(),
    }),
  });
  return {
    threshold,
    create: () => wrap(createDetector({ restAfter: 'caller' }), 0),
    restore: (state) => {
      const stored = state as Stored;
      return wrap(
        restoreDetector(stored.detector, { restAfter: 'caller' }),
        stored.steps,
        stored.highRun ?? 0,
        stored.last,
      );
    },
  };
}
