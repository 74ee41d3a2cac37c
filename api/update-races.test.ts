import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookStore, parseAllowList } from '../hooks/live/index.ts';
import { createRemediationStore } from '../remediation/live/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

const ROUNDS = 12;

describe('concurrent changes of one subscription or rule', () => {
  let storage: Storage;
  let clock = Date.parse('2026-11-25T12:00:00Z');
  const send = (method: string, path: string, body?: unknown) =>
    testApi(storage.client, {
      now: () => (clock += 1),
      webhookAllow: parseAllowList('127.0.0.1'),
    }).request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const json = async <T>(response: Response | Promise<Response>): Promise<T> => {
    const answer = await response;
    expect(answer.status).toBeLessThan(300);
    return (await answer.json()) as T;
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('keeps a rotated webhook secret when a PATCH lands at the same time', async () => {
    const store = createWebhookStore(storage.client);
    const { id } = await json<{ id: string }>(
      send('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['anomaly.opened'] }),
    );
    for (let round = 0; round < ROUNDS; round++) {
      const [rotated, patched] = await Promise.all([
        json<{ secret: string }>(send('POST', `/v1/webhooks/${id}/rotate-secret`)),
        json<{ description: string }>(
          send('PATCH', `/v1/webhooks/${id}`, { description: `round ${round}` }),
        ),
      ]);
      expect(patched.description).toBe(`round ${round}`);
      const stored = await store.get(id);
      expect(stored?.secrets[0], `round ${round}`).toBe(rotated.secret);
      expect(stored?.description, `round ${round}`).toBe(`round ${round}`);
    }
  });

  it('keeps a rotated runbook secret when the rule is replaced at the same time', async () => {
    const store = createRemediationStore(storage.client);
    const rule = (description: string) => ({
      description,
      match: { service: 'checkout', signal: 'latency_*' },
      steps: [{ type: 'webhook', url: 'http://127.0.0.1:9999/restart' }],
      mode: 'approval',
    });
    await json(send('PUT', '/v1/remediations/rules/restart', rule('first')));
    for (let round = 0; round < ROUNDS; round++) {
      const [rotated] = await Promise.all([
        json<{ secret: string }>(send('POST', '/v1/remediations/rules/restart/rotate-secret')),
        json(send('PUT', '/v1/remediations/rules/restart', rule(`round ${round}`))),
      ]);
      const stored = await store.getRule('restart');
      expect(stored?.secret, `round ${round}`).toBe(rotated.secret);
      expect(stored?.rule.description, `round ${round}`).toBe(`round ${round}`);
    }
  });
});
