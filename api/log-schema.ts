import { z } from 'zod';
import { SEVERITY_LEVELS, type SeverityLevel } from '../storage/index.ts';

/** Most log rows one page returns. */
export const MAX_LOG_PAGE = 1_000;
/** Longest time range one log search or histogram may cover; both scan raw rows. */
export const MAX_LOG_SEARCH_MS = 7 * 86_400_000;
/** Most `attr.<key>=` filters in one search. */
export const MAX_LOG_ATTRIBUTE_FILTERS = 5;

/** Severity levels by name; `severity=ERROR` keeps ERROR and above. */
export { SEVERITY_LEVELS, type SeverityLevel };

const TimeRange = {
  since: z.string().optional().describe('A duration back from now (default 1h).'),
  from: z.string().optional().describe('ISO 8601 start; with `to` instead of `since`.'),
  to: z.string().optional().describe('ISO 8601 end (default now).'),
};

/** Filters shared by the log search and its histogram (`attr.<key>` are read apart). */
const LogFilters = {
  service: z.string().min(1).max(256).optional(),
  q: z
    .string()
    .max(512)
    .optional()
    .describe(
      'Words the body must all contain, as whole words (in the case typed, lower case, UPPER case or Capitalised); a word with punctuation such as user-42 must appear as written, in any case.',
    ),
  severity: z
    .string()
    .transform((text) => text.toUpperCase())
    .pipe(z.enum(SEVERITY_LEVELS))
    .optional()
    .describe('This level and above, by severity number (ERROR: 17 and above).'),
  traceId: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hexadecimal digits')
    .transform((id) => id.toLowerCase())
    .optional(),
  spanId: z
    .string()
    .regex(/^[0-9a-fA-F]{16}$/, 'must be 16 hexadecimal digits')
    .transform((id) => id.toLowerCase())
    .optional(),
  pattern: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'must be a pattern id: 16 lower-case hexadecimal digits')
    .optional()
    .describe(
      'Records of this log pattern (GET /v1/logs/patterns), including those stored under patterns since merged into it.',
    ),
  ...TimeRange,
};

/** Query of `GET /v1/logs`, besides `attr.<key>=<value>` (log or resource attribute). */
export const LogSearchQuery = z.strictObject({
  ...LogFilters,
  limit: z.coerce.number().int().min(1).max(MAX_LOG_PAGE).default(100),
  cursor: z
    .string()
    .max(200)
    .optional()
    .describe('`nextCursor` of the previous page: the rows after it, older.'),
});
export type LogSearchQuery = z.infer<typeof LogSearchQuery>;

/** Query of `GET /v1/logs/histogram`, besides `attr.<key>=<value>`. */
export const LogHistogramQuery = z.strictObject({
  ...LogFilters,
  step: z
    .string()
    .optional()
    .describe('Step such as 10s or 5m (default: about 120 steps across the range).'),
});
export type LogHistogramQuery = z.infer<typeof LogHistogramQuery>;

const AttributeMap = z.record(z.string(), z.string());

export const LogRecord = z.object({
  time: z.string().describe('ISO 8601, millisecond precision.'),
  service: z.string(),
  severity: z
    .string()
    .describe('The record severity text, else the level name of its number; "" when neither.'),
  severityNumber: z
    .number()
    .int()
    .describe('1-24 (TRACE 1-4 … FATAL 21-24), from the text when the sender gave no number.'),
  body: z.string(),
  traceId: z.string().describe('"" when the record has no trace context.'),
  spanId: z.string(),
  attributes: AttributeMap,
  resource: AttributeMap,
});
export type LogRecord = z.infer<typeof LogRecord>;

export const LogPage = z.object({
  logs: z.array(LogRecord).describe('Newest first.'),
  nextCursor: z.string().nullable().describe('null on the last page.'),
});
export type LogPage = z.infer<typeof LogPage>;

export const LogHistogram = z.object({
  stepSeconds: z.number().int(),
  partialFrom: z
    .number()
    .int()
    .nullable()
    .describe('Start (ms) of the first step still open at the time of the answer; null if none.'),
  points: z.array(
    z.object({
      t: z.number().int().describe('Start of the step, ms since the epoch.'),
      total: z.number().int(),
      bySeverity: z
        .record(z.string(), z.number().int())
        .describe('Records per level (TRACE … FATAL, or UNSPECIFIED); levels with none absent.'),
      partial: z.boolean().optional().describe('true on a step still open.'),
    }),
  ),
});
export type LogHistogram = z.infer<typeof LogHistogram>;
