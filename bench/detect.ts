/**
 * Live detector benchmark. Fills the RED rollup with `--days` of history for
 * `--services` services of `--operations` operations each (one row per operation per
 * step, generated inside the engine, with a daily season in request counts), then times
 * the live evaluator, which models each service and its busiest operations: the first
 * evaluation, which learns every series from history, and `--cycles` steady cycles,
 * each after one more step of data for every service. CPU is the whole process's
 * (process.cpuUsage, user + system, engine threads included). Each cycle is split into
 * time waiting on ClickHouse queries and inserts, in model updates, and the rest (JSON
 * of results and states, maps, score rows); afterwards the stored states are parsed,
 * restored, serialised and stringified once more on their own to price those parts.
 * The target: a 60 s cycle for 1,000 services within 5 s of one core.
 *
 *   npm run bench:detect [-- --services 1000 --days 14 --cycles 5 --step 60 --operations 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import { createAlertStore } from '../alerts/live/index.ts';
import { engineModels, type EvaluatorOptions, type SeriesModels } from '../detector/index.ts';
// The public surface runs the evaluator only inside its loop; the benchmark times single cycles.
import {
  checkpointModels,
  createModelCache,
  evaluateOnce,
  OPERATIONS_PER_SERVICE,
} from '../detector/live/index.ts';
import { SIGNALS } from '../signals/index.ts';
import { DETECTOR_STATE_TABLE, isRollupStep, RED_TABLE } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    days: { type: 'string', default: '14' },
    cycles: { type: 'string', default: '5' },
    step: { type: 'string', default: '60' },
    operations: { type: 'string', default: '1' },
  },
});
const SERVICES = positiveInteger('services', args.services);
const DAYS = positiveInteger('days', args.days);
const CYCLES = positiveInteger('cycles', args.cycles);
const STEP_SECONDS = positiveInteger('step', args.step);
const OPERATIONS = positiveInteger('operations', args.operations);
if (!isRollupStep(STEP_SECONDS * 1000))
  throw new Error(`--step must be a multiple of 10 s (got ${args.step})`);

const DAY_MS = 86_400_000;
const STEP_MS = STEP_SECONDS * 1000;
/** History starts on a day boundary so the daily season lines up with the clock. */
const START_MS = Date.parse('2026-01-05T00:00:00Z');
const HISTORY_STEPS = Math.floor((DAYS * DAY_MS) / STEP_MS);
const SETTLE_MS = 15_000;
const PROGRESS_INTERVAL_MS = 30_000;
/** Series the evaluator models per service: the service and each of its busiest operations. */
const SERIES_PER_SERVICE = SIGNALS.length * (1 + Math.min(OPERATIONS, OPERATIONS_PER_SERVICE));

type SeriesModel = ReturnType<SeriesModels['create']>;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer (got ${text})`);
  }
  return value;
}

/** Time spent waiting on the engine and in model code, accumulated by the wrappers below. */
interface Spent {
  queryMs: number;
  queries: number;
  /** The part of queryMs reading model states (the rest reads the rollup). */
  stateQueryMs: number;
  insertMs: number;
  inserts: number;
  /** The part of insertMs writing model states (the rest writes scores and alerts). */
  stateInsertMs: number;
  updateMs: number;
  updates: number;
  /** Series whose model was created (not restored): training progress. */
  created: number;
}

function emptySpent(): Spent {
  return {
    queryMs: 0,
    queries: 0,
    stateQueryMs: 0,
    insertMs: 0,
    inserts: 0,
    stateInsertMs: 0,
    updateMs: 0,
    updates: 0,
    created: 0,
  };
}

/** The client, with the time its query() and insert() calls take until they resolve. */
function timedClient(client: ClickHouseClient, spent: Spent): ClickHouseClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'query') {
        return async (...call: Parameters<ClickHouseClient['query']>) => {
          const start = performance.now();
          try {
            return await target.query(...call);
          } finally {
            const elapsed = performance.now() - start;
            spent.queryMs += elapsed;
            spent.queries++;
            if (call[0].query.includes(DETECTOR_STATE_TABLE)) spent.stateQueryMs += elapsed;
          }
        };
      }
      if (property === 'insert') {
        return async (...call: Parameters<ClickHouseClient['insert']>) => {
          const start = performance.now();
          try {
            return await target.insert(...call);
          } finally {
            const elapsed = performance.now() - start;
            spent.insertMs += elapsed;
            spent.inserts++;
            if (call[0].table === DETECTOR_STATE_TABLE) spent.stateInsertMs += elapsed;
          }
        };
      }
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** The engine's models, with the time spent in update() (timer overhead included). */
function timedModels(models: SeriesModels, spent: Spent): SeriesModels {
  const wrap = (model: SeriesModel): SeriesModel => ({
    update(timeMs, value) {
      const start = performance.now();
      const verdict = model.update(timeMs, value);
      spent.updateMs += performance.now() - start;
      spent.updates++;
      return verdict;
    },
    learning: () => model.learning(),
    state: () => model.state(),
  });
  return {
    threshold: models.threshold,
    create: () => {
      spent.created++;
      return wrap(models.create());
    },
    restore: (state) => wrap(models.restore(state)),
  };
}

/**
 * Inserts steps [fromStep, toStep) of every service straight into the rollup, one row
 * per service, operation and step. Request counts follow a daily sine (phase and level
 * differ by service, operation k has 1/(k+1) of the level) with ±10 % noise; about 1 %
 * are errors; latency is a t-digest of eight values spread above a per-operation median.
 */
async function insertSteps(client: ClickHouseClient, fromStep: number, toStep: number) {
  await client.command({
    query: `INSERT INTO ${RED_TABLE} (ServiceName, Operation, Bucket, Requests, Errors, Latency)
SELECT
  concat('svc-', leftPad(toString(s), 5, '0')) AS ServiceName,
  concat('GET /api/', toString(op)) AS Operation,
  toDateTime({start:UInt32} + t * {step:UInt32}) AS Bucket,
  toUInt64(greatest(1, round(level * (1 + 0.5 * sin(2 * pi() * ((t * {step:UInt32}) % 86400) / 86400 + phase)) * (0.9 + 0.2 * noise)))) AS Requests,
  toUInt64(floor(Requests * 0.02 * noise)) AS Errors,
  arrayReduce('quantilesTDigestState(0.5, 0.95, 0.99)',
    arrayMap(i -> toUInt64(medianMs * (0.95 + 0.1 * noise) * (1 + 0.15 * i * i) * 1e6), range(8))) AS Latency
FROM (
  SELECT
    number % {services:UInt32} AS s,
    intDiv(number, {services:UInt32}) % {operations:UInt32} AS op,
    intDiv(number, {services:UInt32} * {operations:UInt32}) AS t,
    (20 + s % 200) / (op + 1) AS level,
    (s % 24) / 24 * 2 * pi() AS phase,
    (cityHash64(number) % 1000) / 1000 AS noise,
    (10 + s % 90) * (1 + 0.5 * op) AS medianMs
  FROM numbers({first:UInt64}, {rows:UInt64})
)`,
    query_params: {
      start: START_MS / 1000,
      step: STEP_SECONDS,
      services: SERVICES,
      operations: OPERATIONS,
      first: fromStep * SERVICES * OPERATIONS,
      rows: (toStep - fromStep) * SERVICES * OPERATIONS,
    },
  });
}

async function scalar(
  client: ClickHouseClient,
  query: string,
  queryParams: Record<string, unknown> = {},
): Promise<number> {
  const result = await client.query({ query, query_params: queryParams, format: 'JSONEachRow' });
  const [row] = await result.json<{ value: string | number }>();
  return Number(row?.value ?? 0);
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

interface CycleRun {
  seconds: number;
  cpuSeconds: number;
  spent: Spent;
}

/** Times the JSON and engine parts of a cycle on their own, over every stored series state. */
async function priceStateHandling(client: ClickHouseClient, models: SeriesModels) {
  const result = await client.query({
    query: `SELECT State FROM ${DETECTOR_STATE_TABLE} FINAL WHERE Signal IN {signals:Array(String)}`,
    query_params: { signals: [...SIGNALS] },
    format: 'JSONEachRow',
  });
  const texts = (await result.json<{ State: string }>()).map((row) => row.State);
  let start = performance.now();
  const parsed = texts.map((text) => JSON.parse(text) as unknown);
  const parseMs = performance.now() - start;
  start = performance.now();
  const restored = parsed.map((state) => models.restore(state));
  const restoreMs = performance.now() - start;
  start = performance.now();
  const timeMs = START_MS + (HISTORY_STEPS + CYCLES) * STEP_MS;
  for (const model of restored) model.update(timeMs, 1);
  const updateMs = performance.now() - start;
  start = performance.now();
  const states = restored.map((model) => model.state());
  const stateMs = performance.now() - start;
  start = performance.now();
  let bytes = 0;
  for (const state of states) bytes += JSON.stringify(state).length;
  const stringifyMs = performance.now() - start;
  return {
    series: texts.length,
    meanStateBytes: Math.round(bytes / Math.max(1, texts.length)),
    parseMs: round(parseMs, 1),
    restoreMs: round(restoreMs, 1),
    updateMs: round(updateMs, 1),
    stateMs: round(stateMs, 1),
    stringifyMs: round(stringifyMs, 1),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-bench-detect-'));
  const storage = await openStorage({ dataDir, retentionDays: 0 });
  try {
    console.log(
      `${SERVICES} services × ${OPERATIONS} operations: ${SERIES_PER_SERVICE} series per service (${SIGNALS.length} signals of the service and of up to ${OPERATIONS_PER_SERVICE} operations), ${DAYS} days of ${STEP_SECONDS} s steps (${HISTORY_STEPS} steps), data in ${dataDir}`,
    );
    const generateStart = performance.now();
    const stepsPerDay = DAY_MS / STEP_MS;
    for (let day = 0; day < DAYS; day++) {
      await insertSteps(
        storage.client,
        Math.floor(day * stepsPerDay),
        Math.min(HISTORY_STEPS, Math.floor((day + 1) * stepsPerDay)),
      );
      if ((day + 1) % 7 === 0 || day + 1 === DAYS)
        console.log(`history: day ${day + 1}/${DAYS} inserted`);
    }
    const rollupRows = await scalar(storage.client, `SELECT count() AS value FROM ${RED_TABLE}`);
    console.log(
      `history: ${rollupRows.toLocaleString('en')} rollup rows in ${round((performance.now() - generateStart) / 1000, 1)} s; peak RSS ${peakRssMiB()} MiB`,
    );

    const spent = emptySpent();
    const models = engineModels();
    let nowMs = START_MS + HISTORY_STEPS * STEP_MS + SETTLE_MS + 5_000;
    const options: EvaluatorOptions = {
      client: timedClient(storage.client, spent),
      alerts: createAlertStore(storage.client),
      models: timedModels(models, spent),
      stepMs: STEP_MS,
      lookbackMs: DAYS * DAY_MS,
      shard: { index: 0, count: 1 },
      settleMs: SETTLE_MS,
      logger: pino({ level: 'silent' }),
      now: () => nowMs,
      // As the detector loop runs it: models stay in memory between cycles and are
      // checkpointed every 10 minutes (timed separately below).
      cache: createModelCache(),
      checkpoint: true,
    };

    const series = SERVICES * SERIES_PER_SERVICE;
    const trainingStart = performance.now();
    const trainingCpu = process.cpuUsage();
    const progress = setInterval(() => {
      const elapsed = (performance.now() - trainingStart) / 1000;
      const done = spent.created / series;
      const left = done > 0 ? (elapsed / done - elapsed) / 60 : Number.NaN;
      console.log(
        `training: ${spent.created}/${series} series after ${Math.round(elapsed)} s, about ${left.toFixed(1)} min left`,
      );
    }, PROGRESS_INTERVAL_MS);
    progress.unref();
    const training = await evaluateOnce(options).finally(() => clearInterval(progress));
    const trainingSeconds = (performance.now() - trainingStart) / 1000;
    const trainingCpuSeconds = cpuSeconds(process.cpuUsage(trainingCpu));
    const trainingSpent = { ...spent };
    const trainingRssMiB = peakRssMiB();
    console.log(
      `training: ${training.services} services, ${training.steps.toLocaleString('en')} points in ${round(trainingSeconds, 1)} s ` +
        `(${round(trainingCpuSeconds, 1)} CPU-s, ${Math.round(training.steps / trainingSeconds).toLocaleString('en')} points/s); ` +
        `waiting on queries ${round(spent.queryMs / 1000, 1)} s (${spent.queries}), inserts ${round(spent.insertMs / 1000, 1)} s (${spent.inserts}, states ${round(spent.stateInsertMs / 1000, 1)} s), ` +
        `model updates ${round(spent.updateMs / 1000, 1)} s; alerts opened ${training.alertsOpened}; peak RSS ${trainingRssMiB} MiB`,
    );
    if (training.services !== SERVICES) {
      throw new Error(`evaluator saw ${training.services} services, expected ${SERVICES}`);
    }

    const cycles: CycleRun[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const insertStart = performance.now();
      await insertSteps(storage.client, HISTORY_STEPS + cycle, HISTORY_STEPS + cycle + 1);
      const insertMs = performance.now() - insertStart;
      nowMs += STEP_MS;
      Object.assign(spent, emptySpent());
      const start = performance.now();
      const cpu = process.cpuUsage();
      const report = await evaluateOnce({ ...options, checkpoint: false });
      const run: CycleRun = {
        seconds: (performance.now() - start) / 1000,
        cpuSeconds: cpuSeconds(process.cpuUsage(cpu)),
        spent: { ...spent },
      };
      cycles.push(run);
      const otherMs =
        run.seconds * 1000 - run.spent.queryMs - run.spent.insertMs - run.spent.updateMs;
      console.log(
        `cycle ${cycle + 1}: ${report.steps} points in ${round(run.seconds)} s, ${round(run.cpuSeconds)} CPU-s; ` +
          `queries ${round(run.spent.queryMs / 1000)} s (${run.spent.queries}; loading states ${round(run.spent.stateQueryMs / 1000)} s), ` +
          `inserts ${round(run.spent.insertMs / 1000)} s (${run.spent.inserts}; states ${round(run.spent.stateInsertMs / 1000)} s), ` +
          `model updates ${round(run.spent.updateMs / 1000, 3)} s (${run.spent.updates}), other JavaScript ${round(otherMs / 1000)} s; ` +
          `alerts opened ${report.alertsOpened}; data insert ${Math.round(insertMs)} ms`,
      );
      if (report.steps !== series) {
        console.log(`  note: expected ${series} points (one step per series)`);
      }
    }

    const checkpointStart = performance.now();
    const checkpointCpu = process.cpuUsage();
    await checkpointModels(options.client, options.cache!, nowMs);
    const checkpointSeconds = (performance.now() - checkpointStart) / 1000;
    const checkpointCpuSeconds = cpuSeconds(process.cpuUsage(checkpointCpu));
    console.log(
      `checkpoint of every model: ${round(checkpointSeconds, 2)} s, ${round(checkpointCpuSeconds, 2)} CPU-s ` +
        `(every 10 minutes: ${round(checkpointCpuSeconds / 10, 2)} CPU-s per 60 s cycle amortised)`,
    );

    const stateBytes = await scalar(
      storage.client,
      `SELECT sum(length(State)) AS value FROM ${DETECTOR_STATE_TABLE} FINAL`,
    );
    const stateParts = await scalar(
      storage.client,
      'SELECT count() AS value FROM system.parts WHERE active AND table = {table:String}',
      { table: DETECTOR_STATE_TABLE },
    );
    // Before pricing, which holds every state in memory at once as the evaluator never does.
    const cyclesRssMiB = peakRssMiB();
    const priced = await priceStateHandling(storage.client, models);
    console.log(
      `peak RSS through the cycles ${cyclesRssMiB} MiB; ` +
        `state: ${round(stateBytes / 2 ** 20)} MiB stored (${priced.meanStateBytes} bytes per series, ${stateParts} active parts); ` +
        `for all ${priced.series} series at once: JSON.parse ${priced.parseMs} ms, restore ${priced.restoreMs} ms, ` +
        `update ${priced.updateMs} ms, state() ${priced.stateMs} ms, JSON.stringify ${priced.stringifyMs} ms`,
    );

    const seconds = cycles.map((run) => run.seconds);
    const result = {
      services: SERVICES,
      signals: SIGNALS.length,
      operations: OPERATIONS,
      seriesPerService: SERIES_PER_SERVICE,
      series,
      historyDays: DAYS,
      stepSeconds: STEP_SECONDS,
      trainingSeconds: round(trainingSeconds, 1),
      trainingCpuSeconds: round(trainingCpuSeconds, 1),
      trainingPoints: training.steps,
      pointsPerSecondTraining: Math.round(training.steps / trainingSeconds),
      trainingBreakdownSeconds: {
        queries: round(trainingSpent.queryMs / 1000, 1),
        inserts: round(trainingSpent.insertMs / 1000, 1),
        stateInserts: round(trainingSpent.stateInsertMs / 1000, 1),
        modelUpdates: round(trainingSpent.updateMs / 1000, 1),
      },
      cycleSeconds: { median: round(median(seconds), 3), max: round(Math.max(...seconds), 3) },
      cycleCpuSeconds: { median: round(median(cycles.map((run) => run.cpuSeconds)), 3) },
      cycleBreakdownSecondsMedian: {
        queries: round(median(cycles.map((run) => run.spent.queryMs)) / 1000, 3),
        stateQueries: round(median(cycles.map((run) => run.spent.stateQueryMs)) / 1000, 3),
        inserts: round(median(cycles.map((run) => run.spent.insertMs)) / 1000, 3),
        stateInserts: round(median(cycles.map((run) => run.spent.stateInsertMs)) / 1000, 3),
        modelUpdates: round(median(cycles.map((run) => run.spent.updateMs)) / 1000, 3),
      },
      checkpointSeconds: round(checkpointSeconds, 2),
      checkpointCpuSeconds: round(checkpointCpuSeconds, 2),
      stateMiB: round(stateBytes / 2 ** 20),
      stateHandlingMs: priced,
      rssPeakMiB: cyclesRssMiB,
      rssPeakAfterTrainingMiB: trainingRssMiB,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
