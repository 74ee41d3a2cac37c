import type { Hono } from 'hono';
import { AlertQuery, AlertTransition, type AlertStore } from '../alerts/index.ts';
import { ApiError, notFound } from './errors.ts';
import { parseDuration } from './time-range.ts';
import { parseWith, readJsonBody } from './validation.ts';

export interface AlertRoutesOptions {
  store: AlertStore;
  now: () => number;
  /** Told of every acknowledgement and resolution, e.g. to notify webhook subscribers. */
  onTransition?: (
    alert: Awaited<ReturnType<AlertStore['get']>> & object,
    to: 'acknowledged' | 'resolved',
  ) => Promise<void>;
}

/** `GET /v1/alerts`, `GET /v1/alerts/:id`, `POST /v1/alerts/:id/ack` and `/resolve`. */
export function registerAlertRoutes(app: Hono, options: AlertRoutesOptions): void {
  app.get('/v1/alerts', async (c) => {
    const query = parseWith(AlertQuery, c.req.query(), 'query');
    const openedAfterMs = options.now() - parseDuration(query.since ?? '7d', 'since');
    const alerts = await options.store.list({
      status: query.status,
      service: query.service,
      openedAfterMs,
      limit: query.limit,
    });
    return c.json({ alerts });
  });

  app.get('/v1/alerts/:id', async (c) => {
    const alert = await options.store.get(c.req.param('id'));
    if (!alert) throw notFound(`no alert with id ${c.req.param('id')}`);
    return c.json(alert);
  });

  for (const [action, to] of [
    ['ack', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const) {
    app.post(`/v1/alerts/:id/${action}`, async (c) => {
      const body = await readJsonBody(c.req.raw, { optional: true, example: '{"by":"ada"}' });
      const { by } = parseWith(AlertTransition, body, 'body');
      const result = await options.store.transition(
        c.req.param('id'),
        to,
        by ?? 'api',
        options.now(),
      );
      if (!result.ok) {
        throw result.reason === 'not_found'
          ? notFound(result.message)
          : new ApiError(409, 'conflict', result.message);
      }
      if (result.changed) await options.onTransition?.(result.alert, to);
      return c.json(result.alert);
    });
  }
}
