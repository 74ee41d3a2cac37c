// The NAB scoring method as numenta/NAB `nab/sweeper.py` implements it: window credit for
// early detections, distance-weighted FP cost, probation, profiles, normalisation, sweep.

export type ProfileName = 'standard' | 'reward_low_FP' | 'reward_low_FN';

/** Weights of one application profile: A_tp, A_fn, A_fp (all positive). */
export interface ScoringProfile {
  name: ProfileName;
  tp: number;
  fn: number;
  fp: number;
}

/** NAB's `config/profiles.json` (`tpWeight`, `fnWeight`, `fpWeight`). */
export const PROFILES: Readonly<Record<ProfileName, ScoringProfile>> = {
  standard: { name: 'standard', tp: 1, fn: 1, fp: 0.11 },
  reward_low_FP: { name: 'reward_low_FP', tp: 1, fn: 1, fp: 0.22 },
  reward_low_FN: { name: 'reward_low_FN', tp: 1, fn: 2, fp: 0.11 },
};

/** A series as the scorer sees it: its length and its windows as inclusive row ranges. */
export interface LabelledRows {
  rows: number;
  windows: ReadonlyArray<readonly [number, number]>;
}

/** Outcome of one file (or a sum of files) under one profile; `score` is the raw NAB score. */
export interface FileScore {
  score: number;
  /** Windows with at least one detection. */
  tp: number;
  /** Windows without any detection. */
  fn: number;
  /** Detections (rows) outside every window. */
  fp: number;
  /** Windows that are scored, i.e. end after probation. */
  windows: number;
}

/** Rows at the start of a file that are not scored: min(floor(15% of rows), 750). */
export function probationRows(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

/** NAB's scaled sigmoid s(y) = 2/(1+e^(5y)) - 1, with s(y) = -1 for y > 3. */
export function scaledSigmoid(y: number): number {
  return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

const MAX_TP = scaledSigmoid(-1);
/** Values of {@link RowCredits.window} for rows in probation and scored rows outside every window. */
const PROBATION = -2;
const OUTSIDE = -1;

/** What a detection on each row would earn, before profile weights. */
interface RowCredits {
  /** Window index of the row, {@link OUTSIDE} or {@link PROBATION}. */
  window: Int32Array;
  /** Inside a window: s(y)/s(-1) in (0, 1]. Outside: s(d) in [-1, 0). */
  credit: Float64Array;
  /** Windows that end after probation; the earlier ones are neither hit nor missed. */
  scoredWindows: Uint8Array;
}

/** Walks the rows as NAB's sweeper does, so the cost of an FP depends on the window before it. */
function rowCredits(file: LabelledRows): RowCredits {
  const { rows, windows } = file;
  const probation = probationRows(rows);
  const window = new Int32Array(rows);
  const credit = new Float64Array(rows);
  const scoredWindows = new Uint8Array(windows.length);
  for (let w = 0; w < windows.length; w++) {
    const [start, end] = windows[w]!;
    const previousEnd = w > 0 ? windows[w - 1]![1] : -1;
    if (start > end || start <= previousEnd || start < 0 || end >= rows) {
      throw new Error(`window ${w} [${start}, ${end}] is out of order or outside ${rows} rows`);
    }
    scoredWindows[w] = end >= probation ? 1 : 0;
  }
  let next = 0;
  // NAB measures an FP's distance from the end of the window before it, in that window's width.
  let [previousEnd, previousWidth] = [-1, 0];
  for (let i = 0; i < rows; i++) {
    const current = windows[next];
    if (current !== undefined && i >= current[0]) {
      const width = current[1] - current[0] + 1;
      window[i] = next;
      credit[i] = scaledSigmoid(-(current[1] - i + 1) / width) / MAX_TP;
      if (i === current[1]) {
        previousEnd = i;
        previousWidth = width;
        next++;
      }
    } else {
      window[i] = OUTSIDE;
      // After a one-row window NAB divides by zero; here d = Infinity, so the FP costs in full.
      credit[i] = previousEnd < 0 ? -1 : scaledSigmoid((i - previousEnd) / (previousWidth - 1));
    }
    if (i < probation) window[i] = PROBATION;
  }
  return { window, credit, scoredWindows };
}

/** Turns scores into detections: a row is a detection when its score is >= `threshold`. */
export function detectionsAt(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i]! >= threshold ? 1 : 0;
  return out;
}

/** Scores one file; `detections[i]` truthy means row i fired. Only the earliest detection in a window counts. */
export function scoreFile(
  file: LabelledRows,
  detections: ArrayLike<boolean | number>,
  profile: ScoringProfile,
): FileScore {
  if (detections.length !== file.rows) {
    throw new Error(`expected ${file.rows} detections, got ${detections.length}`);
  }
  const { window, credit, scoredWindows } = rowCredits(file);
  const firstHit = new Float64Array(file.windows.length).fill(Number.NaN);
  let fpCredit = 0;
  let fp = 0;
  for (let i = 0; i < file.rows; i++) {
    if (!detections[i]) continue;
    const w = window[i]!;
    if (w === OUTSIDE) {
      fp++;
      fpCredit += credit[i]!;
    } else if (w >= 0 && Number.isNaN(firstHit[w]!)) {
      firstHit[w] = credit[i]!;
    }
  }
  const result: FileScore = { score: profile.fp * fpCredit, tp: 0, fn: 0, fp, windows: 0 };
  for (let w = 0; w < firstHit.length; w++) {
    if (scoredWindows[w] === 0) continue;
    result.windows++;
    if (Number.isNaN(firstHit[w]!)) {
      result.fn++;
      result.score -= profile.fn;
    } else {
      result.tp++;
      result.score += profile.tp * firstHit[w]!;
    }
  }
  return result;
}

/** Adds file results into one corpus total. */
export function sumScores(scores: Iterable<FileScore>): FileScore {
  const total: FileScore = { score: 0, tp: 0, fn: 0, fp: 0, windows: 0 };
  for (const s of scores) {
    total.score += s.score;
    total.tp += s.tp;
    total.fn += s.fn;
    total.fp += s.fp;
    total.windows += s.windows;
  }
  return total;
}

/** 100 * (S - S_null) / (S_perfect - S_null); NaN when there are no windows to normalise by. */
export function normalise(rawScore: number, windows: number, profile: ScoringProfile): number {
  const perfect = windows * profile.tp;
  const nullScore = -windows * profile.fn;
  return windows === 0 ? Number.NaN : (100 * (rawScore - nullScore)) / (perfect - nullScore);
}

/** Normalised NAB score of a set of file results under `profile`. */
export function normalisedScore(scores: Iterable<FileScore>, profile: ScoringProfile): number {
  const total = sumScores(scores);
  return normalise(total.score, total.windows, profile);
}

/** One file's labels with the detector's per-row scores. */
export interface ScoredFile {
  file: LabelledRows;
  scores: ArrayLike<number>;
}

/** The corpus-wide threshold that maximises the score, as the NAB scoreboard picks it. */
export interface BestThreshold {
  /** Detections are rows with score >= threshold; Infinity when never firing is best. */
  threshold: number;
  /** Normalised; `rawScore` is the sum over files. */
  score: number;
  rawScore: number;
}

/** A corpus's scored rows sorted by score, descending: one sort serves many sweeps. */
export interface PreparedSweep {
  score: Float64Array;
  /** Window of the row numbered across the corpus, or OUTSIDE. */
  window: Int32Array;
  credit: Float64Array;
  /** Index of the row's file. */
  file: Int32Array;
  order: Uint32Array;
  /** Scored windows per file. */
  windowsOf: Int32Array;
}

/** Collects and sorts the rows of `files` (probation and NaN scores left out). */
export function prepareSweep(files: ReadonlyArray<ScoredFile>): PreparedSweep {
  let n = 0;
  let windows = 0;
  for (let f = 0; f < files.length; f++) n += files[f]!.file.rows;
  const score = new Float64Array(n);
  const window = new Int32Array(n);
  const credit = new Float64Array(n);
  const file = new Int32Array(n);
  const windowsOf = new Int32Array(files.length);
  n = 0;
  for (let f = 0; f < files.length; f++) {
    const { file: labelled, scores } = files[f]!;
    if (scores.length !== labelled.rows) {
      throw new Error(`file ${f}: expected ${labelled.rows} scores, got ${scores.length}`);
    }
    const rows = rowCredits(labelled);
    for (let i = 0; i < labelled.rows; i++) {
      const w = rows.window[i]!;
      // NaN never reaches a threshold, so it is never a detection.
      if (w === PROBATION || Number.isNaN(scores[i]!)) continue;
      score[n] = scores[i]!;
      window[n] = w === OUTSIDE ? OUTSIDE : windows + w;
      credit[n] = rows.credit[i]!;
      file[n] = f;
      n++;
    }
    for (let w = 0; w < labelled.windows.length; w++) windowsOf[f]! += rows.scoredWindows[w]!;
    windows += labelled.windows.length;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  return {
    score: score.subarray(0, n),
    window: window.subarray(0, n),
    credit: credit.subarray(0, n),
    file: file.subarray(0, n),
    order,
    windowsOf,
  };
}

/**
 * Best single threshold over the prepared files for which `include(fileIndex)` holds (all
 * by default): each row added once to a running total, in descending score order.
 */
export function sweepBest(
  prepared: PreparedSweep,
  profile: ScoringProfile,
  include: (file: number) => boolean = () => true,
): BestThreshold {
  const { score, window, credit, file, order, windowsOf } = prepared;
  let windows = 0;
  let allWindows = 0;
  for (let f = 0; f < windowsOf.length; f++) {
    if (include(f)) windows += windowsOf[f]!;
  }
  for (let k = 0; k < window.length; k++) allWindows = Math.max(allWindows, window[k]! + 1);
  const included = new Uint8Array(windowsOf.length);
  for (let f = 0; f < included.length; f++) included[f] = include(f) ? 1 : 0;
  const n = order.length;
  const firstHit = new Float64Array(allWindows).fill(Number.NaN);
  let total = -windows * profile.fn;
  let best: BestThreshold = { threshold: Infinity, score: 0, rawScore: total };
  for (let k = 0; k < n;) {
    const threshold = score[order[k]!]!;
    // All rows tied at this score fire together.
    for (; k < n && score[order[k]!] === threshold; k++) {
      const row = order[k]!;
      if (included[file[row]!] === 0) continue;
      const w = window[row]!;
      if (w === OUTSIDE) {
        total += profile.fp * credit[row]!;
      } else if (Number.isNaN(firstHit[w]!)) {
        firstHit[w] = credit[row]!;
        total += profile.fn + profile.tp * credit[row]!;
      } else if (credit[row]! > firstHit[w]!) {
        // Credit falls along a window, so a higher credit is an earlier row: it now counts first.
        total += profile.tp * (credit[row]! - firstHit[w]!);
        firstHit[w] = credit[row]!;
      }
    }
    if (total > best.rawScore) best = { threshold, score: 0, rawScore: total };
  }
  best.score = normalise(best.rawScore, windows, profile);
  return best;
}

/**
 * Best single threshold for a corpus, exact over every distinct score: rows sorted by score,
 * descending, each added once to a running total; O(n log n), not a rescoring per candidate.
 */
export function bestThreshold(
  files: ReadonlyArray<ScoredFile>,
  profile: ScoringProfile,
): BestThreshold {
  return sweepBest(prepareSweep(files), profile);
}
