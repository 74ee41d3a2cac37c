import { evaluateOnce, type EvaluationReport, type EvaluatorOptions } from './evaluator.ts';

export interface DetectorLoop {
  /** Evaluates now (waits for a cycle already running); for tests and the first cycle. */
  evaluate(): Promise<EvaluationReport>;
  start(): void;
  /** Stops the timer and waits for a running cycle; idempotent. */
  close(): Promise<void>;
}

/**
 * Runs an evaluation every step. Cycles never overlap: a slow cycle delays the
 * next one rather than piling up work on a busy database.
 */
export function createDetectorLoop(options: EvaluatorOptions): DetectorLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<EvaluationReport> | undefined;
  let closed = false;
  const evaluate = (): Promise<EvaluationReport> => {
    running ??= evaluateOnce(options).finally(() => (running = undefined));
    return running;
  };
  const schedule = (): void => {
    if (closed) return;
    const stepMs = options.stepSeconds * 1000;
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
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
