import type { ClickHouseClient } from '@clickhouse/client';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AlertStore } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import { bearerMatches } from '../collector/index.ts';
import { registerAlertRoutes, type AlertRoutesOptions } from './alerts.ts';
import { openApiDocument } from './openapi.ts';
import type { AllowList } from '../hooks/index.ts';
import { createWebhookStore, parseAllowList } from '../hooks/live/index.ts';
import { registerWebhookRoutes } from './webhooks.ts';
import { registerSeriesRoutes } from './series.ts';
import { registerRemediationRoutes } from './remediations.ts';
import { createRemediationStore } from '../remediation/live/index.ts';
import { registerScalingRoutes } from './scaling.ts';
import { createScalingStore } from '../scaling/live/index.ts';
import { registerAlertDeliveryRoutes } from './alert-deliveries.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerDemoRoutes, type DemoControl } from './demo.ts';
import { registerInfoRoute, type InfoOptions } from './info.ts';
import { registerOperationRoutes } from './operations.ts';
import { registerSparklineRoutes } from './sparklines.ts';
import { registerTraceRoutes } from './traces.ts';
import { registerRequestGuards } from './request-guards.ts';
import { registerLogPatternRoutes } from './log-patterns.ts';
import { registerServiceMapRoutes } from './service-map.ts';
import { registerLogRoutes } from './logs.ts';
import { registerMetricRoutes } from './metrics.ts';
import { ApiError } from './errors.ts';
import { listServices } from './services.ts';
import { parseTimeRange } from './time-range.ts';

/** The step of series when the detector's is not given, ms. */
const DEFAULT_STEP_MS = 60_000;

export interface ApiOptions {
  client: ClickHouseClient;
  /** Bearer token required on `/v1/*`; open when undefined. */
  apiKey?: string | undefined;
  /** False until storage is migrated and ready. */
  isReady: () => boolean;
  logger: Logger;
  /** Metrics served on `/metrics` in Prometheus text format. */
  registry?: Registry;
  /** Alerts (default: the alert store on `client`). */
  alerts?: AlertStore;
  onAlertTransition?: AlertRoutesOptions['onTransition'];
  /** The detector step, ms: the default step of series, and what `/v1/info` says (default 60 s). */
  stepMs?: number;
  /** Webhook targets opened deliberately (`OPSLESS_WEBHOOK_ALLOW`; default none). */
  webhookAllow?: AllowList;
  /** `OPSLESS_REMEDIATION_DISABLED=true`: the remediation kill switch is engaged (default false). */
  remediationDisabled?: boolean;
  /** What `GET /v1/info` says of the other roles: their OTLP endpoints. */
  info?: InfoOptions;
  /** The demo's story, steered through `/v1/demo` (only `opsless demo` passes one). */
  demo?: DemoControl;
  /** Largest request body, bytes (`OPSLESS_API_MAX_BODY_BYTES`; default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * Host names served while no API key is set, besides localhost and IP addresses
   * (`OPSLESS_HOST`, the public URL's host, `OPSLESS_ALLOWED_HOSTS`; default none).
   */
  allowedHosts?: readonly string[];
  now?: () => number;
}

/** The default of `OPSLESS_API_MAX_BODY_BYTES`: 1 MiB. */
export const DEFAULT_API_MAX_BODY_BYTES = 1024 * 1024;

/** The HTTP API as a Hono app; `app.request()` serves it without a socket in tests. */
export function createApi(options: ApiOptions): Hono {
  const now = options.now ?? (() => Date.now());
  const app = new Hono();
  registerRequestGuards(app, {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_API_MAX_BODY_BYTES,
    browserDefences: options.apiKey === undefined,
    allowedHosts: options.allowedHosts ?? [],
  });
  const requireKey = (authorization: string | undefined): void => {
    if (options.apiKey !== undefined && !bearerMatches(authorization, options.apiKey)) {
      throw new ApiError(
        401,
        'unauthorized',
        'missing or wrong API key: send "Authorization: Bearer <OPSLESS_API_KEY>"',
      );
    }
  };

  app.get('/healthz', (c) =>
    options.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503),
  );

  app.use('/v1/*', async (c, next) => {
    requireKey(c.req.header('authorization'));
    await next();
  });

  app.get('/metrics', async (c) => {
    requireKey(c.req.header('authorization'));
    if (!options.registry)
      throw new ApiError(404, 'not_found', 'no metrics registry in this process');
    return c.text(await options.registry.metrics(), 200, {
      'content-type': options.registry.contentType,
    });
  });

  app.get('/openapi.json', (c) => c.json(openApiDocument()));

  registerInfoRoute(app, {
    ...options.info,
    stepMs: options.stepMs ?? DEFAULT_STEP_MS,
    demo: options.demo !== undefined,
  });
  if (options.demo) registerDemoRoutes(app, options.demo);

  const alerts = options.alerts ?? createAlertStore(options.client);
  registerAlertRoutes(app, { store: alerts, now, onTransition: options.onAlertTransition });
  registerAlertDeliveryRoutes(app, { client: options.client, store: alerts });

  registerWebhookRoutes(app, {
    client: options.client,
    store: createWebhookStore(options.client),
    now,
    allow: options.webhookAllow ?? parseAllowList(''),
  });

  registerScalingRoutes(app, {
    store: createScalingStore(options.client),
    now,
    allow: options.webhookAllow ?? parseAllowList(''),
  });

  registerRemediationRoutes(app, {
    store: createRemediationStore(options.client),
    now,
    allow: options.webhookAllow ?? parseAllowList(''),
    killSwitchEnv: options.remediationDisabled ?? false,
  });

  registerSeriesRoutes(app, {
    client: options.client,
    now,
    defaultStepMs: options.stepMs ?? DEFAULT_STEP_MS,
  });

  registerSparklineRoutes(app, { client: options.client, now });
  registerOperationRoutes(app, { client: options.client, now });
  registerTraceRoutes(app, { client: options.client, now });
  registerLogPatternRoutes(app, { client: options.client, now });
  registerServiceMapRoutes(app, { client: options.client, now });
  registerLogRoutes(app, { client: options.client, now });
  registerMetricRoutes(app, { client: options.client, now });

  app.get('/v1/services', async (c) => {
    const range = parseTimeRange(c.req.query(), now());
    const environment = c.req.query('environment') || undefined;
    return c.json({ services: await listServices(options.client, range, { environment }) });
  });

  registerDashboardRoutes(app);

  app.notFound((c) =>
    c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json({ error: error.code, message: error.message }, error.status);
    }
    if (error instanceof HTTPException) {
      return c.json({ error: 'http_error', message: error.message }, error.status);
    }
    options.logger.error({ err: error, path: c.req.path }, 'API request failed');
    return c.json({ error: 'internal', message: 'internal error; see the opsless log' }, 500);
  });

  return app;
}
