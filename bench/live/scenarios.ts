import { createRandom, deriveSeed, type Random } from './random.ts';
import { affected, FAULT_SIGNALS, planChange } from './changes.ts';
import {
  ALL_KINDS,
  INCIDENT_KINDS,
  type Kind,
  type Scenario,
  type Shape,
} from './scenario-model.ts';

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
