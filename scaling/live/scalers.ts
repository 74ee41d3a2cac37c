import { createScaler, type Scaler } from '../scaler.ts';
import type { ScalingStore, StoredPolicy } from './store.ts';

/** A service's scaler as the loop keeps it between passes. */
export interface CachedScaler {
  scaler: Scaler;
  policyUpdatedAt: string;
  /** Start of the last step the scaler has seen. */
  lastStepMs: number;
  /** The last final count decided (what a change is measured against). */
  lastFinal: number | null;
}

export interface ScalerCacheOptions {
  store: ScalingStore;
  /** History a new policy's forecasters learn from, ms. */
  lookbackMs: number;
  /** The detector step, ms. */
  stepMs: number;
}

/**
 * The scalers of one shard's policies, kept in memory between passes: cached, else resumed
 * from the last checkpoint of the same policy version, else new (learning the lookback's
 * history first). A checkpoint writes every scaler's learned state.
 */
export function createScalerCache(options: ScalerCacheOptions) {
  const { store, stepMs } = options;
  const cache = new Map<string, CachedScaler>();

  return {
    /** Keeps a scaler for each of these policies, and only for them; `endMs` ends the step due. */
    async sync(policies: readonly StoredPolicy[], endMs: number): Promise<void> {
      const wanted = new Set(policies.map((stored) => stored.service));
      for (const service of cache.keys()) if (!wanted.has(service)) cache.delete(service);
      const missing = policies.filter(
        (stored) => cache.get(stored.service)?.policyUpdatedAt !== stored.updatedAt,
      );
      if (missing.length === 0) return;
      const saved = await store.scalerStates(missing.map((stored) => stored.service));
      const latest = await store.latestOf(missing.map((stored) => stored.service));
      for (const stored of missing) {
        const state = saved.get(stored.service);
        const resumable = state !== undefined && state.policyUpdatedAt === stored.updatedAt;
        cache.set(stored.service, {
          scaler: createScaler({
            policy: stored.policy,
            ...(resumable ? { state: state.scaler } : {}),
          }),
          policyUpdatedAt: stored.updatedAt,
          // A new scaler learns the lookback's history first.
          lastStepMs: resumable ? state.lastStepMs : endMs - options.lookbackMs - stepMs,
          lastFinal: latest.get(stored.service)?.final ?? null,
        });
      }
    },
    /** The scaler of a synced policy's service. */
    of(service: string): CachedScaler {
      const cached = cache.get(service);
      if (!cached) throw new Error(`no scaler for ${service}: sync its policy first`);
      return cached;
    },
    get size(): number {
      return cache.size;
    },
    /** Writes every scaler's learned state. */
    async checkpoint(nowMs: number): Promise<void> {
      await store.writeScalerStates(
        [...cache].map(([service, cached]) => [
          service,
          {
            policyUpdatedAt: cached.policyUpdatedAt,
            lastStepMs: cached.lastStepMs,
            scaler: cached.scaler.toJSON(),
          },
        ]),
        nowMs,
      );
    },
  };
}

export type ScalerCache = ReturnType<typeof createScalerCache>;
