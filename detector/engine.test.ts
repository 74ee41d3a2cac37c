import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDetector, DEFAULT_THRESHOLD, restoreDetector, type DetectorState } from './index.ts';

const NAB = resolve(import.meta.dirname, '../../shared/data/nab/data');

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

  it('with the TensorFlow.js forecaster, resumes exactly and batches exactly', () => {
    const { times, values } = readNab('realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv');
    const head = { times: times.slice(0, 1400), values: values.slice(0, 1400) };
    const full = createDetector({ neural: true }).updateBatch(head.times, head.values);
    // The forecaster trains at points 300, 800 and 1300 and takes part in the later scores.
    const plain = createDetector({ neural: false }).updateBatch(head.times, head.values);
    expect(full.slice(0, 300)).toEqual(plain.slice(0, 300));
    expect(
      full.slice(500).some((verdict, index) => verdict.score !== plain[500 + index]!.score),
    ).toBe(true);
    const first = createDetector({ neural: true });
    const before = first.updateBatch(head.times.slice(0, 700), head.values.slice(0, 700));
    const resumed = restoreDetector(JSON.parse(JSON.stringify(first.toJSON())) as DetectorState);
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

  it('rejects non-finite input with a message naming it', () => {
    expect(() => createDetector().update(0, Number.NaN)).toThrow(/finite.*NaN/);
  });
});
