import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../alerts/live/index.ts';
import { parseAllowList } from '../hooks/live/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import { testApi } from '../test/support/api.ts';
import { fakeDemo } from '../test/support/demo.ts';
import { createGenerator, JUNK_BODIES, seededRandom } from '../test/support/random-requests.ts';
import { openApiDocument } from './openapi.ts';

const SEED = 20261203;
const CASES = 2000;

interface Parameter {
  name: string;
  in: 'path' | 'query';
  schema?: unknown;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: unknown } } };
}

describe('every route of the OpenAPI document, under random input', () => {
  let storage: Storage;
  const ids = ['a1', 'restart', 'checkout', 'slow-release', 'error-burst'];

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    // Something to find, so that some requests get past the 404s into the real work.
    await createAlertStore(storage.client).save(sampleAlert({ id: 'a1' }));
    const api = testApi(storage.client, { webhookAllow: parseAllowList('127.0.0.1') });
    const put = (path: string, body: unknown) =>
      api.request(path, {
        method: path.endsWith('webhooks') ? 'POST' : 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const webhook = await put('/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['anomaly.opened'],
    });
    ids.push(((await webhook.json()) as { id: string }).id);
    await put('/v1/remediations/rules/restart', {
      match: { service: 'checkout' },
      steps: [{ type: 'notify' }],
      mode: 'approval',
    });
    await put('/v1/scaling/policies/checkout', {
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'cpu', target: 0.6 }],
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it(`answers ${CASES} random requests (seed ${SEED}) without a 5xx, each as documented`, async () => {
    const generate = createGenerator(seededRandom(SEED));
    const app = testApi(storage.client, {
      demo: fakeDemo().control,
      webhookAllow: parseAllowList('127.0.0.1'),
    });
    const paths = (openApiDocument() as { paths: Record<string, Record<string, Operation>> }).paths;
    const operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let index = 0; index < CASES; index++) {
      const { path, method, operation } = generate.pick(operations);
      const parameters = operation.parameters ?? [];
      const concrete = path.replace(/\{(\w+)\}/g, () =>
        // encodeURIComponent throws on a lone surrogate; a URL cannot carry one anyway.
        encodeURIComponent(
          (generate.chance(0.5) ? generate.pick(ids) : generate.string()).replace(
            /\p{Cs}/gu,
            '\uFFFD',
          ),
        ),
      );
      const query = new URLSearchParams();
      // Half the cases keep to the schema's shapes, so that one wrong parameter does not
      // stop every request at validation before the others reach the database.
      const shaped = generate.chance(0.5);
      for (const parameter of parameters.filter((p) => p.in === 'query')) {
        if (!generate.chance(0.3)) continue;
        const value =
          shaped || generate.chance(0.5)
            ? generate.fromSchema(parameter.schema)
            : generate.string();
        for (const item of Array.isArray(value) ? value : [value]) {
          query.append(parameter.name, typeof item === 'string' ? item : JSON.stringify(item));
        }
      }
      if (!shaped && generate.chance(0.05)) query.append(generate.string(), generate.string());
      let body: string | undefined;
      if (operation.requestBody && generate.chance(0.9)) {
        body = generate.chance(0.8)
          ? JSON.stringify(
              generate.fromSchema(operation.requestBody.content['application/json'].schema),
            )
          : generate.pick(JUNK_BODIES);
      } else if (method !== 'get' && generate.chance(0.05)) {
        body = JSON.stringify(generate.anyJson());
      }
      const url = `${concrete}${query.size > 0 ? `?${query.toString()}` : ''}`;
      const described = `${method.toUpperCase()} ${url}${body === undefined ? '' : ` ${body.slice(0, 200)}`}`;
      try {
        const response = await app.request(url, {
          method: method.toUpperCase(),
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body,
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500)
          failures.push(`case ${index}: ${described} -> ${response.status}`);
      } catch (error) {
        failures.push(`case ${index}: ${described} -> ${(error as Error).message}`);
      }
      if (failures.length >= 10) break;
    }
    expect(failures).toEqual([]);
    // The generator reaches past validation: some requests succeed, some are refused.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(CASES / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(CASES / 20);
  }, 120_000);
});
