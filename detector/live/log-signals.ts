import type { ClickHouseClient } from '@clickhouse/client';
import { alignDown, LOG_PATTERN_COUNTS_TABLE, LOG_PATTERNS_TABLE } from '../../storage/index.ts';
import type { Anomaly, Observation } from './incidents.ts';
import {
  judgeLogStep,
  type PatternHistory,
  type ServiceLogHistory,
  type StepLogs,
} from './log-judgement.ts';

/** A pattern's and a service's usual rates are those of this long before the judged steps. */
const LOG_BASELINE_MS = 86_400_000;
/** Rows read per chunk at most: patterns × steps stay bounded whatever a service logs. */
const MAX_ROWS = 200_000;

export interface ServiceLogs {
  history: ServiceLogHistory;
  steps: StepLogs[];
}

interface CountRow {
  service: string;
  pattern: string;
  t: string | number;
  warnings: string | number;
  errors: string | number;
  first: string | number;
  template: string;
  sample: string;
  firstSeen: string | number;
}

/**
 * The log counts of `services` per step in [fromMs, toMs), with their baseline over the
 * day before: patterns (merged ones counted under the pattern they merged into) with
 * WARN+ records, and the service's WARN+ and ERROR+ totals.
 */
export async function readServiceLogs(
  client: ClickHouseClient,
  options: { services: string[]; fromMs: number; toMs: number; stepMs: number },
): Promise<Map<string, ServiceLogs>> {
  const { stepMs } = options;
  const baseFromMs = options.fromMs - LOG_BASELINE_MS;
  const result = await client.query({
    query: `WITH links AS (
  SELECT ServiceName, PatternId, argMax(MergedInto, Version) AS merged
  FROM ${LOG_PATTERNS_TABLE} WHERE ServiceName IN {services:Array(String)}
  GROUP BY ServiceName, PatternId
), meta AS (
  SELECT ServiceName, if(merged != '', merged, PatternId) AS pattern,
    argMaxIf(Template, Version, merged = '') AS template,
    argMaxIf(Sample, Version, merged = '') AS sample,
    toUnixTimestamp64Milli(min(FirstSeen)) AS firstSeen
  FROM ${LOG_PATTERNS_TABLE} AS p
  INNER JOIN links AS l ON l.ServiceName = p.ServiceName AND l.PatternId = p.PatternId
  GROUP BY ServiceName, pattern
)
SELECT c.ServiceName AS service,
  if(l.merged != '', l.merged, c.PatternId) AS pattern,
  if(c.Minute < toDateTime(intDiv({from:Int64}, 1000)), 0,
     toUnixTimestamp(toStartOfInterval(c.Minute, INTERVAL {step:UInt32} SECOND)) * 1000) AS t,
  sumIf(c.Count, c.Severity IN ('WARN', 'ERROR', 'FATAL')) AS warnings,
  sumIf(c.Count, c.Severity IN ('ERROR', 'FATAL')) AS errors,
  toUnixTimestamp(min(c.Minute)) * 1000 AS first,
  any(m.template) AS template, any(m.sample) AS sample, any(m.firstSeen) AS firstSeen
FROM ${LOG_PATTERN_COUNTS_TABLE} AS c
LEFT JOIN links AS l ON l.ServiceName = c.ServiceName AND l.PatternId = c.PatternId
LEFT JOIN meta AS m ON m.ServiceName = c.ServiceName
  AND m.pattern = if(l.merged != '', l.merged, c.PatternId)
WHERE c.ServiceName IN {services:Array(String)}
  AND c.Minute >= toDateTime(intDiv({baseFrom:Int64}, 1000))
  AND c.Minute < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY service, pattern, t
LIMIT {limit:UInt32}`,
    query_params: {
      services: options.services,
      from: options.fromMs,
      baseFrom: baseFromMs,
      to: options.toMs,
      step: Math.max(60, Math.round(stepMs / 1000)),
      limit: MAX_ROWS,
    },
    format: 'JSONEachRow',
  });
  const rows = await result.json<CountRow>();
  const out = new Map<string, ServiceLogs>();
  const baseline = new Map<string, number>(); // WARN+ per pattern before fromMs
  for (const row of rows) {
    let entry = out.get(row.service);
    if (!entry) {
      entry = {
        history: { firstLogMs: null, usualWarnings: 0, usualErrors: 0, stepMs },
        steps: [],
      };
      out.set(row.service, entry);
    }
    const first = Number(row.first);
    entry.history.firstLogMs = Math.min(entry.history.firstLogMs ?? first, first);
    const timeMs = Number(row.t);
    if (timeMs === 0) {
      entry.history.usualWarnings += Number(row.warnings);
      entry.history.usualErrors += Number(row.errors);
      baseline.set(`${row.service}\u0000${row.pattern}`, Number(row.warnings));
      continue;
    }
    let step = entry.steps.find((candidate) => candidate.timeMs === timeMs);
    if (!step) {
      step = { timeMs, warnings: 0, errors: 0, patterns: [] };
      entry.steps.push(step);
    }
    step.warnings += Number(row.warnings);
    step.errors += Number(row.errors);
    // INFO-only patterns are counted nowhere: they never alert (see judgeLogStep).
    if (Number(row.warnings) === 0) continue;
    step.patterns.push({
      id: row.pattern,
      template: row.template,
      sample: row.sample,
      firstSeenMs: Number(row.firstSeen),
      count: Number(row.warnings),
      usualPerStep: 0,
    });
  }
  for (const [service, entry] of out) {
    // Totals become rates per step over the part of the baseline the service logged in.
    const since = Math.max(baseFromMs, entry.history.firstLogMs ?? options.fromMs);
    const steps = Math.max(1, (options.fromMs - since) / stepMs);
    entry.history.usualWarnings /= steps;
    entry.history.usualErrors /= steps;
    for (const step of entry.steps) {
      for (const pattern of step.patterns) pattern.usualPerStep = usualOf(pattern, service);
    }
  }
  return out;

  function usualOf(pattern: PatternHistory, service: string): number {
    const total = baseline.get(`${service}\u0000${pattern.id}`) ?? 0;
    const since = Math.max(baseFromMs, pattern.firstSeenMs);
    return total / Math.max(1, (options.fromMs - since) / stepMs);
  }
}

/**
 * Adds the log verdicts of the steps in (afterMs, endMs) to a service's span and metric
 * verdicts, step by step, as the evaluator's incident logic takes them.
 */
export function addLogVerdicts(
  out: {
    anomaliesByStep: Map<number, Anomaly[]>;
    observationsByStep: Map<number, Observation[]>;
  },
  logs: ServiceLogs | undefined,
  window: { afterMs: number; endMs: number },
): void {
  if (!logs) return;
  const { stepMs } = logs.history;
  const byTime = new Map(logs.steps.map((step) => [step.timeMs, step]));
  const known = new Map<string, PatternHistory>();
  for (const step of logs.steps)
    for (const pattern of step.patterns) known.set(pattern.id, pattern);
  // Every step of the window is judged, those without a record too: a pattern that went
  // quiet is observed at zero, which is how its incident recovers.
  const first = alignDown(window.afterMs, stepMs) + stepMs;
  for (let timeMs = first; timeMs + stepMs <= window.endMs; timeMs += stepMs) {
    const found = byTime.get(timeMs);
    const present = new Set(found?.patterns.map((pattern) => pattern.id));
    const quiet = [...known.values()]
      .filter((pattern) => !present.has(pattern.id))
      .map((pattern) => ({ ...pattern, count: 0 }));
    const step: StepLogs = {
      timeMs,
      warnings: found?.warnings ?? 0,
      errors: found?.errors ?? 0,
      patterns: [...(found?.patterns ?? []), ...quiet],
    };
    const verdict = judgeLogStep(logs.history, step);
    out.anomaliesByStep.set(timeMs, [
      ...(out.anomaliesByStep.get(timeMs) ?? []),
      ...verdict.anomalies,
    ]);
    out.observationsByStep.set(timeMs, [
      ...(out.observationsByStep.get(timeMs) ?? []),
      ...verdict.observations,
    ]);
  }
}
