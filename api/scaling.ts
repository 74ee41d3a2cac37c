import type { Hono } from 'hono';
import { z } from 'zod';
import type { AllowList } from '../hooks/index.ts';
import { BlockedTargetError, checkTarget } from '../hooks/live/index.ts';
import {
  metricKey,
  parseScalingPolicy,
  type CapacityEstimate,
  type ScalingPolicy,
} from '../scaling/index.ts';
import type { ScalingStore, StoredPolicy } from '../scaling/index.ts';
import { badRequest, notFound } from './errors.ts';
import { parseWith, readJsonBody } from './validation.ts';

export interface ScalingRoutesOptions {
  store: ScalingStore;
  now: () => number;
  /** Actuator URLs opened deliberately (`OPSLESS_WEBHOOK_ALLOW`). */
  allow: AllowList;
}

export const CurrentReplicas = z.strictObject({
  replicas: z.int().min(0).max(100_000),
  by: z.string().min(1).max(200).optional().describe('Who reports it; defaults to "api".'),
});

export const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const SERVICE = /^[^\s/][^/]{0,255}$/;

/** A policy as the API shows it: never its secret. */
function visible(stored: StoredPolicy) {
  return {
    service: stored.service,
    policy: stored.policy,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}

/**
 * Scaling: policies per service, the current decision with its forecast, the reported
 * replica count, a KEDA metrics-api endpoint, and the decision log.
 */
export function registerScalingRoutes(app: Hono, options: ScalingRoutesOptions): void {
  const service = (name: string): string => {
    if (!SERVICE.test(name)) throw badRequest(`invalid service name ${JSON.stringify(name)}`);
    return name;
  };
  const policyOf = async (name: string): Promise<StoredPolicy> => {
    const stored = await options.store.policy(service(name));
    if (!stored) throw notFound(`no scaling policy for ${name}; PUT /v1/scaling/policies/${name}`);
    return stored;
  };

  app.put('/v1/scaling/policies/:service', async (c) => {
    const name = service(c.req.param('service'));
    const parsed = parseScalingPolicy(await readJsonBody(c.req.raw));
    if (!parsed.ok) throw badRequest(`invalid policy: ${parsed.errors.join('; ')}`);
    if (parsed.policy.actuator) {
      try {
        await checkTarget(parsed.policy.actuator.url, { allow: options.allow });
      } catch (error) {
        if (error instanceof BlockedTargetError) {
          throw badRequest(`invalid policy: actuator.url: ${error.message}`);
        }
        throw error;
      }
    }
    const { stored, created } = await options.store.putPolicy(name, parsed.policy, options.now());
    // The actuator's signing secret is shown once, when the policy is created.
    return created
      ? c.json({ ...visible(stored), secret: stored.secret }, 201)
      : c.json(visible(stored), 200);
  });

  app.get('/v1/scaling/policies', async (c) =>
    c.json({ policies: (await options.store.policies()).map(visible) }),
  );

  app.get('/v1/scaling/policies/:service', async (c) =>
    c.json(visible(await policyOf(c.req.param('service')))),
  );

  app.delete('/v1/scaling/policies/:service', async (c) => {
    const name = service(c.req.param('service'));
    if (!(await options.store.deletePolicy(name, options.now()))) {
      throw notFound(`no scaling policy for ${name}`);
    }
    return c.body(null, 204);
  });

  app.get('/v1/scaling/:service', async (c) => {
    const stored = await policyOf(c.req.param('service'));
    const latest = await options.store.latest(stored.service);
    if (!latest) {
      return c.json({
        service: stored.service,
        decision: null,
        message: 'no decision yet: the first is made after the next complete step',
      });
    }
    return c.json({
      service: stored.service,
      time: latest.time,
      current: latest.current,
      currentSource: latest.currentSource,
      desired: { reactive: latest.reactive, predictive: latest.predictive, final: latest.final },
      reasons: latest.reasons,
      forecast: latest.forecast,
      capacity: capacityView(stored.policy, latest.capacity),
      dryRun: latest.dryRun,
    });
  });

  app.put('/v1/scaling/:service/current', async (c) => {
    const stored = await policyOf(c.req.param('service'));
    const body = parseWith(CurrentReplicas, await readJsonBody(c.req.raw), 'body');
    const reported = {
      replicas: body.replicas,
      reportedAt: new Date(options.now()).toISOString(),
      by: body.by ?? 'api',
    };
    await options.store.report(stored.service, reported, options.now());
    return c.json({ service: stored.service, ...reported });
  });

  // KEDA's metrics-api scaler reads one number; with `targetValue: "1"` the HPA it drives
  // runs the replicas opsless decided (see the ScaledObject in docs/scaling.md).
  app.get('/v1/scaling/:service/keda', async (c) => {
    const stored = await policyOf(c.req.param('service'));
    const latest = await options.store.latest(stored.service);
    const desired = latest?.final ?? stored.policy.minReplicas;
    return c.json({
      service: stored.service,
      value: desired,
      desiredReplicas: desired,
      time: latest?.time ?? null,
    });
  });

  app.get('/v1/scaling/:service/history', async (c) => {
    const stored = await policyOf(c.req.param('service'));
    const query = parseWith(HistoryQuery, c.req.query(), 'query');
    return c.json({ decisions: await options.store.history(stored.service, query.limit) });
  });
}

/**
 * What one replica carries for the policy's first request-rate target (else its first
 * target): learned when confident, else what the policy's target implies.
 */
function capacityView(
  policy: ScalingPolicy,
  learned: Record<string, CapacityEstimate> | undefined,
): {
  perReplica: number;
  unit: string;
  confidence: number;
  basis: 'saturation' | 'latency' | 'policy';
  samples: number;
} {
  const target = policy.metrics.find((t) => t.type === 'request') ?? policy.metrics[0]!;
  const estimate = learned?.[metricKey(target)];
  const unit = target.type === 'request' ? 'requests/s' : target.type === 'cpu' ? 'CPU %' : 'units';
  if (estimate && estimate.perReplica !== null && estimate.basis !== 'none') {
    return {
      perReplica: estimate.perReplica,
      unit,
      confidence: estimate.confidence,
      basis: estimate.basis,
      samples: estimate.samples,
    };
  }
  return {
    perReplica: target.target / policy.predictive.targetShareOfCapacity,
    unit,
    confidence: estimate?.confidence ?? 0,
    basis: 'policy',
    samples: estimate?.samples ?? 0,
  };
}
