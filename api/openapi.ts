import { z } from 'zod';
import { ScalingPolicy } from '../scaling/index.ts';
import { CurrentReplicas, HistoryQuery } from './scaling.ts';
import {
  DecisionList,
  KedaValue,
  PolicyList,
  PolicyView,
  PolicyWithSecret,
  ReportedReplicas,
  ScalingStatus,
} from './scaling-schema.ts';
import { Alert, AlertList, AlertQuery, AlertTransition } from '../alerts/index.ts';
import {
  KillSwitch,
  KillSwitchChange,
  RemediationRun,
  RuleBody,
  RuleList,
  RuleView,
  RuleWithSecret,
  RunDecision,
  RunList,
  RunQuery,
} from '../remediation/index.ts';
import {
  Webhook,
  WebhookCreate,
  WebhookList,
  WebhookPatch,
  WebhookWithSecret,
} from '../hooks/index.ts';
import { AlertDeliveryList } from './alert-deliveries.ts';
import { WebhookTestDelivery } from './webhooks.ts';
import { DemoAction, DemoIncident, DemoStory } from './demo.ts';
import { Info } from './info.ts';
import { LogPatternList, LogPatternQuery } from './log-patterns.ts';
import { OperationList, OperationQuery } from './operations.ts';
import { ServiceMap, ServiceMapQuery } from './service-map.ts';
import { SeriesQuery, SeriesResponse } from './series.ts';
import { SparklineQuery, SparklineResponse } from './sparklines.ts';
import { Trace, TraceList, TraceSearchQuery } from './trace-schema.ts';
import { LogHistogram, LogHistogramQuery, LogPage, LogSearchQuery } from './log-schema.ts';
import { MetricList, MetricListQuery, MetricSeries, MetricSeriesQuery } from './metric-schema.ts';

/** The error body every route answers with. */
export const ErrorBody = z.object({
  error: z.string().describe('A stable code, e.g. bad_request'),
  message: z.string(),
});

export const ServiceList = z.object({
  services: z.array(
    z.object({
      name: z.string(),
      spans: z.number().int().describe('Every span, child spans included.'),
      errorSpans: z.number().int(),
      requests: z
        .number()
        .int()
        .describe('Entry spans: SERVER or CONSUMER kind, or roots (no parent).'),
      errors: z.number().int().describe('Requests that are errors.'),
      errorRatio: z.number().nullable().describe('errors / requests; null without requests.'),
      p50Ms: z.number(),
      p95Ms: z.number(),
      p99Ms: z.number(),
      status: z
        .enum(['learning', 'ok', 'anomalous'])
        .describe(
          'learning until the detector has seen enough steps; anomalous while an alert is open or acknowledged',
        ),
      openAlerts: z.number().int().describe('Alerts open or acknowledged.'),
      environments: z
        .array(z.string())
        .describe('deployment.environment.name values of its telemetry (at most 10).'),
      signals: z
        .array(z.enum(['traces', 'metrics', 'logs']))
        .describe('What it sent in the range; a service with only metrics or logs is listed.'),
      metrics: z.number().int().describe('Distinct metric names it sent.'),
      logRecords: z.number().int(),
      logErrors: z.number().int().describe('Log records of severity ERROR or above.'),
    }),
  ),
});

const TimeRangeQuery = z.object({
  since: z
    .string()
    .optional()
    .describe('A duration back from now: 30s, 15m, 6h, 7d (default 15m).'),
  from: z.string().optional().describe('ISO 8601 start; with `to` instead of `since`.'),
  to: z.string().optional().describe('ISO 8601 end (default now).'),
});

type Schema = z.ZodType;

const json = (schema: Schema) => ({
  content: {
    'application/json': {
      schema: z.toJSONSchema(schema, {
        target: 'draft-2020-12',
        io: 'output',
        unrepresentable: 'any',
      }),
    },
  },
});
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [String(code), { description: 'Error', ...json(ErrorBody) }]),
  );

/** Query parameters of an object schema, as OpenAPI parameters. */
function queryParameters(schema: z.ZodObject): object[] {
  const jsonSchema = z.toJSONSchema(schema, { io: 'input' }) as {
    properties: Record<string, object>;
    required?: string[];
  };
  return Object.entries(jsonSchema.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: jsonSchema.required?.includes(name) ?? false,
    schema: property,
  }));
}

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const serviceParameter = {
  name: 'service',
  in: 'path',
  required: true,
  schema: { type: 'string' },
};

/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas the routes
 * validate with, so the two cannot drift apart.
 */
export function openApiDocument(): object {
  const transition = (verb: string) => ({
    post: {
      summary: `${verb} an alert`,
      parameters: [idParameter],
      requestBody: { required: false, ...json(AlertTransition) },
      responses: {
        '200': { description: 'The alert after the change', ...json(Alert) },
        ...errors(400, 401, 404, 409),
      },
    },
  });
  return withGuardAnswers({
    openapi: '3.1.0',
    info: {
      title: 'opsless API',
      version: '0.1.0',
      description: 'Services, anomalies, alerts and webhook subscriptions.',
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    security: [{ apiKey: [] }],
    paths: {
      '/healthz': {
        get: {
          summary: 'Readiness',
          security: [],
          responses: {
            '200': { description: 'Ready', ...json(z.object({ status: z.literal('ok') })) },
            '503': {
              description: 'Starting',
              ...json(z.object({ status: z.literal('starting') })),
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: {
            '200': {
              description: 'The OpenAPI 3.1 document',
              ...json(
                z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
              ),
            },
          },
        },
      },
      '/metrics': {
        get: {
          summary: "opsless's own metrics (Prometheus text format)",
          responses: {
            '200': {
              description: 'Metrics',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...errors(401, 404),
          },
        },
      },
      '/v1/services': {
        get: {
          summary: 'What each service did in a time range',
          parameters: queryParameters(
            TimeRangeQuery.extend({
              environment: z
                .string()
                .optional()
                .describe('Only spans of this deployment.environment.name.'),
            }),
          ),
          responses: {
            '200': { description: 'Services', ...json(ServiceList) },
            ...errors(400, 401),
          },
        },
      },
      '/v1/alerts': {
        get: {
          summary: 'Alerts, newest first',
          parameters: queryParameters(AlertQuery),
          responses: { '200': { description: 'Alerts', ...json(AlertList) }, ...errors(400, 401) },
        },
      },
      '/v1/alerts/{id}': {
        get: {
          summary: 'One alert',
          parameters: [idParameter],
          responses: { '200': { description: 'The alert', ...json(Alert) }, ...errors(401, 404) },
        },
      },
      '/v1/alerts/{id}/ack': transition('Acknowledge'),
      '/v1/alerts/{id}/resolve': transition('Resolve'),
      '/v1/webhooks': {
        get: {
          summary: 'Webhook subscriptions (without their secrets)',
          responses: {
            '200': { description: 'Subscriptions', ...json(WebhookList) },
            ...errors(401),
          },
        },
        post: {
          summary: 'Subscribe a URL to events; the signing secret is shown in this answer only',
          requestBody: { required: true, ...json(WebhookCreate) },
          responses: {
            '201': { description: 'The subscription and its secret', ...json(WebhookWithSecret) },
            ...errors(400, 401),
          },
        },
      },
      '/v1/webhooks/{id}': {
        get: {
          summary: 'One subscription',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The subscription', ...json(Webhook) },
            ...errors(401, 404),
          },
        },
        patch: {
          summary: 'Change a subscription (enabled: true re-enables a disabled endpoint)',
          parameters: [idParameter],
          requestBody: { required: true, ...json(WebhookPatch) },
          responses: {
            '200': { description: 'The subscription after the change', ...json(Webhook) },
            ...errors(400, 401, 404),
          },
        },
        delete: {
          summary: 'Delete a subscription',
          parameters: [idParameter],
          responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
        },
      },
      '/v1/scaling/policies': {
        get: {
          summary: 'Every scaling policy (without actuator secrets)',
          responses: {
            '200': { description: 'The policies', ...json(PolicyList) },
            ...errors(401),
          },
        },
      },
      '/v1/scaling/policies/{service}': {
        put: {
          summary:
            'Create or replace the scaling policy of a service; on creation the actuator secret is shown once',
          parameters: [serviceParameter],
          requestBody: { required: true, ...json(ScalingPolicy) },
          responses: {
            '200': { description: 'Replaced', ...json(PolicyView) },
            '201': {
              description: 'Created, with the actuator signing secret',
              ...json(PolicyWithSecret),
            },
            ...errors(400, 401),
          },
        },
        get: {
          summary: 'The scaling policy of a service',
          parameters: [serviceParameter],
          responses: {
            '200': { description: 'The policy', ...json(PolicyView) },
            ...errors(400, 401, 404),
          },
        },
        delete: {
          summary: 'Delete the scaling policy of a service',
          parameters: [serviceParameter],
          responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 404) },
        },
      },
      '/v1/scaling/{service}': {
        get: {
          summary:
            'Current replicas, desired replicas (reactive, predictive, final), reasons and the forecast',
          parameters: [serviceParameter],
          responses: {
            '200': {
              description: 'The newest decision, or decision: null before the first',
              ...json(ScalingStatus),
            },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/scaling/{service}/current': {
        put: {
          summary: 'Report the replicas a service really runs (trusted for an hour)',
          parameters: [serviceParameter],
          requestBody: { required: true, ...json(CurrentReplicas) },
          responses: {
            '200': { description: 'Recorded', ...json(ReportedReplicas) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/scaling/{service}/keda': {
        get: {
          summary:
            'For a KEDA metrics-api trigger: {"value": desired replicas} (use targetValue "1")',
          parameters: [serviceParameter],
          responses: {
            '200': { description: 'The value', ...json(KedaValue) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/scaling/{service}/history': {
        get: {
          summary: 'Changes of the desired replicas and what the actuator did, newest first',
          parameters: [serviceParameter, ...queryParameters(HistoryQuery)],
          responses: {
            '200': { description: 'The decisions', ...json(DecisionList) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/webhooks/{id}/test': {
        post: {
          summary: 'Queue a webhook.test event for this subscription alone',
          parameters: [idParameter],
          responses: {
            '202': { description: 'The queued delivery', ...json(WebhookTestDelivery) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/v1/webhooks/{id}/deliveries': {
        get: {
          summary: "The subscription's newest deliveries (at most 200) and their attempts",
          parameters: [idParameter],
          responses: {
            '200': { description: 'Deliveries', ...json(AlertDeliveryList) },
            ...errors(401, 404),
          },
        },
      },
      '/v1/webhooks/{id}/rotate-secret': {
        post: {
          summary: 'A new signing secret; the old one keeps signing for 24 hours',
          parameters: [idParameter],
          responses: {
            '200': {
              description: 'The subscription and its new secret',
              ...json(WebhookWithSecret),
            },
            ...errors(401, 404),
          },
        },
      },
      ...remediationPaths(),
      ...observabilityPaths(),
      ...logPaths(),
      ...infoAndDemoPaths(),
    },
  });
}

const STATE_CHANGING = ['post', 'put', 'patch', 'delete'];

/**
 * Adds what the request guards answer on every route (request-guards.ts): 403 for a
 * foreign host name or origin while no API key is set and, where a body may come,
 * 413 (too large) and 415 (not JSON).
 */
function withGuardAnswers<Document extends { paths: Record<string, object> }>(
  document: Document,
): Document {
  for (const operations of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const { responses } = operation as { responses: Record<string, object> };
      Object.assign(responses, {
        '403': {
          description: 'Without OPSLESS_API_KEY: a host name or origin this server does not serve',
          ...json(ErrorBody),
        },
        ...(STATE_CHANGING.includes(method)
          ? {
              '413': {
                description: 'The body is over OPSLESS_API_MAX_BODY_BYTES',
                ...json(ErrorBody),
              },
              '415': { description: 'A body that is not application/json', ...json(ErrorBody) },
            }
          : {}),
      });
    }
  }
  return document;
}

/** What the UI reads besides services and alerts: series, operations, traces, deliveries. */
function observabilityPaths(): Record<string, object> {
  const nameParameter = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
  return {
    '/v1/services/sparklines': {
      get: {
        summary: "Every service's rate, error ratio and p95/p99 in a few steps, in one answer",
        parameters: queryParameters(SparklineQuery),
        responses: {
          '200': { description: 'Sparklines', ...json(SparklineResponse) },
          ...errors(400, 401),
        },
      },
    },
    '/v1/services/{name}/series': {
      get: {
        summary: "A signal per step with the detector's expected value, band and score",
        parameters: [nameParameter, ...queryParameters(SeriesQuery)],
        responses: {
          '200': { description: 'The series', ...json(SeriesResponse) },
          ...errors(400, 401),
        },
      },
    },
    '/v1/services/{name}/operations': {
      get: {
        summary: "A service's busiest entry operations with rate, errors and latency",
        parameters: [nameParameter, ...queryParameters(OperationQuery)],
        responses: {
          '200': { description: 'Operations', ...json(OperationList) },
          ...errors(400, 401),
        },
      },
    },
    '/v1/service-map': {
      get: {
        summary: 'Services, what they call and how those calls fare in a time range',
        parameters: queryParameters(ServiceMapQuery),
        responses: {
          '200': { description: 'The service map', ...json(ServiceMap) },
          ...errors(400, 401),
        },
      },
    },
    '/v1/logs/patterns': {
      get: {
        summary: 'Log patterns seen in a time range with their line counts, most frequent first',
        parameters: queryParameters(LogPatternQuery),
        responses: {
          '200': { description: 'Patterns', ...json(LogPatternList) },
          ...errors(400, 401),
        },
      },
    },
    '/v1/alerts/{id}/deliveries': {
      get: {
        summary: "The webhook deliveries of an alert's events, oldest first",
        parameters: [idParameter],
        responses: {
          '200': { description: 'Deliveries', ...json(AlertDeliveryList) },
          ...errors(401, 404),
        },
      },
    },
    '/v1/traces': {
      get: {
        summary:
          'Traces with a span matching every filter, newest first (at most 7 days, 500 traces a page; nextCursor for the next)',
        parameters: queryParameters(TraceSearchQuery).map((parameter) =>
          (parameter as { name: string }).name === 'attribute'
            ? { ...parameter, style: 'form', explode: true }
            : parameter,
        ),
        responses: { '200': { description: 'Traces', ...json(TraceList) }, ...errors(400, 401) },
      },
    },
    '/v1/traces/{traceId}': {
      get: {
        summary:
          'Every span of one trace (at most 10,000), found through the trace-id lookup table',
        parameters: [
          {
            name: 'traceId',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' },
          },
        ],
        responses: {
          '200': { description: 'The trace', ...json(Trace) },
          ...errors(400, 401, 404),
        },
      },
    },
  };
}

/** Log search and volume (`attr.<key>=<value>` filters are named by their key), and metrics. */
function logPaths(): Record<string, object> {
  const attrNote =
    ' Add attr.<key>=<value> (at most 5) to keep records whose log or resource attribute <key> has that value.';
  return {
    '/v1/logs': {
      get: {
        summary: 'Log records matching every filter, newest first, a page at a time',
        description: `Full-text q over the body uses the body's token index.${attrNote}`,
        parameters: queryParameters(LogSearchQuery),
        responses: {
          '200': { description: 'A page of records', ...json(LogPage) },
          ...errors(400, 401),
        },
      },
    },
    '/v1/metrics': {
      get: {
        summary: 'Every metric sent in a time range, with its kind, unit and attribute keys',
        parameters: queryParameters(MetricListQuery),
        responses: { '200': { description: 'Metrics', ...json(MetricList) }, ...errors(400, 401) },
      },
    },
    '/v1/metrics/{name}/series': {
      get: {
        summary: 'One metric per step (and per attribute value), the open step marked partial',
        parameters: [
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          ...queryParameters(MetricSeriesQuery),
        ],
        responses: {
          '200': { description: 'The series', ...json(MetricSeries) },
          ...errors(400, 401, 404),
        },
      },
    },
    '/v1/logs/histogram': {
      get: {
        summary: 'Log records per step and severity level, the open step marked partial',
        description: `The same filters as /v1/logs.${attrNote}`,
        parameters: queryParameters(LogHistogramQuery),
        responses: {
          '200': { description: 'Volume per step', ...json(LogHistogram) },
          ...errors(400, 401),
        },
      },
    },
  };
}

/** This deployment, and the demo's story (served only while `opsless demo` runs). */
function infoAndDemoPaths(): Record<string, object> {
  return {
    '/v1/info': {
      get: {
        summary: 'The version, the OTLP endpoints, the detector step, whether the demo runs',
        responses: { '200': { description: 'Info', ...json(Info) }, ...errors(401) },
      },
    },
    '/v1/demo': {
      get: {
        summary: "The demo's incidents and their state (only while `opsless demo` runs)",
        responses: {
          '200': { description: 'The story', ...json(DemoStory) },
          ...errors(401, 404),
        },
      },
    },
    '/v1/demo/incidents/{id}': {
      post: {
        summary:
          'Run a demo incident now, or skip a scheduled one (only while `opsless demo` runs)',
        parameters: [idParameter],
        requestBody: { required: true, ...json(DemoAction) },
        responses: {
          '200': { description: 'The incident after the change', ...json(DemoIncident) },
          ...errors(400, 401, 404, 409),
        },
      },
    },
  };
}

/** Remediation rules, runs (the audit log), approvals and the kill switch. */
function remediationPaths(): Record<string, object> {
  const decision = (verb: string, effect: string) => ({
    post: {
      summary: `${verb} a remediation waiting for approval (${effect})`,
      parameters: [idParameter],
      requestBody: { required: false, ...json(RunDecision) },
      responses: {
        '200': { description: 'The remediation after the decision', ...json(RemediationRun) },
        ...errors(400, 401, 404, 409),
      },
    },
  });
  return {
    '/v1/remediations': {
      get: {
        summary: 'The remediation audit log, newest first',
        parameters: queryParameters(RunQuery),
        responses: { '200': { description: 'Runs', ...json(RunList) }, ...errors(400, 401) },
      },
    },
    '/v1/remediations/{id}': {
      get: {
        summary: 'One remediation run, its steps and their results',
        parameters: [idParameter],
        responses: {
          '200': { description: 'The run', ...json(RemediationRun) },
          ...errors(401, 404),
        },
      },
    },
    '/v1/remediations/{id}/approve': decision(
      'Approve',
      'it runs at the next pass; 409 unless pending_approval or while the kill switch is engaged',
    ),
    '/v1/remediations/{id}/reject': decision('Reject', '409 unless pending_approval'),
    '/v1/remediations/rules': {
      get: {
        summary: 'Remediation rules (without their secrets)',
        responses: { '200': { description: 'Rules', ...json(RuleList) }, ...errors(401) },
      },
    },
    '/v1/remediations/rules/{id}': {
      put: {
        summary:
          'Create or replace a rule; on creation the secret that signs its webhook steps is shown once',
        parameters: [idParameter],
        requestBody: { required: true, ...json(RuleBody) },
        responses: {
          '200': { description: 'Replaced (the secret is kept)', ...json(RuleView) },
          '201': { description: 'Created, with its secret', ...json(RuleWithSecret) },
          ...errors(400, 401),
        },
      },
      get: {
        summary: 'One rule',
        parameters: [idParameter],
        responses: { '200': { description: 'The rule', ...json(RuleView) }, ...errors(401, 404) },
      },
      delete: {
        summary: 'Delete a rule (its runs stay in the audit log)',
        parameters: [idParameter],
        responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
      },
    },
    '/v1/remediations/rules/{id}/rotate-secret': {
      post: {
        summary: 'A new secret for the webhook steps of a rule; the old one stops signing at once',
        parameters: [idParameter],
        responses: {
          '200': { description: 'The rule and its new secret', ...json(RuleWithSecret) },
          ...errors(401, 404),
        },
      },
    },
    '/v1/remediations/kill-switch': {
      get: {
        summary: 'Whether remediations are stopped',
        responses: {
          '200': { description: 'The kill switch', ...json(KillSwitch) },
          ...errors(401),
        },
      },
      put: {
        summary: 'Stop (engaged: true) or allow remediations',
        requestBody: { required: true, ...json(KillSwitchChange) },
        responses: {
          '200': { description: 'The kill switch after the change', ...json(KillSwitch) },
          ...errors(400, 401),
        },
      },
    },
  };
}
