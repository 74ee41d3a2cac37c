/**
 * Log patterns at ingest: every log row's body goes through its service's miner and the
 * row is stored with the pattern's id. New patterns, and patterns merged into a more
 * general one, are written to the patterns table with the request that made them; each
 * live pattern is written again at most every `resaveMs`, so a row lost with a refused
 * request comes back. Memory is bounded: `maxServices` miners, each bounded itself.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import {
  createPatternMiner,
  templateText,
  type Pattern,
  type PatternMiner,
} from '../logs/index.ts';
import {
  LOG_PATTERNS_TABLE,
  nextVersion,
  type LogPatternRow,
  type LogRow,
} from '../storage/index.ts';

export interface LogPatternTaggerOptions {
  /** Services with a miner at once; the longest quiet one is dropped past it (default 1,000). */
  maxServices?: number;
  /** Characters of a body the miner reads (default 4,096). */
  maxBodyChars?: number;
  /** A pattern row is written again after this long, ms (default 10 min). */
  resaveMs?: number;
  now?: () => number;
}

export interface LogPatternTagger {
  /** Sets `PatternId` on each row; returns the pattern rows to store with them. */
  tag(rows: LogRow[]): LogPatternRow[];
  /** Teaches a service's miner a pattern known from before (restart). */
  restore(row: StoredPattern): void;
}

/** What a restart reads back of a stored pattern. */
export type StoredPattern = Pick<
  LogPatternRow,
  'ServiceName' | 'PatternId' | 'Template' | 'FirstSeen' | 'Sample' | 'SampleSeverity'
>;

interface PatternFacts {
  firstSeen: string;
  sample: string;
  severity: string;
  savedAtMs: number;
}

const SAMPLE_CHARS = 1_024;

export function createLogPatternTagger(options: LogPatternTaggerOptions = {}): LogPatternTagger {
  const maxServices = options.maxServices ?? 1_000;
  const maxBodyChars = options.maxBodyChars ?? 4_096;
  const resaveMs = options.resaveMs ?? 600_000;
  const now = options.now ?? Date.now;
  /** In least-recently-used order: a service is moved to the end when it sends. */
  const miners = new Map<string, PatternMiner>();
  const facts = new WeakMap<Pattern, PatternFacts>();

  function minerOf(service: string): PatternMiner {
    let miner = miners.get(service);
    if (miner) {
      miners.delete(service);
    } else {
      miner = createPatternMiner();
      if (miners.size >= maxServices) miners.delete(miners.keys().next().value!);
    }
    miners.set(service, miner);
    return miner;
  }

  function patternRow(service: string, pattern: Pattern, mergedInto: string): LogPatternRow {
    const known = facts.get(pattern)!;
    return {
      ServiceName: service,
      PatternId: pattern.id,
      Template: templateText(pattern),
      Sample: known.sample,
      SampleSeverity: known.severity,
      FirstSeen: known.firstSeen,
      MergedInto: mergedInto,
      Version: nextVersion(),
    };
  }

  return {
    tag(rows) {
      const out: LogPatternRow[] = [];
      const nowMs = now();
      let service = '';
      let miner: PatternMiner | undefined;
      for (const row of rows) {
        if (row.Body === '') continue;
        if (!miner || row.ServiceName !== service) {
          service = row.ServiceName;
          miner = minerOf(service);
        }
        const body = row.Body.length > maxBodyChars ? row.Body.slice(0, maxBodyChars) : row.Body;
        const { pattern, merged } = miner.add(body);
        row.PatternId = pattern.id;
        let known = facts.get(pattern);
        if (merged.length > 0) {
          // The general pattern inherits the earliest sighting and sample of what it absorbed.
          for (const old of merged) {
            const oldFacts = facts.get(old);
            if (oldFacts && (!known || BigInt(oldFacts.firstSeen) < BigInt(known.firstSeen)))
              known = { ...oldFacts, savedAtMs: Number.NEGATIVE_INFINITY };
            if (oldFacts) out.push(patternRow(service, old, pattern.id));
          }
          if (known) facts.set(pattern, known);
        }
        if (!known) {
          known = {
            firstSeen: row.Timestamp,
            sample: row.Body.slice(0, SAMPLE_CHARS),
            severity: row.SeverityText,
            savedAtMs: Number.NEGATIVE_INFINITY,
          };
          facts.set(pattern, known);
        }
        if (nowMs - known.savedAtMs >= resaveMs) {
          known.savedAtMs = nowMs;
          out.push(patternRow(service, pattern, ''));
        }
      }
      return out;
    },
    restore(row) {
      const miner = minerOf(row.ServiceName);
      // The restored pattern itself: looking it up among the live ones made a restore of
      // n patterns quadratic.
      const pattern = miner.restore(row.PatternId, row.Template);
      if (pattern && !facts.has(pattern))
        facts.set(pattern, {
          firstSeen: row.FirstSeen,
          sample: row.Sample,
          severity: row.SampleSeverity,
          savedAtMs: now(),
        });
    },
  };
}

/**
 * Teaches the tagger the live patterns stored before (the most recent `perService` of each
 * service), so a restarted collector keeps its patterns' ids and first sightings.
 */
export async function restoreLogPatterns(
  client: ClickHouseClient,
  tagger: LogPatternTagger,
  perService = 1_000,
): Promise<number> {
  const result = await client.query({
    query: `SELECT ServiceName, PatternId, Template, Sample, SampleSeverity,
  toString(toUnixTimestamp64Nano(FirstSeen)) AS FirstSeen
FROM ${LOG_PATTERNS_TABLE} FINAL
WHERE MergedInto = ''
ORDER BY ServiceName, Version DESC
LIMIT {perService:UInt32} BY ServiceName`,
    query_params: { perService },
    format: 'JSONEachRow',
  });
  const rows = await result.json<StoredPattern>();
  for (const row of rows) tagger.restore(row);
  return rows.length;
}
