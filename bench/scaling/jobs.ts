/**
 * Runs the benchmark's units (one trace at one capacity error) in child processes, each a
 * copy of the benchmark started with `--worker`, so that `--jobs N` uses N cores. Results
 * come back as JSON over the IPC channel, which keeps every number exact, and are handed
 * over in unit order: the report and its sums are the same as a serial run's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));

/** What a parent asks of a worker, and what the worker answers. */
type Request = { unit: number };
type Answer<T> = { unit: number; result: T } | { unit: number; error: string };

export interface JobOptions<T> {
  units: number;
  jobs: number;
  /** Computes a unit in this process (jobs = 1). */
  local: (unit: number) => T;
  /** The benchmark script and its arguments; `--worker` is added. */
  script: string;
  args: readonly string[];
  /** Called once per unit, in unit order. */
  done: (unit: number, result: T) => void;
}

/** Runs units 0..units-1 over `jobs` processes (in this one when jobs is 1). */
export async function runUnits<T>(options: JobOptions<T>): Promise<void> {
  const { units, done } = options;
  if (options.jobs <= 1) {
    for (let unit = 0; unit < units; unit++) done(unit, options.local(unit));
    return;
  }
  const results = new Map<number, T>();
  let next = 0;
  let reported = 0;
  const report = (): void => {
    while (results.has(reported)) {
      done(reported, results.get(reported)!);
      results.delete(reported);
      reported++;
    }
  };
  const children: ChildProcess[] = [];
  await new Promise<void>((resolve, reject) => {
    const feed = (child: ChildProcess): void => {
      if (next < units) child.send({ unit: next++ } satisfies Request);
      else child.disconnect();
    };
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const child of children) child.kill();
      reject(error);
    };
    for (let job = 0; job < Math.min(options.jobs, units); job++) {
      const child = fork(RUN_TS, [options.script, ...options.args, '--worker'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      child.on('message', (message: Answer<T>) => {
        if ('error' in message) return fail(new Error(`unit ${message.unit}: ${message.error}`));
        results.set(message.unit, message.result);
        report();
        feed(child);
        if (reported === units) resolve();
      });
      child.on('exit', (code) => {
        if (code !== 0 && reported < units) fail(new Error(`a worker exited with ${code}`));
      });
      feed(child);
    }
  });
}

/** A worker's loop: answers each unit it is sent until the parent disconnects. */
export function serveUnits<T>(compute: (unit: number) => T): void {
  process.on('message', (message: Request) => {
    let answer: Answer<T>;
    try {
      answer = { unit: message.unit, result: compute(message.unit) };
    } catch (error) {
      answer = {
        unit: message.unit,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    process.send!(answer);
  });
}
