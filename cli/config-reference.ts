import type { configSchema } from './config.ts';

/** How docs/configuration.md explains one variable; its default comes from the schema. */
export interface VariableReference {
  /** What it does, in a sentence or two (Markdown). */
  meaning: string;
  /** Shown instead of the schema's default when that is derived at start (Markdown). */
  defaultText?: string;
}

/**
 * The meaning of every variable of {@link configSchema}, in the order the documentation
 * lists them. Typed by the schema's keys, so a new variable does not type-check until it
 * is explained here.
 */
export const CONFIG_REFERENCE: Record<keyof typeof configSchema.shape, VariableReference> = {
  OPSLESS_DATA_DIR: {
    meaning: 'Directory of the embedded ClickHouse engine (`:memory:` keeps nothing).',
  },
  CLICKHOUSE_URL: {
    meaning: 'Use this ClickHouse server (e.g. `http://ch:8123`) instead of the embedded engine.',
  },
  CLICKHOUSE_USER: { meaning: 'Server user.' },
  CLICKHOUSE_PASSWORD: { meaning: 'Server password.' },
  CLICKHOUSE_DATABASE: {
    meaning: 'Server database; created if missing. The embedded engine always uses `default`.',
  },
  CLICKHOUSE_CLUSTER: {
    meaning: 'Cluster name: DDL runs `ON CLUSTER` with Replicated engines.',
  },
  OPSLESS_HOST: {
    meaning: 'Address every port listens on (`0.0.0.0` to accept remote senders).',
  },
  OPSLESS_OTLP_HTTP_PORT: {
    meaning: 'OTLP/HTTP port; `0` picks a free port (printed at start).',
  },
  OPSLESS_OTLP_GRPC_PORT: { meaning: 'OTLP/gRPC port; `0` picks a free port.' },
  OPSLESS_API_PORT: { meaning: 'API and UI port; `0` picks a free port.' },
  OPSLESS_RETENTION_DAYS: {
    meaning:
      'Telemetry, detector scores and webhook deliveries older than this are dropped (table TTL); `0` keeps them. Applied at each start.',
  },
  OPSLESS_API_KEY: {
    meaning: 'When set, `/v1/*` API calls and `/metrics` need `Authorization: Bearer <key>`.',
  },
  OPSLESS_API_MAX_BODY_BYTES: {
    meaning: 'Largest API request body; a larger one is refused with 413 while it arrives.',
  },
  OPSLESS_ALLOWED_HOSTS: {
    meaning:
      'Comma-separated host names the API also answers besides localhost, IP addresses, `OPSLESS_HOST` and the host of `OPSLESS_PUBLIC_URL`; other `Host` headers get 403 ([security](security.md)).',
  },
  OPSLESS_INGEST_KEY: {
    meaning:
      'When set, OTLP requests need `Authorization: Bearer <key>` (`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<key>`).',
  },
  OPSLESS_MAX_BODY_BYTES: {
    meaning: 'Largest OTLP request body, after gunzip; larger gets 413.',
  },
  OPSLESS_BATCH_MAX_ROWS: { meaning: 'Rows per ClickHouse insert, at most.' },
  OPSLESS_BATCH_MAX_BYTES: { meaning: 'Bytes per ClickHouse insert, at most.' },
  OPSLESS_FLUSH_INTERVAL_MS: {
    meaning:
      'Least time between two inserts into one table: rows arriving meanwhile wait (at most this long) and go together; a table quiet that long inserts at once. An OpenTelemetry SDK sends one batch (512 spans) at a time, so this also bounds what one process can send. `1000` halves the embedded engine’s CPU at 10k spans/s (see [benchmarks](benchmarks.md)).',
  },
  OPSLESS_QUEUE_MAX_BYTES: {
    meaning:
      'Memory for rows waiting to be stored; when full, OTLP requests get 429 with `Retry-After`.',
  },
  OPSLESS_INSERT_RETRY_MS: {
    meaning:
      'How long a failing insert is retried before its requests are answered 503 (retryable).',
  },
  OPSLESS_MAX_CONCURRENT_REQUESTS: {
    meaning:
      'OTLP requests (HTTP and gRPC) handled at once, counted from a complete body; more are refused at once with 429 / UNAVAILABLE.',
  },
  OPSLESS_LOG_PATTERNS: {
    meaning:
      'Mine log bodies into patterns at ingest and store each log row with its `PatternId` ([log patterns](log-patterns.md)).',
  },
  OPSLESS_MAX_UPLOADS_IN_FLIGHT: {
    meaning:
      'OTLP/HTTP bodies being received at once; more are refused with 429 ([ingest limits](ingest-limits.md)).',
  },
  OPSLESS_BODY_TIMEOUT_MS: {
    meaning:
      'A request body (HTTP) or message (gRPC) not complete this long after its headers is refused: 408 / DEADLINE_EXCEEDED.',
  },
  OPSLESS_BODY_MIN_BYTES_PER_SECOND: {
    meaning:
      'A body arriving slower than this (checked each second) is refused with 408; `0` turns the check off.',
  },
  OPSLESS_DETECT_STEP: {
    meaning:
      'Detector step: signals are evaluated per step (10s to 1h, multiples of 10s); also the default step of series.',
  },
  OPSLESS_DETECT_LOOKBACK: { meaning: 'History a new series learns its baseline from.' },
  OPSLESS_DETECT_SETTLE: {
    meaning:
      'A step is evaluated once data past its end is stored for the service (the ingest watermark), or, for a quiet service, once other services are this far past its end ([alerting rules](alerting.md)).',
  },
  OPSLESS_WEBHOOK_ALLOW: {
    meaning:
      'Webhook targets opened deliberately (CIDRs, addresses, host names, comma-separated); every internal address is refused otherwise, loopback included.',
  },
  OPSLESS_WEBHOOK_RETRY_SCHEDULE: {
    meaning:
      'Waits between webhook delivery attempts (±10%); after the last failure the endpoint is disabled.',
  },
  OPSLESS_ALERTMANAGER_URL: {
    meaning:
      'Alertmanager to push alerts to (see [alerts and webhooks](alerts-and-webhooks.md#alertmanager)).',
  },
  OPSLESS_ALERTMANAGER_RESEND: { meaning: 'How often firing alerts are re-sent to Alertmanager.' },
  OPSLESS_PUBLIC_URL: {
    meaning: 'The UI as its users reach it: links in alerts, Alertmanager and PagerDuty events.',
    defaultText: '`http://<OPSLESS_HOST>:<OPSLESS_API_PORT>`',
  },
  OPSLESS_SCALING_POLICIES: {
    meaning:
      'A YAML or JSON file of scaling policies (`{service: policy}`), applied at start; a bad file stops start naming the service and field.',
  },
  OPSLESS_WATCH_METRICS: {
    meaning: 'Metrics the detector watches per service (comma-separated).',
  },
  OPSLESS_REMEDIATION_RULES: {
    meaning:
      'A YAML or JSON file of remediation rules (a list, or `rules: [...]`), loaded at start; a bad file stops start naming the file, rule and field.',
  },
  OPSLESS_REMEDIATION_DISABLED: {
    meaning:
      '`true` engages the remediation kill switch: no runbook step runs, whatever the API’s switch says.',
  },
  OPSLESS_REMEDIATION_MAX_PER_HOUR: {
    meaning:
      'Remediation actions of all rules together in any hour; more are skipped (`rate limit`).',
  },
  OPSLESS_REMEDIATION_INTERVAL: {
    meaning:
      'How often the remediation loop looks at open alerts and moves runs on (`1s` to `10m`).',
  },
  OPSLESS_LOG_LEVEL: {
    meaning: '`fatal`, `error`, `warn`, `info`, `debug` or `trace`. Logs are JSON lines on stderr.',
  },
};
