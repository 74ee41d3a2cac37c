import { describe, expect, it } from 'vitest';
import { sampleAlert } from '../test/support/alerts.ts';
import { MAX_STEP_TIMEOUT_SECONDS, RemediationRule, type RemediationRun } from './schema.ts';
import { plannedSteps } from './step-plan.ts';
import {
  busyServices,
  moveRun,
  newRun,
  pastActions,
  runCandidates,
  runId,
  type RunMoveContext,
} from './triage.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const rule = RemediationRule.parse({
  id: 'rollback',
  match: { service: 'checkout' },
  steps: [
    { type: 'webhook', url: 'https://ops.example/rollback', timeoutSeconds: 10 },
    { type: 'notify' },
  ],
  mode: 'approval',
});
const alert = sampleAlert({ id: 'a1', openedAt: iso(NOW - 10 * MINUTE) });

const run = (overrides: Partial<RemediationRun> = {}): RemediationRun => ({
  ...newRun({ id: runId(rule.id, alert.id), stored: { rule }, alert, service: 'checkout' }, NOW),
  status: 'pending_approval',
  ...overrides,
});

const context = (overrides: Partial<RunMoveContext> = {}): RunMoveContext => ({
  nowMs: NOW,
  killSwitch: false,
  rule,
  alert,
  busy: new Set(),
  ...overrides,
});

describe('remediation triage', () => {
  it('starts an approved run unless its service is busy or the kill switch is on', () => {
    const approved = run({ status: 'running' });
    expect(moveRun(approved, context())).toEqual({ kind: 'start' });
    expect(moveRun(approved, context({ busy: new Set(['checkout']) }))).toEqual({ kind: 'wait' });
    expect(moveRun(approved, context({ killSwitch: true }))).toEqual({
      kind: 'skip',
      reason: 'kill switch: remediations are stopped',
    });
    // A run still waiting for a person waits, busy or not.
    expect(moveRun(run(), context())).toEqual({ kind: 'wait' });
  });

  it('fails a run whose steps started only once every step timeout and a minute have passed', () => {
    const startedAtMs = NOW - 10 * MINUTE;
    const started = run({ status: 'running', startedAt: iso(startedAtMs) });
    // Two steps of at most MAX_STEP_TIMEOUT_SECONDS each, plus a minute's grace.
    const deadlineMs = startedAtMs + 2 * MAX_STEP_TIMEOUT_SECONDS * 1000 + MINUTE;
    expect(moveRun(started, context({ nowMs: deadlineMs }))).toEqual({ kind: 'wait' });
    expect(moveRun(started, context({ nowMs: deadlineMs + 1 }))).toEqual({
      kind: 'fail',
      reason: 'interrupted: opsless stopped while the steps ran; they were not resumed',
    });
  });

  it('skips a run whose alert resolved, whose rule went, or whose steps changed since approval', () => {
    const resolved = { ...alert, status: 'resolved' as const };
    expect(moveRun(run(), context({ alert: resolved }))).toEqual({
      kind: 'skip',
      reason: 'alert resolved before the run was approved',
    });
    expect(moveRun(run({ status: 'running' }), context({ alert: undefined }))).toEqual({
      kind: 'skip',
      reason: 'alert resolved before the run started',
    });
    expect(moveRun(run(), context({ rule: undefined }))).toEqual({
      kind: 'skip',
      reason: 'the rule rollback was deleted',
    });
    const changed = RemediationRule.parse({ ...rule, steps: [{ type: 'notify' }] });
    expect(moveRun(run({ status: 'running' }), context({ rule: changed }))).toEqual({
      kind: 'skip',
      reason: 'the rule steps changed after approval was asked; nothing ran',
    });
    expect(moveRun(run({ status: 'verifying' }), context({ rule: undefined }))).toEqual({
      kind: 'verify',
    });
  });

  it('counts a service busy while a run of it is verified or its steps run, not while it waits', () => {
    const active = [
      run({ service: 'checkout', status: 'verifying' }),
      run({ service: 'cart', status: 'running', startedAt: iso(NOW) }),
      run({ service: 'frontend', status: 'running' }),
      run({ service: 'payment' }),
    ];
    expect([...busyServices(active)].sort()).toEqual(['cart', 'checkout']);
  });

  it('pairs each rule with the alerts it answers, the first paged first, acting on a joined service', () => {
    const later = sampleAlert({ id: 'a0', service: 'cart', openedAt: iso(NOW - 5 * MINUTE) });
    const joined = sampleAlert({
      id: 'a2',
      service: 'frontend',
      services: ['frontend', 'checkout'],
      openedAt: iso(NOW - 20 * MINUTE),
    });
    const candidates = runCandidates([{ rule }], [later, alert, joined], NOW);
    expect(
      candidates.map(({ id, alert: { id: alertId }, service }) => [id, alertId, service]),
    ).toEqual([
      [runId('rollback', 'a2'), 'a2', 'checkout'],
      [runId('rollback', 'a1'), 'a1', 'checkout'],
    ]);
  });

  it('gives the guardrails each run once, as last read, timed by its start or else its creation', () => {
    const pending = run({ createdAt: iso(NOW - 2 * MINUTE) });
    const started = { ...pending, status: 'running' as const, startedAt: iso(NOW - MINUTE) };
    const other = run({ id: 'rem_other', service: 'cart', createdAt: iso(NOW - 3 * MINUTE) });
    expect(pastActions([pending, other, started])).toEqual([
      {
        id: pending.id,
        ruleId: 'rollback',
        service: 'checkout',
        status: 'running',
        atMs: NOW - MINUTE,
      },
      {
        id: 'rem_other',
        ruleId: 'rollback',
        service: 'cart',
        status: 'pending_approval',
        atMs: NOW - 3 * MINUTE,
      },
    ]);
  });

  it('records a new run with the rule planned steps and no decision yet', () => {
    const created = newRun({ id: 'rem_x', stored: { rule }, alert, service: 'checkout' }, NOW);
    expect(created).toMatchObject({
      id: 'rem_x',
      ruleId: 'rollback',
      alertId: 'a1',
      signal: 'latency_p99',
      mode: 'approval',
      createdAt: iso(NOW),
      startedAt: null,
    });
    expect(created.steps).toEqual(plannedSteps(rule.steps));
  });
});
