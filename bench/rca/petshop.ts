/**
 * Reads the PetShop root-cause dataset layout into ranking inputs. Per scenario:
 * `graph.csv` (adjacency, row calls column), `noissue/metrics.csv` (a normal period, absent
 * for some), and `{train,test}/issue_N/{metrics.csv,target.json}`. A metrics file has four
 * header rows (component, metric, statistic, then `unix_timestamp`), one row per 5 minutes.
 *
 * How the dataset's node names map to the ranker: a `<name>_client` node with one callee is
 * that callee seen by its callers (a view of it); every other node is itself.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeSeries, RankInput, SymptomKind } from '../../rca/index.ts';

export interface PetshopIssue {
  scenario: string;
  split: string;
  name: string;
  kind: SymptomKind;
  truth: string;
  input: RankInput;
}

interface MetricsFile {
  times: number[];
  /** `node → metric → statistic → values` */
  columns: Map<string, Map<string, Map<string, Float64Array>>>;
}

function readMetrics(path: string): MetricsFile {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const [nodes, metrics, statistics] = lines.slice(0, 3).map((line) => line.split(','));
  if (!nodes || !metrics || !statistics || !lines[3]?.startsWith('unix_timestamp'))
    throw new Error(
      `${path}: expected component, metric, statistic and unix_timestamp header rows`,
    );
  const rows = lines.slice(4).map((line) => line.split(','));
  const times = rows.map((row) => Number(row[0]) * 1000);
  const columns: MetricsFile['columns'] = new Map();
  for (let j = 1; j < nodes.length; j++) {
    const values = Float64Array.from(rows, (row) =>
      row[j] === '' || row[j] === undefined ? Number.NaN : Number(row[j]),
    );
    const byMetric = columns.get(nodes[j]!) ?? new Map<string, Map<string, Float64Array>>();
    columns.set(nodes[j]!, byMetric);
    const byStatistic = byMetric.get(metrics[j]!) ?? new Map<string, Float64Array>();
    byMetric.set(metrics[j]!, byStatistic);
    byStatistic.set(statistics[j]!, values);
  }
  return { times, columns };
}

function readGraph(path: string): Map<string, string[]> {
  const [header, ...rows] = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
  if (!header) throw new Error(`${path}: empty`);
  const names = header.slice(1);
  const calls = new Map<string, string[]>();
  for (const row of rows) {
    const callees = names.filter((_, i) => row[i + 1] !== undefined && Number(row[i + 1]) !== 0);
    if (callees.length > 0) calls.set(row[0]!, callees);
  }
  return calls;
}

/** Median absolute deviation × 1.4826 over the median's magnitude: the relative noise. */
function relativeNoise(values: Float64Array | undefined): number | undefined {
  if (!values) return undefined;
  const finite = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length < 3) return undefined;
  const mid = (xs: number[]) => xs[xs.length >> 1]!;
  const level = mid(finite);
  if (level === 0) return undefined;
  const deviations = finite.map((v) => Math.abs(v - level)).sort((a, b) => a - b);
  return (1.4826 * mid(deviations)) / Math.abs(level);
}

function nodeSeries(file: MetricsFile, normal: MetricsFile | undefined, node: string): NodeSeries {
  const metrics = file.columns.get(node);
  const normalOf = (metric: string, statistic: string) =>
    relativeNoise(normal?.columns.get(node)?.get(metric)?.get(statistic));
  const latency = [...(metrics?.get('latency') ?? new Map<string, Float64Array>())].map(
    ([statistic, values]) => ({ values, relativeNoise: normalOf('latency', statistic) }),
  );
  const availability = metrics?.get('availability')?.get('Average');
  return {
    latency,
    meanLatency: metrics?.get('latency')?.get('Average'),
    availability: availability
      ? { values: availability, relativeNoise: normalOf('availability', 'Average') }
      : undefined,
    requests: metrics?.get('requests')?.get('Sum'),
  };
}

export function loadPetshop(dir: string): PetshopIssue[] {
  const issues: PetshopIssue[] = [];
  for (const scenario of readdirSync(dir).sort()) {
    const graphPath = join(dir, scenario, 'graph.csv');
    if (!existsSync(graphPath)) continue;
    const calls = readGraph(graphPath);
    const normalPath = join(dir, scenario, 'noissue', 'metrics.csv');
    const normal = existsSync(normalPath) ? readMetrics(normalPath) : undefined;
    for (const split of ['train', 'test']) {
      const splitDir = join(dir, scenario, split);
      if (!existsSync(splitDir)) continue;
      for (const name of readdirSync(splitDir).sort((a, b) =>
        a.localeCompare(b, 'en', { numeric: true }),
      )) {
        const issueDir = join(splitDir, name);
        const target = JSON.parse(readFileSync(join(issueDir, 'target.json'), 'utf8')) as {
          target: { node: string; metric: string; timestamp: number };
          root_cause: { node: string };
        };
        if (target.target.metric !== 'latency' && target.target.metric !== 'availability')
          throw new Error(
            `${issueDir}: symptom metric ${target.target.metric} is not latency or availability`,
          );
        const file = readMetrics(join(issueDir, 'metrics.csv'));
        const nodes = new Map<string, NodeSeries>();
        for (const node of file.columns.keys()) nodes.set(node, nodeSeries(file, normal, node));
        for (const [node, callees] of calls) {
          const callee = callees[0];
          if (!node.endsWith('_client') || callees.length !== 1 || !callee) continue;
          const view = nodes.get(node);
          const target = nodes.get(callee);
          if (view && target) (target.views ??= []).push(view);
        }
        issues.push({
          scenario,
          split,
          name,
          kind: target.target.metric,
          truth: target.root_cause.node,
          input: {
            times: file.times,
            // The step that holds the symptom (t <= symptom < t + 5 min) is the first "during" step.
            incidentStartMs: (target.target.timestamp - 300) * 1000 + 1,
            symptom: { node: target.target.node, kind: target.target.metric },
            calls,
            nodes,
          },
        });
      }
    }
  }
  if (issues.length === 0) throw new Error(`${dir}: no <scenario>/graph.csv with issues found`);
  return issues;
}
