/**
 * Scaling benchmark: replays real demand traces of the NAB corpus through a simulated
 * service (bench/scaling/simulator.ts) and compares (a) the Kubernetes HPA algorithm alone
 * with (b) opsless predictive + reactive scaling, on under-provisioned minutes (demand above
 * the capacity of ready replicas), replica-hours and scaling actions.
 *
 *   npm run bench:scaling [-- --only Twitter] [--risk 0.03] [--no-curve] [--data dir]
 *                         [--traces a.csv,b.csv] [--capacity-error=-0.2,0,0.2] [--jobs N]
 *                         [--level-oracle] [--forecast-errors] [--help]
 *
 * `--capacity-error x` makes a replica's true capacity (1 + x) times what the policy's target
 * implies (target / 0.7); no controller is told. Replicas report telemetry as a queue would
 * (M/M/4 latency, errors above capacity), from which opsless may learn the true capacity.
 * `--traces` replays any `timestamp,value` CSVs instead of the NAB demand traces.
 * `--level-oracle` gives (b) the level of each row's neighbours, future included, as its
 * forecast (bench/scaling/level-oracle.ts): a ceiling for better forecasts of the level.
 * `--forecast-errors` only splits the forecast errors (bench/scaling/forecast-errors.ts).
 *
 * Setup, the same for every trace and both controllers: one policy (min 1, max 100
 * replicas, a request-rate target of TARGET_UTILISATION of what a replica serves, Kubernetes
 * default behavior), the HPA evaluated every 15 s on the request rate of the last minute,
 * new replicas ready 3 minutes after they are asked for. Only the throughput of a replica is
 * set per trace, from the trace's mean, so that the mean demand needs TYPICAL_REPLICAS
 * replicas at the target (the operator's sizing; no controller sees the trace ahead).
 * A row's value is the demand until the next row; the predictive controller learns each
 * row once it is over, so every decision comes from the past only.
 *
 * Each capacity error's summary also gives (b) against (a) on the two halves of the traces,
 * taken alternately in name order, so that a constant chosen on one half can be checked on
 * the other. After the per-trace table, a trade-off curve (overall only) places (b) among the HPA
 * alone at lower targets and opsless asking more or less of each replica it runs ahead of
 * demand (`--risk`, DEFAULT_RISK_PER_REPLICA in scaling/forecast.ts): what replica-hours buy.
 * The last line is `RESULT {json}`.
 */
import { parseArgs } from 'node:util';
import {
  createHpa,
  createScaler,
  DEFAULT_RISK_PER_REPLICA,
  parseScalingPolicy,
  type ScalingPolicy,
} from '../scaling/index.ts';
import { basename } from 'node:path';
import { DEFAULT_NAB_DIR, loadNabCorpus, readSeries, type NabFile } from './nab/corpus.ts';
import { printForecastErrors } from './scaling/forecast-errors.ts';
import { createLevelOracle } from './scaling/level-oracle.ts';
import { runUnits, serveUnits } from './scaling/jobs.ts';
import { simulate, type Controller, type SimulationResult } from './scaling/simulator.ts';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    risk: { type: 'string' },
    'no-curve': { type: 'boolean', default: false },
    'forecast-errors': { type: 'boolean', default: false },
    'level-oracle': { type: 'boolean', default: false },
    data: { type: 'string', default: DEFAULT_NAB_DIR },
    traces: { type: 'string' },
    'capacity-error': { type: 'string', default: '-0.2,0,0.2' },
    jobs: { type: 'string', default: '1' },
    worker: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`usage: npm run bench:scaling -- [--only NAME] [--risk R] [--no-curve] [--data DIR]
                             [--traces a.csv,b.csv] [--capacity-error=-0.2,0,0.2] [--jobs N]

  --only NAME           traces whose name contains NAME
  --risk R              risk per replica of (b), 0 < R <= 1 (default ${DEFAULT_RISK_PER_REPLICA})
  --no-curve            skip the trade-off curve (five more runs per trace)
  --data DIR            a NAB copy laid out as bench/nab/data (default: the copy in the repository)
  --traces a.csv,...    replay these timestamp,value CSVs instead of the NAB demand traces
  --capacity-error x,.. a replica truly serves (1 + x) times what the policy assumes; a negative
                        first value needs the = form (--capacity-error=-0.2)
  --jobs N              run the traces over N processes (default 1); the report is the same
  --level-oracle        (b) forecasts the level of the rows around each row, future included: the
                        most any better forecast could buy (a ceiling, not a controller)
  --forecast-errors     instead of simulating, split each trace's forecast errors into noise
                        (around the level of the rows nearby) and level (what a forecast could fix)`);
  process.exit(0);
}
const jobs = Number(args.jobs);
if (!(Number.isInteger(jobs) && jobs >= 1 && jobs <= 64)) {
  throw new Error(`--jobs: ${args.jobs} is not a whole number from 1 to 64`);
}
const CAPACITY_ERRORS = args['capacity-error'].split(',').map((text) => {
  const value = Number(text);
  if (!(value > -1 && value < 10)) throw new Error(`--capacity-error: ${text} is not above -1`);
  return value;
});

/** Demand traces: tweet volumes, ELB request counts and road traffic, all 5-minute rows. */
const TRACES = [/^realTweets\//, /^realTraffic\//, /^realAWSCloudwatch\/elb_request_count/];
/** The HPA target as a fraction of what one replica serves (the usual 70% CPU target). */
const TARGET_UTILISATION = 0.7;
/** Replicas the mean demand of a trace needs at the target. */
const TYPICAL_REPLICAS = 10;
const STARTUP_DELAY_MS = 3 * 60_000;
/** The HPA sync period (kube-controller-manager default). */
const TICK_MS = 15_000;
/** The request rate is read as the average of the last minute. */
const RATE_WINDOW_MS = 60_000;

const risk = args.risk === undefined ? DEFAULT_RISK_PER_REPLICA : Number(args.risk);
if (!(risk > 0 && risk <= 1)) throw new Error('--risk must be above 0 and at most 1');

/** One controller set-up, built per trace from the throughput of a replica. */
interface Variant {
  name: string;
  make(perReplica: number, trace: NabFile): Controller;
}

function policyFor(perReplica: number, utilisation: number, predictive: boolean): ScalingPolicy {
  const parsed = parseScalingPolicy({
    minReplicas: 1,
    maxReplicas: 100,
    metrics: [{ type: 'request', target: perReplica * utilisation }],
    predictive: { enabled: predictive, lookahead: '2h', startupDelay: '3m' },
  });
  if (!parsed.ok) throw new Error(`bench policy invalid: ${parsed.errors.join('; ')}`);
  return parsed.policy;
}

function hpaAlone(utilisation: number): Variant {
  return {
    name: `HPA, target ${utilisation * 100}%`,
    make(perReplica) {
      const hpa = createHpa(policyFor(perReplica, utilisation, false));
      return {
        learn: () => {},
        decide: (nowMs, currentReplicas, rate) =>
          hpa.recommend({ nowMs, currentReplicas, metrics: { request: { total: rate } } }).desired,
      };
    },
  };
}

function opsless(riskPerReplica: number): Variant {
  return {
    name: `opsless, target ${TARGET_UTILISATION * 100}%, risk/replica ${riskPerReplica}${args['level-oracle'] ? ', level oracle' : ''}`,
    make(perReplica, trace) {
      const scaler = createScaler({
        policy: policyFor(perReplica, TARGET_UTILISATION, true),
        riskPerReplica,
        ...(args['level-oracle'] ? { createForecaster: () => createLevelOracle(trace) } : {}),
      });
      return {
        learn: (timestampMs, value) => scaler.observe('request', timestampMs, value),
        telemetry: (sample) => scaler.observeCapacity('request', sample),
        decide: (nowMs, currentReplicas, rate) =>
          scaler.recommend({ nowMs, currentReplicas, metrics: { request: { total: rate } } }).final,
      };
    },
  };
}

const REACTIVE = hpaAlone(TARGET_UTILISATION);
const PREDICTIVE = opsless(risk);
const CURVE = args['no-curve']
  ? []
  : [hpaAlone(0.6), hpaAlone(0.5), opsless(0.04), opsless(0.03), opsless(0.012)];

function run(file: NabFile, variant: Variant, capacityError: number): SimulationResult {
  let sum = 0;
  for (let row = 0; row < file.values.length; row++) sum += file.values[row]!;
  // What the operator believes a replica serves, from which the policy's target is set.
  const perReplica = sum / file.values.length / (TYPICAL_REPLICAS * TARGET_UTILISATION);
  const needed = Math.ceil(file.values[0]! / (perReplica * TARGET_UTILISATION));
  return simulate({
    timestampsMs: file.timestampsMs,
    values: file.values,
    perReplica: perReplica * (1 + capacityError),
    startupDelayMs: STARTUP_DELAY_MS,
    tickMs: TICK_MS,
    rateWindowMs: RATE_WINDOW_MS,
    initialReplicas: Math.min(100, Math.max(1, needed)),
    controller: variant.make(perReplica, file),
  });
}

const corpus = (
  args.traces
    ? args.traces.split(',').map((path): NabFile => {
        const series = readSeries(path);
        return { name: basename(path), category: 'traces', ...series, windows: [] };
      })
    : loadNabCorpus(args.data).filter((file) => TRACES.some((pattern) => pattern.test(file.name)))
).filter((file) => !args.only || file.name.includes(args.only));
if (corpus.length === 0) throw new Error(`no trace matches --only ${args.only ?? ''}`);

const pad = (text: string | number, width: number): string => String(text).padStart(width);
const fmt = (value: number, digits = 0): string => value.toFixed(digits);
const change = (after: number, before: number): number =>
  before === 0 ? (after === 0 ? 0 : Infinity) : (after - before) / before;
const percent = (ratio: number): string =>
  Number.isFinite(ratio) ? `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%` : 'n/a';
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

interface Totals {
  underProvisionedMinutes: number;
  unservedDemandMinutes: number;
  replicaHours: number;
  scalingActions: number;
}
const zero = (): Totals => ({
  underProvisionedMinutes: 0,
  unservedDemandMinutes: 0,
  replicaHours: 0,
  scalingActions: 0,
});
const add = (totals: Totals, result: SimulationResult): void => {
  totals.underProvisionedMinutes += result.underProvisionedMinutes;
  totals.unservedDemandMinutes += result.unservedDemandMinutes;
  totals.replicaHours += result.replicaHours;
  totals.scalingActions += result.scalingActions;
};
const figures = (totals: Totals) => ({
  underProvisionedMinutes: round(totals.underProvisionedMinutes),
  unservedDemandMinutes: round(totals.unservedDemandMinutes),
  replicaHours: round(totals.replicaHours),
  scalingActions: totals.scalingActions,
});

interface Measured {
  capacityError: number;
  overall: { reactive: Totals; predictive: Totals };
  curve: Totals[];
  perTrace: Record<string, { reactive: Totals; predictive: Totals }>;
}

/** One unit of work: a trace at one capacity error, through (a), (b) and the curve. */
interface UnitResult {
  reactive: SimulationResult;
  predictive: SimulationResult;
  curve: SimulationResult[];
}

function runUnit(unit: number): UnitResult {
  const file = corpus[unit % corpus.length]!;
  const capacityError = CAPACITY_ERRORS[Math.floor(unit / corpus.length)]!;
  return {
    reactive: run(file, REACTIVE, capacityError),
    predictive: run(file, PREDICTIVE, capacityError),
    curve: CURVE.map((variant) => run(file, variant, capacityError)),
  };
}

function startMeasure(capacityError: number): Measured {
  console.log(
    `\ncapacity error ${percent(capacityError)} (a replica really serves ${fmt((1 + capacityError) * 100)}% of what the policy assumes)`,
  );
  console.log(
    `${'trace'.padEnd(48)} ${pad('days', 5)}  ${pad('under-min (a)', 13)} ${pad('(b)', 7)} ${pad('change', 7)}  ` +
      `${pad('rep-h (a)', 9)} ${pad('(b)', 7)} ${pad('change', 7)}  ${pad('actions (a)', 11)} ${pad('(b)', 7)}`,
  );
  return {
    capacityError,
    overall: { reactive: zero(), predictive: zero() },
    curve: CURVE.map(zero),
    perTrace: {},
  };
}

function addUnit(measured: Measured, file: NabFile, unit: UnitResult): void {
  const { reactive, predictive } = unit;
  add(measured.overall.reactive, reactive);
  add(measured.overall.predictive, predictive);
  unit.curve.forEach((result, index) => add(measured.curve[index]!, result));
  measured.perTrace[file.name] = { reactive, predictive };
  console.log(
    `${file.name.padEnd(48)} ${pad(fmt(reactive.minutes / 1440, 1), 5)}  ` +
      `${pad(fmt(reactive.underProvisionedMinutes), 13)} ${pad(fmt(predictive.underProvisionedMinutes), 7)} ` +
      `${pad(percent(change(predictive.underProvisionedMinutes, reactive.underProvisionedMinutes)), 7)}  ` +
      `${pad(fmt(reactive.replicaHours), 9)} ${pad(fmt(predictive.replicaHours), 7)} ` +
      `${pad(percent(change(predictive.replicaHours, reactive.replicaHours)), 7)}  ` +
      `${pad(reactive.scalingActions, 11)} ${pad(predictive.scalingActions, 7)}`,
  );
}

function endMeasure(result: Measured): void {
  const { overall, curve } = result;
  const { underProvisionedChange, replicaHoursChange, unservedChange } = relative(
    result,
    overall.predictive,
  );
  const met = underProvisionedChange <= -0.5 && replicaHoursChange <= 0.1;
  console.log(
    `overall: under-provisioned minutes ${fmt(overall.reactive.underProvisionedMinutes)} → ` +
      `${fmt(overall.predictive.underProvisionedMinutes)} (${percent(underProvisionedChange)}), ` +
      `unserved demand ${fmt(overall.reactive.unservedDemandMinutes)} → ${fmt(overall.predictive.unservedDemandMinutes)} (${percent(unservedChange)}), ` +
      `replica-hours ${fmt(overall.reactive.replicaHours)} → ${fmt(overall.predictive.replicaHours)} ` +
      `(${percent(replicaHoursChange)}), actions ${overall.reactive.scalingActions} → ${overall.predictive.scalingActions}`,
  );
  console.log(
    `target (>= 50% fewer under-provisioned minutes at <= 10% more replica-hours): ${met ? 'met' : 'NOT met'}`,
  );
  if (corpus.length > 1) {
    const [first, second] = halves(result).map(
      (half) => `${percent(half.underProvisionedChange)} / ${percent(half.replicaHoursChange)}`,
    );
    console.log(`halves (traces alternately): ${first} and ${second}`);
  }
  if (CURVE.length > 0) {
    console.log(`trade-off, all traces, against (a):`);
    const rows: Array<[string, Totals]> = [
      [REACTIVE.name, overall.reactive],
      [PREDICTIVE.name, overall.predictive],
      ...CURVE.map((variant, index): [string, Totals] => [variant.name, curve[index]!]),
    ];
    for (const [name, totals] of rows) {
      const { underProvisionedChange: under, replicaHoursChange: hours } = relative(result, totals);
      console.log(
        `  ${name.padEnd(44)} under-provisioned ${pad(percent(under), 7)}  replica-hours ${pad(percent(hours), 7)}`,
      );
    }
  }
}

/**
 * (b) against (a) on each half of the traces taken alternately in name order (0, 2, 4… and
 * 1, 3, 5…): a constant chosen on one half is checked on the other.
 */
function halves(
  measured: Measured,
): Array<{ underProvisionedChange: number; replicaHoursChange: number }> {
  return [0, 1].map((half) => {
    const reactive = zero();
    const predictive = zero();
    Object.values(measured.perTrace).forEach((trace, index) => {
      if (index % 2 !== half) return;
      for (const [into, from] of [
        [reactive, trace.reactive],
        [predictive, trace.predictive],
      ] as const) {
        into.underProvisionedMinutes += from.underProvisionedMinutes;
        into.replicaHours += from.replicaHours;
      }
    });
    return {
      underProvisionedChange: change(
        predictive.underProvisionedMinutes,
        reactive.underProvisionedMinutes,
      ),
      replicaHoursChange: change(predictive.replicaHours, reactive.replicaHours),
    };
  });
}

function relative(measured: Measured, totals: Totals) {
  const base = measured.overall.reactive;
  return {
    underProvisionedChange: change(totals.underProvisionedMinutes, base.underProvisionedMinutes),
    unservedChange: change(totals.unservedDemandMinutes, base.unservedDemandMinutes),
    replicaHoursChange: change(totals.replicaHours, base.replicaHours),
  };
}

const summary = (measured: Measured) => {
  const { underProvisionedChange, replicaHoursChange, unservedChange } = relative(
    measured,
    measured.overall.predictive,
  );
  return {
    reactive: figures(measured.overall.reactive),
    predictive: figures(measured.overall.predictive),
    underProvisionedChange: round(underProvisionedChange, 4),
    unservedDemandChange: round(unservedChange, 4),
    replicaHoursChange: round(replicaHoursChange, 4),
    targetMet: underProvisionedChange <= -0.5 && replicaHoursChange <= 0.1,
    halves: halves(measured).map((half) => ({
      underProvisionedChange: round(half.underProvisionedChange, 4),
      replicaHoursChange: round(half.replicaHoursChange, 4),
    })),
    curve: Object.fromEntries(
      CURVE.map((variant, index) => {
        const r = relative(measured, measured.curve[index]!);
        return [
          variant.name,
          {
            underProvisionedChange: round(r.underProvisionedChange, 4),
            replicaHoursChange: round(r.replicaHoursChange, 4),
          },
        ];
      }),
    ),
  };
};

/** Runs every unit (over --jobs processes), prints the report and the RESULT line. */
async function main(): Promise<void> {
  console.log(
    `scaling: ${corpus.length} traces; (a) ${REACTIVE.name}; (b) ${PREDICTIVE.name}; mean demand = ${TYPICAL_REPLICAS} replicas at the target; ` +
      `start-up ${STARTUP_DELAY_MS / 1000} s, sync ${TICK_MS / 1000} s, rate window ${RATE_WINDOW_MS / 1000} s; capacity errors ${CAPACITY_ERRORS.join(', ')}`,
  );
  const started = performance.now();
  const measurements: Measured[] = [];
  await runUnits<UnitResult>({
    units: CAPACITY_ERRORS.length * corpus.length,
    jobs,
    local: runUnit,
    script: process.argv[1]!,
    args: process.argv.slice(2),
    done(unit, result) {
      const trace = unit % corpus.length;
      if (trace === 0) measurements.push(startMeasure(CAPACITY_ERRORS[unit / corpus.length]!));
      const measured = measurements[measurements.length - 1]!;
      addUnit(measured, corpus[trace]!, result);
      if (trace === corpus.length - 1) endMeasure(measured);
    },
  });
  const headline = measurements.find((m) => m.capacityError === 0) ?? measurements[0]!;
  const wallSeconds = (performance.now() - started) / 1000;
  console.log(`\nwall ${fmt(wallSeconds, 1)} s`);

  console.log(
    `RESULT ${JSON.stringify({
      traces: corpus.length,
      subset: args.only ?? null,
      setup: {
        targetUtilisation: TARGET_UTILISATION,
        typicalReplicas: TYPICAL_REPLICAS,
        startupDelaySeconds: STARTUP_DELAY_MS / 1000,
        syncSeconds: TICK_MS / 1000,
        rateWindowSeconds: RATE_WINDOW_MS / 1000,
        riskPerReplica: risk,
        forecast: args['level-oracle'] ? 'level oracle' : 'detector',
      },
      capacityError: headline.capacityError,
      overall: summary(headline),
      byCapacityError: Object.fromEntries(
        measurements.map((m) => [String(m.capacityError), summary(m)]),
      ),
      perTrace: Object.fromEntries(
        Object.entries(headline.perTrace).map(([name, { reactive, predictive }]) => [
          name,
          { reactive: figures(reactive), predictive: figures(predictive) },
        ]),
      ),
      wallSeconds: round(wallSeconds),
    })}`,
  );
}

// A worker computes the units its parent sends (bench/scaling/jobs.ts); the parent reports.
if (args.worker) serveUnits(runUnit);
else if (args['forecast-errors']) printForecastErrors(corpus);
else await main();
