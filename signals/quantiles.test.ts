import { describe, expect, it } from 'vitest';
import {
  addExponential,
  bucketQuantile,
  emptyExponential,
  exponentialQuantile,
  summaryQuantile,
} from './quantiles.ts';

/** The default bounds of the OpenTelemetry JavaScript and Python SDKs (in the metric's unit). */
const SDK_DEFAULT_BOUNDS = [
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
];
/** The bounds the HTTP semantic conventions advise for `http.server.request.duration` (s). */
const SEMCONV_SECONDS_BOUNDS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Counts of `values` in the buckets (-inf, b0], (b0, b1], …, (b_last, +inf). */
function bucketed(values: number[], bounds: number[]): number[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const value of values) {
    const index = bounds.findIndex((bound) => value <= bound);
    counts[index === -1 ? bounds.length : index]! += 1;
  }
  return counts;
}

/** 100 requests between 0.05 and 0.4 s. */
const REQUESTS_SECONDS = Array.from({ length: 100 }, (_, i) => 0.05 + (0.35 * i) / 99);
const extremes = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values) });

describe('bucketQuantile', () => {
  it('reads seconds in the SDK default (millisecond-sized) buckets within the recorded max, not 4.75 s', () => {
    const counts = bucketed(REQUESTS_SECONDS, SDK_DEFAULT_BOUNDS);
    expect(counts[1]).toBe(100); // every request in (0, 5]
    const p95 = bucketQuantile(counts, SDK_DEFAULT_BOUNDS, 0.95, extremes(REQUESTS_SECONDS))!;
    expect(p95.lowerBound).toBe(false);
    expect(p95.value).toBeLessThanOrEqual(0.4);
    expect(p95.value).toBeCloseTo(0.05 + 0.35 * 0.95, 10);
    const p50 = bucketQuantile(counts, SDK_DEFAULT_BOUNDS, 0.5, extremes(REQUESTS_SECONDS))!;
    expect(p50.value).toBeCloseTo(0.225, 10);
    // Without a recorded min and max, the bucket is all there is to go by.
    expect(bucketQuantile(counts, SDK_DEFAULT_BOUNDS, 0.95)).toEqual({
      value: 4.75,
      lowerBound: false,
    });
  });

  it('reads milliseconds in the SDK default buckets and seconds in the semconv buckets close to the truth', () => {
    const millis = REQUESTS_SECONDS.map((seconds) => seconds * 1000);
    const fromMillis = bucketQuantile(
      bucketed(millis, SDK_DEFAULT_BOUNDS),
      SDK_DEFAULT_BOUNDS,
      0.95,
      extremes(millis),
    )!;
    const fromSeconds = bucketQuantile(
      bucketed(REQUESTS_SECONDS, SEMCONV_SECONDS_BOUNDS),
      SEMCONV_SECONDS_BOUNDS,
      0.95,
      extremes(REQUESTS_SECONDS),
    )!;
    const truth = 0.05 + 0.35 * 0.95; // about 0.383 s
    expect(Math.abs(fromMillis.value / 1000 - truth)).toBeLessThan(0.02);
    expect(Math.abs(fromSeconds.value - truth)).toBeLessThan(0.02);
    expect(fromSeconds.value).toBeLessThanOrEqual(0.4);
  });

  it('bounds the open top bucket by the max, else answers its lower edge as a lower bound', () => {
    const slow = [
      ...Array.from({ length: 90 }, () => 3),
      ...Array.from({ length: 10 }, () => 12_000),
    ];
    const counts = bucketed(
      slow.map((v) => v * 1000),
      SDK_DEFAULT_BOUNDS,
    );
    expect(bucketQuantile(counts, SDK_DEFAULT_BOUNDS, 0.95)).toEqual({
      value: 10_000,
      lowerBound: true,
    });
    const bounded = bucketQuantile(counts, SDK_DEFAULT_BOUNDS, 0.95, {
      min: 3000,
      max: 12_000_000,
    })!;
    expect(bounded.lowerBound).toBe(false);
    expect(bounded.value).toBeGreaterThan(10_000);
    expect(bounded.value).toBeLessThanOrEqual(12_000_000);
    expect(bucketQuantile([0, 10], [100], 0.5)).toEqual({ value: 100, lowerBound: true });
    expect(bucketQuantile([10, 0], [100], 0.5)).toEqual({ value: 50, lowerBound: false });
    expect(bucketQuantile([0, 0, 0], [1, 2], 0.5)).toBeNull();
  });
});

describe('exponentialQuantile and summaryQuantile', () => {
  it('interpolates inside exponential buckets and merges different scales', () => {
    const buckets = emptyExponential(20);
    // Scale 0: buckets (1, 2], (2, 4], (4, 8].
    addExponential(buckets, {
      scale: 0,
      zeroCount: 0,
      positive: { offset: 0, counts: [10, 10, 80] },
      negative: { offset: 0, counts: [] },
    });
    expect(exponentialQuantile(buckets, 0.5)).toEqual({ value: 5.5, lowerBound: false });
    expect(exponentialQuantile(buckets, 0.5, { min: 1.5, max: 6 })!.value).toBeCloseTo(
      4 + 2 * 0.375,
      10,
    );
    // Scale 1 buckets (2, 2.83], (2.83, 4] fold into scale 0's (2, 4].
    addExponential(buckets, {
      scale: 1,
      zeroCount: 0,
      positive: { offset: 2, counts: [50, 50] },
      negative: { offset: 0, counts: [] },
    });
    expect(buckets.scale).toBe(0);
    expect(buckets.positive.get(1)).toBe(110);
    expect(exponentialQuantile(emptyExponential(3), 0.5)).toBeNull();
  });

  it('reads a summary quantile exactly, between two sent, or as a lower bound past the last', () => {
    expect(summaryQuantile([0.5, 0.9, 0.99], [10, 20, 50], 0.5)).toEqual({
      value: 10,
      lowerBound: false,
    });
    expect(summaryQuantile([0.5, 0.9, 0.99], [10, 20, 50], 0.95)!.value).toBeCloseTo(
      20 + 30 * (0.05 / 0.09),
      10,
    );
    expect(summaryQuantile([0.5, 0.9], [10, 20], 0.99)).toEqual({ value: 20, lowerBound: true });
    expect(summaryQuantile([], [], 0.5)).toBeNull();
  });
});
