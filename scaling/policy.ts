import { z } from 'zod';

/**
 * A scaling policy per service, in the shape operators already write: the HPA's
 * min/max, metric targets and `behavior`, plus AWS-style predictive settings. Defaults
 * are the Kubernetes ones (autoscaling/v2 SetDefaults), so a policy that names only
 * min, max and targets behaves as a default HPA would.
 */

/**
 * The share of a replica's capacity its targets stand for, unless a policy says otherwise
 * (`predictive.targetShareOfCapacity`): targets are conventionally set at 70% of what a
 * replica can serve (the usual 70% CPU target), so a replica is taken to saturate at
 * target / 0.7. The predictive noise envelope guards against saturation, not against
 * running above the target, which the reactive HPA corrects. bench/scaling.ts sizes its
 * replicas the same way; were its targets 80% of capacity, its cut would be 44% rather
 * than 51.5% (at 0.6, 51.6%).
 */
export const TARGET_SHARE_OF_CAPACITY = 0.7;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(s|m|h|d)$/;

/** `30s`, `5m`, `2h`, `1d` as milliseconds; NaN when malformed. */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
}

const HOUR_MS = UNIT_MS.h!;

const duration = (what: string, minMs: number, maxMs: number) =>
  z.string().superRefine((text, context) => {
    const ms = durationMs(text);
    if (Number.isNaN(ms)) {
      context.addIssue({
        code: 'custom',
        message: `must be a duration such as 30s, 15m or 2h; got "${text}"`,
      });
    } else if (ms < minMs || ms > maxMs) {
      context.addIssue({
        code: 'custom',
        message: `${what} must be between ${minMs / 1000}s and ${maxMs / HOUR_MS}h; got "${text}"`,
      });
    }
  });

export const METRIC_TYPES = ['cpu', 'request', 'queue_depth', 'metric'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

const MetricTarget = z
  .strictObject({
    type: z
      .enum(METRIC_TYPES)
      .describe(
        'cpu: average utilisation in % of one replica; request: requests per second per replica; ' +
          'queue_depth: queued items per replica; metric: a watched metric, per replica.',
      ),
    target: z.number().positive().finite().describe('The value per replica the scaler aims at.'),
    name: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('The watched metric, e.g. messaging.queue.depth (type metric only).'),
  })
  .superRefine((metric, context) => {
    if (metric.type === 'metric' && metric.name === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'is required for type "metric" (the watched metric to scale on)',
      });
    }
    if (metric.type !== 'metric' && metric.name !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['name'],
        message: `only a target of type "metric" has a name (this one is "${metric.type}")`,
      });
    }
  });
export type MetricTarget = z.infer<typeof MetricTarget>;

/** The key a metric's readings and forecasts go by: its type, or `metric:<name>`. */
export function metricKey(metric: { type: MetricType; name?: string | undefined }): string {
  return metric.type === 'metric' ? `metric:${metric.name ?? ''}` : metric.type;
}

const HpaScalingPolicy = z.strictObject({
  type: z.enum(['Pods', 'Percent']),
  value: z.int().positive().describe('Pods, or percent of the replicas at the period start.'),
  periodSeconds: z.int().min(1).max(1800),
});
export type HpaScalingPolicy = z.infer<typeof HpaScalingPolicy>;

/** One direction's rules with that direction's Kubernetes defaults for every field left out. */
function scalingRules(defaults: {
  stabilizationWindowSeconds: number;
  policies: HpaScalingPolicy[];
}) {
  return z
    .strictObject({
      stabilizationWindowSeconds: z
        .int()
        .min(0)
        .max(3600)
        .default(defaults.stabilizationWindowSeconds),
      selectPolicy: z
        .enum(['Max', 'Min', 'Disabled'])
        .default('Max')
        .describe(
          'Max: the policy allowing the largest change; Min: the smallest; Disabled: none.',
        ),
      policies: z
        .array(HpaScalingPolicy)
        .min(1, 'needs at least one policy (leave the field out for the defaults)')
        .max(10)
        .default(defaults.policies),
    })
    .prefault({});
}

const Behavior = z
  .strictObject({
    scaleUp: scalingRules({
      stabilizationWindowSeconds: 0,
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    }),
    scaleDown: scalingRules({
      stabilizationWindowSeconds: 300,
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    }),
  })
  .prefault({});
export type Behavior = z.infer<typeof Behavior>;
export type ScalingRules = Behavior['scaleUp'];

const Predictive = z
  .strictObject({
    enabled: z.boolean().default(false),
    lookahead: duration('lookahead', 60_000, 48 * HOUR_MS)
      .default('2h')
      .describe('How far ahead the forecast reaches (1m to 48h).'),
    mode: z
      .enum(['forecastOnly', 'forecastAndScale'])
      .default('forecastAndScale')
      .describe('forecastOnly reports the predictive count; forecastAndScale also acts on it.'),
    startupDelay: duration('startupDelay', 0, HOUR_MS)
      .default('5m')
      .describe('How long a new replica takes to serve: scale-out starts this long before a rise.'),
    targetShareOfCapacity: z
      .number()
      .gt(0)
      .max(1)
      .default(TARGET_SHARE_OF_CAPACITY)
      .describe(
        'The share of what a replica can serve that its targets stand for (0.7: a target is 70% of capacity).',
      ),
  })
  .prefault({});

const Actuator = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
  dryRun: z.boolean().default(true).describe('Record decisions without sending them (default).'),
});

export const ScalingPolicy = z
  .strictObject({
    minReplicas: z.int().min(0).max(100_000).default(1),
    maxReplicas: z.int().min(1).max(100_000),
    metrics: z.array(MetricTarget).min(1, 'needs at least one metric target').max(16),
    predictive: Predictive,
    behavior: Behavior,
    tolerance: z
      .number()
      .min(0)
      .max(0.99)
      .default(0.1)
      .describe('No change while |1 - current/target| is at most this.'),
    actuator: Actuator.optional(),
  })
  .superRefine((policy, context) => {
    if (policy.minReplicas > policy.maxReplicas) {
      context.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        message: `must not exceed maxReplicas (${policy.minReplicas} > ${policy.maxReplicas})`,
      });
    }
    const seen = new Map<string, number>();
    policy.metrics.forEach((metric, index) => {
      const key = metricKey(metric);
      const first = seen.get(key);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['metrics', index],
          message: `repeats the target of metrics.${first} (${key}); give each metric one target`,
        });
      } else seen.set(key, index);
    });
    if (policy.minReplicas === 0 && policy.metrics.every((metric) => metric.type === 'cpu')) {
      context.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        message:
          'can be 0 only with a request, queue_depth or metric target: CPU is not measured at zero replicas, so nothing could scale the service up again',
      });
    }
  });
/** A validated policy with every default filled in. */
export type ScalingPolicy = z.infer<typeof ScalingPolicy>;
/** What a user may write: defaults left out. */
export type ScalingPolicyInput = z.input<typeof ScalingPolicy>;

export type PolicyParse = { ok: true; policy: ScalingPolicy } | { ok: false; errors: string[] };

/** Validates a policy (parsed JSON or YAML); errors read `path: what is wrong`. */
export function parseScalingPolicy(input: unknown): PolicyParse {
  const parsed = ScalingPolicy.safeParse(input);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || 'policy'}: ${issue.message}`,
    ),
  };
}
