import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

const WEBHOOK = JSON.stringify({ url: 'https://93.184.215.14/hook', events: ['anomaly.opened'] });
const JSON_TYPE = { 'content-type': 'application/json' };

/** A streamed body of `totalBytes` without a declared length; counts what was read. */
function streamedBody(chunkBytes: number, totalBytes: number) {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(chunkBytes).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= totalBytes) return controller.close();
      pulled.bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled };
}

describe('request guards', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('answers 413 while a body arrives, reading no more than the limit', async () => {
    const app = testApi(storage.client, { maxBodyBytes: 64 * 1024 });
    const { stream, pulled } = streamedBody(16 * 1024, 64 * 1024 * 1024);
    const response = await app.request('/v1/webhooks', {
      method: 'POST',
      headers: JSON_TYPE,
      body: stream,
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: 'payload_too_large',
      message: expect.stringContaining('OPSLESS_API_MAX_BODY_BYTES') as string,
    });
    expect(pulled.bytes).toBeLessThanOrEqual(64 * 1024 + 2 * 16 * 1024);
  });

  it('refuses a declared length over the limit before reading, and serves one under it', async () => {
    const app = testApi(storage.client, { maxBodyBytes: 1024 });
    const over = await app.request('/v1/remediations/kill-switch', {
      method: 'PUT',
      headers: { ...JSON_TYPE, 'content-length': '1025' },
      body: 'x'.repeat(1025),
    });
    expect(over.status).toBe(413);
    const under = await app.request('/v1/webhooks', {
      method: 'POST',
      headers: JSON_TYPE,
      body: WEBHOOK,
    });
    expect(under.status).toBe(201);
  });

  it('defaults to 1 MiB', async () => {
    const response = await testApi(storage.client).request('/v1/webhooks', {
      method: 'POST',
      headers: JSON_TYPE,
      body: `{"description":"${'x'.repeat(1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
  });

  describe('without an API key', () => {
    const app = () => testApi(storage.client, { allowedHosts: ['opsless.lan'] });
    const post = (headers: Record<string, string>, body: string | undefined = WEBHOOK) =>
      app().request('http://localhost:8080/v1/webhooks', { method: 'POST', headers, body });

    it('refuses a state-changing request that is not JSON, as a cross-site form would send', async () => {
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ]) {
        const response = await post({ 'content-type': type });
        expect(response.status, type).toBe(415);
        expect(((await response.json()) as { message: string }).message).toMatch(
          /Content-Type: application\/json/,
        );
      }
      // fetch() without a content type sends a string body as text/plain.
      expect((await post({})).status).toBe(415);
    });

    it('refuses a foreign or opaque Origin and a cross-site fetch, and lets the same origin in', async () => {
      for (const origin of ['https://evil.example', 'http://localhost:9999', 'null']) {
        const response = await post({ ...JSON_TYPE, origin });
        expect(response.status, origin).toBe(403);
        expect(((await response.json()) as { message: string }).message).toMatch(/OPSLESS_API_KEY/);
      }
      expect((await post({ ...JSON_TYPE, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      const deleted = await app().request('http://localhost:8080/v1/webhooks/wh_x', {
        method: 'DELETE',
        headers: { origin: 'https://evil.example' },
      });
      expect(deleted.status).toBe(403);
      expect((await post({ ...JSON_TYPE, origin: 'http://localhost:8080' })).status).toBe(201);
      expect((await post({ ...JSON_TYPE, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
      expect((await post(JSON_TYPE)).status).toBe(201);
    });

    it('lets a bodiless action through without a content type, as the UI sends it', async () => {
      const created = (await (await post(JSON_TYPE)).json()) as { id: string };
      const rotated = await app().request(`/v1/webhooks/${created.id}/rotate-secret`, {
        method: 'POST',
        headers: { origin: 'http://localhost' },
      });
      expect(rotated.status).toBe(200);
    });

    it('refuses a host name it was not given (DNS rebinding), on reads too', async () => {
      for (const url of [
        'http://rebind.evil.example:8080/v1/webhooks',
        'http://127.0.0.1.nip.io/v1/webhooks',
        'http://localhost.evil.example/',
      ]) {
        const response = await app().request(url);
        expect(response.status, url).toBe(403);
        expect(((await response.json()) as { message: string }).message).toMatch(
          /OPSLESS_ALLOWED_HOSTS/,
        );
      }
      for (const url of [
        'http://localhost:8080/v1/webhooks',
        'http://127.0.0.1/v1/webhooks',
        'http://[::1]:8080/v1/webhooks',
        'http://192.0.2.10/v1/webhooks',
        'http://OPSLESS.lan/v1/webhooks',
      ]) {
        expect((await app().request(url)).status, url).toBe(200);
      }
    });
  });

  it('leaves cross-origin callers to the API key when one is set', async () => {
    const app = testApi(storage.client, { apiKey: 'k3y' });
    const response = await app.request('http://opsless.example.com/v1/webhooks', {
      method: 'POST',
      headers: { ...JSON_TYPE, origin: 'https://ci.example', authorization: 'Bearer k3y' },
      body: WEBHOOK,
    });
    expect(response.status).toBe(201);
  });
});
