import { describe, expect, it } from 'vitest';
// The benchmark's simulator is the reference the estimator is checked against.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import { erlangC } from '../bench/scaling/simulator.ts';
import { createCapacityEstimator, type CapacitySample } from './capacity.ts';

/**
 * Telemetry of a replica with `workers` servers and a true capacity of 100 requests/s:
 * mean latency from the M/M/k queue (5% noise); above capacity it serves 100/s and
 * fails the rest.
 */
function telemetry(loads: number[], workers: number, seed = 11): CapacitySample[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return loads.map((load) => {
    const rho = load / 100;
    const queueing = rho < 1 ? erlangC(workers, workers * rho) / (workers - workers * rho) : 20;
    return {
      loadPerReplica: load,
      latency: (1 + queueing) * (1 + 0.05 * (random() - 0.5)),
      errorRatio: rho > 1 ? 1 - 1 / rho : 0,
    };
  });
}

const spread = (from: number, to: number, n = 300) =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * ((i * 7919) % n)) / (n - 1));

describe('createCapacityEstimator', () => {
  it.each([1, 4, 8, 16])(
    'finds the capacity of a %i-worker replica within a tenth from latency once load reached nine tenths of it',
    (workers) => {
      const estimator = createCapacityEstimator();
      for (const sample of telemetry(spread(20, 90), workers)) estimator.add(sample);
      const estimate = estimator.estimate();
      expect(estimate.basis).toBe('latency');
      expect(estimate.perReplica).toBeGreaterThanOrEqual(90);
      expect(estimate.perReplica).toBeLessThanOrEqual(110);
      expect(estimate.confidence).toBeGreaterThanOrEqual(0.5);
    },
  );

  it('reads the capacity from overloaded steps: what a replica still served', () => {
    const estimator = createCapacityEstimator();
    for (const sample of telemetry(spread(50, 140), 4)) estimator.add(sample);
    const estimate = estimator.estimate();
    expect(estimate.basis).toBe('saturation');
    expect(estimate.perReplica).toBeCloseTo(100, 5);
  });

  it('says nothing while the load seen stays far below the knee', () => {
    const estimator = createCapacityEstimator();
    for (const sample of telemetry(spread(10, 40), 4)) estimator.add(sample);
    expect(estimator.estimate()).toMatchObject({ perReplica: null, basis: 'none' });
  });

  it('says nothing with too few samples', () => {
    const estimator = createCapacityEstimator();
    for (const sample of telemetry(spread(20, 95, 12), 1)) estimator.add(sample);
    expect(estimator.estimate().perReplica).toBeNull();
  });

  it('estimates from the samples in its window only, as they come and go', () => {
    // Load that rose then fell: the fit must drop the samples that left the window.
    const loads = [...spread(20, 95, 400), ...spread(10, 40, 250)];
    const sliding = createCapacityEstimator({ window: 200, recomputeEvery: 1 });
    const samples = telemetry(loads, 4);
    for (const [index, sample] of samples.entries()) {
      sliding.add(sample);
      if (index % 50 !== 49) continue;
      const fresh = createCapacityEstimator({ window: 200 }, samples.slice(0, index + 1));
      expect(sliding.estimate()).toEqual(fresh.estimate());
    }
    expect(sliding.estimate().perReplica).toBeNull();
  });

  it('keeps a bounded window, ignores invalid samples and resumes from toJSON()', () => {
    const estimator = createCapacityEstimator({ window: 50 });
    for (const sample of telemetry(spread(20, 90), 4)) estimator.add(sample);
    estimator.add({ loadPerReplica: Number.NaN, latency: 1, errorRatio: 0 });
    estimator.add({ loadPerReplica: 10, latency: -1, errorRatio: 0 });
    expect(estimator.toJSON()).toHaveLength(50);
    const resumed = createCapacityEstimator({ window: 50 }, estimator.toJSON());
    expect(resumed.estimate()).toEqual(estimator.estimate());
  });
});
