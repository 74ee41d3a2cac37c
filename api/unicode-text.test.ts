import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../alerts/live/index.ts';
import { parseAllowList } from '../hooks/live/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import { testApi } from '../test/support/api.ts';

// JSON text as a client writes it: `\ud800` is a lone surrogate once parsed, which
// ClickHouse refuses to store.
const LONE = '\\ud800';

describe('free text the API stores', () => {
  let storage: Storage;
  const send = (method: string, path: string, body: string) =>
    testApi(storage.client, { webhookAllow: parseAllowList('127.0.0.1') }).request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body,
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    await createAlertStore(storage.client).save(sampleAlert({ id: 'a1' }));
  });
  afterAll(async () => {
    await storage.close();
  });

  it('refuses text that is not valid Unicode with 400 naming the field, and stores nothing', async () => {
    const cases: Array<[string, string, string, string]> = [
      [
        'POST',
        '/v1/webhooks',
        `{"url":"http://127.0.0.1:9/h","events":["anomaly.opened"],"description":"a${LONE}"}`,
        'description',
      ],
      ['POST', '/v1/alerts/a1/ack', `{"by":"${LONE}"}`, 'by'],
      ['PUT', '/v1/remediations/kill-switch', `{"engaged":true,"by":"x${LONE}y"}`, 'by'],
      [
        'PUT',
        '/v1/remediations/rules/r1',
        `{"description":"${LONE}","match":{"service":"checkout"},"steps":[{"type":"notify"}],"mode":"approval"}`,
        'description',
      ],
      [
        'POST',
        '/v1/webhooks',
        `{"events":["anomaly.opened"],"services":["ok","\\udfff"]}`,
        'services.1',
      ],
      ['POST', '/v1/webhooks', `{"\\ud800key":1}`, '\uFFFDkey'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await send(method, path, body);
      expect(response.status, `${method} ${path} ${body}`).toBe(400);
      expect(((await response.json()) as { message: string }).message).toBe(
        `invalid body: ${field}: text must be valid Unicode (a \\u escape of a lone surrogate is not)`,
      );
    }
    const webhooks = await (await testApi(storage.client).request('/v1/webhooks')).json();
    expect(webhooks).toEqual({ webhooks: [] });
  });

  it('stores text with escaped surrogate pairs and other characters as sent', async () => {
    const response = await send(
      'POST',
      '/v1/webhooks',
      '{"url":"http://127.0.0.1:9/h","events":["anomaly.opened"],"description":"on-call \\ud83d\\udea8 \\u0000 é"}',
    );
    expect(response.status).toBe(201);
    expect(((await response.json()) as { description: string }).description).toBe(
      'on-call \u{1F6A8} \u0000 é',
    );
  });
});
