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
