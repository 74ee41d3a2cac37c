import { describe, expect, it } from 'vitest';
import { createDetector, type Detector } from '../detector/index.ts';
import { parseScalingPolicy } from './policy.ts';
import { createScaler } from './scaler.ts';

const STEP = 5 * 60_000;

/** The detector engine, expecting `level` at every step whatever it learned. */
function fixedForecaster(level: number): Detector {
  const detector = createDetector();
  return {
    ...detector,
    update: (timestampMs, value) => ({ ...detector.update(timestampMs, value), expected: level }),
    forecast: (steps) => detector.forecast(steps).map((point) => ({ ...point, expected: level })),
  };
}

describe('createScaler with its own forecaster', () => {
  it('forecasts with the forecaster it is given and learns the errors of that forecast', () => {
    const parsed = parseScalingPolicy({
      minReplicas: 1,
      maxReplicas: 50,
      metrics: [{ type: 'request', target: 100 }],
      predictive: { enabled: true, lookahead: '15m', startupDelay: '3m' },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const keys: string[] = [];
    const scaler = createScaler({
      policy: parsed.policy,
      createForecaster: (key) => {
        keys.push(key);
        return fixedForecaster(1000);
      },
    });
    expect(keys).toEqual(['request']);
    for (let step = 0; step < 40; step++) scaler.observe('request', step * STEP, 100);
    const decision = scaler.recommend({
      nowMs: 40 * STEP,
      currentReplicas: 1,
      metrics: { request: { total: 100 } },
    });
    expect(decision.forecast.request!.map((point) => point.expected)).toEqual([1000, 1000, 1000]);
    // Once the forecaster knew its step, every error is demand minus its 1000.
    const errors = scaler.toJSON().errors!.request!;
    expect(errors.length).toBeGreaterThan(20);
    expect(new Set(errors)).toEqual(new Set([-900]));
  });
});
