import { createRandom, deriveSeed, type Random } from './random.ts';
import { affected, FAULT_SIGNALS, planChange } from './changes.ts';
import type { ServiceName } from './topology.ts';

/** Kinds that must raise nothing. */
export const BENIGN_KINDS = [
  'daily-wave',
  'weekly-wave',
  'deploy',
  'restart',
  'scale-out-in',
  'surge',
  'gc-sawtooth',
  'low-volume-errors',
  'clock-skew',
  'slow-host',
  'deploy-new-info-patterns',
] as const;

/** Kinds that must alert, on the service they touch. */
export const INCIDENT_KINDS = [
  'p50-shift',
  'p99-regression',
  'error-burst-high',
  'error-burst-low',
  'slow-burn',
  'memory-leak',
  'cpu-saturation',
  'queue-backlog',
  'traffic-drop',
  'cascade',
  'new-error-pattern',
  'log-error-burst',
] as const;

export type BenignKind = (typeof BENIGN_KINDS)[number];
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type Kind = BenignKind | IncidentKind;
export const ALL_KINDS: readonly Kind[] = [...INCIDENT_KINDS, ...BENIGN_KINDS];

/** What changes in the traffic, from `fromStep` to `toStep` (global step indices). */
export type Change =
  | { type: 'none' }
  | { type: 'latency'; service: ServiceName; factor: number; rampSteps: number }
  | { type: 'tail'; service: ServiceName; share: number; extraMs: number }
  | { type: 'errors'; service: ServiceName; ratio: number; rampSteps: number }
  | { type: 'memory-leak'; service: ServiceName; instance: number; perStep: number }
  | { type: 'cpu'; service: ServiceName; level: number; latencyFactor: number }
  | { type: 'queue'; perStep: number }
  | { type: 'traffic-drop'; route: 'shop+cart' | 'cart' }
  | { type: 'cascade'; root: ServiceName; ratio: number; latencyFactor: number }
  | { type: 'deploy'; service: ServiceName; version: string }
  | { type: 'restart'; service: ServiceName; instance: number }
  | { type: 'scale'; service: ServiceName; inAtStep: number }
  | { type: 'surge'; factor: number }
  | { type: 'single-errors'; atSteps: number[] }
  | { type: 'skew'; service: ServiceName; instance: number; skewMs: number }
  | { type: 'late'; share: number }
  | { type: 'new-log-pattern'; service: ServiceName; perStep: number; message: number }
  | { type: 'log-burst'; service: ServiceName; level: 'WARN' | 'ERROR'; perStep: number }
  | { type: 'deploy-logs'; service: ServiceName; version: string };

/** The traffic's shape, whatever happens in it. */
export interface Shape {
  /** Frontend requests per step at the wave's mean. */
  baseRate: number;
  /** Reports requests per step (a low-volume service: 1–3). */
  reportsRate: number;
  /** A "day" of the wave, in steps (compressed so that history holds several). */
  daySteps: number;
  amplitude: number;
  phase: number;
  /** Weekends: a lower level for `lengthSteps` every `periodSteps`, first at `offsetStep`. */
  weekend: { periodSteps: number; offsetStep: number; lengthSteps: number; factor: number } | null;
  /** Surges of history (the surge kind repeats one of this size live). */
  historySurges: Array<{ fromStep: number; toStep: number; factor: number }>;
  /** Memory saw-tooth (GC) of a service: period in steps and height as a share of the heap. */
  gc: { service: ServiceName; periodSteps: number; height: number };
  /** Latency of every route times this (services differ between runs). */
  latencyScale: number;
  /** Share of requests failing in the background (and a failing callee fails its caller). */
  backgroundErrors: number;
}

export interface Scenario {
  id: string;
  kind: Kind;
  incident: boolean;
  seed: number;
  /** Time of step 0, ms; step `i` covers [startMs + i * stepMs, startMs + (i + 1) * stepMs). */
  startMs: number;
  stepMs: number;
  historySteps: number;
  liveSteps: number;
  /** The fault or benign event, in global steps: [fromStep, toStep). */
  fromStep: number;
  toStep: number;
  /** Incidents: the step from which the fault is as large as the documented magnitude. */
  noticeStep: number;
  /** Services the fault touches: an alert on one of them within the window is a detection. */
  faultServices: ServiceName[];
  /** The service a fault was injected into that others follow (a cascade's), else null. */
  rootService: ServiceName | null;
  /**
   * Services the fault reaches through the call graph (callers wait on a slow or failing
   * callee): a page on one of them within the window is not false, nor is it the detection.
   */
  affectedServices: ServiceName[];
  /** Signals the fault moves (prefixes: `latency_` covers p50, p95 and p99). */
  faultSignals: string[];
  change: Change;
  shape: Shape;
  /** What happens, as an on-call engineer would read it. */
  description: string;
}

export interface CorpusOptions {
  seed: number;
  count: number;
  /** Kinds to draw from (default: all, in turn). */
  kinds?: readonly Kind[];
  stepMs?: number;
  historySteps?: number;
  liveSteps?: number;
}

/** Step 0 of every scenario (each runs on emptied tables, so they may share it). */
export const CORPUS_START_MS = Date.UTC(2026, 10, 2);

/** The corpus: `count` scenarios, kinds in turn, each from its own derived seed. */
export function generateCorpus(options: CorpusOptions): Scenario[] {
  const kinds = options.kinds ?? ALL_KINDS;
  if (kinds.length === 0) throw new Error('no kinds to generate scenarios of');
  const scenarios: Scenario[] = [];
  for (let index = 0; index < options.count; index++) {
    const kind = kinds[index % kinds.length]!;
    const seed = deriveSeed(options.seed, index);
    scenarios.push(
      generateScenario({
        kind,
        seed,
        id: `${kind}#${Math.floor(index / kinds.length) + 1}`,
        stepMs: options.stepMs ?? 60_000,
        historySteps: options.historySteps ?? 240,
        liveSteps: options.liveSteps ?? 40,
      }),
    );
  }
  return scenarios;
}

interface ScenarioInput {
  kind: Kind;
  seed: number;
  id: string;
  stepMs: number;
  historySteps: number;
  liveSteps: number;
}

/** One scenario of `kind`; every magnitude is drawn from the range docs/live-benchmark.md states. */
export function generateScenario(input: ScenarioInput): Scenario {
  const random = createRandom(input.seed);
  const history = input.historySteps;
  const shape = baseShape(random, history);
  const incident = (INCIDENT_KINDS as readonly string[]).includes(input.kind);
  const slowBurn = input.kind === 'slow-burn';
  const liveSteps = slowBurn ? Math.max(input.liveSteps, 60) : input.liveSteps;
  const fromStep = history + random.integer(6, 10);
  const plan = planChange(input.kind, random, shape, { fromStep, history, liveSteps });
  const toStep = Math.min(fromStep + plan.steps, history + liveSteps);
  return {
    id: input.id,
    kind: input.kind,
    incident,
    seed: input.seed,
    startMs: CORPUS_START_MS,
    stepMs: input.stepMs,
    historySteps: history,
    liveSteps,
    fromStep,
    toStep,
    noticeStep: Math.min(fromStep + plan.noticeAfter, toStep - 1),
    faultServices: incident ? plan.services : [],
    rootService: plan.change.type === 'cascade' ? plan.change.root : null,
    affectedServices: incident ? affected(plan) : [],
    faultSignals: incident ? FAULT_SIGNALS[plan.change.type] : [],
    change: plan.change,
    shape,
    description: plan.description,
  };
}

function baseShape(random: Random, history: number): Shape {
  const surgeAt = (fraction: number) => Math.floor(history * fraction) + random.integer(0, 20);
  return {
    baseRate: random.integer(25, 40),
    reportsRate: random.between(1.2, 2.2),
    daySteps: 120,
    amplitude: random.between(0.15, 0.3),
    phase: random.between(0, 2 * Math.PI),
    weekend: null,
    historySurges: [0.3, 0.65].map((fraction) => {
      const from = surgeAt(fraction);
      return {
        fromStep: from,
        toStep: from + random.integer(8, 12),
        factor: random.between(1.8, 2.2),
      };
    }),
    gc: {
      service: 'catalog',
      periodSteps: random.integer(20, 40),
      height: random.between(0.05, 0.1),
    },
    latencyScale: random.between(0.8, 1.3),
    backgroundErrors: random.between(0.001, 0.004),
  };
}
