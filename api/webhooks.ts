import type { Hono } from 'hono';
import {
  BlockedTargetError,
  checkTarget,
  WebhookCreate,
  WebhookPatch,
  type AllowList,
  type WebhookStore,
} from '../hooks/index.ts';
import { badRequest, notFound } from './errors.ts';
import { parseWith } from './validation.ts';

export interface WebhookRoutesOptions {
  store: WebhookStore;
  now: () => number;
  /** Targets opened deliberately (`OPSLESS_WEBHOOK_ALLOW`); everything internal is refused. */
  allow: AllowList;
  /** How long the previous secret keeps signing after a rotation (default 24 h). */
  rotationOverlapMs?: number;
}

/** Webhook subscriptions: create, list, read, change, delete, rotate the secret. */
export function registerWebhookRoutes(app: Hono, options: WebhookRoutesOptions): void {
  const guard = async (url: string | undefined): Promise<void> => {
    if (url === undefined) return;
    try {
      await checkTarget(url, { allow: options.allow });
    } catch (error) {
      if (error instanceof BlockedTargetError) {
        throw badRequest(`url: ${error.message}`);
      }
      throw error;
    }
  };

  app.post('/v1/webhooks', async (c) => {
    const input = parseWith(WebhookCreate, await readJson(c.req.raw), 'body');
    await guard(input.url);
    const { webhook, secret } = await options.store.create(input, options.now());
    return c.json({ ...webhook, secret }, 201);
  });

  app.get('/v1/webhooks', async (c) => c.json({ webhooks: await options.store.list() }));

  app.get('/v1/webhooks/:id', async (c) => {
    const webhook = await options.store.get(c.req.param('id'));
    if (!webhook) throw notFound(`no webhook with id ${c.req.param('id')}`);
    const { secrets: _secrets, previousSecretUntilMs: _until, ...visible } = webhook;
    return c.json(visible);
  });

  app.patch('/v1/webhooks/:id', async (c) => {
    const patch = parseWith(WebhookPatch, await readJson(c.req.raw), 'body');
    await guard(patch.url);
    const webhook = await options.store.update(c.req.param('id'), patch, options.now());
    if (!webhook) throw notFound(`no webhook with id ${c.req.param('id')}`);
    return c.json(webhook);
  });

  app.delete('/v1/webhooks/:id', async (c) => {
    if (!(await options.store.remove(c.req.param('id'), options.now()))) {
      throw notFound(`no webhook with id ${c.req.param('id')}`);
    }
    return c.body(null, 204);
  });

  app.post('/v1/webhooks/:id/rotate-secret', async (c) => {
    const rotated = await options.store.rotate(
      c.req.param('id'),
      options.now(),
      options.rotationOverlapMs ?? 86_400_000,
    );
    if (!rotated) throw notFound(`no webhook with id ${c.req.param('id')}`);
    return c.json({ ...rotated.webhook, secret: rotated.secret });
  });
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw badRequest('the body must be JSON');
  }
}
