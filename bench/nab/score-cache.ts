/**
 * Per-setting row scores kept on disk between runs of bench:nab --cv, so that a re-run (a
 * new selection rule, a changed report, new defaults) re-scores only the settings it has not
 * seen. An entry is keyed by the engine's source (detector/*.ts, tests and tuning.ts aside),
 * the resolved tuning, the detector options and the corpus' file names and lengths: any
 * change to how a score is computed misses the cache.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDetector,
  engineTuning,
  type DetectorOptions,
  type EngineTuningOverrides,
} from '../../detector/index.ts';
import type { NabFile } from './corpus.ts';

const DETECTOR_DIR = fileURLToPath(new URL('../../detector/', import.meta.url));

/** Hash of the engine's source files: the part of a cache key that code changes move. */
function engineSourceHash(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(DETECTOR_DIR).sort()) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts') || name === 'tuning.ts') continue;
    hash.update(name).update(readFileSync(join(DETECTOR_DIR, name)));
  }
  return hash.digest('hex');
}

export interface ScoreCacheOptions {
  corpus: readonly NabFile[];
  detectorOptions: DetectorOptions;
  /** Directory for the cache; undefined scores every setting afresh. */
  dir: string | undefined;
}

/** Scores of every row of every file for a tuning, from the cache or from the detector. */
export function createScoreCache(
  options: ScoreCacheOptions,
): (overrides: EngineTuningOverrides) => Float64Array[] {
  const { corpus, detectorOptions, dir } = options;
  const rows = corpus.reduce((sum, file) => sum + file.values.length, 0);
  const base = `${engineSourceHash()} ${JSON.stringify(detectorOptions)} ${corpus
    .map((file) => `${file.name}:${file.values.length}`)
    .join(',')}`;
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  return (overrides) => {
    const tuning = engineTuning(overrides);
    const key = createHash('sha256')
      .update(`${base} ${JSON.stringify(tuning)}`)
      .digest('hex');
    const path = dir === undefined ? undefined : join(dir, `${key.slice(0, 32)}.f64`);
    let all: Float64Array | null = null;
    if (path !== undefined) {
      try {
        const bytes = readFileSync(path);
        if (bytes.byteLength === rows * 8) {
          all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + rows * 8));
        }
      } catch {
        // Not cached yet.
      }
    }
    if (all === null) {
      all = new Float64Array(rows);
      let offset = 0;
      for (const file of corpus) {
        const verdicts = createDetector({ ...detectorOptions, tuning }).updateBatch(
          file.timestampsMs,
          file.values,
        );
        for (let i = 0; i < verdicts.length; i++) all[offset + i] = verdicts[i]!.score;
        offset += file.values.length;
      }
      if (path !== undefined) writeFileSync(path, all);
    }
    const perFile: Float64Array[] = [];
    let offset = 0;
    for (const file of corpus) {
      perFile.push(all.subarray(offset, offset + file.values.length));
      offset += file.values.length;
    }
    return perFile;
  };
}
