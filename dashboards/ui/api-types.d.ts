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
  /** The step still in progress (the API marks it; the UI marks a step the range's end cuts). */
  partial?: boolean;
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
  /** The headline signal at its farthest from expected since the alert opened. */
  peak: number;
  openedAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  summary: string;
  explanation: unknown;
  /** Every service of the incident (this one first). */
  services?: string[];
  /** Ranked root-cause candidates, most likely first. */
  rootCause?: RootCauseCandidate[];
}

export interface RootCauseCandidate {
  service: string;
  rank: number;
  operation: string | null;
  version: string | null;
  pod: string | null;
  signal: 'latency' | 'availability';
  before: number;
  during: number;
  movedAt: string | null;
  significance: number;
  excess: number;
  explainedBy: string | null;
  explains: string[];
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

export interface Info {
  version: string;
  otlpHttpEndpoint: string | null;
  otlpGrpcEndpoint: string | null;
  stepSeconds: number;
  demo: boolean;
}

export interface ForecastPoint {
  timestampMs: number;
  expected: number;
  lower: number;
  upper: number;
}

export interface ScalingPolicyView {
  service: string;
  policy: {
    minReplicas: number;
    maxReplicas: number;
    metrics: Array<{ type: string; name?: string; target: number }>;
    predictive: {
      enabled: boolean;
      lookahead: string;
      mode: string;
      startupDelay: string;
      targetShareOfCapacity: number;
    };
    actuator?: { url: string; dryRun: boolean };
    [key: string]: unknown;
  };
  createdAt: string;
  updatedAt: string;
}

/** `GET /v1/scaling/:service`: the newest decision, or `decision: null` before the first. */
export interface ScalingStatus {
  service: string;
  decision?: null;
  message?: string;
  time?: string;
  current?: number;
  currentSource?: 'reported' | 'observed';
  desired?: { reactive: number; predictive: number | null; final: number };
  reasons?: string[];
  forecast?: Record<string, ForecastPoint[]>;
  /** What one replica carries: learned from telemetry (saturation, latency) or the policy's assumption. */
  capacity?: {
    perReplica: number;
    unit: string;
    confidence: number;
    basis: 'saturation' | 'latency' | 'policy';
    samples: number;
  };
  dryRun?: boolean;
}

export interface ScalingDecisionRecord {
  service: string;
  time: string;
  current: number;
  reactive: number;
  predictive: number | null;
  final: number;
  previous: number;
  reasons: string[];
  source: string;
  dryRun: boolean;
  outcome: string;
  detail: string;
}

export interface RemediationStep {
  type: 'webhook' | 'scale' | 'notify';
  url?: string;
  by?: number;
  replicas?: number;
  timeoutSeconds?: number;
}

export interface RemediationRule {
  id: string;
  description?: string;
  match: { service: string; signal: string; minSeverity?: string; forSeconds: number };
  steps: RemediationStep[];
  mode: 'dryRun' | 'approval' | 'auto';
  cooldownSeconds: number;
  maxActionsPerHour: number;
  verifyWithinSeconds: number;
  createdAt: string;
  updatedAt: string;
}

export interface RemediationStepResult {
  index: number;
  type: 'webhook' | 'scale' | 'notify';
  target: string | null;
  status: 'planned' | 'succeeded' | 'failed' | 'not_run';
  statusCode: number | null;
  error: string | null;
  detail: string | null;
  durationMs: number | null;
}

export type RemediationStatus =
  'pending_approval' | 'running' | 'verifying' | 'succeeded' | 'failed' | 'skipped' | 'rejected';

export interface RemediationRun {
  id: string;
  ruleId: string;
  alertId: string;
  service: string;
  signal: string;
  mode: 'dryRun' | 'approval' | 'auto';
  status: RemediationStatus;
  reason: string | null;
  steps: RemediationStepResult[];
  createdAt: string;
  startedAt: string | null;
  verifyUntil: string | null;
  finishedAt: string | null;
  approvedBy: string | null;
}

export interface KillSwitch {
  engaged: boolean;
  engagedByEnvironment: boolean;
  by: string | null;
  updatedAt: string | null;
}

export interface DemoIncident {
  id: string;
  description: string;
  atSeconds: number;
  state: 'scheduled' | 'running' | 'done' | 'skipped';
  ends: { afterSeconds: number; description: string } | null;
  startedAt: string | null;
}

export interface DemoStory {
  startedAt: string | null;
  incidents: DemoIncident[];
}

/** GET /v1/service-map */
export interface ServiceMap {
  nodes: Array<{
    service: string;
    kind: 'service' | 'database' | 'queue' | 'external';
    requests: number;
    errorRatio: number;
    p95Ms: number;
    openAlerts: number;
  }>;
  edges: Array<{ from: string; to: string; requests: number; errorRatio: number; p95Ms: number }>;
  truncated: boolean;
}

// ---- Logs and metrics explorers: answers of /v1/logs, /v1/logs/histogram, /v1/metrics
// ---- and /v1/metrics/:name/series (see docs/logs-and-metrics.md).

export type SeverityLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface LogRecord {
  /** ISO 8601, millisecond precision. */
  time: string;
  service: string;
  /** The record's severity text, else its level name; '' when neither. */
  severity: string;
  /** 1-24 (TRACE 1-4 … FATAL 21-24); 0 when unknown. */
  severityNumber: number;
  body: string;
  /** '' without trace context. */
  traceId: string;
  spanId: string;
  attributes: Record<string, string>;
  resource: Record<string, string>;
}

export interface LogPage {
  /** Newest first. */
  logs: LogRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface LogHistogram {
  stepSeconds: number;
  /** Start (ms) of the first step still open when answered; null when none is. */
  partialFrom: number | null;
  points: Array<{
    /** Step start, ms since the epoch. */
    t: number;
    total: number;
    /** Records per level (SeverityLevel or 'UNSPECIFIED'); levels with none are absent. */
    bySeverity: Record<string, number>;
    partial?: boolean;
  }>;
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type MetricAggregation = 'avg' | 'sum' | 'min' | 'max' | 'rate' | 'p50' | 'p95' | 'p99';

export interface MetricInfo {
  name: string;
  type: MetricKind;
  /** UCUM as sent (s, ms, By, {request}, 1); '' when none. */
  unit: string;
  description: string;
  attributeKeys: string[];
  /** A sum that only grows (a counter). */
  monotonic: boolean;
  temporality: 'delta' | 'cumulative' | null;
  /** What agg may be; the first is the default. */
  aggregations: MetricAggregation[];
  services: string[];
}

export interface MetricList {
  metrics: MetricInfo[];
}

export interface ChartPoint {
  /** Step start, ms since the epoch. */
  t: number;
  /** null in a step without data. */
  value: number | null;
  /** The quantile fell in the open top bucket: the true value is at least this. */
  lowerBound?: boolean;
  /** The step is still open (draw it dashed). */
  partial?: boolean;
}

export interface MetricSeries {
  name: string;
  type: MetricKind;
  unit: string;
  agg: MetricAggregation;
  stepSeconds: number;
  partialFrom: number | null;
  points: ChartPoint[];
  /** With by=<attribute>: the largest groups first. */
  groups?: Array<{ key: string; points: ChartPoint[] }>;
}

// Declarations merged into the interfaces above: what the last step and the one
// definition of a request add to existing answers.

export interface ServiceSummary {
  /** Entry spans (SERVER or CONSUMER kind, or roots): the requests the service served. */
  requests: number;
  /** Requests that are errors. */
  errors: number;
  /** errors / requests; null without requests. */
  errorRatio: number | null;
  /** What the service sent in the range; a service with only metrics or logs has 0 spans. */
  signals: Array<'traces' | 'metrics' | 'logs'>;
  /** Distinct metric names it sent. */
  metrics: number;
  logRecords: number;
  /** Log records of severity ERROR or above. */
  logErrors: number;
}

export interface Sparklines {
  /** Start of the last step when it is still open (its rate is over the part passed). */
  partialFrom: number | null;
}

export interface SeriesPoint {
  /** The step is still open (draw it dashed). */
  partial?: boolean;
  /** A histogram quantile in the open top bucket: the value is at least this. */
  lowerBound?: boolean;
}

export interface Series {
  /** Start (ms) of the step still open, or null. */
  partialFrom: number | null;
}

/** GET /v1/logs/patterns */
export interface LogPatternList {
  /** Width of a bucket of `counts`, seconds (a multiple of 60). */
  bucketSeconds: number;
  /** Start of each bucket, ms. */
  buckets: number[];
  /** Start of the last bucket when it is still open, or null. */
  partialFrom: number | null;
  patterns: Array<{
    id: string;
    service: string;
    template: string;
    count: number;
    firstSeen: string;
    lastSeen: string;
    severity: string;
    severities: Record<string, number>;
    sample: string;
    /** Lines per bucket. */
    counts: number[];
  }>;
}
