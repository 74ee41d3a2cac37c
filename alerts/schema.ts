import { z } from 'zod';

/** Where an alert is in its life: open → acknowledged → resolved (or open → resolved). */
export const AlertStatus = z.enum(['open', 'acknowledged', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

/** One ranked root-cause candidate of an incident and the evidence for it. */
export const RootCauseCandidate = z.object({
  service: z.string(),
  rank: z.number().int().min(1),
  operation: z.string().nullable().describe('From its attribute explanation, when one stands out.'),
  version: z.string().nullable(),
  pod: z.string().nullable(),
  signal: z.enum(['latency', 'availability']).describe("The signal judged (the symptom's)."),
  before: z.number().describe('Its level before the incident (ms, or share of successes).'),
  during: z.number().describe('Its worst value since.'),
  movedAt: z.string().nullable().describe('ISO 8601: the first step it was half-way to worst.'),
  significance: z.number().describe('Noise widths it moved.'),
  excess: z.number().describe('What the move costs its callers per step (ms or failed calls).'),
  explainedBy: z.string().nullable().describe('A callee carrying most of its move, if any.'),
  explains: z.array(z.string()).describe('The callers whose move it explains.'),
  explanation: z.unknown().describe('Its own attribute explanation, for the first candidates.'),
});
export type RootCauseCandidate = z.infer<typeof RootCauseCandidate>;

/** One alert as the API returns it and webhooks carry it. */
export const Alert = z.object({
  id: z.string().describe('Stable id; also the deduplication key sent to sinks.'),
  service: z.string(),
  signal: z.string().describe('The signal that opened the alert, e.g. latency_p99.'),
  signals: z.array(z.string()).describe('Every signal of the service anomalous in this incident.'),
  operation: z
    .string()
    .nullable()
    .describe('The operation (span name) when the alert is about one.'),
  severity: Severity,
  status: AlertStatus,
  score: z.number().min(0).max(1),
  observed: z.number().describe('The headline signal as last measured.'),
  expected: z.number(),
  peak: z
    .number()
    .describe('The headline signal at its farthest from expected since the alert opened.'),
  openedAt: z.string().describe('ISO 8601'),
  updatedAt: z.string().describe('ISO 8601'),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z
    .string()
    .nullable()
    .describe('Who resolved it; "opsless" when the signal recovered.'),
  summary: z.string(),
  explanation: z.unknown().describe('What is over-represented in the anomalous window.'),
  services: z
    .array(z.string())
    .optional()
    .describe('Every service of the incident, connected in the service map (this one first).'),
  rootCause: z
    .array(RootCauseCandidate)
    .optional()
    .describe('Ranked root-cause candidates of the incident, most likely first.'),
});
export type Alert = z.infer<typeof Alert>;

export const AlertList = z.object({ alerts: z.array(Alert) });

/** Query of `GET /v1/alerts`. */
export const AlertQuery = z.object({
  status: z.enum(['open', 'acknowledged', 'resolved', 'all']).default('all'),
  service: z.string().min(1).optional(),
  since: z.string().optional().describe('Alerts opened in this window, e.g. 24h (default 7d).'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** Body of `POST /v1/alerts/:id/ack` and `/resolve`; both fields optional. */
export const AlertTransition = z.object({
  by: z.string().min(1).max(200).optional().describe('Who acts; defaults to "api".'),
  note: z.string().max(2000).optional(),
});
