import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  learnRoute,
  type LearnedRoute,
  type RouteMinutes,
} from '../../test/support/route-minutes.ts';

const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_STEPS = 6 * 60;

/** A quiet route: a request every 7 s at most. */
const LEDGER: RouteMinutes = {
  startMs: START,
  service: 'ledger',
  spanName: 'POST /settle',
  spacingMs: 7_000,
  durationMs: (minute, i) => 30 + ((minute * 13 + i * 7) % 20),
};

describe('error ratios of a low-volume route', () => {
  let route: LearnedRoute;
  const live = (count: number, errors: number) => route.live(count, errors);

  beforeAll(async () => {
    // Two to four requests a minute, none failing in six hours.
    route = await learnRoute(LEDGER, HISTORY_STEPS, (at) => ({ count: 2 + (at % 3), errors: 0 }));
  });
  afterAll(async () => {
    await route.close();
  });

  it('raises nothing for one error in four requests', async () => {
    let opened = await live(4, 1);
    for (let i = 0; i < 4; i++) opened += await live(3, 0);
    expect(opened).toBe(0);
    expect(await route.alerts.list({})).toEqual([]);
  });

  it('alerts when half the requests fail for several steps', async () => {
    const opened: number[] = [];
    for (let i = 0; i < 6; i++) opened.push(await live(2, 1));
    expect(opened.reduce((sum, count) => sum + count, 0)).toBe(1);
    const [alert] = await route.alerts.list({ status: 'open' });
    expect(alert!.signals).toContain('error_ratio');
    expect(alert!.summary).toMatch(/error_ratio is 50%, expected about 0(\.\d+)?%/);
  });
});
