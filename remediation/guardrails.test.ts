import { describe, expect, it } from 'vitest';
import { decide, type GuardrailInput, type PastAction } from './guardrails.ts';
import { RemediationRule } from './schema.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const MINUTE = 60_000;

const rule = RemediationRule.parse({
  id: 'restart',
  match: { service: 'checkout' },
  steps: [{ type: 'webhook', url: 'https://ops.example/restart' }],
  mode: 'auto',
  cooldownSeconds: 1800,
  maxActionsPerHour: 3,
});

const action = (overrides: Partial<PastAction>): PastAction => ({
  id: 'rem_old',
  ruleId: 'restart',
  service: 'checkout',
  status: 'succeeded',
  atMs: NOW - 2 * 3_600_000,
  ...overrides,
});

const input = (overrides: Partial<GuardrailInput> = {}): GuardrailInput => ({
  rule,
  service: 'checkout',
  nowMs: NOW,
  killSwitch: false,
  actions: [],
  maxActionsPerHourGlobal: 10,
  ...overrides,
});

const reason = (overrides: Partial<GuardrailInput>): string => {
  const decision = decide(input(overrides));
  return decision.kind === 'skip' || decision.kind === 'dryRun' ? decision.reason : decision.kind;
};

describe('remediation guardrails', () => {
  it('lets a rule act by its mode when nothing stands in the way', () => {
    expect(decide(input())).toEqual({ kind: 'run' });
    expect(decide(input({ rule: { ...rule, mode: 'approval' } }))).toEqual({ kind: 'approval' });
    expect(decide(input({ rule: { ...rule, mode: 'dryRun' } }))).toEqual({
      kind: 'dryRun',
      reason: 'dry run: the rule is in dryRun mode; the steps were not run',
    });
  });

  it('stops everything, dry runs included, while the kill switch is engaged', () => {
    expect(reason({ killSwitch: true })).toBe('kill switch: remediations are stopped');
    expect(reason({ killSwitch: true, rule: { ...rule, mode: 'dryRun' } })).toMatch(/^kill switch/);
  });

  it('takes no action on a service while one of its runs is running or being verified', () => {
    const verifying = action({ id: 'rem_v', ruleId: 'other', status: 'verifying', atMs: NOW });
    expect(reason({ actions: [verifying] })).toBe(
      'verifying another: remediation rem_v of checkout is being verified',
    );
    expect(reason({ actions: [{ ...verifying, status: 'running' }] })).toBe(
      'verifying another: remediation rem_v of checkout is running',
    );
    // Another service, or a run waiting for approval, does not hold this one back.
    expect(reason({ actions: [{ ...verifying, service: 'cart' }] })).toBe('run');
    expect(reason({ actions: [{ ...verifying, status: 'pending_approval', ruleId: 'x' }] })).toBe(
      'run',
    );
  });

  it('keeps the cooldown per rule and service', () => {
    const recent = action({ atMs: NOW - 20 * MINUTE });
    expect(reason({ actions: [recent] })).toBe(
      'cooldown: rule restart acted on checkout 1200 s ago (remediation rem_old); cooldown 1800 s',
    );
    expect(reason({ actions: [{ ...recent, atMs: NOW - 30 * MINUTE }] })).toBe('run');
    expect(reason({ actions: [{ ...recent, service: 'cart' }] })).toBe('run');
    expect(reason({ actions: [{ ...recent, ruleId: 'other' }] })).toBe('run');
    expect(reason({ actions: [recent], rule: { ...rule, cooldownSeconds: 0 } })).toBe('run');
  });

  it('counts the rule’s actions and everyone’s over the last hour', () => {
    const free = { ...rule, cooldownSeconds: 0 };
    const hour = [5, 20, 40].map((minutes, n) =>
      action({ id: `rem_${n}`, service: `s${n}`, atMs: NOW - minutes * MINUTE }),
    );
    expect(reason({ rule: free, actions: hour })).toBe(
      'rate limit: rule restart took 3 actions in the last hour (max 3)',
    );
    const older = hour.map((past, n) => (n === 2 ? { ...past, atMs: NOW - 60 * MINUTE } : past));
    expect(reason({ rule: free, actions: older })).toBe('run');
    const others = hour.map((past) => ({ ...past, ruleId: 'other' }));
    expect(reason({ rule: free, actions: others, maxActionsPerHourGlobal: 3 })).toBe(
      'rate limit: 3 actions in the last hour across all rules (OPSLESS_REMEDIATION_MAX_PER_HOUR 3)',
    );
    expect(reason({ rule: free, actions: others, maxActionsPerHourGlobal: 4 })).toBe('run');
  });

  it('applies the guardrails in order: kill switch, verifying, cooldown, rate limit, mode', () => {
    const verifying = action({ status: 'verifying', atMs: NOW - MINUTE });
    const all = { actions: [verifying], maxActionsPerHourGlobal: 0 };
    expect(reason({ ...all, killSwitch: true })).toMatch(/^kill switch/);
    expect(reason(all)).toMatch(/^verifying another/);
    expect(reason({ ...all, actions: [{ ...verifying, status: 'failed' }] })).toMatch(/^cooldown/);
    expect(
      reason({ ...all, actions: [{ ...verifying, status: 'failed', service: 'cart' }] }),
    ).toMatch(/^rate limit/);
    expect(reason({ rule: { ...rule, mode: 'dryRun' }, maxActionsPerHourGlobal: 0 })).toMatch(
      /^rate limit/,
    );
  });
});
