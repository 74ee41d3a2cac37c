import { describe, expect, it } from 'vitest';
import { sampleAlert } from '../test/support/alerts.ts';
import { parseRule, ruleMatches, ruleService, signalMatches } from './rule.ts';
import type { RemediationRule } from './schema.ts';

const valid = (input: unknown): RemediationRule => {
  const parsed = parseRule(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.rule;
};
const errors = (input: unknown): string[] => {
  const parsed = parseRule(input);
  return parsed.ok ? [] : parsed.errors;
};

describe('remediation rules', () => {
  it('fills in the documented defaults', () => {
    expect(
      valid({ id: 'r1', match: {}, steps: [{ type: 'webhook', url: 'https://ops.example/x' }] }),
    ).toEqual({
      id: 'r1',
      match: { service: '*', signal: '*', forSeconds: 0 },
      steps: [{ type: 'webhook', url: 'https://ops.example/x', timeoutSeconds: 10 }],
      mode: 'dryRun',
      cooldownSeconds: 1800,
      maxActionsPerHour: 3,
      verifyWithinSeconds: 600,
    });
  });

  it('accepts every step type and mode', () => {
    const rule = valid({
      id: 'rollback.checkout-v2',
      description: 'roll back to the previous service.version',
      match: { service: 'checkout', signal: 'latency_*', minSeverity: 'critical', forSeconds: 300 },
      steps: [
        {
          type: 'webhook',
          url: 'http://deploy/rollback',
          timeoutSeconds: 60,
          body: { to: 'prev' },
        },
        { type: 'scale', by: 2 },
        { type: 'scale', replicas: 0 },
        { type: 'notify' },
      ],
      mode: 'auto',
    });
    expect(rule.steps.map((step) => step.type)).toEqual(['webhook', 'scale', 'scale', 'notify']);
  });

  it('names each invalid field and what is wrong', () => {
    expect(
      errors({
        id: 'bad id!',
        match: { signal: 'latency p99', minSeverity: 'info', forSeconds: -1 },
        steps: [
          { type: 'webhook', url: 'ftp://example.com', timeoutSeconds: 61 },
          { type: 'scale', by: 1, replicas: 3 },
          { type: 'scale' },
          { type: 'page' },
        ],
        mode: 'yolo',
        cooldownSeconds: 1.5,
        extra: true,
      }),
    ).toEqual([
      expect.stringMatching(/^id: is 1 to 100 letters, digits/),
      expect.stringMatching(/^match\.signal: is a signal \(latency_p99\), a prefix ending in \*/),
      expect.stringMatching(/^match\.minSeverity: /),
      expect.stringMatching(/^match\.forSeconds: /),
      'steps.0.url: must be an http or https URL',
      'steps.0.timeoutSeconds: must be at most 60',
      'steps.1.by: a scale step has either "by" or "replicas", not both nor neither',
      'steps.2.by: a scale step has either "by" or "replicas", not both nor neither',
      expect.stringMatching(/^steps\.3\.type: /),
      expect.stringMatching(/^mode: /),
      'cooldownSeconds: must be a whole number of seconds',
      expect.stringMatching(/^rule: Unrecognized key: "extra"/),
    ]);
    expect(errors({ id: 'r', match: {}, steps: [] })).toEqual(['steps: needs at least one step']);
    expect(errors({ id: 'r', steps: [{ type: 'notify' }] })).toEqual([
      expect.stringMatching(/^match: /),
    ]);
  });

  it('matches a signal exactly, by prefix, or any', () => {
    expect(signalMatches('latency_p99', 'latency_p99')).toBe(true);
    expect(signalMatches('latency_p99', 'latency_p95')).toBe(false);
    expect(signalMatches('latency_*', 'latency_p95')).toBe(true);
    expect(signalMatches('latency_*', 'error_ratio')).toBe(false);
    expect(signalMatches('metric:*', 'metric:queue.depth')).toBe(true);
    expect(signalMatches('*', 'error_ratio')).toBe(true);
  });

  it('matches open alerts of the service, signal and severity, once open long enough', () => {
    const nowMs = Date.parse('2026-11-24T12:00:00Z'); // the sample alert opened 10 min before
    const rule = valid({
      id: 'r',
      match: { service: 'checkout', signal: 'error_*', minSeverity: 'warning', forSeconds: 600 },
      steps: [{ type: 'notify' }],
    });
    const alert = sampleAlert({ signal: 'latency_p99', signals: ['latency_p99', 'error_ratio'] });
    expect(ruleMatches(rule, alert, nowMs)).toBe(true);
    expect(ruleMatches(rule, alert, nowMs - 1)).toBe(false); // open 1 ms short of 600 s
    expect(ruleMatches(rule, { ...alert, service: 'cart' }, nowMs)).toBe(false);
    expect(ruleMatches(rule, { ...alert, signals: ['latency_p99'] }, nowMs)).toBe(false);
    expect(ruleMatches(rule, { ...alert, severity: 'info' }, nowMs)).toBe(false);
    expect(ruleMatches(rule, { ...alert, status: 'acknowledged' }, nowMs)).toBe(false);
    expect(ruleMatches(rule, { ...alert, status: 'resolved' }, nowMs)).toBe(false);
    const critical = { ...rule, match: { ...rule.match, minSeverity: 'critical' as const } };
    expect(ruleMatches(critical, alert, nowMs)).toBe(false);
    expect(ruleMatches(critical, { ...alert, severity: 'critical' }, nowMs)).toBe(true);
    const everyService = valid({ id: 'all', match: {}, steps: [{ type: 'notify' }] });
    expect(ruleMatches(everyService, { ...alert, service: 'cart', severity: 'info' }, nowMs)).toBe(
      true,
    );
  });

  it("answers an incident across services for any of its services, acting on the rule's", () => {
    const nowMs = Date.parse('2026-11-24T12:00:00Z');
    const rollback = valid({
      id: 'rollback',
      match: { service: 'checkout', signal: 'latency_*' },
      steps: [{ type: 'notify' }],
    });
    // Paged on the caller first; the callee's own alarm joined it.
    const joined = sampleAlert({ service: 'frontend', services: ['frontend', 'checkout'] });
    expect(ruleService(rollback, joined, nowMs)).toBe('checkout');
    expect(ruleService(rollback, { ...joined, services: ['frontend'] }, nowMs)).toBeNull();
    const everyService = valid({ id: 'all', match: {}, steps: [{ type: 'notify' }] });
    expect(ruleService(everyService, joined, nowMs)).toBe('frontend');
  });
});
