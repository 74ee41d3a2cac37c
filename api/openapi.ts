import { z } from 'zod';
import { Alert, AlertList, AlertQuery, AlertTransition } from '../alerts/index.ts';
import {
  Webhook,
  WebhookCreate,
  WebhookList,
  WebhookPatch,
  WebhookWithSecret,
} from '../hooks/index.ts';

/** The error body every route answers with. */
export const ErrorBody = z.object({
  error: z.string().describe('A stable code, e.g. bad_request'),
  message: z.string(),
});

export const ServiceList = z.object({
  services: z.array(
    z.object({
      name: z.string(),
      spans: z.number().int(),
      errorSpans: z.number().int(),
      p50Ms: z.number(),
      p95Ms: z.number(),
      p99Ms: z.number(),
      status: z
        .enum(['learning', 'ok', 'anomalous'])
        .describe(
          'learning until the detector has seen enough steps; anomalous while an alert is open or acknowledged',
        ),
      openAlerts: z.number().int().describe('Alerts open or acknowledged.'),
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
  return {
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
          responses: { '200': { description: 'Ready' }, '503': { description: 'Starting' } },
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
            ...errors(401),
          },
        },
      },
      '/v1/services': {
        get: {
          summary: 'What each service did in a time range',
          parameters: queryParameters(TimeRangeQuery),
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
    },
  };
}
