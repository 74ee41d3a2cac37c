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
}

/** Confidence at and above which an estimate is used. */
export const CONFIDENT = 0.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
    const healthy = samples
      .filter((s) => s.errorRatio < overload / 5)
      .sort((a, b) => a.loadPerReplica - b.loadPerReplica);
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
      if (samples.length > window) samples.shift();
    },
    estimate() {
      for (const estimate of [fromSaturation(), fromLatency()]) {
        if (estimate && estimate.confidence >= CONFIDENT) return estimate;
      }
      const best = [fromSaturation(), fromLatency()]
        .filter((e): e is CapacityEstimate => e !== null)
        .sort((a, b) => b.confidence - a.confidence)[0];
      return {
        perReplica: null,
        confidence: best?.confidence ?? 0,
        basis: 'none',
        samples: samples.length,
      };
    },
    toJSON: () => [...samples],
  };
}
