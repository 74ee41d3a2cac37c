/**
 * Loads the NAB corpus (by default the copy in `bench/nab/data/`, MIT licence): each
 * series as columns, with its anomaly windows as inclusive row ranges.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One NAB series, columnar, with its labelled windows. */
export interface NabFile {
  /** Key in the label file, e.g. `realTweets/Twitter_volume_AAPL.csv`. */
  name: string;
  /** Folder of the file, e.g. `realTweets`. */
  category: string;
  /** Row timestamps in ms since the epoch (the CSV's wall-clock times read as UTC). */
  timestampsMs: Float64Array;
  values: Float64Array;
  /** Anomaly windows as `[firstRow, lastRow]`, both inclusive, in file order. */
  windows: Array<[number, number]>;
}

/** The copy kept in the repository: `bench/nab/data/` (`data/` and `labels/` inside). */
export const DEFAULT_NAB_DIR = fileURLToPath(new URL('./data/', import.meta.url));

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC; NaN when malformed. */
export function parseNabTimestamp(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(
    text.trim(),
  );
  if (!match) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac] = match;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/** Reads a `timestamp,value` CSV into columns; throws naming the file and line on bad rows. */
function readSeries(path: string): { timestampsMs: Float64Array; values: Float64Array } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const timestampsMs = new Float64Array(lines.length);
  const values = new Float64Array(lines.length);
  let rows = 0;
  // Line 0 is the header `timestamp,value`.
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const comma = line.indexOf(',');
    const ts = parseNabTimestamp(line.slice(0, comma));
    const value = Number(line.slice(comma + 1));
    if (comma < 0 || Number.isNaN(ts) || !Number.isFinite(value)) {
      throw new Error(`${path}:${i + 1}: cannot parse row "${line}"`);
    }
    timestampsMs[rows] = ts;
    values[rows] = value;
    rows++;
  }
  return { timestampsMs: timestampsMs.slice(0, rows), values: values.slice(0, rows) };
}

/** First row holding `ms`, as NAB's `timestamps.index()` does (a few files repeat timestamps). */
function firstRowAt(timestampsMs: Float64Array, ms: number): number {
  for (let i = 0; i < timestampsMs.length; i++) if (timestampsMs[i] === ms) return i;
  return -1;
}

/**
 * Loads every series listed in `labels/combined_windows.json` under `dir`
 * (default {@link DEFAULT_NAB_DIR}), sorted by name. Throws if anything is missing.
 */
export function loadNabCorpus(dir: string = DEFAULT_NAB_DIR): NabFile[] {
  const labelPath = join(dir, 'labels', 'combined_windows.json');
  if (!existsSync(labelPath)) {
    throw new Error(
      `NAB corpus not found: ${labelPath} does not exist (expected the corpus at ${dir})`,
    );
  }
  const labels = JSON.parse(readFileSync(labelPath, 'utf8')) as Record<string, [string, string][]>;
  const files: NabFile[] = [];
  for (const name of Object.keys(labels).sort()) {
    const path = join(dir, 'data', name);
    if (!existsSync(path))
      throw new Error(`NAB corpus incomplete: ${path} is labelled but missing`);
    const { timestampsMs, values } = readSeries(path);
    const windows: Array<[number, number]> = [];
    for (const [startText, endText] of labels[name] ?? []) {
      const start = firstRowAt(timestampsMs, parseNabTimestamp(startText));
      const end = firstRowAt(timestampsMs, parseNabTimestamp(endText));
      if (start < 0 || end < start) {
        throw new Error(
          `${labelPath}: window [${startText}, ${endText}] of ${name} is not in the file`,
        );
      }
      windows.push([start, end]);
    }
    files.push({ name, category: name.slice(0, name.indexOf('/')), timestampsMs, values, windows });
  }
  if (files.length === 0) throw new Error(`NAB corpus at ${dir} labels no series`);
  return files;
}
