import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../hooks/live/index.ts';
import { RemediationRule, type RemediationRun } from '../remediation/index.ts';
import { plannedSteps } from '../remediation/live/index.ts';
import { createRemediationStore } from '../remediation/live/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

describe('remediation API', () => {
  let storage: Storage;
  const now = Date.parse('2026-11-25T12:00:00Z');
  const app = (options: { remediationDisabled?: boolean } = {}) =>
    testApi(storage.client, {
      now: () => now,
      webhookAllow: parseAllowList('127.0.0.1'),
      ...options,
    });
  const send = (method: string, path: string, body?: unknown) =>
    app().request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const message = async (response: Response) =>
    ((await response.json()) as { message: string }).message;

  const restart = {
    description: 'restart the checkout pods',
    match: { service: 'checkout', signal: 'latency_*' },
    steps: [{ type: 'webhook', url: 'http://127.0.0.1:9999/restart' }],
    mode: 'approval',
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('creates a rule with its secret once, replaces it keeping the secret, lists and deletes it', async () => {
    const created = await send('PUT', '/v1/remediations/rules/restart-checkout', restart);
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: 'restart-checkout',
      mode: 'approval',
      cooldownSeconds: 1800,
      createdAt: new Date(now).toISOString(),
    });
    expect(body.secret).toMatch(/^whsec_/);

    const replaced = await send('PUT', '/v1/remediations/rules/restart-checkout', {
      ...restart,
      id: 'restart-checkout',
      mode: 'auto',
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ mode: 'auto' });
    const stored = await createRemediationStore(storage.client).getRule('restart-checkout');
    expect(stored?.secret).toBe(body.secret);

    const listed = await (await send('GET', '/v1/remediations/rules')).json();
    expect(listed).toMatchObject({ rules: [{ id: 'restart-checkout', mode: 'auto' }] });
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    const one = await send('GET', '/v1/remediations/rules/restart-checkout');
    expect(JSON.stringify(await one.json())).not.toContain('whsec_');

    const rotated = (await (
      await send('POST', '/v1/remediations/rules/restart-checkout/rotate-secret')
    ).json()) as { secret: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(body.secret);

    expect((await send('DELETE', '/v1/remediations/rules/restart-checkout')).status).toBe(204);
    expect((await send('GET', '/v1/remediations/rules/restart-checkout')).status).toBe(404);
    expect((await send('DELETE', '/v1/remediations/rules/restart-checkout')).status).toBe(404);
  });

  it('refuses invalid rules, naming the field, and internal webhook targets', async () => {
    const refused = async (path: string, rule: unknown, pattern: RegExp) => {
      const response = await send('PUT', path, rule);
      expect(response.status).toBe(400);
      expect(await message(response)).toMatch(pattern);
    };
    await refused(
      '/v1/remediations/rules/r',
      { ...restart, steps: [{ type: 'webhook', url: 'http://127.0.0.1/', timeoutSeconds: 90 }] },
      /^invalid body: steps\.0\.timeoutSeconds: must be at most 60/,
    );
    await refused(
      '/v1/remediations/rules/r',
      { ...restart, steps: [{ type: 'webhook', url: 'http://169.254.169.254/latest' }] },
      /^invalid body: steps\.0\.url: refused: 169\.254\.169\.254 is not a public address/,
    );
    await refused(
      '/v1/remediations/rules/r',
      { ...restart, id: 'other' },
      /^invalid body: id: is "other" but the path says "r"/,
    );
    await refused('/v1/remediations/rules/bad%20id', restart, /^invalid rule id: /);
    const notJson = await app().request('/v1/remediations/rules/r', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(await message(notJson)).toBe('the body must be JSON');
    expect((await send('GET', '/v1/remediations/rules/r')).status).toBe(404);
  });

  it('lists the audit log by service and status, and approves or rejects only a pending run', async () => {
    const store = createRemediationStore(storage.client);
    const rule = RemediationRule.parse({ id: 'r', match: {}, steps: [{ type: 'notify' }] });
    const base: RemediationRun = {
      id: 'rem_pending',
      ruleId: 'r',
      alertId: 'a1',
      service: 'checkout',
      signal: 'latency_p99',
      mode: 'approval',
      status: 'pending_approval',
      reason: null,
      steps: plannedSteps(rule.steps),
      createdAt: new Date(now - 60_000).toISOString(),
      startedAt: null,
      verifyUntil: null,
      finishedAt: null,
      approvedBy: null,
    };
    await store.saveRun(base);
    await store.saveRun({
      ...base,
      id: 'rem_other',
      service: 'cart',
      createdAt: new Date(now).toISOString(),
    });
    await store.saveRun({ ...base, id: 'rem_skipped', status: 'skipped', reason: 'dry run: …' });

    const all = (await (await send('GET', '/v1/remediations')).json()) as {
      remediations: RemediationRun[];
    };
    expect(all.remediations.map((run) => run.id)).toEqual([
      'rem_other',
      'rem_pending',
      'rem_skipped',
    ]);
    const pending = (await (
      await send('GET', '/v1/remediations?service=checkout&status=pending_approval&limit=5')
    ).json()) as { remediations: RemediationRun[] };
    expect(pending.remediations.map((run) => run.id)).toEqual(['rem_pending']);
    expect(await message(await send('GET', '/v1/remediations?status=done'))).toMatch(
      /^invalid query: status: /,
    );
    expect(await (await send('GET', '/v1/remediations/rem_pending')).json()).toMatchObject({
      status: 'pending_approval',
      steps: [{ type: 'notify', status: 'planned' }],
    });
    expect((await send('GET', '/v1/remediations/rem_nope')).status).toBe(404);

    const approved = await send('POST', '/v1/remediations/rem_pending/approve', { by: 'ada' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: 'running', approvedBy: 'ada' });
    const again = await send('POST', '/v1/remediations/rem_pending/reject');
    expect(again.status).toBe(409);
    expect(await message(again)).toBe('remediation rem_pending is running, not pending_approval');
    expect((await send('POST', '/v1/remediations/rem_skipped/approve')).status).toBe(409);
    expect((await send('POST', '/v1/remediations/rem_nope/approve')).status).toBe(404);
    expect((await send('POST', '/v1/remediations/rem_other/approve', { by: 7 })).status).toBe(400);

    const rejected = await send('POST', '/v1/remediations/rem_other/reject');
    expect(await rejected.json()).toMatchObject({
      status: 'rejected',
      reason: 'rejected by api',
      finishedAt: new Date(now).toISOString(),
    });
  });

  it('lists only the runs answering one alert with alertId, whatever their service or status', async () => {
    const store = createRemediationStore(storage.client);
    const rule = RemediationRule.parse({ id: 'r2', match: {}, steps: [{ type: 'notify' }] });
    const run: RemediationRun = {
      id: 'rem_alert_x1',
      ruleId: 'r2',
      alertId: 'alert-x',
      service: 'search',
      signal: 'error_ratio',
      mode: 'auto',
      status: 'succeeded',
      reason: null,
      steps: plannedSteps(rule.steps),
      createdAt: new Date(now - 30_000).toISOString(),
      startedAt: new Date(now - 30_000).toISOString(),
      verifyUntil: new Date(now + 60_000).toISOString(),
      finishedAt: new Date(now).toISOString(),
      approvedBy: null,
    };
    await store.saveRun(run);
    await store.saveRun({ ...run, id: 'rem_alert_x2', ruleId: 'r3', status: 'failed' });
    await store.saveRun({ ...run, id: 'rem_alert_y', alertId: 'alert-y' });

    const ids = async (query: string) =>
      (
        (await (await send('GET', `/v1/remediations?${query}`)).json()) as {
          remediations: RemediationRun[];
        }
      ).remediations
        .map((found) => found.id)
        .sort();
    expect(await ids('alertId=alert-x')).toEqual(['rem_alert_x1', 'rem_alert_x2']);
    expect(await ids('alertId=alert-x&status=failed')).toEqual(['rem_alert_x2']);
    expect(await ids('alertId=alert-none')).toEqual([]);
    expect(await message(await send('GET', '/v1/remediations?alertId='))).toMatch(
      /^invalid query: alertId: /,
    );
  });

  it('sets the kill switch, shows the environment’s, and refuses approvals while engaged', async () => {
    expect(await (await send('GET', '/v1/remediations/kill-switch')).json()).toEqual({
      engaged: false,
      engagedByEnvironment: false,
      by: null,
      updatedAt: null,
    });
    const engaged = await send('PUT', '/v1/remediations/kill-switch', { engaged: true, by: 'ada' });
    expect(await engaged.json()).toEqual({
      engaged: true,
      engagedByEnvironment: false,
      by: 'ada',
      updatedAt: new Date(now).toISOString(),
    });
    const store = createRemediationStore(storage.client);
    const run = (await store.getRun('rem_pending'))!;
    await store.saveRun({
      ...run,
      id: 'rem_waiting',
      status: 'pending_approval',
      approvedBy: null,
    });
    const refused = await send('POST', '/v1/remediations/rem_waiting/approve');
    expect(refused.status).toBe(409);
    expect(await message(refused)).toMatch(/kill switch is engaged/);

    await send('PUT', '/v1/remediations/kill-switch', { engaged: false });
    const fromEnvironment = await app({ remediationDisabled: true }).request(
      '/v1/remediations/kill-switch',
    );
    expect(await fromEnvironment.json()).toMatchObject({
      engaged: true,
      engagedByEnvironment: true,
      by: 'api',
    });
    expect(await message(await send('PUT', '/v1/remediations/kill-switch', { on: true }))).toMatch(
      /^invalid body: /,
    );
  });

  it('documents the remediation routes in the OpenAPI document', async () => {
    const document = (await (await send('GET', '/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/remediations',
        '/v1/remediations/{id}',
        '/v1/remediations/{id}/approve',
        '/v1/remediations/{id}/reject',
        '/v1/remediations/rules',
        '/v1/remediations/rules/{id}',
        '/v1/remediations/rules/{id}/rotate-secret',
        '/v1/remediations/kill-switch',
      ]),
    );
  });
});
