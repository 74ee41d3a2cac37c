import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshServiceMap, sendCalls } from './support/calls.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

interface MapAnswer {
  nodes: Array<{
    service: string;
    kind: string;
    requests: number;
    errorRatio: number;
    p95Ms: number;
  }>;
  edges: Array<{ from: string; to: string; requests: number; errorRatio: number; p95Ms: number }>;
  truncated: boolean;
}

describe('service map', () => {
  let opsless: TestOpsless;
  beforeAll(async () => {
    opsless = await startTestOpsless();
    await sendCalls(opsless, 40, 4);
    await refreshServiceMap(opsless);
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('draws calls between services from parent and child spans, and to what is not instrumented', async () => {
    const response = await fetch(`${opsless.apiUrl}/v1/service-map?since=1h`);
    expect(response.status).toBe(200);
    const map = (await response.json()) as MapAnswer;
    const edge = (from: string, to: string) =>
      map.edges.find((e) => e.from === from && e.to === to);
    expect(edge('frontend', 'checkout')).toMatchObject({ requests: 40, errorRatio: 0.25 });
    expect(edge('frontend', 'checkout')!.p95Ms).toBeGreaterThanOrEqual(5);
    expect(edge('checkout', 'orders-db')).toMatchObject({ requests: 40, errorRatio: 0 });
    // The client span answered by checkout is not also an external call to its address.
    expect(map.edges).toHaveLength(2);
    const node = (name: string) => map.nodes.find((n) => n.service === name);
    expect(node('frontend')).toMatchObject({ kind: 'service', requests: 40, errorRatio: 0 });
    expect(node('checkout')).toMatchObject({ kind: 'service', requests: 40, errorRatio: 0.25 });
    expect(node('orders-db')).toMatchObject({ kind: 'database', requests: 40 });
    expect(map.truncated).toBe(false);
  });

  it('finds nothing in a range before the calls', async () => {
    const from = new Date(Date.now() - 7_200_000).toISOString();
    const to = new Date(Date.now() - 3_600_000).toISOString();
    const map = (await (
      await fetch(`${opsless.apiUrl}/v1/service-map?from=${from}&to=${to}`)
    ).json()) as MapAnswer;
    expect(map).toEqual({ nodes: [], edges: [], truncated: false });
  });

  it('refuses both since and from with 400', async () => {
    const response = await fetch(
      `${opsless.apiUrl}/v1/service-map?since=1h&from=2026-01-01T00:00:00Z`,
    );
    expect(response.status).toBe(400);
  });
});
