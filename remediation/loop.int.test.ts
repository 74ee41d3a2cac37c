import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Webhook as Verifier } from 'standardwebhooks';
import type { Alert, AlertStore } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import type { EventType, HookEvent, WebhookStore } from '../hooks/index.ts';
import { createWebhookStore, deliveriesOf, enqueue, parseAllowList } from '../hooks/live/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import {
  type RemediationLoopOptions,
  type RemediationRuleInput,
  type RemediationRun,
  type RemediationStore,
  RemediationRule,
} from './index.ts';
import { createRemediationLoop, createRemediationStore, runId } from './live/index.ts';
import { testApi } from '../test/support/api.ts';

/** A loopback receiver answering from `script`, then 200 ('hang': never); it records requests. */
async function receiver(script: Array<number | 'hang'> = []) {
  const requests: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      const answer = script.shift() ?? 200;
      if (answer === 'hang') return; // the step's timeout ends it
      response.statusCode = answer;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/remediate`;
  const close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  return { url, requests, close };
}

const MINUTE = 60_000;

describe('remediation loop on ClickHouse', () => {
  let storage: Storage;
  let alerts: AlertStore;
  let store: RemediationStore;
  let webhooks: WebhookStore;
  let subscription: string;
  let target: Awaited<ReturnType<typeof receiver>>;
  let clock = Math.floor(Date.now() / 1000) * 1000;
  const allow = parseAllowList('127.0.0.1');

  // Events go to the webhook outbox exactly as `opsless start` sends them; the test reads
  // them back from the subscription that takes every remediation and anomaly event.
  const publish = async (type: EventType, data: HookEvent['data']) => {
    await enqueue(
      storage.client,
      await webhooks.all(),
      { type, timestamp: new Date(clock).toISOString(), data },
      clock,
    );
  };
  const notify = (type: EventType, alert: Alert) => publish(type, alert);
  const events = async (id: string): Promise<string[]> =>
    (await deliveriesOf(storage.client, subscription, 1000))
      .map((delivery) => JSON.parse(delivery.body) as HookEvent)
      .filter((event) => event.data.id === id)
      .map((event) => event.type)
      .sort();

  const loop = (overrides: Partial<RemediationLoopOptions> = {}) =>
    createRemediationLoop({
      client: storage.client,
      alerts,
      publish,
      notify,
      logger: pino({ level: 'silent' }),
      now: () => clock,
      allow,
      maxActionsPerHourGlobal: 100,
      ...overrides,
    });
  const rule = (input: RemediationRuleInput) => store.putRule(RemediationRule.parse(input), clock);
  const openAlert = async (id: string, service: string, overrides: Partial<Alert> = {}) => {
    const alert = sampleAlert({
      id,
      service,
      openedAt: new Date(clock - 5 * MINUTE).toISOString(),
      updatedAt: new Date(clock - 5 * MINUTE).toISOString(),
      ...overrides,
    });
    await alerts.save(alert);
    return alert;
  };
  /** The detector resolving an alert because its signal recovered. */
  const recover = (alertId: string) => alerts.transition(alertId, 'resolved', 'opsless', clock);
  const run = async (ruleId: string, alertId: string): Promise<RemediationRun> =>
    (await store.getRun(runId(ruleId, alertId)))!;

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    store = createRemediationStore(storage.client);
    webhooks = createWebhookStore(storage.client);
    target = await receiver();
    const { webhook } = await webhooks.create(
      {
        url: target.url,
        events: [
          'anomaly.updated',
          'remediation.pending_approval',
          'remediation.started',
          'remediation.succeeded',
          'remediation.failed',
        ],
      },
      clock,
    );
    subscription = webhook.id;
  });
  afterAll(async () => {
    await target.close();
    await storage.close();
  });

  it('runs an auto rule: a signed webhook step, then succeeded once the signal recovers', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    const { secret } = await rule({
      id: 'restart-checkout',
      match: { service: 'checkout', signal: 'latency_*', minSeverity: 'warning', forSeconds: 120 },
      steps: [{ type: 'webhook', url: hook.url, body: { action: 'restart', type: 'spoofed' } }],
      mode: 'auto',
      verifyWithinSeconds: 600,
    });
    await openAlert('auto-1', 'checkout', { openedAt: new Date(clock - MINUTE).toISOString() });
    // Open for 60 s of the 120 s the rule waits for: nothing yet.
    expect(await loop().runOnce()).toMatchObject({ created: 0, started: 0 });
    clock += MINUTE;
    expect(await loop().runOnce()).toMatchObject({ created: 1, started: 1 });

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    const payload = new Verifier(secret!).verify(
      request!.body,
      request!.headers as Record<string, string>,
    ) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'remediation.step',
      action: 'restart',
      remediation: {
        id: runId('restart-checkout', 'auto-1'),
        ruleId: 'restart-checkout',
        service: 'checkout',
        step: 0,
        alert: { id: 'auto-1', signal: 'latency_p99', severity: 'warning' },
      },
    });
    expect(await run('restart-checkout', 'auto-1')).toMatchObject({
      status: 'verifying',
      mode: 'auto',
      steps: [{ index: 0, type: 'webhook', status: 'succeeded', statusCode: 200, error: null }],
      verifyUntil: new Date(clock + 600_000).toISOString(),
    });

    clock += 2 * MINUTE;
    await recover('auto-1');
    await loop().runOnce();
    expect(await run('restart-checkout', 'auto-1')).toMatchObject({
      status: 'succeeded',
      reason: 'the signal recovered 120 s after the steps started',
      finishedAt: new Date(clock).toISOString(),
    });
    expect(await events(runId('restart-checkout', 'auto-1'))).toEqual([
      'remediation.started',
      'remediation.succeeded',
    ]);
    // Later passes leave a finished pair alone.
    await loop().runOnce();
    expect(hook.requests).toHaveLength(1);
    await store.removeRule('restart-checkout', clock);
    await hook.close();
  });

  it('counts a resolution as recovery only when the signal came back toward its old level', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    await rule({
      id: 'rollback-cart',
      match: { service: 'cart', signal: 'latency_*' },
      steps: [{ type: 'webhook', url: hook.url }],
      mode: 'auto',
      cooldownSeconds: 0,
    });
    // The alert's signal went from about 120 to a peak of 812; the detector later resolves
    // both alerts, writing the value of its last step as `observed`.
    let latency = 800;
    const measuring = loop({ signalNow: async () => latency });
    await openAlert('adapted-1', 'cart', { observed: 790 });
    await measuring.runOnce();
    clock += MINUTE;
    await recover('adapted-1');
    await measuring.runOnce();
    // Resolved, but the signal has not come back: the run waits out its window …
    expect((await run('rollback-cart', 'adapted-1')).status).toBe('verifying');
    clock += 600_000;
    await measuring.runOnce();
    // … and fails at its end.
    expect(await run('rollback-cart', 'adapted-1')).toMatchObject({
      status: 'failed',
      reason:
        'not verified: the alert resolved as the detector took latency_p99 near 800 for the new normal, but it has not come back to about 120',
    });

    clock += MINUTE;
    await openAlert('fixed-1', 'cart', { observed: 125 });
    await measuring.runOnce();
    clock += MINUTE;
    // Resolved while the last steps read still hold some from before the rollback …
    latency = 500;
    await recover('fixed-1');
    await measuring.runOnce();
    expect((await run('rollback-cart', 'fixed-1')).status).toBe('verifying');
    // … and the next pass finds the signal back near the 120 expected before the incident.
    clock += MINUTE;
    latency = 140;
    await measuring.runOnce();
    expect(await run('rollback-cart', 'fixed-1')).toMatchObject({ status: 'succeeded' });
    await store.removeRule('rollback-cart', clock);
    await hook.close();
  });

  it('fails a run whose alert does not recover in time, and escalates the alert to critical', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    await rule({
      id: 'rollback-cart',
      match: { service: 'cart' },
      steps: [{ type: 'webhook', url: hook.url }],
      mode: 'auto',
      verifyWithinSeconds: 300,
    });
    await openAlert('stuck-1', 'cart');
    await loop().runOnce();
    clock += 299_000;
    await loop().runOnce();
    expect((await run('rollback-cart', 'stuck-1')).status).toBe('verifying');
    clock += 1_000;
    await loop().runOnce();

    const failed = await run('rollback-cart', 'stuck-1');
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.reason).toMatch(/^the signal did not recover by /);
    expect(await alerts.get('stuck-1')).toMatchObject({
      severity: 'critical',
      status: 'open',
      updatedAt: new Date(clock).toISOString(),
    });
    expect(await events(failed.id)).toEqual(['remediation.failed', 'remediation.started']);
    expect(await events('stuck-1')).toEqual(['anomaly.updated']);
    await store.removeRule('rollback-cart', clock);
    await hook.close();
  });

  it('fails at once when a step fails, runs no later step, and escalates', async () => {
    clock += 86_400_000;
    const hook = await receiver([500]);
    const scaled: string[] = [];
    await rule({
      id: 'scale-then-restart',
      match: { service: 'search' },
      steps: [
        { type: 'scale', by: 2 },
        { type: 'webhook', url: hook.url, timeoutSeconds: 5 },
        { type: 'notify' },
      ],
      mode: 'auto',
    });
    await openAlert('step-fails', 'search');
    await loop({
      scale: async (service, change, reason) => {
        scaled.push(`${service} ${JSON.stringify(change)} ${reason.split(':')[0]}`);
        return { ok: true, detail: 'search 3 → 5' };
      },
    }).runOnce();

    expect(scaled).toEqual([
      `search {"by":2} remediation ${runId('scale-then-restart', 'step-fails')} (rule scale-then-restart) for alert step-fails`,
    ]);
    expect(await run('scale-then-restart', 'step-fails')).toMatchObject({
      status: 'failed',
      reason: 'step 1 (webhook) failed: answered 500',
      steps: [
        { type: 'scale', status: 'succeeded', detail: 'search 3 → 5', target: 'by +2 replicas' },
        { type: 'webhook', status: 'failed', statusCode: 500, error: 'answered 500' },
        { type: 'notify', status: 'not_run' },
      ],
    });
    expect((await alerts.get('step-fails'))?.severity).toBe('critical');
    expect(await events('step-fails')).toEqual(['anomaly.updated']);

    // Without a scaling actuator, a scale step fails and says so.
    await openAlert('no-actuator', 'search');
    clock += 3_600_000; // past the cooldown
    await loop().runOnce();
    expect(await run('scale-then-restart', 'no-actuator')).toMatchObject({
      status: 'failed',
      reason: 'step 0 (scale) failed: no scaling actuator configured',
    });
    expect(hook.requests).toHaveLength(1);
    await store.removeRule('scale-then-restart', clock);
    await hook.close();
  });

  it('fails a webhook step that does not answer within its timeout', async () => {
    clock += 86_400_000;
    const hook = await receiver(['hang']);
    await rule({
      id: 'slow-hook',
      match: { service: 'slow-svc' },
      steps: [{ type: 'webhook', url: hook.url, timeoutSeconds: 1 }],
      mode: 'auto',
    });
    await openAlert('slow-1', 'slow-svc');
    await loop().runOnce();
    expect(await run('slow-hook', 'slow-1')).toMatchObject({
      status: 'failed',
      reason: 'step 0 (webhook) failed: no answer within 1000 ms',
      steps: [{ status: 'failed', statusCode: 0, durationMs: expect.any(Number) as number }],
    });
    expect((await run('slow-hook', 'slow-1')).steps[0]?.durationMs).toBeGreaterThanOrEqual(990);
    await store.removeRule('slow-hook', clock);
    await hook.close();
  });

  it('does not count a person resolving the alert as the signal recovering', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    await rule({
      id: 'manual',
      match: { service: 'manual-svc' },
      steps: [{ type: 'webhook', url: hook.url }],
      mode: 'auto',
    });
    await openAlert('manual-1', 'manual-svc');
    await loop().runOnce();
    clock += MINUTE;
    await alerts.transition('manual-1', 'resolved', 'ada', clock);
    await loop().runOnce();
    expect(await run('manual', 'manual-1')).toMatchObject({
      status: 'failed',
      reason: 'not verified: resolved by ada, not by the signal recovering',
    });
    // The alert is closed: nothing to escalate.
    expect(await alerts.get('manual-1')).toMatchObject({ status: 'resolved', severity: 'warning' });
    expect(await events('manual-1')).toEqual([]);
    await store.removeRule('manual', clock);
    await hook.close();
  });

  it('records a dry run once, with the steps it would run, and sends nothing', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    await rule({
      id: 'dry',
      match: { service: 'dry-svc' },
      steps: [{ type: 'webhook', url: `${hook.url}?token=secret` }, { type: 'notify' }],
    });
    await openAlert('dry-1', 'dry-svc');
    for (let pass = 0; pass < 3; pass++) {
      await loop().runOnce();
      clock += MINUTE;
    }
    const runs = await store.listRuns({ service: 'dry-svc' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'skipped',
      mode: 'dryRun',
      reason: 'dry run: the rule is in dryRun mode; the steps were not run',
      steps: [
        { type: 'webhook', status: 'planned', target: hook.url },
        { type: 'notify', status: 'planned' },
      ],
    });
    expect(hook.requests).toHaveLength(0);
    await store.removeRule('dry', clock);
    await hook.close();
  });

  it('waits for approval, runs once approved through the API, and runs nothing when rejected', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    const api = testApi(storage.client, {
      now: () => clock,
      webhookAllow: allow,
    });
    const post = (path: string, body: unknown) =>
      api.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await rule({
      id: 'approve-me',
      match: { service: 'billing' },
      steps: [{ type: 'webhook', url: hook.url }],
      mode: 'approval',
      cooldownSeconds: 0,
    });
    await openAlert('ask-1', 'billing');
    await openAlert('ask-2', 'billing', { openedAt: new Date(clock - MINUTE).toISOString() });
    await loop().runOnce();
    const first = runId('approve-me', 'ask-1');
    const second = runId('approve-me', 'ask-2');
    expect((await run('approve-me', 'ask-1')).status).toBe('pending_approval');
    expect((await run('approve-me', 'ask-2')).status).toBe('pending_approval');
    expect(await events(first)).toEqual(['remediation.pending_approval']);
    await loop().runOnce();
    expect(hook.requests).toHaveLength(0);

    const approved = await post(`/v1/remediations/${first}/approve`, { by: 'ada' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: 'running', approvedBy: 'ada' });
    expect((await post(`/v1/remediations/${first}/approve`, {})).status).toBe(409);
    const rejected = await post(`/v1/remediations/${second}/reject`, { by: 'grace' });
    expect(await rejected.json()).toMatchObject({
      status: 'rejected',
      reason: 'rejected by grace',
    });

    await loop().runOnce();
    expect(hook.requests).toHaveLength(1);
    expect(await run('approve-me', 'ask-1')).toMatchObject({
      status: 'verifying',
      approvedBy: 'ada',
      startedAt: new Date(clock).toISOString(),
    });
    expect((await run('approve-me', 'ask-2')).status).toBe('rejected');
    expect(await events(first)).toEqual(['remediation.pending_approval', 'remediation.started']);
    expect(await events(second)).toEqual(['remediation.pending_approval']);

    // A pending approval whose alert recovers meanwhile is closed without running.
    await openAlert('ask-3', 'billing');
    clock += 3_600_000;
    await recover('ask-1');
    await loop().runOnce();
    expect((await run('approve-me', 'ask-3')).status).toBe('pending_approval');
    await recover('ask-3');
    await loop().runOnce();
    expect(await run('approve-me', 'ask-3')).toMatchObject({
      status: 'skipped',
      reason: 'alert resolved before the run was approved',
    });
    expect(hook.requests).toHaveLength(1);
    await store.removeRule('approve-me', clock);
    await hook.close();
  });

  it('skips a second alert of a service inside the cooldown, and acts again after it', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    await rule({
      id: 'cool',
      match: { service: 'cool-svc' },
      steps: [{ type: 'webhook', url: hook.url }],
      mode: 'auto',
      cooldownSeconds: 1800,
      verifyWithinSeconds: 60,
    });
    await openAlert('cool-1', 'cool-svc');
    await loop().runOnce();
    clock += 30_000;
    await recover('cool-1');
    await loop().runOnce();
    expect((await run('cool', 'cool-1')).status).toBe('succeeded');

    clock += 10 * MINUTE;
    await openAlert('cool-2', 'cool-svc');
    await loop().runOnce();
    await loop().runOnce();
    const skipped = await run('cool', 'cool-2');
    expect(skipped.status).toBe('skipped');
    expect(skipped.reason).toMatch(/^cooldown: rule cool acted on cool-svc 630 s ago/);
    expect(await store.listRuns({ service: 'cool-svc', status: 'skipped' })).toHaveLength(1);

    clock += 20 * MINUTE;
    await openAlert('cool-3', 'cool-svc');
    await loop().runOnce();
    expect((await run('cool', 'cool-3')).status).toBe('verifying');
    expect(hook.requests).toHaveLength(2);
    await store.removeRule('cool', clock);
    await hook.close();
  });

  it('keeps to the rule and the global maximum of actions per hour', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    const steps = [{ type: 'webhook' as const, url: hook.url }];
    await rule({
      id: 'rate-limited',
      match: { signal: 'error_ratio' },
      steps,
      mode: 'auto',
      cooldownSeconds: 0,
      maxActionsPerHour: 2,
    });
    for (const n of [1, 2, 3]) {
      await openAlert(`rate-${n}`, `rate-svc-${n}`, { signal: 'error_ratio', signals: [] });
    }
    await loop().runOnce();
    expect(
      await Promise.all(
        [1, 2, 3].map(async (n) => (await run('rate-limited', `rate-${n}`)).status),
      ),
    ).toEqual(['verifying', 'verifying', 'skipped']);
    expect((await run('rate-limited', 'rate-3')).reason).toBe(
      'rate limit: rule rate-limited took 2 actions in the last hour (max 2)',
    );

    // Global: two actions this hour already; a limit of 2 stops any other rule.
    await rule({ id: 'another', match: { service: 'rate-svc-4' }, steps, mode: 'auto' });
    await openAlert('rate-4', 'rate-svc-4');
    await loop({ maxActionsPerHourGlobal: 2 }).runOnce();
    expect((await run('another', 'rate-4')).reason).toBe(
      'rate limit: 2 actions in the last hour across all rules (OPSLESS_REMEDIATION_MAX_PER_HOUR 2)',
    );
    for (const id of ['rate-limited', 'another']) await store.removeRule(id, clock);
    await hook.close();
  });

  it('does nothing while the kill switch is engaged, from the environment or the API', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    await rule({
      id: 'killable',
      match: { service: 'kill-svc' },
      steps: [{ type: 'webhook', url: hook.url }],
      mode: 'auto',
    });
    await openAlert('kill-env', 'kill-svc');
    await loop({ killSwitchEnv: true }).runOnce();
    expect(await run('killable', 'kill-env')).toMatchObject({
      status: 'skipped',
      reason: 'kill switch: remediations are stopped',
      steps: [],
    });

    const api = testApi(storage.client, {
      now: () => clock,
    });
    const engaged = await api.request('/v1/remediations/kill-switch', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ engaged: true, by: 'ada' }),
    });
    expect(await engaged.json()).toMatchObject({ engaged: true, by: 'ada' });
    await openAlert('kill-api', 'kill-svc');
    await loop().runOnce();
    expect((await run('killable', 'kill-api')).reason).toBe(
      'kill switch: remediations are stopped',
    );

    await api.request('/v1/remediations/kill-switch', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ engaged: false }),
    });
    await openAlert('kill-after', 'kill-svc');
    await loop().runOnce();
    expect((await run('killable', 'kill-after')).status).toBe('verifying');
    expect(hook.requests).toHaveLength(1);
    await store.removeRule('killable', clock);
    await hook.close();
  });

  it('takes no action on a service while another remediation of it is being verified', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    const steps = [{ type: 'webhook' as const, url: hook.url }];
    await rule({
      id: 'first',
      match: { service: 'verify-svc', signal: 'latency_p99' },
      steps,
      mode: 'auto',
    });
    await rule({
      id: 'second',
      match: { service: 'verify-svc', signal: 'error_ratio' },
      steps,
      mode: 'auto',
    });
    await openAlert('v-latency', 'verify-svc');
    await loop().runOnce();
    expect((await run('first', 'v-latency')).status).toBe('verifying');

    await openAlert('v-errors', 'verify-svc', { signal: 'error_ratio', signals: ['error_ratio'] });
    await loop().runOnce();
    expect((await run('second', 'v-errors')).reason).toBe(
      `verifying another: remediation ${runId('first', 'v-latency')} of verify-svc is being verified`,
    );
    expect(hook.requests).toHaveLength(1);
    for (const id of ['first', 'second']) await store.removeRule(id, clock);
    await hook.close();
  });

  it('continues from ClickHouse after a restart, and fails a run a restart interrupted', async () => {
    clock += 86_400_000;
    const hook = await receiver();
    await rule({
      id: 'survivor',
      match: { service: 'restart-svc' },
      steps: [{ type: 'webhook', url: hook.url }],
      mode: 'auto',
      cooldownSeconds: 0,
    });
    await openAlert('r-1', 'restart-svc');
    const before = loop();
    await before.runOnce();
    await before.close();
    clock += MINUTE;
    await recover('r-1');
    await loop().runOnce(); // a new process
    expect((await run('survivor', 'r-1')).status).toBe('succeeded');

    // A run whose process stopped in the middle of its steps: failed once its steps' time is up.
    const alert = await openAlert('r-2', 'restart-svc');
    const interrupted = runId('survivor', 'r-2');
    await store.saveRun({
      ...(await run('survivor', 'r-1')),
      id: interrupted,
      alertId: alert.id,
      status: 'running',
      reason: null,
      startedAt: new Date(clock).toISOString(),
      verifyUntil: null,
      finishedAt: null,
    });
    clock += MINUTE;
    await loop().runOnce();
    expect((await run('survivor', 'r-2')).status).toBe('running');
    clock += 2 * MINUTE;
    await loop().runOnce();
    expect(await run('survivor', 'r-2')).toMatchObject({
      status: 'failed',
      reason: 'interrupted: opsless stopped while the steps ran; they were not resumed',
    });
    expect((await alerts.get('r-2'))?.severity).toBe('critical');
    expect(hook.requests).toHaveLength(1);
    await store.removeRule('survivor', clock);
    await hook.close();
  });
});
