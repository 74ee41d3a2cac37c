/**
 * What one replica can carry, learned from its own telemetry. Two kinds of evidence:
 *
 * - **saturation**: steps where a replica was overloaded (errors above `overloadErrorRatio`)
 *   show its ceiling directly: the requests it still served per second. Their median is
 *   the capacity.
 * - **latency**: below saturation, a queue's waiting time (latency above its unloaded level)
 *   grows as load approaches capacity, about as 1 / (capacity − load) near the ceiling
 *   whatever the number of workers (M/M/k), so a line through the heaviest steps'
 *   (load, 1 / waiting) meets zero at the capacity. It errs low (a replica is thought to
 *   carry a little less), the safe side. Trusted only when the load seen reached 75% of the
 *   estimate and waiting clearly rises with load: a far extrapolation is not an estimate.
 *
 * Until either is confident (≥ 0.5) the estimate is absent and callers keep their assumption.
 */

export interface CapacitySample {
  /** Requests per second offered to one replica (demand / ready replicas). */
  loadPerReplica: number;
  /** Mean (or median) latency of the step, any unit. */
  latency: number;
  /** Failed share of the step's requests, 0–1. */
  errorRatio: number;
}

export interface CapacityEstimate {
  /** Requests per second one replica sustains; null when not confident. */
  perReplica: number | null;
  /** 0–1: how far the evidence supports the estimate (0.5 and above: used). */
  confidence: number;
  basis: 'saturation' | 'latency' | 'none';
  /** Samples kept. */
  samples: number;
}

export interface CapacityEstimator {
  add(sample: CapacitySample): void;
  estimate(): CapacityEstimate;
  toJSON(): CapacitySample[];
}

export interface CapacityOptions {
  /** Samples kept, newest last (default 2,016: a week of 5-minute steps). */
  window?: number;
  /** Error ratio above which a step counts as overloaded (default 0.05). */
  overloadErrorRatio?: number;
  /** Overloaded steps needed for the saturation estimate (default 6). */
  minSaturated?: number;
  /** Healthy steps needed for the latency estimate (default 30). */
  minHealthy?: number;
  /** Samples added between two computations of the estimate (default 20). */
  recomputeEvery?: number;
}

/** Confidence at and above which an estimate is used. */
export const CONFIDENT = 0.5;

/** The median, by selection in a copy (the estimate is recomputed often: no full sort). */
function median(values: ArrayLike<number>): number {
  const copy = Float64Array.from(values);
  const mid = copy.length >> 1;
  const upper = select(copy, mid);
  if (copy.length % 2) return upper;
  // Left of `mid` lie the smaller half: its largest is the lower middle.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) lower = Math.max(lower, copy[i]!);
  return (lower + upper) / 2;
}

/** Moves the k-th smallest of `values` to index k, smaller ones before it (Hoare's select). */
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k]!;
}

function clamp01(value: number): number {
  return Math.max(0, Math.min(1, value));
}

export function createCapacityEstimator(
  options: CapacityOptions = {},
  saved: readonly CapacitySample[] = [],
): CapacityEstimator {
  const window = options.window ?? 2_016;
  const overload = options.overloadErrorRatio ?? 0.05;
  const minSaturated = options.minSaturated ?? 6;
  const minHealthy = options.minHealthy ?? 30;
  const samples: CapacitySample[] = saved.filter(valid).slice(-window);
  // samples[i] arrived as number firstArrival + i. byLoad holds arrival numbers by load, ties
  // in arrival order (a stable sort of the window), up to sortedUntil: each fit merges in
  // what came since rather than sorting the whole window again.
  let firstArrival = 0;
  let sortedUntil = 0;
  let byLoad: number[] = [];
  const recomputeEvery = options.recomputeEvery ?? 20;
  let cached: CapacityEstimate | undefined;
  let addedSince = 0;

  function valid(sample: CapacitySample): boolean {
    return (
      Number.isFinite(sample.loadPerReplica) &&
      sample.loadPerReplica > 0 &&
      Number.isFinite(sample.latency) &&
      sample.latency > 0 &&
      Number.isFinite(sample.errorRatio) &&
      sample.errorRatio >= 0 &&
      sample.errorRatio <= 1
    );
  }

  function fromSaturation(): CapacityEstimate | null {
    const served = samples
      .filter((s) => s.errorRatio >= overload)
      .map((s) => s.loadPerReplica * (1 - s.errorRatio));
    if (served.length < minSaturated) return null;
    const level = median(served);
    const spread = median(served.map((v) => Math.abs(v - level))) / level;
    const confidence = clamp01(Math.min(1, served.length / (2 * minSaturated)) * (1 - 4 * spread));
    return { perReplica: level, confidence, basis: 'saturation', samples: samples.length };
  }

  function fromLatency(): CapacityEstimate | null {
    const healthy = samplesByLoad().filter((s) => s.errorRatio < overload / 5);
    if (healthy.length < minHealthy) return null;
    // Unloaded latency: the median of the lightest fifth.
    const light = healthy.slice(0, Math.max(3, Math.floor(healthy.length / 5)));
    const base = median(light.map((s) => s.latency));
    // Waiting shorter than the unloaded latency's own noise says nothing.
    const noise = 1.4826 * median(light.map((s) => Math.abs(s.latency - base)));
    const floor = Math.max(0.05 * base, 3 * noise);
    // Near its ceiling a queue's waiting time is about 1 / (capacity - load) whatever its
    // number of workers: a line through the heaviest third's (load, 1 / waiting) meets zero there.
    const heavy = healthy.slice(Math.floor((healthy.length * 2) / 3));
    const xs: number[] = [];
    const ys: number[] = [];
    for (const s of heavy) {
      const waiting = s.latency - base;
      if (waiting <= floor) continue;
      xs.push(s.loadPerReplica);
      ys.push(1 / waiting);
    }
    if (xs.length < minHealthy / 3) return null;
    const n = xs.length;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      sxx += (xs[i]! - mx) ** 2;
      syy += (ys[i]! - my) ** 2;
      sxy += (xs[i]! - mx) * (ys[i]! - my);
    }
    if (sxx === 0 || syy === 0 || sxy >= 0) return null;
    const slope = sxy / sxx;
    const maxLoad = healthy[healthy.length - 1]!.loadPerReplica;
    // A replica seen healthy at some load carries at least that much.
    const perReplica = Math.max(mx - my / slope, maxLoad);
    const correlation = -sxy / Math.sqrt(sxx * syy);
    // How close to the ceiling the load went (75%: trusted), and how clearly waiting follows load.
    const reach = clamp01((maxLoad / perReplica - 0.5) / 0.25);
    const confidence = clamp01(reach * clamp01((correlation - 0.3) / 0.4));
    return { perReplica, confidence, basis: 'latency', samples: samples.length };
  }

  return {
    add(sample) {
      if (!valid(sample)) return;
      samples.push(sample);
      if (samples.length > window) {
        samples.shift();
        firstArrival++;
      }
      addedSince++;
    },
    estimate() {
      if (cached && addedSince < recomputeEvery) return cached;
      addedSince = 0;
      return (cached = compute());
    },
    toJSON: () => [...samples],
  };

  function samplesByLoad(): CapacitySample[] {
    const at = (arrival: number): CapacitySample => samples[arrival - firstArrival]!;
    const end = firstArrival + samples.length;
    const fresh: number[] = [];
    for (let arrival = Math.max(sortedUntil, firstArrival); arrival < end; arrival++) {
      fresh.push(arrival);
    }
    fresh.sort((a, b) => at(a).loadPerReplica - at(b).loadPerReplica || a - b);
    const merged: number[] = [];
    let old = 0;
    let next = 0;
    while (old < byLoad.length || next < fresh.length) {
      if (old < byLoad.length && byLoad[old]! < firstArrival) old++;
      else if (
        next >= fresh.length ||
        (old < byLoad.length && at(byLoad[old]!).loadPerReplica <= at(fresh[next]!).loadPerReplica)
      ) {
        merged.push(byLoad[old++]!);
      } else merged.push(fresh[next++]!);
    }
    byLoad = merged;
    sortedUntil = end;
    return merged.map(at);
  }

  function compute(): CapacityEstimate {
    const saturation = fromSaturation();
    if (saturation && saturation.confidence >= CONFIDENT) return saturation;
    const latency = fromLatency();
    if (latency && latency.confidence >= CONFIDENT) return latency;
    const best = [saturation, latency]
      .filter((e): e is CapacityEstimate => e !== null)
      .sort((a, b) => b.confidence - a.confidence)[0];
    return {
      perReplica: null,
      confidence: best?.confidence ?? 0,
      basis: 'none',
      samples: samples.length,
    };
  }
}
