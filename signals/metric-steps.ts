/**
 * From stored metric points, read per series and step, to one value per step: counters
 * differenced per series (a new start time or a drop is a reset, counted from zero),
 * histogram buckets merged across series, quantiles read by `signals/quantiles.ts`.
 * Pure: the SQL that feeds it is in `metric-chart.ts`.
 */

import { quantileOf, type MetricAggregation, type MetricShape } from './metric-kinds.ts';
import {
  addExponential,
  bucketQuantile,
  emptyExponential,
  exponentialQuantile,
  summaryQuantile,
  type Dense,
  type ExponentialBuckets,
  type ObservedRange,
} from './quantiles.ts';

/** One series' points in one step, as read from storage (times in ms). */
export interface SeriesStepRow {
  series: string;
  /** The value of the `by` attribute ('' without `by`). */
  key: string;
  t: number;
  /** 1 delta, 2 cumulative (sums and histograms). */
  temporality: number;
  startMs: number;
  /** Gauge: mean, min, max of the points. Sum: the last value and the total. */
  last: number;
  total: number;
  min?: number | undefined;
  max?: number | undefined;
  /** Histograms: counts and bounds of the last point (cumulative) or summed (delta). */
  counts?: number[];
  bounds?: number[];
  /** Observations (count) and their sum: of the last point, or summed. */
  count?: number;
  sum?: number;
  /** Exponential histograms: the points' buckets (one for cumulative: the last). */
  exponential?: Array<{ scale: number; zeroCount: number; positive: Dense; negative: Dense }>;
  /** Summaries: the last point's quantiles. */
  quantiles?: number[];
  values?: number[];
}

/** What one series (or a group the engine merged) adds to one step once differenced. */
export interface Contribution {
  key: string;
  t: number;
  value?: number;
  min?: number | undefined;
  max?: number | undefined;
  counts?: number[];
  bounds?: number[];
  exponential?: ExponentialBuckets;
  count?: number;
  sum?: number;
  quantiles?: number[];
  values?: number[];
}

export interface ChartPoint {
  /** Start of the step, ms since the epoch. */
  t: number;
  value: number | null;
  /** The quantile fell in an open top bucket: the true value is at least `value`. */
  lowerBound?: true;
}

/** Per series, what each step added: cumulative points differenced against the step before. */
export function contributions(rows: SeriesStepRow[], shape: MetricShape): Contribution[] {
  const bySeries = new Map<string, SeriesStepRow[]>();
  for (const row of rows) {
    const list = bySeries.get(row.series);
    if (list) list.push(row);
    else bySeries.set(row.series, [row]);
  }
  const out: Contribution[] = [];
  for (const list of bySeries.values()) {
    list.sort((a, b) => a.t - b.t);
    let previous: SeriesStepRow | undefined;
    for (const row of list) {
      const contribution = contributionOf(row, previous, shape);
      if (contribution) out.push(contribution);
      previous = row;
    }
  }
  return out;
}

function contributionOf(
  row: SeriesStepRow,
  previous: SeriesStepRow | undefined,
  shape: MetricShape,
): Contribution | null {
  const base = { key: row.key, t: row.t, min: row.min, max: row.max };
  if (shape.type === 'gauge') return { ...base, value: row.last };
  if (shape.type === 'summary') return { ...base, quantiles: row.quantiles, values: row.values };
  const cumulative = row.temporality === 2;
  if (!cumulative) {
    if (shape.type === 'sum') return { ...base, value: row.total };
    if (shape.type === 'histogram') {
      return { ...base, counts: row.counts, bounds: row.bounds, count: row.count, sum: row.sum };
    }
    const exponential = emptyExponential(20);
    for (const point of row.exponential ?? []) addExponential(exponential, point);
    return {
      ...base,
      counts: row.counts,
      bounds: row.bounds,
      exponential,
      count: row.count,
      sum: row.sum,
    };
  }
  if (shape.type === 'sum' && !shape.monotonic) return { ...base, value: row.last };
  // Cumulative: what the step added since the step before. The first step read has no
  // step before and adds nothing (the reader reads one step more for it).
  if (!previous) return null;
  const reset =
    row.startMs !== previous.startMs ||
    (shape.type === 'sum' ? row.last < previous.last : (row.count ?? 0) < (previous.count ?? 0));
  if (shape.type === 'sum') return { ...base, value: reset ? row.last : row.last - previous.last };
  const sum = reset ? row.sum : (row.sum ?? 0) - (previous.sum ?? 0);
  const count = reset ? row.count : (row.count ?? 0) - (previous.count ?? 0);
  if (shape.type === 'histogram') {
    const sameBounds = previous.bounds?.join() === row.bounds?.join();
    const counts =
      reset || !sameBounds
        ? row.counts
        : row.counts?.map((now, i) => Math.max(0, now - (previous.counts?.[i] ?? 0)));
    return { ...base, counts, bounds: row.bounds, count, sum };
  }
  const exponential = emptyExponential(20);
  for (const point of row.exponential ?? []) addExponential(exponential, point);
  if (!reset)
    for (const point of previous.exponential ?? []) addExponential(exponential, point, -1);
  return { ...base, exponential, count, sum };
}

/** One value per step of the grid from the contributions of the series in it. */
export function combineSteps(
  parts: Contribution[],
  shape: MetricShape,
  agg: MetricAggregation,
  grid: { firstMs: number; endMs: number; stepSeconds: number },
): ChartPoint[] {
  const stepMs = grid.stepSeconds * 1000;
  const byStep = new Map<number, Contribution[]>();
  for (const part of parts) {
    if (part.t < grid.firstMs || part.t >= grid.endMs) continue;
    const list = byStep.get(part.t);
    if (list) list.push(part);
    else byStep.set(part.t, [part]);
  }
  const points: ChartPoint[] = [];
  for (let t = grid.firstMs; t < grid.endMs; t += stepMs) {
    const list = byStep.get(t);
    const reading = list ? stepValue(list, shape, agg, grid.stepSeconds) : null;
    points.push(
      reading && Number.isFinite(reading.value)
        ? { t, value: reading.value, ...(reading.lowerBound ? { lowerBound: true as const } : {}) }
        : { t, value: null },
    );
  }
  return points;
}

function stepValue(
  parts: Contribution[],
  shape: MetricShape,
  agg: MetricAggregation,
  stepSeconds: number,
): { value: number; lowerBound: boolean } | null {
  const q = quantileOf(agg);
  const plain = (value: number | null) => (value === null ? null : { value, lowerBound: false });
  if (shape.type === 'gauge' || shape.type === 'sum') {
    const perSecond = shape.type === 'sum' && shape.monotonic;
    const values = parts.map((part) => (perSecond ? part.value! / stepSeconds : part.value!));
    if (agg === 'rate') return plain(sumOf(parts.map((part) => part.value!)) / stepSeconds);
    if (agg === 'sum') return plain(sumOf(parts.map((part) => part.value!)));
    if (agg === 'avg') return plain(sumOf(values) / values.length);
    // A gauge's own extremes in the step; a sum's over its series.
    const gauge = shape.type === 'gauge';
    if (agg === 'min') return plain(Math.min(...(gauge ? parts.map((p) => p.min!) : values)));
    if (agg === 'max') return plain(Math.max(...(gauge ? parts.map((p) => p.max!) : values)));
    return q === null ? null : plain(sortedQuantile(values, q));
  }
  if (shape.type === 'summary') {
    if (q === null) return null;
    const readings = parts.flatMap((part) => {
      const reading = summaryQuantile(part.quantiles ?? [], part.values ?? [], q);
      return reading ? [reading] : [];
    });
    if (readings.length === 0) return null;
    return {
      value: sumOf(readings.map((reading) => reading.value)) / readings.length,
      lowerBound: readings.some((reading) => reading.lowerBound),
    };
  }
  const observed = observedRange(parts);
  let count = 0;
  let sum = 0;
  for (const part of parts) {
    count += part.count ?? 0;
    sum += part.sum ?? 0;
  }
  if (agg === 'rate') return plain(count / stepSeconds);
  if (agg === 'sum') return plain(sum);
  if (agg === 'avg') return plain(count > 0 ? sum / count : null);
  if (agg === 'min') return plain(observed.min ?? null);
  if (agg === 'max') return plain(observed.max ?? null);
  if (q === null) return null;
  if (shape.type === 'exponential_histogram') {
    const merged = emptyExponential(20);
    for (const part of parts) if (part.exponential) mergeInto(merged, part.exponential);
    return exponentialQuantile(merged, q, observed);
  }
  const merged = mergeBuckets(parts);
  return merged ? bucketQuantile(merged.counts, merged.bounds, q, observed) : null;
}

/** The min and max over the parts, only when every part recorded them. */
function observedRange(parts: Contribution[]): ObservedRange {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const part of parts) {
    if (part.min === undefined || part.max === undefined) return {};
    if (part.min < min) min = part.min;
    if (part.max > max) max = part.max;
  }
  return parts.length === 0 ? {} : { min, max };
}

/** Bucket counts summed over the parts, in the first part's bounds (others re-bucketed by upper edge). */
function mergeBuckets(parts: Contribution[]): { counts: number[]; bounds: number[] } | null {
  const first = parts.find((part) => part.bounds && part.counts);
  if (!first) return null;
  const bounds = first.bounds!;
  // One part (a series, or the groups the engine merged already): nothing to add up.
  if (parts.length === 1) return { counts: first.counts!, bounds };
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const part of parts) {
    if (!part.counts || !part.bounds) continue;
    const same =
      part.bounds.length === bounds.length && part.bounds.every((b, i) => b === bounds[i]);
    part.counts.forEach((count, i) => {
      const upper = part.bounds![i] ?? Number.POSITIVE_INFINITY;
      const target = same ? i : bounds.findIndex((bound) => upper <= bound);
      counts[target === -1 ? bounds.length : target]! += count;
    });
  }
  return { counts, bounds };
}

function mergeInto(into: ExponentialBuckets, from: ExponentialBuckets): void {
  const dense = (sparse: Map<number, number>): Dense => {
    const indexes = [...sparse.keys()];
    if (indexes.length === 0) return { offset: 0, counts: [] };
    const offset = Math.min(...indexes);
    const counts = new Array<number>(Math.max(...indexes) - offset + 1).fill(0);
    for (const [index, count] of sparse) counts[index - offset] = count;
    return { offset, counts };
  };
  addExponential(into, {
    scale: from.scale,
    zeroCount: from.zeroCount,
    positive: dense(from.positive),
    negative: dense(from.negative),
  });
}

function sumOf(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** The q-quantile of plain values, interpolated between the nearest ranks. */
function sortedQuantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
