import { Gauge, type Registry } from 'prom-client';
import {
  checkpointModels,
  createModelCache,
  evaluateOnce,
  type EvaluationReport,
  type EvaluatorOptions,
} from './evaluator.ts';

export interface DetectorLoop {
  /** Evaluates now (waits for a cycle already running); for tests and the first cycle. */
  evaluate(): Promise<EvaluationReport>;
  start(): void;
  /** Stops the timer, waits for a running cycle and writes a last checkpoint; idempotent. */
  close(): Promise<void>;
}

/**
 * Models are written to ClickHouse at most this often (and at shutdown); in between they
 * live in memory. After a crash a model resumes from its checkpoint and replays the steps
 * since from the rollup, which gives the same state as never having stopped.
 */
const CHECKPOINT_INTERVAL_MS = 10 * 60_000;

/**
 * Runs an evaluation every step. Cycles never overlap: a slow cycle delays the
 * next one rather than piling up work on a busy database.
 */
export function createDetectorLoop(
  options: EvaluatorOptions & {
    /** Where the loop's own figures go (`/metrics`): how far evaluation lags. */
    registry?: Registry;
  },
): DetectorLoop {
  const cache = options.cache ?? createModelCache();
  const lag = options.registry
    ? new Gauge({
        name: 'opsless_detector_evaluation_lag_seconds',
        help: 'How far behind now the complete steps of the least advanced service end (data arriving late delays evaluation rather than scoring partial steps).',
        registers: [options.registry],
      })
    : undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<EvaluationReport> | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  let lastCheckpointMs = Number.NEGATIVE_INFINITY;
  const evaluate = (): Promise<EvaluationReport> => {
    running ??= (async () => {
      const nowMs = options.now();
      const checkpoint = nowMs - lastCheckpointMs >= CHECKPOINT_INTERVAL_MS;
      const report = await evaluateOnce({ ...options, cache, checkpoint });
      if (checkpoint) lastCheckpointMs = nowMs;
      lag?.set(report.lagMs / 1000);
      return report;
    })().finally(() => (running = undefined));
    return running;
  };
  const schedule = (): void => {
    if (closed) return;
    const stepMs = options.stepMs;
    // Just after the next step has settled.
    const delay = stepMs - ((options.now() - options.settleMs) % stepMs) + 50;
    timer = setTimeout(() => {
      evaluate()
        .then((report) => options.logger.debug({ ...report }, 'evaluation cycle'))
        .catch((error: unknown) => options.logger.error({ err: error }, 'evaluation cycle failed'))
        .finally(schedule);
    }, delay).unref();
  };
  return {
    evaluate,
    start: schedule,
    close: () =>
      (closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        await running?.catch(() => undefined);
        if (cache.series.size > 0) {
          await checkpointModels(options.client, cache, options.now()).catch((error: unknown) =>
            options.logger.error({ err: error }, 'final model checkpoint failed'),
          );
        }
      })()),
  };
}
