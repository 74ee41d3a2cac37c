/** Shapes of the public API's answers, as the UI reads them (see /openapi.json). */

export type ServiceStatus = 'learning' | 'ok' | 'anomalous';

export interface ServiceSummary {
  name: string;
  spans: number;
  errorSpans: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  status: ServiceStatus;
  openAlerts: number;
  environments: string[];
}

export interface Sparklines {
  stepSeconds: number;
  times: number[];
  services: Record<
    string,
    {
      requests: number;
      errors: number;
      request_rate: Array<number | null>;
      error_ratio: Array<number | null>;
      latency_p95: Array<number | null>;
      latency_p99: Array<number | null>;
    }
  >;
}

export interface SeriesPoint {
  time: string;
  observed: number;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number | null;
}

export interface Series {
  service: string;
  signal: string;
  operation: string | null;
  unit: string;
  stepSeconds: number;
  points: SeriesPoint[];
}

export interface Operation {
  name: string;
  requests: number;
  ratePerSecond: number;
  errors: number;
  errorRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface Contributor {
  dimension: string;
  value: string;
  anomalousShare: number;
  baselineShare: number;
  contribution: number;
  anomalousCount: number;
}

export interface Explanation {
  focus: 'errors' | 'slow' | 'all' | 'missing';
  anomalousSpans: number;
  baselineSpans: number;
  slowThresholdMs?: number;
  contributors: Contributor[];
}

export interface Alert {
  id: string;
  service: string;
  signal: string;
  signals: string[];
  operation: string | null;
  severity: 'info' | 'warning' | 'critical';
  status: AlertStatus;
  score: number;
  observed: number;
  expected: number;
  openedAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  summary: string;
  explanation: unknown;
}

export interface Delivery {
  id: string;
  webhookId?: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  eventTime: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
}

export interface Webhook {
  id: string;
  kind?: string;
  url: string;
  events: string[];
  services: string[];
  minSeverity: string;
  description: string;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TraceSummary {
  traceId: string;
  startTime: string;
  durationMs: number;
  spans: number;
  errorSpans: number;
  root: { service: string; operation: string } | null;
  match: {
    spanId: string;
    service: string;
    operation: string;
    kind: string;
    startTime: string;
    durationMs: number;
    statusCode: string;
    error: boolean;
  };
}

export interface TraceSpan {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  operation: string;
  kind: string;
  startTime: string;
  startOffsetMs: number;
  durationMs: number;
  statusCode: string;
  statusMessage: string;
  error: boolean;
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  scope: { name: string; version: string };
  events: Array<{
    time: string;
    offsetMs: number;
    name: string;
    attributes: Record<string, string>;
  }>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, string> }>;
}

export interface Trace {
  traceId: string;
  startTime: string;
  durationMs: number;
  spanCount: number;
  truncated: boolean;
  services: string[];
  spans: TraceSpan[];
}
