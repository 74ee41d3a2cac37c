import { describe, expect, it } from 'vitest';
import { rankRootCauses, type NodeSeries, type RankInput } from './rank.ts';

const TIMES = [0, 1, 2, 3, 4, 5].map((i) => i * 60_000);
const START = 3 * 60_000;

/** Latency `before` for three steps, then `during` for three; `requests` per step throughout. */
function node(before: number, during: number, requests = 100): NodeSeries {
  const latency = Float64Array.from(TIMES, (t) => (t < START ? before : during));
  return {
    latency: [{ values: latency, relativeNoise: 0.05 }],
    meanLatency: latency,
    requests: Float64Array.from(TIMES, () => requests),
  };
}

function input(nodes: Record<string, NodeSeries>, calls: Record<string, string[]>): RankInput {
  return {
    times: TIMES,
    incidentStartMs: START,
    symptom: { node: 'frontend', kind: 'latency' },
    calls: new Map(Object.entries(calls)),
    nodes: new Map(Object.entries(nodes)),
  };
}

describe('rankRootCauses', () => {
  it('names the deepest slow service first: its callers are explained by it', () => {
    const ranked = rankRootCauses(
      input(
        {
          frontend: node(100, 600),
          checkout: node(80, 580),
          payments: node(50, 550),
          cart: node(20, 20),
        },
        { frontend: ['checkout', 'cart'], checkout: ['payments'] },
      ),
    );
    expect(ranked.map((c) => c.node)).toEqual(['payments', 'checkout', 'frontend', 'cart']);
    expect(ranked[0]).toMatchObject({ rank: 1, before: 50, during: 550 });
    expect(ranked.find((c) => c.node === 'checkout')?.explainedBy).toBe('payments');
  });

  it('does not blame a callee whose change is too small to explain its caller', () => {
    // The cache moved by many noise widths, but 2 ms more on 100 calls is not 500 ms on 100.
    const ranked = rankRootCauses(
      input(
        { frontend: node(100, 600), checkout: node(80, 580), cache: node(1, 3) },
        { frontend: ['checkout'], checkout: ['cache'] },
      ),
    );
    expect(ranked[0]!.node).toBe('checkout');
    expect(ranked[0]!.explainedBy).toBeUndefined();
  });

  it('ranks a rarely called slow node behind a busy one that moved less', () => {
    const ranked = rankRootCauses(
      input(
        { frontend: node(100, 300), search: node(50, 250, 100), batch: node(50, 2_000, 1) },
        { frontend: ['search', 'batch'] },
      ),
    );
    expect(ranked[0]!.node).toBe('search');
  });

  it('counts a node as moved when its callers saw it move (a view of it)', () => {
    const quietServer = node(50, 50);
    quietServer.views = [node(60, 900)];
    const ranked = rankRootCauses(
      input({ frontend: node(100, 950), search: quietServer }, { frontend: ['search'] }),
    );
    expect(ranked[0]!.node).toBe('search');
  });

  it('ranks by lost availability × requests for an availability symptom', () => {
    const availability = (before: number, during: number) => ({
      values: Float64Array.from(TIMES, (t) => (t < START ? before : during)),
    });
    const nodes: Record<string, NodeSeries> = {
      frontend: {
        latency: [],
        availability: availability(100, 90),
        requests: Float64Array.from(TIMES, () => 100),
      },
      search: {
        latency: [],
        availability: availability(100, 80),
        requests: Float64Array.from(TIMES, () => 50),
      },
      auth: {
        latency: [],
        availability: availability(100, 100),
        requests: Float64Array.from(TIMES, () => 100),
      },
    };
    const ranked = rankRootCauses({
      ...input(nodes, { frontend: ['search', 'auth'] }),
      symptom: { node: 'frontend', kind: 'availability' },
    });
    expect(ranked.map((c) => c.node)).toEqual(['search', 'frontend', 'auth']);
  });

  it('puts nodes that did not move last, and never ranks nodes the symptom does not reach', () => {
    const ranked = rankRootCauses(
      input(
        { frontend: node(100, 400), idle: node(10, 10), elsewhere: node(10, 900) },
        { frontend: ['idle'], other: ['elsewhere'] },
      ),
    );
    expect(ranked.map((c) => c.node)).toEqual(['frontend', 'idle']);
  });
});
