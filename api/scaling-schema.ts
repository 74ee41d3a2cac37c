import { z } from 'zod';
import { ScalingPolicy } from '../scaling/index.ts';

/** What the scaling routes answer, for the OpenAPI document. */

/** A policy as the API shows it: never its secret. */
export const PolicyView = z.object({
  service: z.string(),
  policy: ScalingPolicy,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const PolicyWithSecret = PolicyView.extend({
  secret: z.string().describe('Signs the actuator calls; shown only when the policy is created.'),
});

export const PolicyList = z.object({ policies: z.array(PolicyView) });

const ForecastPoint = z.object({
  timestampMs: z.number(),
  expected: z.number(),
  lower: z.number(),
  upper: z.number(),
});

export const ScalingStatus = z.union([
  z.object({
    service: z.string(),
    decision: z.null(),
    message: z.string().describe('Why there is no decision yet.'),
  }),
  z.object({
    service: z.string(),
    time: z.string().describe('ISO 8601 time of the decision.'),
    current: z.number().int(),
    currentSource: z.enum(['reported', 'observed']),
    desired: z.object({
      reactive: z.number().int(),
      predictive: z.number().int().nullable(),
      final: z.number().int(),
    }),
    reasons: z.array(z.string()),
    forecast: z.record(z.string(), z.array(ForecastPoint)).describe('By target metric.'),
    capacity: z
      .object({
        perReplica: z.number().describe('What one replica carries, in `unit`.'),
        unit: z.string(),
        confidence: z.number().describe('0–1: how far the evidence supports a learned value.'),
        basis: z
          .enum(['saturation', 'latency', 'policy'])
          .describe('Learned from overloaded steps or latency, or assumed from the target.'),
        samples: z.number().int().describe('Telemetry steps kept for learning.'),
      })
      .describe("The policy's first request target (else its first target)."),
    dryRun: z.boolean(),
  }),
]);

export const ReportedReplicas = z.object({
  service: z.string(),
  replicas: z.number().int(),
  reportedAt: z.string(),
  by: z.string(),
});

export const KedaValue = z.object({
  service: z.string(),
  value: z.number().int().describe('The desired replicas (use targetValue "1").'),
  desiredReplicas: z.number().int(),
  time: z.string().nullable().describe('Time of the decision; null before the first.'),
});

export const DecisionList = z.object({
  decisions: z.array(
    z.object({
      service: z.string(),
      time: z.string(),
      current: z.number().int(),
      reactive: z.number().int(),
      predictive: z.number().int().nullable(),
      final: z.number().int(),
      previous: z.number().int(),
      reasons: z.array(z.string()),
      source: z.string().describe('scaler (the policy) or remediation (a runbook step).'),
      dryRun: z.boolean(),
      outcome: z.string().describe('dry-run, sent, failed or no-actuator.'),
      detail: z.string(),
    }),
  ),
});
