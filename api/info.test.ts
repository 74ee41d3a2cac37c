import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { type ApiOptions } from './app.ts';
import { testApi } from '../test/support/api.ts';

describe('GET /v1/info', () => {
  let storage: Storage;
  const app = (options: Partial<ApiOptions> = {}) =>
    testApi(storage.client, {
      ...options,
    });
  const version = (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('tells where the collector of this process listens, the detector step and the version', async () => {
    const response = await app({
      info: {
        otlpHttpEndpoint: 'http://127.0.0.1:43180',
        otlpGrpcEndpoint: 'http://127.0.0.1:43170',
      },
      stepMs: 10_000,
    }).request('/v1/info');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      version,
      otlpHttpEndpoint: 'http://127.0.0.1:43180',
      otlpGrpcEndpoint: 'http://127.0.0.1:43170',
      stepSeconds: 10,
      demo: false,
    });
  });

  it('says null for the endpoints when no collector runs in this process (the api role alone)', async () => {
    expect(await (await app().request('/v1/info')).json()).toEqual({
      version,
      otlpHttpEndpoint: null,
      otlpGrpcEndpoint: null,
      stepSeconds: 60,
      demo: false,
    });
  });

  it('wants the API key like every /v1 route', async () => {
    const guarded = app({ apiKey: 'k' });
    expect((await guarded.request('/v1/info')).status).toBe(401);
    const answer = await guarded.request('/v1/info', { headers: { authorization: 'Bearer k' } });
    expect(answer.status).toBe(200);
  });
});
