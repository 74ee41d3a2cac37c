import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  createNeuralForecaster,
  initTensorflow,
  restoreNeuralForecaster,
  type NeuralForecaster,
  type NeuralOptions,
  type NeuralState,
} from './neural.ts';

/** Small and fast: trains at 60, 110, 160… on at most 200 points. */
const QUICK: NeuralOptions = {
  window: 8,
  hidden: 6,
  minTrainPoints: 60,
  trainEvery: 50,
  trainWindow: 200,
  epochs: 3,
};

function sine(
  length: number,
  { period = 50, amplitude = 1, offset = 0, noise = 0 } = {},
): Float64Array {
  const values = new Float64Array(length);
  let seed = 12345;
  for (let i = 0; i < length; i++) {
    seed = (seed * 16807) % 2147483647;
    values[i] =
      offset + amplitude * Math.sin((2 * Math.PI * i) / period) + noise * (seed / 2147483647 - 0.5);
  }
  return values;
}

function stepEach(forecaster: NeuralForecaster, values: ArrayLike<number>): Float64Array {
  const predictions = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) predictions[i] = forecaster.step(values[i] ?? Number.NaN);
  return predictions;
}

function roundTrip(state: NeuralState): NeuralState {
  return JSON.parse(JSON.stringify(state)) as NeuralState;
}

describe('neural forecaster', () => {
  it('predicts NaN until the first training, then finite values, on the default cpu backend', () => {
    const predictions = stepEach(createNeuralForecaster(QUICK), sine(80, { noise: 0.1 }));
    expect(tf.getBackend()).toBe('cpu');
    expect(predictions.slice(0, 60).every(Number.isNaN)).toBe(true);
    expect(predictions.slice(60).every(Number.isFinite)).toBe(true);
  });

  it('forecasts a clean sine to within 2% of its amplitude after 1000 points, far better than persistence', () => {
    const amplitude = 5;
    const values = sine(1300, { amplitude, offset: 100 });
    const predictions = createNeuralForecaster().stepBatch(values);
    let absoluteError = 0;
    for (let i = 1000; i < values.length; i++)
      absoluteError += Math.abs((predictions[i] ?? 0) - (values[i] ?? 0));
    // Persistence (repeat the last value) scores 0.08 × amplitude here; the trained net ~0.008.
    expect(absoluteError / 300).toBeLessThan(0.02 * amplitude);
  });

  it('gives bit-identical predictions and state from stepBatch and from repeated step', () => {
    const values = sine(400, { noise: 0.3 });
    values[100] = Number.NaN;
    values[159] = Number.POSITIVE_INFINITY;
    const stepped = createNeuralForecaster(QUICK);
    const batched = createNeuralForecaster(QUICK);
    const expected = stepEach(stepped, values);
    // Uneven chunks so that batch edges fall before, on and after training points.
    const actual = [
      ...batched.stepBatch(values.subarray(0, 59)),
      ...batched.stepBatch(values.subarray(59, 111)),
      ...batched.stepBatch(values.subarray(111)),
    ];
    expect(actual).toEqual([...expected]);
    expect(batched.toJSON()).toEqual(stepped.toJSON());
  });

  it('forecasts point i from values before i only', () => {
    const values = sine(300, { noise: 0.3 });
    const altered = values.slice();
    for (let i = 150; i < altered.length; i++) altered[i] = (altered[i] ?? 0) * -3 + 7;
    const original = createNeuralForecaster(QUICK).stepBatch(values);
    const changed = createNeuralForecaster(QUICK).stepBatch(altered);
    expect([...changed.subarray(0, 151)]).toEqual([...original.subarray(0, 151)]);
    expect(changed[151]).not.toBe(original[151]);
  });

  it('resumes from a JSON round trip mid-stream exactly as if it had never stopped', () => {
    const values = sine(500, { noise: 0.3 });
    const uninterrupted = createNeuralForecaster(QUICK).stepBatch(values);
    for (const stop of [37, 110, 237]) {
      const first = createNeuralForecaster(QUICK);
      first.stepBatch(values.subarray(0, stop));
      const resumed = restoreNeuralForecaster(roundTrip(first.toJSON()));
      expect([...stepEach(resumed, values.subarray(stop))]).toEqual([
        ...uninterrupted.subarray(stop),
      ]);
    }
  });

  it('does not learn non-finite values', () => {
    const forecaster = createNeuralForecaster(QUICK);
    forecaster.stepBatch([1, 2, Number.NaN, 3, Number.NEGATIVE_INFINITY]);
    expect(forecaster.toJSON()).toMatchObject({ seen: 3, history: [1, 2, 3] });
  });

  it('holds no tensors between calls over 10k steps and several trainings', () => {
    const forecaster = createNeuralForecaster({ ...QUICK, trainEvery: 2000, epochs: 1 });
    const values = sine(10_000, { noise: 0.2 });
    forecaster.step(values[0] ?? 0);
    const before = tf.memory().numTensors;
    for (let i = 1; i < values.length; i++) forecaster.step(values[i] ?? 0);
    forecaster.stepBatch(values.subarray(0, 3000));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects options that cannot train', () => {
    expect(() => createNeuralForecaster({ window: 0 })).toThrow(RangeError);
    expect(() => createNeuralForecaster({ window: 24, minTrainPoints: 24 })).toThrow(
      /minTrainPoints/,
    );
    expect(() => createNeuralForecaster({ epochs: 1.5 })).toThrow(/epochs/);
  });

  it('rejects a state whose weights do not fit its options', () => {
    const trained = createNeuralForecaster(QUICK);
    trained.stepBatch(sine(70));
    const state = trained.toJSON();
    expect(() =>
      restoreNeuralForecaster({ ...state, options: { ...state.options, hidden: 7 } }),
    ).toThrow(/weights/);
  });

  // Last: switching the backend is process-wide.
  it('switches to a faster backend once initTensorflow resolves, step and stepBatch still identical', async () => {
    // tfjs-node, an optional peer, would win where installed.
    const backend = await initTensorflow();
    expect(backend).toMatch(/^(wasm|tensorflow)$/);
    expect(await initTensorflow()).toBe(backend);
    expect(tf.getBackend()).toBe(backend);
    const values = sine(200, { noise: 0.3 });
    const expected = stepEach(createNeuralForecaster(QUICK), values);
    expect([...createNeuralForecaster(QUICK).stepBatch(values)]).toEqual([...expected]);
    expect(expected.slice(60).every(Number.isFinite)).toBe(true);
  });
});
