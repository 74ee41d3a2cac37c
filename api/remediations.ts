import type { Hono } from 'hono';
import type { AllowList } from '../hooks/index.ts';
import { BlockedTargetError, checkTarget } from '../hooks/live/index.ts';
import {
  KillSwitchChange,
  RuleBody,
  RuleId,
  RunDecision,
  RunQuery,
  type KillSwitch,
  type RemediationRule,
  type RemediationStore,
} from '../remediation/index.ts';
import { ruleView } from '../remediation/live/index.ts';
import { ApiError, badRequest, notFound } from './errors.ts';
import { parseWith, readJsonBody } from './validation.ts';

export interface RemediationRoutesOptions {
  store: RemediationStore;
  now: () => number;
  /** Webhook step targets opened deliberately (`OPSLESS_WEBHOOK_ALLOW`). */
  allow: AllowList;
  /** `OPSLESS_REMEDIATION_DISABLED=true`: the kill switch is engaged whatever the API says. */
  killSwitchEnv: boolean;
}

/**
 * Remediation rules (create or replace by id, list, read, delete, rotate the secret), the
 * audit log of runs, approval and rejection, and the kill switch.
 */
export function registerRemediationRoutes(app: Hono, options: RemediationRoutesOptions): void {
  const { store } = options;
  const killSwitch = async (): Promise<KillSwitch> => {
    const setting = await store.killSwitch();
    return {
      engaged: options.killSwitchEnv || setting.engaged,
      engagedByEnvironment: options.killSwitchEnv,
      by: setting.by,
      updatedAt: setting.updatedAt,
    };
  };
  const ruleIdOf = (id: string): string => parseWith(RuleId, id, 'rule id');
  const guard = async (rule: RemediationRule): Promise<void> => {
    for (const [index, step] of rule.steps.entries()) {
      if (step.type !== 'webhook') continue;
      try {
        await checkTarget(step.url, { allow: options.allow });
      } catch (error) {
        if (error instanceof BlockedTargetError) {
          throw badRequest(`invalid body: steps.${index}.url: ${error.message}`);
        }
        throw error;
      }
    }
  };

  app.get('/v1/remediations/rules', async (c) =>
    c.json({ rules: (await store.listRules()).map(ruleView) }),
  );

  app.put('/v1/remediations/rules/:id', async (c) => {
    const id = ruleIdOf(c.req.param('id'));
    const body = parseWith(RuleBody, await readJsonBody(c.req.raw), 'body');
    if (body.id !== undefined && body.id !== id) {
      throw badRequest(`invalid body: id: is "${body.id}" but the path says "${id}"`);
    }
    const rule: RemediationRule = { ...body, id };
    await guard(rule);
    const result = await store.putRule(rule, options.now());
    return result.created
      ? c.json({ ...result.rule, secret: result.secret }, 201)
      : c.json(result.rule, 200);
  });

  app.get('/v1/remediations/rules/:id', async (c) => {
    const stored = await store.getRule(c.req.param('id'));
    if (!stored) throw notFound(`no remediation rule with id ${c.req.param('id')}`);
    return c.json(ruleView(stored));
  });

  app.delete('/v1/remediations/rules/:id', async (c) => {
    if (!(await store.removeRule(c.req.param('id'), options.now()))) {
      throw notFound(`no remediation rule with id ${c.req.param('id')}`);
    }
    return c.body(null, 204);
  });

  app.post('/v1/remediations/rules/:id/rotate-secret', async (c) => {
    const rotated = await store.rotateSecret(c.req.param('id'), options.now());
    if (!rotated) throw notFound(`no remediation rule with id ${c.req.param('id')}`);
    return c.json({ ...rotated.rule, secret: rotated.secret });
  });

  app.get('/v1/remediations/kill-switch', async (c) => c.json(await killSwitch()));

  app.put('/v1/remediations/kill-switch', async (c) => {
    const change = parseWith(
      KillSwitchChange,
      await readJsonBody(c.req.raw, { example: '{"engaged":true,"by":"ada"}' }),
      'body',
    );
    await store.setKillSwitch(change.engaged, change.by ?? 'api', options.now());
    return c.json(await killSwitch());
  });

  app.get('/v1/remediations', async (c) => {
    const query = parseWith(RunQuery, c.req.query(), 'query');
    return c.json({ remediations: await store.listRuns(query) });
  });

  app.get('/v1/remediations/:id', async (c) => {
    const run = await store.getRun(c.req.param('id'));
    if (!run) throw notFound(`no remediation with id ${c.req.param('id')}`);
    return c.json(run);
  });

  for (const action of ['approve', 'reject'] as const) {
    app.post(`/v1/remediations/:id/${action}`, async (c) => {
      const body = await readJsonBody(c.req.raw, { optional: true, example: '{"by":"ada"}' });
      const by = parseWith(RunDecision, body, 'body').by ?? 'api';
      if (action === 'approve' && (await killSwitch()).engaged) {
        if (!(await store.getRun(c.req.param('id')))) {
          throw notFound(`no remediation with id ${c.req.param('id')}`);
        }
        throw new ApiError(
          409,
          'conflict',
          'the remediation kill switch is engaged: nothing runs until it is released',
        );
      }
      const result =
        action === 'approve'
          ? await store.approve(c.req.param('id'), by)
          : await store.reject(c.req.param('id'), by, options.now());
      if (!result.ok) {
        throw result.reason === 'not_found'
          ? notFound(result.message)
          : new ApiError(409, 'conflict', result.message);
      }
      return c.json(result.run);
    });
  }
}
