import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calmSeries } from '../test/support/calm-series.ts';
import {
  createDetector,
  DEFAULT_THRESHOLD,
  loadNeuralForecaster,
  restoreDetector,
  type DetectorState,
} from './index.ts';

/** The NAB series kept in the repository (MIT licence, see bench/nab/data/README.md). */
const NAB = resolve(import.meta.dirname, '../bench/nab/data/data');

function readNab(name: string): { times: number[]; values: number[] } {
  const lines = readFileSync(resolve(NAB, name), 'utf8').trim().split('\n').slice(1);
  const times: number[] = [];
  const values: number[] = [];
  for (const line of lines) {
    const [time = '', value = ''] = line.split(',');
    times.push(Date.parse(`${time.replace(' ', 'T')}Z`));
    values.push(Number(value));
  }
  return { times, values };
}

function scores(times: number[], values: number[]): number[] {
  return createDetector()
    .updateBatch(times, values)
    .map((verdict) => verdict.score);
}

describe('detector engine', () => {
  it('is strictly online: removing later points leaves earlier scores unchanged on real NAB files', () => {
    for (const file of [
      'realTweets/Twitter_volume_AAPL.csv',
      'realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv',
    ]) {
      const { times, values } = readNab(file);
      const full = scores(times, values);
      for (const cut of [800, 2000, 3500]) {
        expect(scores(times.slice(0, cut), values.slice(0, cut))).toEqual(full.slice(0, cut));
      }
    }
  });

  it('resumes from JSON exactly where it stopped', () => {
    const { times, values } = readNab('realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv');
    const full = createDetector().updateBatch(times, values);
    const first = createDetector();
    const head = first.updateBatch(times.slice(0, 1500), values.slice(0, 1500));
    const resumed = restoreDetector(JSON.parse(JSON.stringify(first.toJSON())) as DetectorState);
    const tail = resumed.updateBatch(times.slice(1500), values.slice(1500));
    expect([...head, ...tail]).toEqual(full);
  });

  it('with the TensorFlow.js forecaster, resumes exactly and batches exactly', async () => {
    const neural = await loadNeuralForecaster();
    const { times, values } = readNab('realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv');
    const head = { times: times.slice(0, 1400), values: values.slice(0, 1400) };
    const full = createDetector({ neural }).updateBatch(head.times, head.values);
    // The forecaster trains at points 300, 800 and 1300 and takes part in the later scores.
    const plain = createDetector().updateBatch(head.times, head.values);
    expect(full.slice(0, 300)).toEqual(plain.slice(0, 300));
    expect(
      full.slice(500).some((verdict, index) => verdict.score !== plain[500 + index]!.score),
    ).toBe(true);
    const first = createDetector({ neural });
    const before = first.updateBatch(head.times.slice(0, 700), head.values.slice(0, 700));
    const state = JSON.parse(JSON.stringify(first.toJSON())) as DetectorState;
    expect(() => restoreDetector(state)).toThrow(
      /neural forecaster: restore it with options\.neural/,
    );
    const resumed = restoreDetector(state, { neural });
    const after = head.times
      .slice(700)
      .map((time, index) => resumed.update(time, head.values[700 + index]!));
    expect([...before, ...after]).toEqual(full);
  });

  it('update one point at a time equals updateBatch', () => {
    const { times, values } = readNab('artificialWithAnomaly/art_daily_jumpsup.csv');
    const batch = createDetector().updateBatch(times, values);
    const single = createDetector();
    expect(times.map((time, index) => single.update(time, values[index]!))).toEqual(batch);
  });

  it('flags the jump in art_daily_jumpsup, its strongest alarm falling in the labelled window', () => {
    const { times, values } = readNab('artificialWithAnomaly/art_daily_jumpsup.csv');
    const verdicts = createDetector().updateBatch(times, values);
    // The labelled window of this file is 2014-04-10 16:15 to 2014-04-12 01:45.
    const windowStart = times.indexOf(Date.parse('2014-04-10T16:15:00Z'));
    const windowEnd = times.indexOf(Date.parse('2014-04-12T01:45:00Z'));
    expect(windowStart).toBeGreaterThan(0);
    const inWindow = verdicts.slice(windowStart, windowEnd + 1);
    expect(inWindow.some((verdict) => verdict.score >= DEFAULT_THRESHOLD)).toBe(true);
    // After the first day (learning), nothing outside the window scores as high as the jump.
    const peakInside = Math.max(...inWindow.map((verdict) => verdict.score));
    const outside = verdicts.filter(
      (_, index) => index > 288 && (index < windowStart || index > windowEnd),
    );
    expect(Math.max(...outside.map((verdict) => verdict.score))).toBeLessThan(peakInside);
    for (const verdict of verdicts) {
      expect(verdict.score).toBeGreaterThanOrEqual(0);
      expect(verdict.score).toBeLessThanOrEqual(1);
      expect(verdict.lower).toBeLessThanOrEqual(verdict.upper);
    }
  });

  it('flags the drop in art_daily_jumpsdown, which the forecast and the range each find unusual but neither alone alarms on', () => {
    const { times, values } = readNab('artificialWithAnomaly/art_daily_jumpsdown.csv');
    const verdicts = createDetector().updateBatch(times, values);
    // The labelled window of this file is 2014-04-10 16:15 to 2014-04-12 01:45.
    const windowStart = times.indexOf(Date.parse('2014-04-10T16:15:00Z'));
    const windowEnd = times.indexOf(Date.parse('2014-04-12T01:45:00Z'));
    expect(windowStart).toBeGreaterThan(0);
    const alarm = verdicts.findIndex(
      (verdict, index) => index >= windowStart && verdict.score >= DEFAULT_THRESHOLD,
    );
    expect(alarm).toBeGreaterThanOrEqual(windowStart);
    expect(alarm).toBeLessThanOrEqual(windowEnd);
  });

  it('learns a daily shape whose noise differs by time of day, band included', () => {
    const { times, values } = readNab('artificialNoAnomaly/art_daily_small_noise.csv');
    const verdicts = createDetector().updateBatch(times, values);
    const late = verdicts.slice(-576);
    const inside = late.filter((verdict, index) => {
      const value = values[values.length - 576 + index]!;
      return value >= verdict.lower && value <= verdict.upper;
    });
    expect(inside.length / late.length).toBeGreaterThan(0.95);
    // The series is calm around 20 and noisy around 80: the band must be narrower when calm.
    const width = (low: boolean): number => {
      const widths = late
        .filter((verdict) => verdict.expected < 50 === low)
        .map((verdict) => verdict.upper - verdict.lower)
        .sort((a, b) => a - b);
      return widths[widths.length >> 1]!;
    };
    expect(width(true)).toBeLessThan(0.8 * width(false));
  });

  it('alarms on a value just beyond everything seen, though the season nearly expected it', () => {
    // Up to the step before a daily peak (index 1224 = 4 days and a quarter).
    const { times, values } = calmSeries(1224);
    const detector = createDetector();
    detector.updateBatch(times, values);
    const highest = Math.max(...values);
    // Half a unit above the highest value ever seen: its residual is ordinary, its height is not.
    const verdict = detector.update(times[1223]! + 300_000, highest + 0.5);
    expect(Math.abs(highest + 0.5 - verdict.expected)).toBeLessThan(2);
    expect(verdict.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(verdict.models[0]).toBe('extreme-value');
  });

  it('alarms on a step the series never took: a square wave that stops halfway', () => {
    const times: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) {
      times.push(i * 300_000);
      values.push(Math.floor(i / 12) % 2 === 0 ? 0 : 10);
    }
    const detector = createDetector();
    const learned = detector.updateBatch(times, values);
    expect(Math.max(...learned.slice(1000).map((verdict) => verdict.score))).toBeLessThan(0.1);
    // 5 lies inside the range and is no larger a residual than the wave's own edges.
    const verdict = detector.update(3000 * 300_000, 5);
    expect(verdict.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(verdict.models[0]).toBe('new-transition');
  });

  it('raises one alarm per incident: a second new extreme right after an alarm is damped', () => {
    const { times, values } = calmSeries(1000);
    const at = (index: number): number => times[0]! + index * 300_000;
    const detector = createDetector();
    detector.updateBatch(times, values);
    expect(detector.update(at(1000), 65).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    // Higher still, so a new extreme again, but within the rest after the alarm.
    const damped = detector.update(at(1001), 70);
    expect(damped.score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(damped.models).toContain('extreme-value');
    for (let index = 1002; index < 1100; index++) {
      detector.update(at(index), 50 + 10 * Math.sin((2 * Math.PI * index) / 288));
    }
    // Well after the rest, the next new extreme alarms again.
    expect(detector.update(at(1100), 76).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
  });

  it('resumes a version 1 state, which has no extremes, and scores on', () => {
    const { times, values } = calmSeries(600);
    const first = createDetector();
    first.updateBatch(times.slice(0, 500), values.slice(0, 500));
    const { extremes, transitions, ...rest } = first.toJSON();
    expect(extremes).toBeDefined();
    expect(transitions).toBeDefined();
    const resumed = restoreDetector({ ...rest, version: 1 });
    const verdicts = resumed.updateBatch(times.slice(500), values.slice(500));
    expect(verdicts.every((verdict) => verdict.score >= 0 && verdict.score <= 1)).toBe(true);
    expect(resumed.toJSON()).toMatchObject({ version: 3 });
    expect(() => restoreDetector({ ...rest, version: 4 })).toThrow(/version 4/);
  });

  it('resumes a version 2 state, which kept no share of records, and scores on', () => {
    const { times, values } = calmSeries(1500);
    const first = createDetector();
    first.updateBatch(times.slice(0, 1000), values.slice(0, 1000));
    const state = first.toJSON() as DetectorState & {
      extremes: Record<'value' | 'mean' | 'residual', { records?: number; seen: number }>;
    };
    for (const range of Object.values(state.extremes)) delete range.records;
    const resumed = restoreDetector({ ...state, version: 2 });
    const verdicts = resumed.updateBatch(times.slice(1000), values.slice(1000));
    expect(verdicts.every((verdict) => verdict.score >= 0 && verdict.score <= 1)).toBe(true);
    const extremes = (resumed.toJSON() as typeof state).extremes;
    expect(extremes.value.records).toBeGreaterThan(0);
    expect(extremes.value.records).toBeLessThan(0.05);
    expect(resumed.toJSON()).toMatchObject({ version: 3 });
  });

  it('counts a new extreme of a young range at a discount', () => {
    /** Uniform noise in [0, 1], then one value 1.5 margins of the range above its high. */
    const spikeScore = (points: number): { score: number; models: string[] } => {
      const times: number[] = [];
      const values: number[] = [];
      let seed = 11;
      for (let i = 0; i < points; i++) {
        seed = (seed * 16807) % 2147483647;
        times.push(i * 300_000);
        values.push(seed / 2147483647);
      }
      const detector = createDetector();
      detector.updateBatch(times, values);
      const low = Math.min(...values);
      const high = Math.max(...values);
      return detector.update(points * 300_000, high + 0.0075 * (high - low));
    };
    const young = spikeScore(250);
    expect(young.score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(young.models).not.toContain('extreme-value');
    const old = spikeScore(5000);
    expect(old.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(old.models[0]).toBe('extreme-value');
  });

  it('rejects non-finite input with a message naming it', () => {
    expect(() => createDetector().update(0, Number.NaN)).toThrow(/finite.*NaN/);
  });
});
