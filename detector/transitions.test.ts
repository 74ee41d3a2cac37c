import { describe, expect, it } from 'vitest';
import {
  createTransitionState,
  levelOf,
  transitionSurprise,
  type TransitionTuning,
} from './transitions.ts';

const TUNING: TransitionTuning = { levels: 4, rate: 0.01, warmup: 20 };

describe('transition novelty', () => {
  it('quantises into levels of the range, with one level below and one above it', () => {
    expect(levelOf(0, 0, 8, 4)).toBe(0);
    expect(levelOf(1.99, 0, 8, 4)).toBe(0);
    expect(levelOf(2, 0, 8, 4)).toBe(1);
    expect(levelOf(8, 0, 8, 4)).toBe(3);
    expect(levelOf(8.1, 0, 8, 4)).toBe(4);
    expect(levelOf(-0.1, 0, 8, 4)).toBe(-1);
    expect(levelOf(5, 3, 3, 4)).toBe(0);
  });

  it('finds a step never taken after a long repetition surprising, and a familiar one not', () => {
    const state = createTransitionState(TUNING);
    // A sawtooth 0,1,2,3,0,1,… only ever steps up by one or falls from 3 to 0.
    for (let i = 0; i < 2000; i++) transitionSurprise(state, i % 4, TUNING);
    // The last level was 3; 3 -> 0 is familiar, 0 -> 2 never happened.
    expect(transitionSurprise(state, 0, TUNING)).toBe(0);
    const surprise = transitionSurprise(state, 2, TUNING);
    // Novelties stopped after the first few steps: their rate has decayed far below 1 in 100.
    expect(surprise).toBeGreaterThan(2);
    // Once taken, the step is no longer news.
    transitionSurprise(state, 0, TUNING);
    expect(transitionSurprise(state, 2, TUNING)).toBe(0);
  });

  it('finds a new step unsurprising in a series that keeps taking new steps', () => {
    const state = createTransitionState({ ...TUNING, levels: 40 });
    const tuning = { ...TUNING, levels: 40 };
    let surprise = 0;
    let seed = 12345;
    // Random levels among 42 (1764 possible steps): most of 300 steps are new, the norm.
    for (let i = 0; i < 300; i++) {
      seed = (seed * 16807) % 2147483647;
      surprise = transitionSurprise(state, (seed % 42) - 1, tuning);
    }
    expect(surprise).toBeGreaterThan(0);
    expect(surprise).toBeLessThan(0.5);
  });

  it('scores nothing while warming up', () => {
    const state = createTransitionState(TUNING);
    const surprises = [0, 1, 2, 3, 0, 2, 4, -1, 3, 1].map((level) =>
      transitionSurprise(state, level, TUNING),
    );
    expect(surprises.every((surprise) => surprise === 0)).toBe(true);
  });
});
