/**
 * Root-cause ranking across services, as a pure function of a call graph and per-node
 * series around an incident. A candidate is the symptom's node or any node it reaches
 * through calls. For each candidate two things are measured after the incident start
 * against the steps before it:
 *
 * - **significance**: how many noise widths its signal moved (noise from its own history,
 *   never below `noiseFloor` of its level): did it really change?
 * - **excess**: what the change adds up to for its callers: extra latency × requests
 *   (time callers spent waiting), or lost availability × requests (failed calls).
 *
 * A significant candidate is **explained** when one of its callees is significant too and
 * carries at least `explainedShare` of its excess: the fault is further down. Candidates
 * rank unexplained first, then by excess; explained ones follow, insignificant ones last.
 */

/** One signal per step, aligned with {@link RankInput.times}; NaN where missing. */
export interface Signal {
  values: Float64Array;
  /** Its noise relative to its level, from a normal period (e.g. 0.08 = 8%); default the floor. */
  relativeNoise?: number;
}

/** A node's signals. */
export interface NodeSeries {
  /** Latency signals (any statistics: mean, p50, p99…); significance takes the largest move. */
  latency: Signal[];
  /** Mean latency per step, for the excess. */
  meanLatency?: Float64Array;
  /** Share of successful requests per step (0–1 or 0–100: only its changes matter). */
  availability?: Signal;
  requests?: Float64Array;
  /**
   * The same node seen by its callers (client spans of a call into it): a node counts as
   * moved, and by as much, as its most moved view.
   */
  views?: NodeSeries[];
}

export type SymptomKind = 'latency' | 'availability';

export interface RankInput {
  /** Step start times, ms. */
  times: readonly number[];
  /** When the symptom was seen, ms: steps from the one holding it on are "during". */
  incidentStartMs: number;
  symptom: { node: string; kind: SymptomKind };
  /** `node → the nodes it calls`. */
  calls: ReadonlyMap<string, readonly string[]>;
  nodes: ReadonlyMap<string, NodeSeries>;
}

export interface RankOptions {
  /** Noise widths a signal must move to count as changed (default 1). */
  significance?: number;
  /** Share of a candidate's excess a callee must carry to explain it (default 0.5). */
  explainedShare?: number;
  /** Smallest relative noise assumed for any signal (default 0.05). */
  noiseFloor?: number;
}

export interface RootCauseCandidate {
  node: string;
  /** 1-based. */
  rank: number;
  significance: number;
  /** Latency: extra ms × requests per step; availability: lost share × requests per step. */
  excess: number;
  /** The callee that explains this candidate, if any. */
  explainedBy?: string;
  /** The candidate's move: the signal's level before and its worst value during the incident. */
  before: number;
  during: number;
}

export const DEFAULT_SIGNIFICANCE = 1;
export const DEFAULT_EXPLAINED_SHARE = 0.5;
export const DEFAULT_NOISE_FLOOR = 0.05;

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

interface Split {
  before: number[];
  during: number[];
}

function split(series: Float64Array, times: readonly number[], startMs: number): Split {
  const out: Split = { before: [], during: [] };
  for (let i = 0; i < times.length; i++) {
    const value = series[i]!;
    if (!Number.isFinite(value)) continue;
    (times[i]! < startMs ? out.before : out.during).push(value);
  }
  return out;
}

/** Noise widths moved in the bad direction (up for latency, down for availability). */
function moved(signal: Signal, input: RankInput, direction: 1 | -1, noiseFloor: number): Measured {
  const { before, during } = split(signal.values, input.times, input.incidentStartMs);
  if (before.length === 0 || during.length === 0)
    return { z: 0, excess: 0, before: Number.NaN, during: Number.NaN };
  const level = median(before);
  const worst = direction > 0 ? Math.max(...during) : Math.min(...during);
  const relativeNoise = Math.max(signal.relativeNoise ?? 0, noiseFloor);
  const width = Math.max(relativeNoise * Math.abs(level), Number.MIN_VALUE);
  return { z: (direction * (worst - level)) / width, before: level, during: worst, excess: 0 };
}

interface Measured {
  z: number;
  excess: number;
  before: number;
  during: number;
}

/** Significance and excess of one view of a node. */
function measure(series: NodeSeries, input: RankInput, noiseFloor: number): Measured {
  const kind = input.symptom.kind;
  let best: Measured = { z: 0, excess: 0, before: Number.NaN, during: Number.NaN };
  const signals =
    kind === 'latency' ? series.latency : series.availability ? [series.availability] : [];
  for (const signal of signals) {
    const m = moved(signal, input, kind === 'latency' ? 1 : -1, noiseFloor);
    if (m.z > best.z || Number.isNaN(best.before)) best = m;
  }
  const basis = kind === 'latency' ? series.meanLatency : series.availability?.values;
  if (basis && series.requests) {
    const b = split(basis, input.times, input.incidentStartMs);
    const r = split(series.requests, input.times, input.incidentStartMs);
    if (b.before.length > 0 && b.during.length > 0 && r.during.length > 0) {
      const change =
        kind === 'latency'
          ? Math.max(...b.during) - median(b.before)
          : median(b.before) - Math.min(...b.during);
      best.excess = Math.max(0, change) * mean(r.during);
    }
  }
  return best;
}

export function rankRootCauses(input: RankInput, options: RankOptions = {}): RootCauseCandidate[] {
  const significance = options.significance ?? DEFAULT_SIGNIFICANCE;
  const explainedShare = options.explainedShare ?? DEFAULT_EXPLAINED_SHARE;
  const noiseFloor = options.noiseFloor ?? DEFAULT_NOISE_FLOOR;

  const candidates: string[] = [];
  const seen = new Set<string>([input.symptom.node]);
  const queue = [input.symptom.node];
  while (queue.length > 0) {
    const node = queue.shift()!;
    candidates.push(node);
    for (const callee of input.calls.get(node) ?? [])
      if (!seen.has(callee)) {
        seen.add(callee);
        queue.push(callee);
      }
  }

  const measured = new Map<string, Measured>();
  for (const node of candidates) {
    const series = input.nodes.get(node);
    let best: Measured = { z: 0, excess: 0, before: Number.NaN, during: Number.NaN };
    for (const view of series ? [series, ...(series.views ?? [])] : []) {
      const m = measure(view, input, noiseFloor);
      if (m.z > best.z || Number.isNaN(best.before)) best = { ...m, excess: best.excess };
      best.excess = Math.max(best.excess, m.excess);
    }
    measured.set(node, best);
  }

  const explainer = (node: string): string | undefined => {
    const own = measured.get(node)!;
    let found: string | undefined;
    let foundExcess = -1;
    for (const callee of input.calls.get(node) ?? []) {
      const m = measured.get(callee);
      if (!m || m.z < significance || m.excess < explainedShare * own.excess) continue;
      if (m.excess > foundExcess) [found, foundExcess] = [callee, m.excess];
    }
    return found;
  };

  const rows = candidates.map((node) => {
    const m = measured.get(node)!;
    const explainedBy = m.z >= significance ? explainer(node) : undefined;
    const group = m.z < significance ? 2 : explainedBy ? 1 : 0;
    return { node, group, explainedBy, ...m };
  });
  rows.sort(
    (a, b) => a.group - b.group || b.excess - a.excess || b.z - a.z || a.node.localeCompare(b.node),
  );
  return rows.map((row, index) => ({
    node: row.node,
    rank: index + 1,
    significance: row.z,
    excess: row.excess,
    ...(row.explainedBy ? { explainedBy: row.explainedBy } : {}),
    before: row.before,
    during: row.during,
  }));
}
