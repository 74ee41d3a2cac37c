import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { durationMs, metricKey, parseScalingPolicy } from './policy.ts';

const SERVERLESS_SHAPE =
  '{"minReplicas":0,"maxReplicas":100,"metrics":[{"type":"cpu","target":70},{"type":"request","target":1000},' +
  '{"type":"queue_depth","target":100}],"predictive":{"enabled":true,"lookahead":"2h"}}';

function errorsOf(input: unknown): string[] {
  const parsed = parseScalingPolicy(input);
  if (parsed.ok) throw new Error(`expected errors, got ${JSON.stringify(parsed.policy)}`);
  return parsed.errors;
}

describe('scaling policy', () => {
  it('accepts the shape teams write for serverless platforms and fills the Kubernetes defaults', () => {
    const parsed = parseScalingPolicy(JSON.parse(SERVERLESS_SHAPE));
    expect(parsed).toEqual({
      ok: true,
      policy: {
        minReplicas: 0,
        maxReplicas: 100,
        metrics: [
          { type: 'cpu', target: 70 },
          { type: 'request', target: 1000 },
          { type: 'queue_depth', target: 100 },
        ],
        predictive: {
          enabled: true,
          lookahead: '2h',
          mode: 'forecastAndScale',
          startupDelay: '5m',
          targetShareOfCapacity: 0.7,
        },
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Pods', value: 4, periodSeconds: 15 },
              { type: 'Percent', value: 100, periodSeconds: 15 },
            ],
          },
          scaleDown: {
            stabilizationWindowSeconds: 300,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
          },
        },
        tolerance: 0.1,
      },
    });
  });

  it('reads the same policy from YAML, with an actuator that is a dry run unless told otherwise', () => {
    const parsed = parseScalingPolicy(
      parseYaml(`
minReplicas: 2
maxReplicas: 20
metrics:
  - type: metric
    name: messaging.queue.depth
    target: 30
actuator:
  url: https://scaler.example.com/hook
`),
    );
    expect(parsed.ok && parsed.policy.actuator).toEqual({
      url: 'https://scaler.example.com/hook',
      dryRun: true,
    });
    expect(parsed.ok && parsed.policy.predictive.enabled).toBe(false);
    expect(parsed.ok && metricKey(parsed.policy.metrics[0]!)).toBe('metric:messaging.queue.depth');
  });

  it('merges a partial behavior with the defaults of each direction, as Kubernetes does', () => {
    const parsed = parseScalingPolicy({
      maxReplicas: 10,
      metrics: [{ type: 'cpu', target: 60 }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    });
    expect(parsed.ok && parsed.policy.minReplicas).toBe(1);
    expect(parsed.ok && parsed.policy.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 60,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
    expect(parsed.ok && parsed.policy.behavior.scaleUp.policies).toHaveLength(2);
  });

  it('rejects minReplicas above maxReplicas, naming both values', () => {
    expect(
      errorsOf({ minReplicas: 5, maxReplicas: 2, metrics: [{ type: 'cpu', target: 70 }] }),
    ).toEqual(['minReplicas: must not exceed maxReplicas (5 > 2)']);
  });

  it('rejects a second target for the same metric', () => {
    expect(
      errorsOf({
        maxReplicas: 3,
        metrics: [
          { type: 'request', target: 10 },
          { type: 'request', target: 20 },
        ],
      }),
    ).toEqual([
      'metrics.1: repeats the target of metrics.0 (request); give each metric one target',
    ]);
  });

  it('rejects a watched-metric target without a name, and a name on any other type', () => {
    expect(
      errorsOf({
        maxReplicas: 3,
        metrics: [
          { type: 'metric', target: 10 },
          { type: 'cpu', target: 50, name: 'x' },
        ],
      }),
    ).toEqual([
      'metrics.0.name: is required for type "metric" (the watched metric to scale on)',
      'metrics.1.name: only a target of type "metric" has a name (this one is "cpu")',
    ]);
  });

  it('rejects scale to zero on CPU alone, which could never scale up again', () => {
    expect(
      errorsOf({ minReplicas: 0, maxReplicas: 3, metrics: [{ type: 'cpu', target: 50 }] }),
    ).toEqual([
      expect.stringMatching(
        /^minReplicas: can be 0 only with a request, queue_depth or metric target/,
      ),
    ]);
  });

  it('says which field is wrong and why for bad values', () => {
    const errors = errorsOf({
      minReplicas: -1,
      maxReplicas: 2.5,
      metrics: [{ type: 'memory', target: 0 }],
      predictive: { enabled: 'yes', lookahead: '2 hours', mode: 'always' },
      behavior: { scaleUp: { policies: [] }, scaleDown: { stabilizationWindowSeconds: 7200 } },
      tolerance: 1.5,
      actuator: { url: 'ftp://scaler.example.com/' },
    });
    const fields = errors.map((error) => error.slice(0, error.indexOf(':')));
    expect(fields).toEqual([
      'minReplicas',
      'maxReplicas',
      'metrics.0.type',
      'metrics.0.target',
      'predictive.enabled',
      'predictive.lookahead',
      'predictive.mode',
      'behavior.scaleUp.policies',
      'behavior.scaleDown.stabilizationWindowSeconds',
      'tolerance',
      'actuator.url',
    ]);
    expect(errors).toContain(
      'predictive.lookahead: must be a duration such as 30s, 15m or 2h; got "2 hours"',
    );
    expect(errors).toContain('actuator.url: must be an http or https URL');
  });

  it('rejects a lookahead beyond 48 hours and an unknown field (a typo) by name', () => {
    expect(
      errorsOf({
        maxReplicas: 3,
        minReplica: 1,
        metrics: [{ type: 'request', target: 1 }],
        predictive: { enabled: true, lookahead: '3d' },
      }),
    ).toEqual([
      'predictive.lookahead: lookahead must be between 60s and 48h; got "3d"',
      'policy: Unrecognized key: "minReplica"',
    ]);
  });

  it('rejects a target share of capacity outside (0, 1], by name', () => {
    const withShare = (targetShareOfCapacity: number) =>
      errorsOf({
        maxReplicas: 3,
        metrics: [{ type: 'request', target: 1 }],
        predictive: { enabled: true, targetShareOfCapacity },
      });
    expect(withShare(0)).toEqual([
      'predictive.targetShareOfCapacity: Too small: expected number to be >0',
    ]);
    expect(withShare(1.5)).toEqual([
      'predictive.targetShareOfCapacity: Too big: expected number to be <=1',
    ]);
    const whole = parseScalingPolicy({
      maxReplicas: 3,
      metrics: [{ type: 'request', target: 1 }],
      predictive: { enabled: true, targetShareOfCapacity: 1 },
    });
    expect(whole.ok && whole.policy.predictive.targetShareOfCapacity).toBe(1);
  });

  it('rejects a policy without metric targets', () => {
    expect(errorsOf({ maxReplicas: 3, metrics: [] })).toEqual([
      'metrics: needs at least one metric target',
    ]);
  });

  it('reads durations in s, m, h and d', () => {
    expect([durationMs('30s'), durationMs('5m'), durationMs('2h'), durationMs('1d')]).toEqual([
      30_000, 300_000, 7_200_000, 86_400_000,
    ]);
    expect(durationMs('2 h')).toBeNaN();
  });
});
