import { describe, expect, it } from 'vitest';
import { calmSeries } from '../../test/support/calm-series.ts';
import { createDetector, DEFAULT_THRESHOLD } from '../index.ts';
import { stepAlarm } from './evaluator.ts';
import { engineModels } from './models.ts';

describe('engine models in the live evaluator', () => {
  // Up to the step before a daily peak.
  const { times, values } = calmSeries(1224);
  const highest = Math.max(...values);
  const next = (index: number) => times[0]! + (1224 + index) * 300_000;

  it('do not damp an incident after a high score that raised nothing (a value inside its band)', () => {
    const model = engineModels().create();
    times.forEach((time, index) => model.update(time, values[index]!));
    // A new high the season expected: a high score, but inside the band, so no alarm.
    const quiet = model.update(next(0), highest + 0.5);
    expect(quiet.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(stepAlarm(quiet, highest + 0.5, DEFAULT_THRESHOLD)).toBeNull();
    // The incident right after it alarms in full.
    const incident = model.update(next(1), 90);
    expect(stepAlarm(incident, 90, DEFAULT_THRESHOLD)).toBe(true);
    // The engine alone rests after any high score and would have halved it.
    const engine = createDetector();
    engine.updateBatch(times, values);
    engine.update(next(0), highest + 0.5);
    expect(engine.update(next(1), 90).score).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('damp the steps after an alarm they were told of, and keep that through a restore', () => {
    const models = engineModels();
    const model = models.create();
    times.forEach((time, index) => model.update(time, values[index]!));
    expect(model.update(next(0), 90).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    model.rest?.();
    const restored = models.restore(JSON.parse(JSON.stringify(model.state())));
    expect(restored.update(next(1), 95).score).toBeLessThan(DEFAULT_THRESHOLD);
  });
});
