import { z } from 'zod';
import { parseAllowList } from '../hooks/live/index.ts';
import { readRulesFile, type RemediationRule } from '../remediation/index.ts';
import { DEFAULT_WATCHED_METRICS } from '../signals/live/index.ts';
import { isRollupStep } from '../storage/index.ts';

/**
 * Every setting opsless reads, parsed once at start-up from the environment.
 * This is the only place that reads `process.env`; components receive plain options.
 * docs/configuration.md is generated from this schema (defaults) and config-reference.ts
 * (meanings): `npm run docs` after adding a variable.
 */
const port = z.coerce
  .number()
  .int('must be a whole number')
  .min(0, 'must be 0 (pick a free port) or a port number')
  .max(65535, 'must be at most 65535');

const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const DURATION_UNITS_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A duration such as `10s`, `1m`, `7d`, as milliseconds. */
const duration = z
  .string()
  .regex(/^\d+(s|m|h|d)$/, 'must be a duration such as 10s, 1m, 6h or 7d')
  .transform((text) => Number(text.slice(0, -1)) * DURATION_UNITS_MS[text.slice(-1)]!);

const bytes = z.coerce.number().int('must be a whole number of bytes').positive('must be > 0');

const schema = z.object({
  OPSLESS_DATA_DIR: z.string().min(1).default('./data'),
  CLICKHOUSE_URL: z
    .string()
    .url('must be a URL such as http://localhost:8123')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)')
    .default('default'),
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a cluster name (letters, digits, _ . -)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  OPSLESS_HOST: z.string().min(1).default('127.0.0.1'),
  OPSLESS_OTLP_HTTP_PORT: port.default(4318),
  OPSLESS_OTLP_GRPC_PORT: port.default(4317),
  OPSLESS_API_PORT: port.default(8080),
  OPSLESS_RETENTION_DAYS: z.coerce
    .number()
    .int('must be a whole number of days')
    .min(0, 'must be 0 (keep forever) or more')
    .default(30),
  OPSLESS_API_KEY: optionalSecret,
  OPSLESS_INGEST_KEY: optionalSecret,
  OPSLESS_MAX_BODY_BYTES: bytes.default(16 * 1024 * 1024),
  OPSLESS_API_MAX_BODY_BYTES: bytes
    .default(1024 * 1024)
    .describe('Largest API request body in bytes; larger ones get 413 while arriving.'),
  OPSLESS_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== ''),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[a-z0-9.-]+$/, 'is a comma-separated list of host names such as opsless.lan'),
      ),
    )
    .describe(
      'Host names the API answers to while OPSLESS_API_KEY is unset, besides OPSLESS_HOST, ' +
        "OPSLESS_PUBLIC_URL's host, localhost and IP addresses (the DNS-rebinding defence).",
    ),
  OPSLESS_BATCH_MAX_ROWS: z.coerce.number().int().positive().default(20_000),
  OPSLESS_BATCH_MAX_BYTES: bytes.default(8 * 1024 * 1024),
  OPSLESS_FLUSH_INTERVAL_MS: z.coerce.number().int().positive().default(200),
  OPSLESS_QUEUE_MAX_BYTES: bytes.default(128 * 1024 * 1024),
  OPSLESS_INSERT_RETRY_MS: z.coerce.number().int().min(0).default(2_000),
  OPSLESS_MAX_CONCURRENT_REQUESTS: z.coerce.number().int().positive().default(128),
  OPSLESS_LOG_PATTERNS: z
    .enum(['true', 'false', ''], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  OPSLESS_MAX_UPLOADS_IN_FLIGHT: z.coerce
    .number()
    .int('must be a whole number')
    .positive('must be > 0')
    .default(1024),
  OPSLESS_BODY_TIMEOUT_MS: z.coerce
    .number()
    .int('must be a whole number of milliseconds')
    .positive('must be > 0')
    .default(30_000),
  OPSLESS_BODY_MIN_BYTES_PER_SECOND: z.coerce
    .number()
    .int('must be a whole number of bytes')
    .min(0, 'must be 0 (unchecked) or more')
    .default(1024),
  OPSLESS_DETECT_STEP: duration
    .default(60_000)
    .refine(
      (ms) => isRollupStep(ms) && ms <= 3_600_000,
      'must be 10s to 1h, in whole multiples of 10s',
    ),
  OPSLESS_DETECT_LOOKBACK: duration.default(7 * 86_400_000),
  OPSLESS_DETECT_SETTLE: duration.default(15_000),
  OPSLESS_WEBHOOK_ALLOW: z
    .string()
    .default('')
    .superRefine((text, context) => {
      try {
        parseAllowList(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  OPSLESS_WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('5s,5m,30m,2h,5h,10h,14h,20h,24h')
    .transform((text) => text.split(',').map((part) => part.trim()))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^\d+(s|m|h|d)$/, 'is a comma-separated list of durations such as 5s,5m,2h'),
        )
        .min(1)
        .max(30, 'at most 30 retries'),
    )
    .transform((parts) =>
      parts.map((part) => Number(part.slice(0, -1)) * DURATION_UNITS_MS[part.slice(-1)]!),
    ),
  OPSLESS_ALERTMANAGER_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://alertmanager:9093' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  OPSLESS_ALERTMANAGER_RESEND: duration
    .default(60_000)
    .refine((ms) => ms >= 1_000, 'must be at least 1s'),
  OPSLESS_PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http(s) URL such as https://opsless.example.com',
    })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  OPSLESS_SCALING_POLICIES: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  OPSLESS_WATCH_METRICS: z
    .string()
    .default(DEFAULT_WATCHED_METRICS.join(','))
    .transform((text) =>
      text
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .max(200)
            .regex(/^[\w.\-/]+$/, 'metric names are letters, digits, _ . - /'),
        )
        .max(100, 'at most 100 watched metrics'),
    ),
  OPSLESS_REMEDIATION_RULES: z
    .string()
    .optional()
    .transform((path, context) => {
      if (path === undefined || path === '') return { path: undefined, rules: [] };
      try {
        return { path, rules: readRulesFile(path) };
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  OPSLESS_REMEDIATION_DISABLED: z
    .enum(['true', 'false', ''], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  OPSLESS_REMEDIATION_MAX_PER_HOUR: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 (no actions) or more')
    .default(10),
  OPSLESS_REMEDIATION_INTERVAL: duration
    .default(5_000)
    .refine((ms) => ms >= 1_000 && ms <= 600_000, 'must be 1s to 10m'),
  OPSLESS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

/** The environment's schema: every variable, its default and its checks. */
export const configSchema = schema;

export interface Config {
  dataDir: string;
  clickhouse: {
    url: string | undefined;
    user: string;
    password: string;
    database: string;
    cluster: string | undefined;
  };
  host: string;
  otlpHttpPort: number;
  otlpGrpcPort: number;
  apiPort: number;
  retentionDays: number;
  apiKey: string | undefined;
  /** Largest API request body, bytes. */
  apiMaxBodyBytes: number;
  /** Host names served while no API key is set (besides localhost and IP addresses). */
  allowedHosts: string[];
  ingestKey: string | undefined;
  /** Mine log bodies into patterns at ingest (OPSLESS_LOG_PATTERNS, default true). */
  logPatterns: boolean;
  ingest: {
    maxBodyBytes: number;
    batchMaxRows: number;
    batchMaxBytes: number;
    flushIntervalMs: number;
    queueMaxBytes: number;
    insertRetryMs: number;
    /**
     * OTLP requests decoded and stored at once (HTTP and gRPC; default 128). An HTTP
     * request takes its place once its body is complete; a gRPC call when its
     * metadata arrives (grpc-js inflates the message before the handler sees it).
     */
    maxConcurrentRequests: number;
    /** HTTP request bodies being received at once (default 1024); more get 429. */
    maxUploadsInFlight: number;
    /**
     * Time from a request's headers (gRPC: metadata) to its complete body, ms
     * (default 30 000); an HTTP client past it gets 408 and its connection closed,
     * a gRPC call DEADLINE_EXCEEDED.
     */
    bodyTimeoutMs: number;
    /**
     * Least bytes an HTTP body must bring in each second of its upload (default
     * 1024; 0 turns the check off); a slower client gets 408 and its connection closed.
     */
    bodyMinBytesPerSecond: number;
  };
  detect: {
    /** The detector step, ms: a whole number of rollup grains (10 s). */
    stepMs: number;
    lookbackMs: number;
    /** A step is evaluated this long after it ends, so late spans are in. */
    settleMs: number;
    /** Metric names whose series the detector watches per service. */
    watchedMetrics: string[];
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Webhook targets opened deliberately: CIDRs, addresses and host names, comma-separated. */
  webhookAllow: string;
  /** Waits between webhook delivery attempts, ms; after the last, the endpoint is disabled. */
  webhookRetryScheduleMs: number[];
  /** Alertmanager that firing alerts are pushed to, and how often they are re-sent. */
  alertmanager: { url: string; resendMs: number } | undefined;
  /** The UI as its users reach it, for links in alerts; default: the API address. */
  publicUrl: string | undefined;
  remediation: {
    /** The rules file (validated at start-up) and its rules, upserted into storage. */
    rulesFile: string | undefined;
    rules: RemediationRule[];
    /** The kill switch, engaged from the environment. */
    disabled: boolean;
    /** Actions of every rule together per hour. */
    maxActionsPerHour: number;
    /** Time between passes of the remediation loop, ms. */
    intervalMs: number;
  };
  /** A YAML or JSON file of scaling policies, applied at start-up. */
  scalingPoliciesFile: string | undefined;
}

/** Thrown when the environment holds an invalid setting; the message names each variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment (default: `process.env`) into a Config, or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      const shown = value === undefined || isSecret(name) ? '' : ` (got ${JSON.stringify(value)})`;
      return `  ${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    dataDir: e.OPSLESS_DATA_DIR,
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      user: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
      cluster: e.CLICKHOUSE_CLUSTER,
    },
    host: e.OPSLESS_HOST,
    otlpHttpPort: e.OPSLESS_OTLP_HTTP_PORT,
    otlpGrpcPort: e.OPSLESS_OTLP_GRPC_PORT,
    apiPort: e.OPSLESS_API_PORT,
    retentionDays: e.OPSLESS_RETENTION_DAYS,
    apiKey: e.OPSLESS_API_KEY,
    apiMaxBodyBytes: e.OPSLESS_API_MAX_BODY_BYTES,
    allowedHosts: e.OPSLESS_ALLOWED_HOSTS,
    ingestKey: e.OPSLESS_INGEST_KEY,
    logPatterns: e.OPSLESS_LOG_PATTERNS,
    ingest: {
      maxBodyBytes: e.OPSLESS_MAX_BODY_BYTES,
      batchMaxRows: e.OPSLESS_BATCH_MAX_ROWS,
      batchMaxBytes: e.OPSLESS_BATCH_MAX_BYTES,
      flushIntervalMs: e.OPSLESS_FLUSH_INTERVAL_MS,
      queueMaxBytes: e.OPSLESS_QUEUE_MAX_BYTES,
      insertRetryMs: e.OPSLESS_INSERT_RETRY_MS,
      maxConcurrentRequests: e.OPSLESS_MAX_CONCURRENT_REQUESTS,
      maxUploadsInFlight: e.OPSLESS_MAX_UPLOADS_IN_FLIGHT,
      bodyTimeoutMs: e.OPSLESS_BODY_TIMEOUT_MS,
      bodyMinBytesPerSecond: e.OPSLESS_BODY_MIN_BYTES_PER_SECOND,
    },
    detect: {
      stepMs: e.OPSLESS_DETECT_STEP,
      lookbackMs: e.OPSLESS_DETECT_LOOKBACK,
      settleMs: e.OPSLESS_DETECT_SETTLE,
      watchedMetrics: e.OPSLESS_WATCH_METRICS,
    },
    logLevel: e.OPSLESS_LOG_LEVEL,
    webhookAllow: e.OPSLESS_WEBHOOK_ALLOW,
    webhookRetryScheduleMs: e.OPSLESS_WEBHOOK_RETRY_SCHEDULE,
    alertmanager:
      e.OPSLESS_ALERTMANAGER_URL === undefined
        ? undefined
        : { url: e.OPSLESS_ALERTMANAGER_URL, resendMs: e.OPSLESS_ALERTMANAGER_RESEND },
    publicUrl: e.OPSLESS_PUBLIC_URL,
    remediation: {
      rulesFile: e.OPSLESS_REMEDIATION_RULES.path,
      rules: e.OPSLESS_REMEDIATION_RULES.rules,
      disabled: e.OPSLESS_REMEDIATION_DISABLED,
      maxActionsPerHour: e.OPSLESS_REMEDIATION_MAX_PER_HOUR,
      intervalMs: e.OPSLESS_REMEDIATION_INTERVAL,
    },
    scalingPoliciesFile: e.OPSLESS_SCALING_POLICIES,
  };
}

function isSecret(name: string): boolean {
  // URLs may carry credentials (user:password@host).
  return /KEY|PASSWORD|SECRET|TOKEN|_URL$/.test(name);
}
