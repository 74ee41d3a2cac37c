/**
 * Quantiles of the distributions OpenTelemetry metrics carry: explicit-bucket and
 * exponential histograms, and summaries. Pure functions over arrays of numbers; the
 * detector's watched metrics and the metrics API read every quantile through them.
 */

/** A quantile read from buckets. */
export interface QuantileReading {
  value: number;
  /**
   * True when the quantile falls in the open top bucket and the point carried no max:
   * the true value is at least `value`, by how much is unknown.
   */
  lowerBound: boolean;
}

/** The observed extremes of a point (or merged points), when the sender recorded them. */
export interface ObservedRange {
  min?: number | undefined;
  max?: number | undefined;
}

/**
 * The q-quantile of explicit-bucket counts: buckets are (-inf, b0], (b0, b1], …,
 * (b_last, +inf); the quantile is interpolated linearly inside its bucket, whose edges
 * are narrowed to the observed min and max when known. So 100 requests of at most 0.4 s
 * in the SDK's default first bucket (0, 5] read 0.38 s at p95, not 4.75 s. In the open
 * top bucket without a max, the bucket's lower edge is returned as a lower bound. Without
 * a min, the first bucket starts at 0 (durations and sizes are not negative). Null when
 * there are no counts or no bounds.
 */
export function bucketQuantile(
  counts: readonly number[],
  bounds: readonly number[],
  q: number,
  observed: ObservedRange = {},
): QuantileReading | null {
  let total = 0;
  for (const count of counts) total += count;
  if (total === 0 || bounds.length === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index]!;
    if (count > 0 && (seen + count >= rank || index === counts.length - 1)) {
      const top = index >= bounds.length;
      let upper = top ? Number.POSITIVE_INFINITY : bounds[index]!;
      let lower = index === 0 ? Math.min(0, upper) : bounds[index - 1]!;
      if (observed.min !== undefined && observed.min > lower) lower = Math.min(observed.min, upper);
      if (observed.max !== undefined && observed.max < upper) upper = Math.max(observed.max, lower);
      if (upper === Number.POSITIVE_INFINITY) return { value: lower, lowerBound: true };
      return { value: lower + ((upper - lower) * (rank - seen)) / count, lowerBound: false };
    }
    seen += count;
  }
  return null;
}

/** Buckets of an exponential histogram: index i covers (base^i, base^(i+1)], base = 2^(2^-scale). */
export interface ExponentialBuckets {
  scale: number;
  zeroCount: number;
  /** Bucket index → count, for positive values. */
  positive: Map<number, number>;
  /** Bucket index → count, for the absolute value of negative values. */
  negative: Map<number, number>;
}

/** An empty set of exponential buckets at `scale`. */
export function emptyExponential(scale: number): ExponentialBuckets {
  return { scale, zeroCount: 0, positive: new Map(), negative: new Map() };
}

/** Adds counts given as an offset and an array, at `scale`, into `into` (downscaling either side). */
export function addExponential(
  into: ExponentialBuckets,
  add: { scale: number; zeroCount: number; positive: Dense; negative: Dense },
  sign = 1,
): void {
  const scale = Math.min(into.scale, add.scale);
  if (scale < into.scale) rescale(into, scale);
  const shift = add.scale - scale;
  into.zeroCount += sign * add.zeroCount;
  for (const [dense, sparse] of [
    [add.positive, into.positive],
    [add.negative, into.negative],
  ] as const) {
    dense.counts.forEach((count, k) => {
      if (count === 0) return;
      const index = (dense.offset + k) >> shift;
      sparse.set(index, (sparse.get(index) ?? 0) + sign * count);
    });
  }
}

/** Dense buckets as OTLP sends them: `counts[k]` is the bucket `offset + k`. */
export interface Dense {
  offset: number;
  counts: readonly number[];
}

function rescale(buckets: ExponentialBuckets, scale: number): void {
  const shift = buckets.scale - scale;
  for (const key of ['positive', 'negative'] as const) {
    const next = new Map<number, number>();
    for (const [index, count] of buckets[key]) {
      next.set(index >> shift, (next.get(index >> shift) ?? 0) + count);
    }
    buckets[key] = next;
  }
  buckets.scale = scale;
}

/**
 * The q-quantile of exponential buckets, interpolated inside its bucket, edges narrowed
 * to the observed min and max when known; null without counts.
 */
export function exponentialQuantile(
  buckets: ExponentialBuckets,
  q: number,
  observed: ObservedRange = {},
): QuantileReading | null {
  const base = 2 ** (2 ** -buckets.scale);
  // Ascending values: the most negative bucket first, then zero, then the positive ones.
  const ordered: Array<[lower: number, upper: number, count: number]> = [];
  for (const index of [...buckets.negative.keys()].sort((a, b) => b - a)) {
    ordered.push([-(base ** (index + 1)), -(base ** index), buckets.negative.get(index)!]);
  }
  ordered.push([0, 0, buckets.zeroCount]);
  for (const index of [...buckets.positive.keys()].sort((a, b) => a - b)) {
    ordered.push([base ** index, base ** (index + 1), buckets.positive.get(index)!]);
  }
  let total = 0;
  for (const [, , count] of ordered) if (count > 0) total += count;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const [bucketLower, bucketUpper, count] of ordered) {
    if (count <= 0) continue;
    if (seen + count >= rank) {
      let lower = bucketLower;
      let upper = bucketUpper;
      if (observed.min !== undefined && observed.min > lower) lower = Math.min(observed.min, upper);
      if (observed.max !== undefined && observed.max < upper) upper = Math.max(observed.max, lower);
      return { value: lower + ((upper - lower) * (rank - seen)) / count, lowerBound: false };
    }
    seen += count;
  }
  const last = ordered[ordered.length - 1]!;
  return { value: last[1], lowerBound: false };
}

/**
 * The q-quantile of a summary point from the quantiles it carries: exact when sent,
 * else interpolated between the two nearest; above the highest one sent, that one's
 * value as a lower bound.
 */
export function summaryQuantile(
  quantiles: readonly number[],
  values: readonly number[],
  q: number,
): QuantileReading | null {
  const pairs = quantiles
    .map((quantile, i): [number, number] => [quantile, values[i] ?? Number.NaN])
    .filter(([, value]) => Number.isFinite(value))
    .sort((a, b) => a[0] - b[0]);
  if (pairs.length === 0) return null;
  for (let i = 0; i < pairs.length; i++) {
    const [quantile, value] = pairs[i]!;
    if (quantile === q) return { value, lowerBound: false };
    if (quantile > q) {
      if (i === 0) return { value, lowerBound: false };
      const [previousQuantile, previousValue] = pairs[i - 1]!;
      const share = (q - previousQuantile) / (quantile - previousQuantile);
      return { value: previousValue + (value - previousValue) * share, lowerBound: false };
    }
  }
  const [, highest] = pairs[pairs.length - 1]!;
  return { value: highest, lowerBound: pairs[pairs.length - 1]![0] < 1 };
}
