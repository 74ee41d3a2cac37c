import { describe, expect, it } from 'vitest';
import { judgePlay, pagedAbout, playLengthMs, type TimedLine } from './demo-check.ts';
import { DEMO_STORY } from './demo.ts';
import { parseDemoArgs } from './main.ts';

const STEP = 10_000;

/** A play as the demo prints it, at story seconds. */
function play(extra: Array<[number, string]> = [], drop: RegExp | null = null): TimedLine[] {
  const lines: Array<[number, string]> = [
    [-60, 'history sent; the detector learns from it now'],
    [0, 'the story (one "minute" here is one detector step):'],
    [20, '» checkout 1.5.0 is deployed: POST /checkout gets 350 ms slower'],
    [
      45,
      '  webhook anomaly.opened: checkout POST /checkout: latency_p50 is 420 ms  (signature verified)',
    ],
    [130, '  webhook remediation.succeeded: checkout succeeded  (signature verified)'],
    [150, '» payments: 40% of POST /pay fail'],
    [170, '  webhook anomaly.opened: payments: error_ratio is 0.4  (signature verified)'],
    [250, '» traffic surge: three times the requests to the frontend'],
    [275, '  webhook scaling.recommended: frontend 1 → 3 replicas  (signature verified)'],
    ...extra,
  ];
  return lines
    .filter(([, text]) => drop === null || !drop.test(text))
    .sort((a, b) => a[0] - b[0])
    .map(([seconds, text]) => ({ atMs: 1_000_000 + seconds * 1000, text }));
}

describe('the demo check', () => {
  it('passes a play where every incident causes its webhook within budget and nothing alerts before', () => {
    const verdict = judgePlay(play(), DEMO_STORY, STEP);
    expect(verdict.problems).toEqual([]);
    expect(verdict.asDocumented).toBe(true);
    expect(verdict.delaysSeconds['checkout-slow-release: an alert on checkout']).toBe(25);
  });

  it('fails a play with an alert before the first incident', () => {
    const verdict = judgePlay(
      play([
        [10, '  webhook anomaly.opened: checkout: latency_p50 is 149 ms  (signature verified)'],
      ]),
      DEMO_STORY,
      STEP,
    );
    expect(verdict.asDocumented).toBe(false);
    expect(verdict.problems[0]).toMatch(/before the first incident/);
  });

  it('fails a play whose alert never comes or comes after its budget, and a scaler that does not scale up', () => {
    const missing = judgePlay(play([], /anomaly\.opened: payments/), DEMO_STORY, STEP);
    expect(missing.problems).toEqual(['payments-error-burst: an alert on payments: never']);
    const late = judgePlay(
      play(
        [[215, '  webhook anomaly.opened: payments: error_ratio is 0.4']],
        /payments: error_ratio is 0.4 {2}\(/,
      ),
      DEMO_STORY,
      STEP,
    );
    expect(late.problems).toEqual([
      'payments-error-burst: an alert on payments: after 65 s (budget 4 steps)',
    ]);
    const down = judgePlay(
      play([[276, '  webhook scaling.recommended: frontend 3 → 2 replicas']], /frontend 1 → 3/),
      DEMO_STORY,
      STEP,
    );
    expect(down.asDocumented).toBe(false);
  });

  it('counts a page on a caller whose incident the service joined as a page about it', () => {
    const joined =
      '  webhook anomaly.updated: frontend GET /: latency_p50 is 480 ms, expected about 120 ms  [incident: frontend, checkout]  (signature verified)';
    expect(pagedAbout(joined, 'checkout')).toBe(true);
    expect(pagedAbout(joined, 'payments')).toBe(false);
    expect(
      pagedAbout(
        '  webhook anomaly.opened: checkout POST /checkout: latency_p50 is 420 ms',
        'checkout',
      ),
    ).toBe(true);
    expect(pagedAbout('  webhook anomaly.opened: checkout: error_ratio is 0.4', 'checkout')).toBe(
      true,
    );
    // Another service whose name starts with this one's, and lines that are not pages.
    expect(pagedAbout('  webhook anomaly.opened: checkouts: error_ratio is 0.4', 'checkout')).toBe(
      false,
    );
    expect(pagedAbout('  webhook remediation.succeeded: checkout succeeded', 'checkout')).toBe(
      false,
    );
    expect(pagedAbout('  runbook: rolling checkout back [incident: checkout]', 'checkout')).toBe(
      false,
    );
    // A play whose checkout page came on its caller passes the checkout expectation.
    const verdict = judgePlay(play([[40, joined]], /anomaly\.opened: checkout/), DEMO_STORY, STEP);
    expect(verdict.delaysSeconds['checkout-slow-release: an alert on checkout']).toBe(20);
  });

  it('stops a play once the last budget has passed', () => {
    // The surge starts at story minute 25; its budget is four steps.
    expect(playLengthMs(DEMO_STORY, STEP, STEP)).toBe(25 * STEP + 5 * STEP);
  });

  it('reads --check N, --keep-data and --realtime, and says what is wrong otherwise', () => {
    expect(parseDemoArgs(['--check', '10'])).toEqual({
      realtime: false,
      keepData: false,
      check: 10,
    });
    expect(parseDemoArgs(['--keep-data', '--realtime'])).toEqual({
      realtime: true,
      keepData: true,
      check: null,
    });
    expect(parseDemoArgs(['--check'])).toMatch(/--check needs a number/);
    expect(parseDemoArgs(['--check', '0'])).toMatch(/--check needs a number/);
    expect(parseDemoArgs(['--check', '2', '--keep-data'])).toMatch(/fresh data/);
    expect(parseDemoArgs(['--fast'])).toMatch(/unexpected argument "--fast"/);
  });
});
