import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Webhook as Verifier } from 'standardwebhooks';
import { parseAllowList } from '../../hooks/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { createScalingLoop, type ScalingLoop } from './loop.ts';
import { CPU_METRIC, observedReplicas, readTargets } from './readings.ts';
import { applyPolicies, PolicyFileError, readPolicyFile } from './policy-file.ts';
import { createScalingStore, type ScalingStore } from './store.ts';
import { testApi } from '../../test/support/api.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');

/** `perSecond` server spans a second for each minute in [from, to), spread over `instances`. */
function spans(from: number, to: number, perSecond: number, instances: number) {
  const rows: Array<Partial<SpanRow>> = [];
  for (let minute = from; minute < to; minute++) {
    const count = perSecond * 60;
    for (let i = 0; i < count; i++) {
      rows.push({
        Timestamp: `${BigInt(START + minute * STEP + Math.floor((i * STEP) / count)) * 1_000_000n}`,
        ServiceName: 'checkout',
        SpanName: 'POST /checkout',
        SpanKind: 'Server',
        StatusCode: 'Unset',
        Duration: 20_000_000,
        SpanAttributes: { 'http.route': '/checkout', 'http.response.status_code': '200' },
        ResourceAttributes: { 'service.instance.id': `pod-${i % instances}` },
      });
    }
  }
  return rows;
}

async function receiver() {
  const requests: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scale`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('scaling decisions from stored telemetry', () => {
  let storage: Storage;
  let store: ScalingStore;
  let nowMs = START + 30 * STEP + 20_000;
  const published: Array<{ type: string; data: Record<string, unknown> }> = [];
  const allow = parseAllowList('127.0.0.1');
  const api = () =>
    testApi(storage.client, {
      now: () => nowMs,
      webhookAllow: allow,
    });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await api().request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
    };
  };
  let loop: ScalingLoop;

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    store = createScalingStore(storage.client);
    // Half an hour at 20 requests/s over two instances.
    await storage.client.insert({
      table: 'otel_traces',
      values: spans(0, 30, 20, 2),
      format: 'JSONEachRow',
    });
    loop = createScalingLoop({
      client: storage.client,
      store,
      stepMs: 60_000,
      lookbackMs: 3_600_000,
      settleMs: 15_000,
      shard: { index: 0, count: 1 },
      publish: (type, data) => {
        published.push({ type, data });
        return Promise.resolve();
      },
      allow,
      logger: pino({ level: 'silent' }),
      now: () => nowMs,
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('validates policies, names what is wrong, and shows the actuator secret once', async () => {
    const bad = await call('PUT', '/v1/scaling/policies/checkout', {
      minReplicas: 5,
      maxReplicas: 2,
      metrics: [{ type: 'request', target: 0 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/minReplicas: must not exceed maxReplicas/);
    expect(bad.body.message).toMatch(/metrics\.0\.target/);
    const internal = await call('PUT', '/v1/scaling/policies/checkout', {
      maxReplicas: 10,
      metrics: [{ type: 'request', target: 10 }],
      actuator: { url: 'http://10.0.0.1/scale' },
    });
    expect(internal.status).toBe(400);
    expect(internal.body.message).toMatch(/actuator\.url: refused/);
    // The shape teams write for serverless platforms is taken as is.
    const serverless = await call('PUT', '/v1/scaling/policies/worker', {
      minReplicas: 0,
      maxReplicas: 100,
      metrics: [
        { type: 'cpu', target: 70 },
        { type: 'request', target: 1000 },
        { type: 'queue_depth', target: 100 },
      ],
      predictive: { enabled: true, lookahead: '2h' },
    });
    expect(serverless.status).toBe(201);
    expect(serverless.body.secret).toMatch(/^whsec_/);
    const again = await call('PUT', '/v1/scaling/policies/worker', {
      maxReplicas: 50,
      metrics: [{ type: 'request', target: 1000 }],
    });
    expect(again.status).toBe(200);
    expect(JSON.stringify(again.body)).not.toContain('whsec_');
    expect((await call('DELETE', '/v1/scaling/policies/worker')).status).toBe(204);
    expect((await call('GET', '/v1/scaling/worker')).status).toBe(404);
  });

  it('decides from the request rate and instances seen, sends the decision signed, and logs it', async () => {
    const actuator = await receiver();
    const created = await call('PUT', '/v1/scaling/policies/checkout', {
      minReplicas: 1,
      maxReplicas: 20,
      metrics: [{ type: 'request', target: 4 }],
      actuator: { url: actuator.url, dryRun: false },
    });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;

    expect(await loop.runOnce()).toEqual({ services: 1, changed: 1 });
    // 20 requests/s over 2 replicas at 4 per replica: the HPA wants 5, and its default
    // scale-up limit (max of 100% and 4 pods per 15 s) lets 2 go to 5 at once.
    const decision = await call('GET', '/v1/scaling/checkout');
    expect(decision.body).toMatchObject({
      current: 2,
      currentSource: 'observed',
      desired: { reactive: 5, predictive: null, final: 5 },
      dryRun: false,
    });
    expect(actuator.requests).toHaveLength(1);
    const sent = actuator.requests[0]!;
    expect(
      new Verifier(secret).verify(sent.body, sent.headers as Record<string, string>),
    ).toBeTruthy();
    expect(JSON.parse(sent.body)).toMatchObject({
      type: 'scaling.decision',
      data: { service: 'checkout', current: 2, desired: 5, source: 'scaler' },
    });
    expect(published.map((event) => event.type)).toEqual(['scaling.recommended']);
    expect(published[0]!.data).toMatchObject({ service: 'checkout', previous: 2, outcome: 'sent' });
    const history = await call('GET', '/v1/scaling/checkout/history');
    expect(history.body.decisions).toEqual([
      expect.objectContaining({
        current: 2,
        final: 5,
        previous: 2,
        outcome: 'sent',
        source: 'scaler',
      }),
    ]);
    expect((await call('GET', '/v1/scaling/checkout/keda')).body).toMatchObject({ value: 5 });

    // The same step again decides nothing new; the next step with the same load changes nothing.
    expect(await loop.runOnce()).toEqual({ services: 0, changed: 0 });
    await storage.client.insert({
      table: 'otel_traces',
      values: spans(30, 31, 20, 2),
      format: 'JSONEachRow',
    });
    nowMs += STEP;
    // The actuator reports what it runs now; the HPA sees 5 replicas at 4 requests/s each.
    await call('PUT', '/v1/scaling/checkout/current', { replicas: 5, by: 'scaler-bot' });
    expect(await loop.runOnce()).toEqual({ services: 1, changed: 0 });
    expect((await call('GET', '/v1/scaling/checkout')).body).toMatchObject({
      current: 5,
      currentSource: 'reported',
      desired: { final: 5 },
    });
    expect(actuator.requests).toHaveLength(1);

    // A remediation step scales out through the same actuator.
    const scaled = await loop.scale('checkout', { by: 2 }, 'runbook: latency regression');
    expect(scaled).toEqual({
      ok: true,
      detail: 'sent: checkout from 5 to 7 (actuator answered 200)',
    });
    expect(JSON.parse(actuator.requests[1]!.body)).toMatchObject({
      data: { desired: 7, source: 'remediation', reasons: ['runbook: latency regression'] },
    });
    expect(await loop.scale('nobody', { by: 1 }, 'x')).toEqual({
      ok: false,
      detail: 'no scaling actuator configured for nobody',
    });
    await actuator.close();
  });

  it('loads a policy file, refusing a bad one with the file, service and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsless-policies-'));
    const good = join(dir, 'good.yaml');
    await writeFile(
      good,
      'policies:\n  cart:\n    maxReplicas: 8\n    metrics:\n      - type: request\n        target: 50\n',
    );
    const policies = await readPolicyFile(good);
    expect(await applyPolicies(store, policies, nowMs)).toBe(1);
    // Unchanged on the next start: left alone, so its scaler keeps what it learned.
    expect(await applyPolicies(store, policies, nowMs + 1)).toBe(0);
    expect((await store.policy('cart'))!.policy.maxReplicas).toBe(8);
    // Detector shards split the policies as they split services: each in exactly one.
    const names = async (index: number) =>
      (await store.policies({ index, count: 2 })).map((stored) => stored.service);
    const all = (await store.policies()).map((stored) => stored.service);
    const [first, second] = [await names(0), await names(1)];
    expect([...first, ...second].sort()).toEqual([...all].sort());
    expect(first.filter((service) => second.includes(service))).toEqual([]);
    const shardOf = await storage.client.query({
      query: "SELECT cityHash64('cart') % 2 AS shard",
      format: 'JSONEachRow',
    });
    const [row] = await shardOf.json<{ shard: number }>();
    expect((Number(row!.shard) === 0 ? first : second).includes('cart')).toBe(true);

    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ cart: { maxReplicas: 8, metrics: [{ type: 'ram' }] } }));
    await expect(readPolicyFile(bad)).rejects.toThrow(PolicyFileError);
    await expect(readPolicyFile(bad)).rejects.toThrow(
      /bad\.json: invalid scaling policies:\n {2}cart\.metrics\.0\.type/,
    );
  });

  it('reads CPU per replica as the sum of each instance’s series (user + system), in percent', async () => {
    const at = (minute: number, second: number) =>
      `${BigInt(START + minute * STEP + second * 1000) * 1_000_000n}`;
    const values = [];
    for (const instance of ['pod-a', 'pod-b']) {
      for (const [state, value] of [
        ['user', 0.3],
        ['system', 0.1],
      ] as const) {
        for (const second of [10, 40]) {
          values.push({
            ServiceName: 'api',
            MetricName: CPU_METRIC,
            TimeUnix: at(5, second),
            Value: instance === 'pod-b' && second === 40 ? value * 2 : value,
            Attributes: { 'process.cpu.state': state },
            ResourceAttributes: { 'service.instance.id': instance },
          });
        }
      }
    }
    await storage.client.insert({ table: 'otel_metrics_gauge', values, format: 'JSONEachRow' });
    const readings = await readTargets(storage.client, {
      targets: new Map([['api', [{ type: 'cpu' as const, target: 50 }]]]),
      fromMs: START + 5 * STEP,
      toMs: START + 6 * STEP,
      stepSeconds: 60,
    });
    // pod-a: 30% + 10%; pod-b: mean(30, 60)% + mean(10, 20)% = 60%.
    const step = readings
      .get('api')!
      .get('cpu')!
      .get(START + 5 * STEP)!;
    expect(step.replicas).toBe(2);
    expect(step.total).toBeCloseTo(100);
    expect(
      await observedReplicas(storage.client, ['api'], START + 5 * STEP, START + 6 * STEP),
    ).toEqual(new Map([['api', 2]]));
  });
});
