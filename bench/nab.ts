/**
 * NAB benchmark: runs a fresh detector over each of the 51 labelled series of the
 * NAB corpus (the copy in bench/nab/data/, or --data DIR laid out the same way), online (updateBatch over all rows), and scores it with the
 * NAB method at the shipped DEFAULT_THRESHOLD and at the best corpus-wide threshold,
 * beside the published leaders re-scored on the same series.
 *
 *   npm run bench:nab [-- --neural | --no-neural] [--only Twitter] [--json-scores out.json] [--data DIR] [--cv [--cv-cache dir]]
 *
 * --cv adds leave-one-category-out cross-validation of the engine's constants over the
 * declared grid of bench/nab/grid.ts (about a second per setting): for each category held
 * out, the setting best on the others is chosen and the held-out category scored with it.
 * --cv-cache keeps each setting's row scores in a directory, so a re-run scores only what
 * changed (keyed by the engine's source and the tuning).
 *
 * The last line is `RESULT {json}` with every figure printed above it (a best threshold of
 * null means never firing scores best).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  createDetector,
  DEFAULT_THRESHOLD,
  loadNeuralForecaster,
  type DetectorOptions,
} from '../detector/index.ts';
import { DEFAULT_NAB_DIR, loadNabCorpus, type NabFile } from './nab/corpus.ts';
import {
  crossValidationReport,
  type CrossValidationSummary,
} from './nab/cross-validation-report.ts';
import {
  PROFILES,
  bestThreshold,
  detectionsAt,
  normalise,
  scoreFile,
  sumScores,
  type FileScore,
  type ProfileName,
} from './nab/score.ts';

const { values: args } = parseArgs({
  options: {
    neural: { type: 'boolean', default: false },
    'no-neural': { type: 'boolean', default: false },
    only: { type: 'string' },
    'json-scores': { type: 'string' },
    data: { type: 'string', default: DEFAULT_NAB_DIR },
    cv: { type: 'boolean', default: false },
    'cv-cache': { type: 'string' },
  },
});
if (args.neural && args['no-neural'])
  throw new Error('--neural and --no-neural exclude each other');

const PROFILE_NAMES: ProfileName[] = ['standard', 'reward_low_FP', 'reward_low_FN'];
/** The leaders' published outputs re-scored on these 51 series at their tuned threshold (docs/benchmarks.md). */
const ANCHORS: Record<string, Record<ProfileName, number>> = {
  ARTime: { standard: 77.0, reward_low_FP: 67.7, reward_low_FN: 82.3 },
  'CAD OSE': { standard: 75.4, reward_low_FP: 72.7, reward_low_FN: 78.5 },
  'Numenta HTM': { standard: 73.0, reward_low_FP: 66.6, reward_low_FN: 76.8 },
};

/** One series after the detector ran over it. */
interface FileRun {
  file: NabFile;
  scores: Float64Array;
  millis: number;
  /** Per profile, at DEFAULT_THRESHOLD. */
  atDefault: Record<ProfileName, FileScore>;
}

// The engine runs without the neural forecaster unless one is passed: --no-neural is that default.
const neural = args.neural ? await loadNeuralForecaster() : undefined;
const detectorOptions: DetectorOptions = neural ? { neural } : {};
const backend = neural?.backend ?? 'none';

const corpus = loadNabCorpus(args.data).filter((f) => !args.only || f.name.includes(args.only));
if (corpus.length === 0) throw new Error(`--only ${args.only}: no series matches`);

const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const pad = (text: string | number, width: number): string => String(text).padStart(width);
const round = (x: number, digits = 2): number | null =>
  Number.isFinite(x) ? Number(x.toFixed(digits)) : null;

console.log(
  `NAB: ${corpus.length} series from ${args.data}; detector options ${JSON.stringify(detectorOptions)} (TensorFlow.js backend: ${backend}); ` +
    `default threshold ${DEFAULT_THRESHOLD}`,
);
console.log(
  `${'series'.padEnd(56)} ${pad('rows', 6)} ${pad('ms', 8)} ${pad('std raw', 8)}  tp fn   fp`,
);
const wallStart = performance.now();
const runs: FileRun[] = [];
let outOfRange = 0;
for (const file of corpus) {
  const rows = file.values.length;
  const detector = createDetector(detectorOptions);
  const started = performance.now();
  const verdicts = detector.updateBatch(file.timestampsMs, file.values);
  const millis = performance.now() - started;
  if (verdicts.length !== rows) {
    throw new Error(
      `${file.name}: updateBatch returned ${verdicts.length} verdicts for ${rows} rows`,
    );
  }
  const scores = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const score = verdicts[i]!.score;
    // Scores outside [0, 1] break the one-threshold contract; count them rather than hide them.
    if (!(score >= 0 && score <= 1)) outOfRange++;
    scores[i] = score;
  }
  const labelled = { rows, windows: file.windows };
  const detections = detectionsAt(scores, DEFAULT_THRESHOLD);
  const atDefault = {} as Record<ProfileName, FileScore>;
  for (const name of PROFILE_NAMES)
    atDefault[name] = scoreFile(labelled, detections, PROFILES[name]);
  runs.push({ file, scores, millis, atDefault });
  const s = atDefault.standard;
  console.log(
    `${file.name.padEnd(56)} ${pad(rows, 6)} ${pad(fmt(millis, 0), 8)} ${pad(fmt(s.score, 3), 8)} ` +
      `${pad(s.tp, 3)}${pad(s.fn, 3)}${pad(s.fp, 5)}`,
  );
}
const wallSeconds = (performance.now() - wallStart) / 1000;
const detectorSeconds = runs.reduce((sum, r) => sum + r.millis, 0) / 1000;
const points = runs.reduce((sum, r) => sum + r.file.values.length, 0);
if (outOfRange > 0) console.log(`WARNING: ${outOfRange} scores outside [0, 1] (NaN included)`);

// Corpus-wide figures per profile.
const scored = runs.map((r) => ({
  file: { rows: r.scores.length, windows: r.file.windows },
  scores: r.scores,
}));
const profiles = {} as Record<
  ProfileName,
  { defaultScore: number; bestScore: number; bestThreshold: number }
>;
console.log(
  `\n${'profile'.padEnd(14)} ${pad(`@${DEFAULT_THRESHOLD}`, 8)} ${pad('best', 6)} ${pad('@thresh', 8)}` +
    Object.keys(ANCHORS)
      .map((name) => pad(name, 12))
      .join(''),
);
for (const name of PROFILE_NAMES) {
  const total = sumScores(runs.map((r) => r.atDefault[name]));
  const defaultScore = normalise(total.score, total.windows, PROFILES[name]);
  const best = bestThreshold(scored, PROFILES[name]);
  profiles[name] = { defaultScore, bestScore: best.score, bestThreshold: best.threshold };
  console.log(
    `${name.padEnd(14)} ${pad(fmt(defaultScore), 8)} ${pad(fmt(best.score), 6)} ${pad(Number.isFinite(best.threshold) ? best.threshold.toFixed(4) : 'never', 8)}` +
      Object.values(ANCHORS)
        .map((anchor) => pad(fmt(anchor[name]), 12))
        .join(''),
  );
}
if (args.only) console.log('(subset of the corpus: the anchors score all 51 series)');

// Standard profile at the default threshold, normalised over each category's own windows.
const categories: Record<string, FileScore & { normalised: number; files: number }> = {};
console.log(
  `\n${'category'.padEnd(22)} ${pad('files', 5)} ${pad('windows', 7)} ${pad('std', 6)} ${pad('raw', 8)} ${pad('tp', 4)} ${pad('fn', 4)} ${pad('fp', 5)}`,
);
for (const category of [...new Set(runs.map((r) => r.file.category))]) {
  const inCategory = runs.filter((r) => r.file.category === category);
  const total = sumScores(inCategory.map((r) => r.atDefault.standard));
  const normalised = normalise(total.score, total.windows, PROFILES.standard);
  categories[category] = { ...total, normalised, files: inCategory.length };
  console.log(
    `${category.padEnd(22)} ${pad(inCategory.length, 5)} ${pad(total.windows, 7)} ${pad(fmt(normalised), 6)} ` +
      `${pad(fmt(total.score, 3), 8)} ${pad(total.tp, 4)} ${pad(total.fn, 4)} ${pad(total.fp, 5)}`,
  );
}
const counts = sumScores(runs.map((r) => r.atDefault.standard));
console.log(
  `\nat threshold ${DEFAULT_THRESHOLD}: ${counts.tp} of ${counts.windows} windows detected, ` +
    `${counts.fn} missed, ${counts.fp} false-positive rows`,
);
console.log(
  `${points} points, detector ${fmt(detectorSeconds, 2)} s (${Math.round(points / detectorSeconds)} points/s), ` +
    `wall ${fmt(wallSeconds, 2)} s`,
);

if (args['json-scores']) {
  const dump = runs.map((r) => ({
    name: r.file.name,
    category: r.file.category,
    rows: r.scores.length,
    windows: r.file.windows,
    millis: round(r.millis, 1),
    atDefault: r.atDefault,
    scores: Array.from(r.scores),
  }));
  writeFileSync(args['json-scores'], JSON.stringify({ threshold: DEFAULT_THRESHOLD, files: dump }));
  console.log(`per-file scores written to ${args['json-scores']}`);
}

let crossValidation: CrossValidationSummary | null = null;
if (args.cv) {
  crossValidation = crossValidationReport({
    corpus,
    detectorOptions,
    threshold: DEFAULT_THRESHOLD,
    profiles: PROFILE_NAMES,
    cacheDir: args['cv-cache'],
    log: (line) => console.log(line),
  });
}

const result = {
  detectorOptions,
  threshold: DEFAULT_THRESHOLD,
  files: runs.length,
  subset: args.only ?? null,
  profiles: Object.fromEntries(
    PROFILE_NAMES.map((name) => [
      name,
      {
        default: round(profiles[name].defaultScore),
        best: round(profiles[name].bestScore),
        bestThreshold: round(profiles[name].bestThreshold, 6),
      },
    ]),
  ),
  categories: Object.fromEntries(
    Object.entries(categories).map(([name, c]) => [
      name,
      {
        files: c.files,
        windows: c.windows,
        standard: round(c.normalised),
        raw: round(c.score, 3),
        tp: c.tp,
        fn: c.fn,
        fp: c.fp,
      },
    ]),
  ),
  counts: { windows: counts.windows, tp: counts.tp, fn: counts.fn, fp: counts.fp },
  scoresOutOfRange: outOfRange,
  points,
  detectorSeconds: round(detectorSeconds, 3),
  pointsPerSecond: Math.round(points / detectorSeconds),
  wallSeconds: round(wallSeconds, 3),
  anchors: ANCHORS,
  crossValidation: crossValidation && {
    settings: crossValidation.settings,
    seconds: round(crossValidation.seconds, 1),
    profiles: Object.fromEntries(
      Object.entries(crossValidation.figures).map(([name, f]) => [
        name,
        {
          inSample: round(f.inSample),
          crossValidated: round(f.pooled),
          crossValidatedWorstRule: round(f.worst),
          crossValidatedTunedThreshold: round(f.pooledTunedThreshold),
        },
      ]),
    ),
    chosenOnAll: crossValidation.chosenOnAll,
    folds: Object.fromEntries(
      Object.entries(crossValidation.folds).map(([rule, folds]) => [
        rule,
        folds.map((fold) => ({
          ...fold,
          heldOutScore: fold.heldOutScore === null ? null : round(fold.heldOutScore),
        })),
      ]),
    ),
  },
};
console.log(`RESULT ${JSON.stringify(result)}`);
