/**
 * One incident per failure across services: an alert opening on a service on a call path
 * with a service of an alert opened within a few steps (its caller or callee,
 * transitively, in the service map) joins that alert instead of paging again; the joined alert carries
 * the incident's root-cause candidates, ranked by rca/ from the RED rollup and the map.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Alert, RootCauseCandidate } from '../../alerts/index.ts';
import type { Explanation } from '../../alerts/index.ts';
import { explainAnomaly } from '../../alerts/live/index.ts';
import { rankRootCauses, type NodeSeries, type SymptomKind } from '../../rca/index.ts';
import { readServicesSeries } from '../../signals/live/index.ts';
import { alignDown, SERVICE_EDGES_TABLE } from '../../storage/index.ts';

/** Alerts opened this many steps apart or less may be one incident. */
export const JOIN_WITHIN_STEPS = 5;
/** The ranking compares the steps since the incident start with this many before it. */
const BASELINE_STEPS = 30;
/** Candidates that get an attribute explanation of their own (one query each). */
const EXPLAINED_CANDIDATES = 3;
/** Services and edges the ranking looks at, at most (the map around an incident). */
const MAX_EDGES = 2000;

export interface CrossServiceOptions {
  client: ClickHouseClient;
  /** The detector step, ms. */
  stepMs: number;
}

/** `caller → callees` of the map over a window. */
export type CallGraph = Map<string, string[]>;

export async function readCallGraph(
  client: ClickHouseClient,
  fromMs: number,
  toMs: number,
): Promise<CallGraph> {
  const result = await client.query({
    query: `SELECT Caller AS caller, Callee AS callee FROM ${SERVICE_EDGES_TABLE} FINAL
WHERE Minute >= toDateTime(intDiv({from:Int64}, 1000)) AND Minute < toDateTime(intDiv({to:Int64}, 1000))
  AND Caller != Callee
GROUP BY caller, callee ORDER BY sum(Requests) DESC LIMIT {limit:UInt32}`,
    query_params: { from: fromMs, to: toMs, limit: MAX_EDGES },
    format: 'JSONEachRow',
  });
  const graph: CallGraph = new Map();
  for (const { caller, callee } of await result.json<{ caller: string; callee: string }>()) {
    const callees = graph.get(caller);
    if (callees) callees.push(callee);
    else graph.set(caller, [callee]);
  }
  return graph;
}

/** The nodes `start` reaches by following `next`, itself included. */
function reachable(next: (node: string) => readonly string[] | undefined, start: string) {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const node of next(queue.pop()!) ?? []) {
      if (seen.has(node)) continue;
      seen.add(node);
      queue.push(node);
    }
  }
  return seen;
}

/** `callee → callers` of a call graph. */
function callersOf(graph: CallGraph): CallGraph {
  const callers: CallGraph = new Map();
  for (const [caller, callees] of graph) {
    for (const callee of callees) {
      const list = callers.get(callee);
      if (list) list.push(caller);
      else callers.set(callee, [caller]);
    }
  }
  return callers;
}

/** The services reachable from `start` through calls in either direction, itself included. */
export function connectedServices(graph: CallGraph, start: string): Set<string> {
  const neighbours = new Map<string, string[]>();
  const link = (from: string, to: string) => {
    const list = neighbours.get(from);
    if (list) list.push(to);
    else neighbours.set(from, [to]);
  };
  for (const [caller, callees] of graph) {
    for (const callee of callees) {
      link(caller, callee);
      link(callee, caller);
    }
  }
  return reachable((node) => neighbours.get(node), start);
}

/**
 * The services on a call path through `service`: those it calls and those calling it,
 * transitively, itself included. A failure travels along calls, up to the callers; two
 * services that only share a caller (siblings) or a callee do not explain each other.
 */
export function callPathServices(graph: CallGraph, service: string): Set<string> {
  const callers = callersOf(graph);
  const down = reachable((node) => graph.get(node), service);
  for (const node of reachable((node) => callers.get(node), service)) down.add(node);
  return down;
}

/** The open alert, opened at most JOIN_WITHIN_STEPS before `openedAtMs`, this service joins. */
export function incidentToJoin(
  open: readonly Alert[],
  graph: CallGraph,
  service: string,
  openedAtMs: number,
  stepMs: number,
): Alert | undefined {
  const connected = callPathServices(graph, service);
  return open.find(
    (alert) =>
      alert.status !== 'resolved' &&
      Math.abs(Date.parse(alert.openedAt) - openedAtMs) <= JOIN_WITHIN_STEPS * stepMs &&
      (alert.services ?? [alert.service]).some(
        (member) => member !== service && connected.has(member),
      ),
  );
}

/** The incident's most upstream service: the one from which most others are called into. */
function symptomService(graph: CallGraph, services: readonly string[]): string {
  const reach = (from: string) => {
    const seen = reachable((node) => graph.get(node), from);
    return services.filter((service) => seen.has(service)).length;
  };
  return services.reduce((best, service) => (reach(service) > reach(best) ? service : best));
}

export interface RankIncidentInput {
  services: readonly string[];
  /** The alert's headline signal: errors rank by availability, anything else by latency. */
  signal: string;
  startMs: number;
  atMs: number;
  graph: CallGraph;
}

/** Ranked candidates of an incident, each with its evidence; the first ones explained. */
export async function rankIncident(
  options: CrossServiceOptions,
  input: RankIncidentInput,
): Promise<RootCauseCandidate[]> {
  const stepMs = options.stepMs;
  const kind: SymptomKind = input.signal === 'error_ratio' ? 'availability' : 'latency';
  const symptom = symptomService(input.graph, input.services);
  const nodes = [...connectedServices(input.graph, symptom)];
  const fromMs = alignDown(input.startMs, stepMs) - BASELINE_STEPS * stepMs;
  const toMs = Math.ceil(input.atMs / stepMs) * stepMs;
  const red = await readServicesSeries(options.client, {
    operations: new Map(nodes.map((node) => [node, []])),
    fromMs,
    toMs,
    stepSeconds: options.stepMs / 1000,
  });
  const times: number[] = [];
  for (let time = fromMs; time < toMs; time += stepMs) times.push(time);
  const series = new Map<string, NodeSeries>();
  for (const node of nodes) {
    const steps = red.get(node)?.get('') ?? [];
    if (steps.length === 0) continue; // not instrumented: judged only through its callers
    const column = (pick: (values: (typeof steps)[number]) => number) => {
      const out = new Float64Array(times.length).fill(NaN);
      for (const step of steps) {
        const index = Math.round((step.timeMs - fromMs) / stepMs);
        if (index >= 0 && index < out.length) out[index] = pick(step);
      }
      return out;
    };
    const p50 = column((step) => step.values.latency_p50);
    series.set(node, {
      latency: [{ values: p50 }, { values: column((step) => step.values.latency_p95) }],
      // The rollup keeps quantiles, not sums: the median stands in for the mean.
      meanLatency: p50,
      availability: { values: column((step) => 1 - step.values.error_ratio) },
      requests: column((step) => step.requests),
    });
  }
  const ranked = rankRootCauses({
    times,
    incidentStartMs: input.startMs,
    symptom: { node: symptom, kind },
    calls: input.graph,
    nodes: series,
  });
  const out: RootCauseCandidate[] = [];
  for (const candidate of ranked) {
    const own = series.get(candidate.node);
    const values = kind === 'latency' ? own?.latency[0]?.values : own?.availability?.values;
    const explanation =
      out.length < EXPLAINED_CANDIDATES && own
        ? await explainAnomaly(options.client, {
            service: candidate.node,
            focus: kind === 'availability' ? 'errors' : 'slow',
            fromMs: input.startMs - stepMs,
            toMs: input.atMs,
          })
        : null;
    out.push({
      service: candidate.node,
      rank: candidate.rank,
      operation: standingOut(explanation, 'operation'),
      version: standingOut(explanation, 'service.version'),
      pod: standingOut(explanation, 'k8s.pod.name'),
      signal: kind,
      before: candidate.before,
      during: candidate.during,
      movedAt: movedAt(
        times.slice(-Math.ceil((toMs - input.startMs) / stepMs) - JOIN_WITHIN_STEPS),
        values?.slice(-Math.ceil((toMs - input.startMs) / stepMs) - JOIN_WITHIN_STEPS),
        candidate.before,
        candidate.during,
      ),
      significance: candidate.significance,
      excess: candidate.excess,
      explainedBy: candidate.explainedBy ?? null,
      explains: ranked
        .filter((other) => other.explainedBy === candidate.node)
        .map((other) => other.node),
      explanation,
    });
  }
  return out;
}

/** The value of a dimension over-represented in the explanation, if one stands out. */
function standingOut(explanation: Explanation | null, dimension: string): string | null {
  const found = explanation?.contributors.find(
    (entry) => entry.dimension === dimension && entry.contribution > 0,
  );
  return found?.value ?? null;
}

/** The first step (around the incident) at which the signal was half-way to its worst. */
function movedAt(
  times: readonly number[],
  values: Float64Array | undefined,
  before: number,
  during: number,
): string | null {
  if (!values || !(Math.abs(during - before) > 0)) return null;
  const half = (before + during) / 2;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (during > before ? value >= half : value <= half) {
      return new Date(times[index]!).toISOString();
    }
  }
  return null;
}

export interface JoinOptions extends CrossServiceOptions {
  alerts: { list(filter: { status: 'open'; openedAfterMs: number }): Promise<Alert[]> };
}

/**
 * An incident opening on `service`: the open alert of a connected service it joins (with
 * the service added and the candidates ranked again), or null when it is an alert of its
 * own; `rootCause` is then the candidates for a new alert on this service alone.
 */
export async function joinOrRank(
  options: JoinOptions,
  opening: { service: string; signal: string; openedAtMs: number; atMs: number },
): Promise<{ joined: Alert | null; rootCause: RootCauseCandidate[] }> {
  const stepMs = options.stepMs;
  const windowMs = (JOIN_WITHIN_STEPS + BASELINE_STEPS) * stepMs;
  const graph = await readCallGraph(options.client, opening.openedAtMs - windowMs, opening.atMs);
  const open = await options.alerts.list({
    status: 'open',
    openedAfterMs: opening.openedAtMs - JOIN_WITHIN_STEPS * stepMs,
  });
  const target = incidentToJoin(open, graph, opening.service, opening.openedAtMs, stepMs);
  const services = target
    ? [...new Set([...(target.services ?? [target.service]), opening.service])]
    : [opening.service];
  const rootCause = await rankIncident(options, {
    services,
    signal: target?.signal ?? opening.signal,
    startMs: target
      ? Math.min(Date.parse(target.openedAt), opening.openedAtMs)
      : opening.openedAtMs,
    atMs: opening.atMs,
    graph,
  });
  return { joined: target ? { ...target, services, rootCause } : null, rootCause };
}
