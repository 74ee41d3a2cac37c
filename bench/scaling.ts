/**
 * Scaling benchmark: replays real demand traces of the NAB corpus through a simulated
 * service (bench/scaling/simulator.ts) and compares (a) the Kubernetes HPA algorithm alone
 * with (b) opsless predictive + reactive scaling, on under-provisioned minutes (demand above
 * the capacity of ready replicas), replica-hours and scaling actions.
 *
 *   npm run bench:scaling [-- --only Twitter] [--risk 0.03] [--no-curve] [--data dir]
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
 * After the per-trace table, a trade-off curve (overall only) places (b) among the HPA
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
import { DEFAULT_NAB_DIR, loadNabCorpus, type NabFile } from './nab/corpus.ts';
import { simulate, type Controller, type SimulationResult } from './scaling/simulator.ts';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    risk: { type: 'string' },
    'no-curve': { type: 'boolean', default: false },
    data: { type: 'string', default: DEFAULT_NAB_DIR },
  },
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
  make(perReplica: number): Controller;
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
    name: `opsless, target ${TARGET_UTILISATION * 100}%, risk/replica ${riskPerReplica}`,
    make(perReplica) {
      const scaler = createScaler({
        policy: policyFor(perReplica, TARGET_UTILISATION, true),
        riskPerReplica,
      });
      return {
        learn: (timestampMs, value) => scaler.observe('request', timestampMs, value),
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

function run(file: NabFile, variant: Variant): SimulationResult {
  let sum = 0;
  for (let row = 0; row < file.values.length; row++) sum += file.values[row]!;
  const perReplica = sum / file.values.length / (TYPICAL_REPLICAS * TARGET_UTILISATION);
  const needed = Math.ceil(file.values[0]! / (perReplica * TARGET_UTILISATION));
  return simulate({
    timestampsMs: file.timestampsMs,
    values: file.values,
    perReplica,
    startupDelayMs: STARTUP_DELAY_MS,
    tickMs: TICK_MS,
    rateWindowMs: RATE_WINDOW_MS,
    initialReplicas: Math.min(100, Math.max(1, needed)),
    controller: variant.make(perReplica),
  });
}

const corpus = loadNabCorpus(args.data).filter(
  (file) =>
    TRACES.some((pattern) => pattern.test(file.name)) &&
    (!args.only || file.name.includes(args.only)),
);
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
  replicaHours: number;
  scalingActions: number;
}
const zero = (): Totals => ({ underProvisionedMinutes: 0, replicaHours: 0, scalingActions: 0 });
const add = (totals: Totals, result: SimulationResult): void => {
  totals.underProvisionedMinutes += result.underProvisionedMinutes;
  totals.replicaHours += result.replicaHours;
  totals.scalingActions += result.scalingActions;
};
const figures = (totals: Totals) => ({
  underProvisionedMinutes: round(totals.underProvisionedMinutes),
  replicaHours: round(totals.replicaHours),
  scalingActions: totals.scalingActions,
});

console.log(
  `scaling: ${corpus.length} traces; (a) ${REACTIVE.name}; (b) ${PREDICTIVE.name}; mean demand = ${TYPICAL_REPLICAS} replicas at the target; ` +
    `start-up ${STARTUP_DELAY_MS / 1000} s, sync ${TICK_MS / 1000} s, rate window ${RATE_WINDOW_MS / 1000} s`,
);
console.log(
  `${'trace'.padEnd(48)} ${pad('days', 5)}  ${pad('under-min (a)', 13)} ${pad('(b)', 7)} ${pad('change', 7)}  ` +
    `${pad('rep-h (a)', 9)} ${pad('(b)', 7)} ${pad('change', 7)}  ${pad('actions (a)', 11)} ${pad('(b)', 7)}`,
);
const started = performance.now();
const overall = { reactive: zero(), predictive: zero() };
const curve = CURVE.map(zero);
const perTrace: Record<string, { reactive: Totals; predictive: Totals }> = {};
for (const file of corpus) {
  const reactive = run(file, REACTIVE);
  const predictive = run(file, PREDICTIVE);
  add(overall.reactive, reactive);
  add(overall.predictive, predictive);
  CURVE.forEach((variant, index) => add(curve[index]!, run(file, variant)));
  perTrace[file.name] = { reactive, predictive };
  console.log(
    `${file.name.padEnd(48)} ${pad(fmt(reactive.minutes / 1440, 1), 5)}  ` +
      `${pad(fmt(reactive.underProvisionedMinutes), 13)} ${pad(fmt(predictive.underProvisionedMinutes), 7)} ` +
      `${pad(percent(change(predictive.underProvisionedMinutes, reactive.underProvisionedMinutes)), 7)}  ` +
      `${pad(fmt(reactive.replicaHours), 9)} ${pad(fmt(predictive.replicaHours), 7)} ` +
      `${pad(percent(change(predictive.replicaHours, reactive.replicaHours)), 7)}  ` +
      `${pad(reactive.scalingActions, 11)} ${pad(predictive.scalingActions, 7)}`,
  );
}

const relative = (totals: Totals) => ({
  underProvisionedChange: change(
    totals.underProvisionedMinutes,
    overall.reactive.underProvisionedMinutes,
  ),
  replicaHoursChange: change(totals.replicaHours, overall.reactive.replicaHours),
});
const { underProvisionedChange, replicaHoursChange } = relative(overall.predictive);
const met = underProvisionedChange <= -0.5 && replicaHoursChange <= 0.1;
console.log(
  `\noverall: under-provisioned minutes ${fmt(overall.reactive.underProvisionedMinutes)} → ` +
    `${fmt(overall.predictive.underProvisionedMinutes)} (${percent(underProvisionedChange)}), ` +
    `replica-hours ${fmt(overall.reactive.replicaHours)} → ${fmt(overall.predictive.replicaHours)} ` +
    `(${percent(replicaHoursChange)}), actions ${overall.reactive.scalingActions} → ${overall.predictive.scalingActions}`,
);
console.log(
  `target (>= 50% fewer under-provisioned minutes at <= 10% more replica-hours): ${met ? 'met' : 'NOT met'}`,
);
if (CURVE.length > 0) {
  console.log(`\ntrade-off, all traces, against (a):`);
  const rows: Array<[string, Totals]> = [
    [REACTIVE.name, overall.reactive],
    [PREDICTIVE.name, overall.predictive],
    ...CURVE.map((variant, index): [string, Totals] => [variant.name, curve[index]!]),
  ];
  for (const [name, totals] of rows) {
    const { underProvisionedChange: under, replicaHoursChange: hours } = relative(totals);
    console.log(
      `  ${name.padEnd(44)} under-provisioned ${pad(percent(under), 7)}  replica-hours ${pad(percent(hours), 7)}`,
    );
  }
}
const wallSeconds = (performance.now() - started) / 1000;
console.log(`wall ${fmt(wallSeconds, 1)} s`);

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
    },
    overall: {
      reactive: figures(overall.reactive),
      predictive: figures(overall.predictive),
      underProvisionedChange: round(underProvisionedChange, 4),
      replicaHoursChange: round(replicaHoursChange, 4),
      targetMet: met,
    },
    curve: Object.fromEntries(
      CURVE.map((variant, index) => {
        const { underProvisionedChange: under, replicaHoursChange: hours } = relative(
          curve[index]!,
        );
        return [
          variant.name,
          { underProvisionedChange: round(under, 4), replicaHoursChange: round(hours, 4) },
        ];
      }),
    ),
    perTrace: Object.fromEntries(
      Object.entries(perTrace).map(([name, { reactive, predictive }]) => [
        name,
        { reactive: figures(reactive), predictive: figures(predictive) },
      ]),
    ),
    wallSeconds: round(wallSeconds),
  })}`,
);
