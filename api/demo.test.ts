import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import type { DemoControl } from './demo.ts';
import { testApi } from '../test/support/api.ts';
import { fakeDemo } from '../test/support/demo.ts';

describe('the demo API', () => {
  let storage: Storage;
  const app = (demo?: DemoControl) =>
    testApi(storage.client, {
      demo,
    });
  const post = (api: ReturnType<typeof app>, path: string, body: string) =>
    api.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('is not there unless the demo runs, and /v1/info says which', async () => {
    expect((await app().request('/v1/demo')).status).toBe(404);
    expect((await post(app(), '/v1/demo/incidents/x', '{"action":"run"}')).status).toBe(404);
    expect(await (await app().request('/v1/info')).json()).toMatchObject({ demo: false });
    expect(await (await app(fakeDemo().control).request('/v1/info')).json()).toMatchObject({
      demo: true,
    });
  });

  it("lists the story's incidents with their state", async () => {
    const response = await app(fakeDemo().control).request('/v1/demo');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      startedAt: '2026-11-25T12:00:00.000Z',
      incidents: [
        { id: 'slow-release', atSeconds: 20, state: 'scheduled' },
        { id: 'error-burst', state: 'done', ends: { afterSeconds: 30 } },
      ],
    });
  });

  it('runs or skips an incident through the demo, answering with its new state', async () => {
    const { control, calls } = fakeDemo();
    const ran = await post(app(control), '/v1/demo/incidents/slow-release', '{"action":"run"}');
    expect(ran.status).toBe(200);
    expect(await ran.json()).toMatchObject({ id: 'slow-release', state: 'running' });
    expect(calls).toEqual([['slow-release', 'run']]);

    const done = await post(app(control), '/v1/demo/incidents/error-burst', '{"action":"skip"}');
    expect(done.status).toBe(409);
    expect(await done.json()).toEqual({
      error: 'conflict',
      message: 'incident error-burst is done',
    });
    const unknown = await post(app(control), '/v1/demo/incidents/nope', '{"action":"run"}');
    expect(unknown.status).toBe(404);
    expect(calls).toHaveLength(3);
  });

  it('refuses a body without a known action, naming it, and does not call the demo', async () => {
    const { control, calls } = fakeDemo();
    const wrong = await post(app(control), '/v1/demo/incidents/slow-release', '{"action":"pause"}');
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { message: string }).message).toMatch(
      /^invalid body: action: /,
    );
    const notJson = await post(app(control), '/v1/demo/incidents/slow-release', 'run');
    expect(((await notJson.json()) as { message: string }).message).toBe(
      'the body must be JSON, e.g. {"action":"run"}',
    );
    expect(calls).toEqual([]);
  });

  it('documents /v1/info and the demo routes in the OpenAPI document', async () => {
    const document = (await (await app().request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/info', '/v1/demo', '/v1/demo/incidents/{id}']),
    );
  });
});
