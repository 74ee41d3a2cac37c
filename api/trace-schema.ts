import { z } from 'zod';

/** Most traces one search returns; bounds the scan's output and the payload. */
export const MAX_TRACE_RESULTS = 500;
/** Longest time range one search may cover; searches scan raw spans. */
export const MAX_TRACE_SEARCH_MS = 7 * 86_400_000;
/** Most `attribute=` filters in one search. */
export const MAX_ATTRIBUTE_FILTERS = 5;
/** Most spans one trace answer carries; the rest is cut and `truncated` is true. */
export const MAX_TRACE_SPANS = 10_000;

/**
 * Longest duration a search may name, ms: the bound is sent as whole nanoseconds, which
 * must stay an exact integer in a JavaScript number (about 104 days).
 */
export const MAX_SEARCH_DURATION_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1e6);

/** Query of `GET /v1/traces`. */
export const TraceSearchQuery = z.strictObject({
  service: z.string().min(1).max(256).optional(),
  operation: z.string().min(1).max(1024).optional().describe('Span name, exactly.'),
  minDurationMs: z.coerce.number().nonnegative().max(MAX_SEARCH_DURATION_MS).optional(),
  maxDurationMs: z.coerce.number().positive().max(MAX_SEARCH_DURATION_MS).optional(),
  status: z
    .enum(['error', 'ok'])
    .optional()
    .describe('error: spans that count as errors (status ERROR, HTTP 5xx, …); ok: the others.'),
  attribute: z
    .array(
      z
        .string()
        .max(2048)
        .regex(/^[^=]+=/, 'must be key=value, e.g. http.route=/pay'),
    )
    .max(MAX_ATTRIBUTE_FILTERS)
    .optional()
    .describe(
      'key=value on a span or resource attribute; repeat for several (all must match), at most 5.',
    ),
  since: z.string().optional().describe('A duration back from now (default 1h).'),
  from: z.string().optional().describe('ISO 8601 start; with `to` instead of `since`.'),
  to: z.string().optional().describe('ISO 8601 end (default now).'),
  limit: z.coerce.number().int().min(1).max(MAX_TRACE_RESULTS).default(50),
  cursor: z
    .string()
    .max(100)
    .regex(/^\d{1,20}-[0-9a-f]{32}$/, 'must be the nextCursor of a previous answer')
    .optional()
    .describe('`nextCursor` of the previous page: the traces after it, older.'),
});
export type TraceSearchQuery = z.infer<typeof TraceSearchQuery>;

const Status = z.enum(['Unset', 'Ok', 'Error']);

/** One search result: the trace and the newest of its spans that matched. */
export const TraceSummary = z.object({
  traceId: z.string(),
  startTime: z.string().describe('ISO 8601 start of the earliest span.'),
  durationMs: z.number().describe('From the earliest span start to the latest span end.'),
  spans: z.number().int(),
  errorSpans: z.number().int(),
  root: z
    .object({ service: z.string(), operation: z.string() })
    .nullable()
    .describe('The root span, null when it has not arrived.'),
  match: z.object({
    spanId: z.string(),
    service: z.string(),
    operation: z.string(),
    kind: z.string(),
    startTime: z.string(),
    durationMs: z.number(),
    statusCode: Status,
    error: z.boolean(),
  }),
});

export const TraceList = z.object({
  traces: z.array(TraceSummary),
  nextCursor: z
    .string()
    .nullable()
    .describe(
      'Pass as `cursor` for the next page (older traces, by their newest matching span); null on the last page.',
    ),
});

const Attributes = z.record(z.string(), z.string());

export const TraceSpan = z.object({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  service: z.string(),
  operation: z.string(),
  kind: z.string().describe('Server, Client, Internal, Producer, Consumer or Unspecified.'),
  startTime: z.string(),
  startOffsetMs: z.number().describe("Start relative to the trace's start."),
  durationMs: z.number(),
  statusCode: Status,
  statusMessage: z.string(),
  error: z.boolean().describe('Counts as an error under the semantic conventions.'),
  attributes: Attributes,
  resourceAttributes: Attributes,
  scope: z.object({ name: z.string(), version: z.string() }),
  events: z.array(
    z.object({
      time: z.string(),
      offsetMs: z.number(),
      name: z.string(),
      attributes: Attributes,
    }),
  ),
  links: z.array(z.object({ traceId: z.string(), spanId: z.string(), attributes: Attributes })),
});

export const Trace = z.object({
  traceId: z.string(),
  startTime: z.string(),
  durationMs: z.number(),
  spanCount: z.number().int(),
  truncated: z.boolean().describe(`True when the trace has more than ${MAX_TRACE_SPANS} spans.`),
  services: z.array(z.string()),
  spans: z.array(TraceSpan).describe('In start order.'),
});
export type Trace = z.infer<typeof Trace>;
export type TraceSpan = z.infer<typeof TraceSpan>;
export type TraceSummary = z.infer<typeof TraceSummary>;
