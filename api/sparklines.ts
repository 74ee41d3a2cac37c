import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import { RED_TABLE, ROLLUP_GRAIN_MS } from '../storage/index.ts';
import { parseTimeRange } from './time-range.ts';
import { parseWith } from './validation.ts';

export const SparklineQuery = z.strictObject({
  since: z.string().optional().describe('A duration back from now (default 15m).'),
  from: z.string().optional(),
  to: z.string().optional(),
  points: z.coerce
    .number()
    .int()
    .min(2)
    .max(200)
    .default(30)
    .describe('Steps per series, at most; the step is rounded up to a multiple of 10 s.'),
});

const Values = z.array(z.number().nullable());

export const SparklineResponse = z.object({
  stepSeconds: z.number().int(),
  times: z
    .array(z.number().int())
    .describe(
      'Start of each step from the first whole one to the one holding the end of the range, ms since the epoch.',
    ),
  partialFrom: z
    .number()
    .int()
    .nullable()
    .describe(
      'Start of the last step when it is still open (its rate is over the part passed), else null.',
    ),
  services: z
    .record(
      z.string(),
      z.object({
        requests: z.number().int().describe('Entry spans in those steps.'),
        errors: z.number().int().describe('Of those, errors.'),
        request_rate: Values.describe(
          'Entry spans per second (in an open step, per second passed); 0 in a step without any.',
        ),
        error_ratio: Values.describe('null in a step without requests.'),
        latency_p95: Values.describe('ms; null in a step without requests.'),
        latency_p99: Values.describe('ms; null in a step without requests.'),
      }),
    )
    .describe('Per service, one value per entry of `times`.'),
});
export type SparklineResponse = z.infer<typeof SparklineResponse>;

interface Row {
  service: string;
  t: number;
  requests: string | number;
  errors: string | number;
  q: number[];
}

/**
 * `GET /v1/services/sparklines`: every service's rate, error ratio and p95/p99 latency
 * in a few steps, in one read of the RED rollup, so a list of 1,000 services draws
 * its sparklines from one request instead of one per service.
 */
export function registerSparklineRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  app.get('/v1/services/sparklines', async (c) => {
    const query = parseWith(SparklineQuery, c.req.query(), 'query');
    const range = parseTimeRange(query, options.now());
    // A whole number of rollup grains, so the rollup serves it.
    const stepMs =
      Math.ceil((range.toMs - range.fromMs) / query.points / ROLLUP_GRAIN_MS) * ROLLUP_GRAIN_MS ||
      ROLLUP_GRAIN_MS;
    const stepSeconds = stepMs / 1000;
    // Whole steps from the start (a step cut by it would draw a false dip), up to the step
    // holding the range's end: the one still open is included, its rate over the part of it
    // that has passed, and marked by partialFrom.
    const firstMs = Math.ceil(range.fromMs / stepMs) * stepMs;
    const times: number[] = [];
    for (let t = firstMs; t < range.toMs; t += stepMs) times.push(t);
    const endMs = firstMs + times.length * stepMs;
    const lastMs = times[times.length - 1];
    const open = lastMs !== undefined && lastMs + stepMs > options.now() ? lastMs : null;
    const secondsOf = (t: number) =>
      t === open ? Math.max(1, (Math.min(range.toMs, options.now()) - t) / 1000) : stepSeconds;

    const result = await options.client.query({
      query: `SELECT ServiceName AS service,
  toUnixTimestamp(toStartOfInterval(Bucket, toIntervalSecond({step:UInt32}))) AS t,
  sum(Requests) AS requests, sum(Errors) AS errors,
  quantilesTDigestMerge(0.5, 0.95, 0.99)(Latency) AS q
FROM ${RED_TABLE}
WHERE Bucket >= toDateTime(intDiv({from:Int64}, 1000)) AND Bucket < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY service, t`,
      query_params: { step: stepSeconds, from: firstMs, to: endMs },
      format: 'JSONEachRow',
    });
    const services: SparklineResponse['services'] = {};
    for (const row of await result.json<Row>()) {
      let series = services[row.service];
      if (!series) {
        series = {
          requests: 0,
          errors: 0,
          request_rate: new Array<number | null>(times.length).fill(0),
          error_ratio: new Array<number | null>(times.length).fill(null),
          latency_p95: new Array<number | null>(times.length).fill(null),
          latency_p99: new Array<number | null>(times.length).fill(null),
        };
        services[row.service] = series;
      }
      const index = Math.round((row.t * 1000 - firstMs) / stepMs);
      if (index < 0 || index >= times.length) continue;
      const requests = Number(row.requests);
      series.requests += requests;
      series.errors += Number(row.errors);
      series.request_rate[index] = round(requests / secondsOf(times[index]!));
      if (requests > 0) {
        series.error_ratio[index] = round(Number(row.errors) / requests);
        series.latency_p95[index] = round((row.q[1] ?? 0) / 1e6);
        series.latency_p99[index] = round((row.q[2] ?? 0) / 1e6);
      }
    }
    return c.json({ stepSeconds, times, partialFrom: open, services } satisfies SparklineResponse);
  });
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
