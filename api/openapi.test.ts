import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';
import { fakeDemo } from '../test/support/demo.ts';
import { isUiPath, undocumentedAnswer } from '../test/support/openapi.ts';
import { openApiDocument } from './openapi.ts';

type Paths = Record<string, Record<string, unknown>>;

describe('the OpenAPI document', () => {
  let storage: Storage;
  const paths = (openApiDocument() as { paths: Paths }).paths;
  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  /** Every route the app registers (the demo's included), as "METHOD /openapi/{path}". */
  const registeredRoutes = () => {
    const app = testApi(storage.client, { demo: fakeDemo().control });
    const routes = app.routes
      .filter((route) => route.method !== 'ALL' && !isUiPath(route.path))
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    return [...new Set(routes)];
  };
  const documentedRoutes = () =>
    Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );

  it('is valid OpenAPI 3.1', async () => {
    await expect(
      SwaggerParser.validate(structuredClone(openApiDocument()) as never),
    ).resolves.toBeTruthy();
  });

  it('describes every route the API registers', () => {
    const documented = new Set(documentedRoutes());
    const missing = registeredRoutes().filter((route) => !documented.has(route));
    expect(
      missing,
      `routes registered but not described in api/openapi.ts: ${missing.join(', ')}`,
    ).toEqual([]);
  });

  it('describes no route the API does not register', () => {
    const registered = new Set(registeredRoutes());
    const ghosts = documentedRoutes().filter((route) => !registered.has(route));
    expect(ghosts, `routes in api/openapi.ts that no handler serves: ${ghosts.join(', ')}`).toEqual(
      [],
    );
  });

  it('describes a success answer with a body schema for every route that answers one', () => {
    const bare = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        Object.entries((operation as { responses: Record<string, { content?: object }> }).responses)
          .filter(([status, answer]) => status !== '204' && answer.content === undefined)
          .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
      ),
    );
    expect(bare, `answers without a body schema: ${bare.join(', ')}`).toEqual([]);
  });

  it('is what the answer checker of the API tests holds answers to', async () => {
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    const info = {
      version: '0.1.0',
      otlpHttpEndpoint: null,
      otlpGrpcEndpoint: null,
      stepSeconds: 60,
      demo: false,
    };
    expect(await undocumentedAnswer('GET', '/v1/info', json(info))).toBeNull();
    expect(
      await undocumentedAnswer('GET', '/v1/info', json({ ...info, stepSeconds: 'often' })),
    ).toMatch(
      /^GET \/v1\/info \(\/v1\/info\) answered 200 with a body its schema in api\/openapi\.ts does not describe: \/stepSeconds must be integer/,
    );
    expect(
      await undocumentedAnswer('GET', '/v1/info', json({ error: 'teapot', message: 'no' }, 418)),
    ).toMatch(
      /^GET \/v1\/info \(\/v1\/info\) answered 418, which api\/openapi\.ts does not list for it \(it lists 200, 401, 403\)/,
    );
    expect(
      await undocumentedAnswer(
        'GET',
        '/healthz',
        new Response('ok', { headers: { 'content-type': 'text/plain' } }),
      ),
    ).toBe(
      'GET /healthz (/healthz) answered 200 as "text/plain", but api/openapi.ts describes application/json',
    );
    expect(await undocumentedAnswer('GET', '/v1/undocumented', json({ items: [] }))).toBe(
      'GET /v1/undocumented is not in the OpenAPI document (api/openapi.ts) but answered 200',
    );
    expect(
      await undocumentedAnswer(
        'GET',
        '/v1/undocumented',
        json({ error: 'not_found', message: 'no route' }, 404),
      ),
    ).toBeNull();
    expect(
      await undocumentedAnswer('GET', '/services/checkout', new Response('<!doctype html>')),
    ).toBeNull();
  });
});
