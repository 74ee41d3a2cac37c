import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import { isSignalName, signalInfo, SIGNALS, type SignalName } from '../signals/index.ts';
import {
  listMetrics,
  METRIC_SIGNAL_PREFIX,
  readMetricSeries,
  readSeries,
} from '../signals/live/index.ts';
import { alignDown, isRollupStep, ROLLUP_GRAIN_MS, SCORES_TABLE } from '../storage/index.ts';
import { badRequest } from './errors.ts';
import { parseDuration, parseTimeRange } from './time-range.ts';
import { parseWith } from './validation.ts';

export const SeriesQuery = z.object({
  signal: z
    .string()
    .refine(
      (signal) =>
        isSignalName(signal) ||
        (signal.startsWith(METRIC_SIGNAL_PREFIX) && signal.length > METRIC_SIGNAL_PREFIX.length),
      { message: `must be one of ${SIGNALS.join(', ')}, or metric:<name> for a watched metric` },
    ),
  operation: z.string().min(1).optional(),
  since: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  step: z
    .string()
    .optional()
    .describe('Step length such as 10s or 1m (default: the detector step).'),
});

export const SeriesResponse = z.object({
  service: z.string(),
  signal: z.string(),
  operation: z.string().nullable(),
  unit: z.string().describe("A watched metric's own unit as sent (s, ms, By, 1, …)."),
  stepSeconds: z.number(),
  partialFrom: z
    .number()
    .int()
    .nullable()
    .describe('Start (ms) of the step still open, whose points are partial; null if none.'),
  points: z.array(
    z.object({
      time: z.string(),
      observed: z.number(),
      expected: z.number().nullable(),
      lower: z.number().nullable(),
      upper: z.number().nullable(),
      score: z.number().nullable(),
      lowerBound: z
        .boolean()
        .optional()
        .describe('A histogram quantile in the open top bucket: the value is at least this.'),
      partial: z
        .boolean()
        .optional()
        .describe('The step is still open; a rate is over the part of it that has passed.'),
    }),
  ),
});

/** Most points one series request may return: bounds the work and the payload. */
const MAX_POINTS = 20_000;

/** `GET /v1/services/:name/series`: observed values per step with the detector's band and score. */
export function registerSeriesRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number; defaultStepMs: number },
): void {
  app.get('/v1/services/:name/series', async (c) => {
    const query = parseWith(SeriesQuery, c.req.query(), 'query');
    const range = parseTimeRange(query, options.now(), '6h');
    const stepMs = query.step ? parseDuration(query.step, 'step') : options.defaultStepMs;
    if (!isRollupStep(stepMs)) {
      throw badRequest(`step must be a multiple of ${ROLLUP_GRAIN_MS / 1000}s`);
    }
    const stepSeconds = stepMs / 1000;
    if ((range.toMs - range.fromMs) / 1000 / stepSeconds > MAX_POINTS) {
      throw badRequest(
        `that range has more than ${MAX_POINTS} steps of ${stepSeconds}s; use a larger step`,
      );
    }
    const service = c.req.param('name');
    const signal = query.signal;
    // The step holding now is still open: its points are marked partial, and its request
    // rate is over the part of the step that has passed (else it would read as a dip).
    const nowMs = options.now();
    const openMs = alignDown(nowMs, stepMs);
    const partialFrom = openMs < range.toMs ? openMs : null;
    const secondsOf = (timeMs: number) =>
      timeMs >= openMs ? Math.max(1, (Math.min(range.toMs, nowMs) - timeMs) / 1000) : stepSeconds;
    const metric = isSignalName(signal) ? null : signal.slice(METRIC_SIGNAL_PREFIX.length);
    const [observed, scores, unit] = await Promise.all([
      metric === null
        ? readSeries(options.client, {
            service,
            operation: query.operation,
            fromMs: range.fromMs,
            toMs: range.toMs,
            stepSeconds,
          }).then((steps) =>
            steps.map((step) => ({
              timeMs: step.timeMs,
              value:
                signal === 'request_rate'
                  ? step.requests / secondsOf(step.timeMs)
                  : step.values[signal as SignalName],
            })),
          )
        : readMetricSeries(options.client, {
            services: [service],
            metrics: [metric],
            fromMs: range.fromMs,
            toMs: range.toMs,
            stepSeconds,
            withLowerBounds: true,
          }).then((series) => series.get(service)?.get(metric) ?? []),
      readScores(options.client, service, signal, query.operation ?? '', range.fromMs, range.toMs),
      metric === null
        ? signalInfo(signal).unit
        : listMetrics(options.client, { name: metric, service, ...range }).then(
            ([described]) => described?.unit ?? '',
          ),
    ]);
    return c.json({
      service,
      signal,
      operation: query.operation ?? null,
      unit,
      stepSeconds,
      partialFrom,
      points: observed.map((point) => {
        const score = scores.get(point.timeMs);
        return {
          time: new Date(point.timeMs).toISOString(),
          observed: point.value,
          expected: score?.Expected ?? null,
          lower: score?.Lower ?? null,
          upper: score?.Upper ?? null,
          score: score?.Score ?? null,
          ...('lowerBound' in point && point.lowerBound ? { lowerBound: true } : {}),
          ...(partialFrom !== null && point.timeMs >= partialFrom ? { partial: true } : {}),
        };
      }),
    });
  });
}

interface ScoreRow {
  t: number;
  Expected: number;
  Lower: number;
  Upper: number;
  Score: number;
}

async function readScores(
  client: ClickHouseClient,
  service: string,
  signal: string,
  operation: string,
  fromMs: number,
  toMs: number,
) {
  const result = await client.query({
    query: `SELECT toUnixTimestamp(Time) AS t, Expected, Lower, Upper, Score FROM ${SCORES_TABLE} FINAL
WHERE Service = {service:String} AND Signal = {signal:String} AND Operation = {operation:String}
  AND Time >= toDateTime(intDiv({from:Int64}, 1000)) AND Time < toDateTime(intDiv({to:Int64}, 1000))
LIMIT ${MAX_POINTS}`,
    query_params: { service, signal, operation, from: fromMs, to: toMs },
    format: 'JSONEachRow',
  });
  const rows = await result.json<ScoreRow>();
  return new Map(rows.map((row) => [row.t * 1000, row]));
}
