import { z } from 'zod';
import { METRIC_AGGREGATIONS } from '../signals/index.ts';

const TimeRange = {
  since: z.string().optional().describe('A duration back from now (default 1h).'),
  from: z.string().optional().describe('ISO 8601 start; with `to` instead of `since`.'),
  to: z.string().optional().describe('ISO 8601 end (default now).'),
};

export const MetricListQuery = z.strictObject({
  service: z.string().min(1).max(256).optional(),
  ...TimeRange,
});

export const MetricList = z.object({
  metrics: z.array(
    z.object({
      name: z.string(),
      type: z.enum(['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary']),
      unit: z.string().describe('UCUM as sent, e.g. s, ms, By, {request}; "" when none.'),
      description: z.string(),
      attributeKeys: z.array(z.string()).describe('Data point attribute keys (at most 50).'),
      monotonic: z.boolean().describe('A sum that only grows (a counter).'),
      temporality: z.enum(['delta', 'cumulative']).nullable(),
      aggregations: z
        .array(z.enum(METRIC_AGGREGATIONS))
        .describe('What agg may be for this metric; the first is the default.'),
      services: z.array(z.string()).describe('Services that sent it (at most 20).'),
    }),
  ),
});

export const MetricSeriesQuery = z.strictObject({
  service: z.string().min(1).max(256).optional(),
  agg: z
    .enum(METRIC_AGGREGATIONS)
    .optional()
    .describe(
      "Default: a counter's rate, a gauge's avg, an up-down counter's sum, a histogram's or summary's p95.",
    ),
  by: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Attribute to group by (data point attribute, else resource attribute).'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(10)
    .describe('Most groups returned with by, the largest by mean value.'),
  step: z
    .string()
    .optional()
    .describe('Step such as 10s or 1m (default: about 120 steps, 1m at least).'),
  ...TimeRange,
});

const Points = z.array(
  z.object({
    t: z.number().int().describe('Start of the step, ms since the epoch.'),
    value: z.number().nullable().describe('null in a step without points.'),
    lowerBound: z
      .boolean()
      .optional()
      .describe('true: the quantile fell in the open top bucket; the value is at least this.'),
    partial: z.boolean().optional().describe('true on a step still open: its data is arriving.'),
  }),
);

export const MetricSeries = z.object({
  name: z.string(),
  type: z.enum(['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary']),
  unit: z.string(),
  agg: z.enum(METRIC_AGGREGATIONS),
  stepSeconds: z.number().int(),
  partialFrom: z.number().int().nullable().describe('Start (ms) of the first open step, or null.'),
  points: Points.describe('Every series together, one point per step.'),
  groups: z
    .array(z.object({ key: z.string(), points: Points }))
    .optional()
    .describe('With by: one series per attribute value, the largest first.'),
});
export type MetricSeries = z.infer<typeof MetricSeries>;
