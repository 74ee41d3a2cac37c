import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServicesSeries, readUsualTraffic } from '../../signals/live/index.ts';
import {
  learnRoute,
  MINUTE_MS,
  type LearnedRoute,
  type RouteMinutes,
} from '../../test/support/route-minutes.ts';

const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_STEPS = 6 * 60;

/** Twenty requests a minute at most, 20 + (7i mod 20) ms each. */
const SUGGEST: RouteMinutes = {
  startMs: START,
  service: 'search',
  spanName: 'GET /suggest',
  spacingMs: 2_500,
  durationMs: (minute, i) => 20 + ((minute * 13 + i * 7) % 20),
};

describe('what a route usually does', () => {
  let route: LearnedRoute;
  const live = (count: number, errors: number) => route.live(count, errors);

  beforeAll(async () => {
    // Twenty requests a minute for six hours, a quarter of them failing (a flaky backend).
    route = await learnRoute(SUGGEST, HISTORY_STEPS, () => ({ count: 20, errors: 5 }));
  });
  afterAll(async () => {
    await route.close();
  });

  it('reads the usual error ratio and requests per step, by service and operation', async () => {
    const usual = await readUsualTraffic(route.storage.client, {
      services: ['search', 'absent'],
      fromMs: START - 3 * 3_600_000,
      toMs: START + HISTORY_STEPS * MINUTE_MS,
      stepMs: MINUTE_MS,
    });
    // Per step from the first request, not from the window's start three hours earlier.
    expect(usual.get('search')?.get('')).toEqual({ errorRatio: 0.25, requestsPerStep: 20 });
    expect(usual.get('search')?.get('GET /suggest')).toEqual({
      errorRatio: 0.25,
      requestsPerStep: 20,
    });
    expect(usual.has('absent')).toBe(false);
  });

  it('reads latency below the median too, for how sure a median is', async () => {
    const series = await readServicesSeries(route.storage.client, {
      operations: new Map([['search', []]]),
      fromMs: START,
      toMs: START + 2 * MINUTE_MS,
      stepSeconds: 60,
    });
    const [first] = series.get('search')!.get('')!;
    // Minute 0: 20 requests of 20 + (7i mod 20) ms, i = 0..19: every value 20..39 ms once.
    // The digest of so few keeps each value: a level reads the value at its rank, 20% → the 4th.
    expect(first!.requests).toBe(20);
    expect(first!.belowMedian).toEqual([23, 25, 27]);
    expect(first!.values.latency_p50).toBe(29);
  });

  it('judges errors against the ratio the route usually fails at', async () => {
    // 40% is out of a band learned on a steady 25%, but not twice what the route usually fails.
    let opened = 0;
    for (let i = 0; i < 6; i++) opened += await live(20, 8);
    expect(opened).toBe(0);
    expect(await route.alerts.list({})).toEqual([]);
  });
});
