/**
 * Leave-one-category-out cross-validation of the engine's constants on NAB. For each
 * category held out, the setting (and, if asked, the threshold) that scores best on the
 * other categories is chosen, and the held-out category is scored at that choice. The
 * held-out files' raw scores are summed and normalised over their windows, as NAB combines
 * per-file scores, so the figure is comparable with the in-sample one.
 */
import {
  bestThreshold,
  detectionsAt,
  normalise,
  scoreFile,
  sumScores,
  type FileScore,
  type LabelledRows,
  type ScoringProfile,
} from './score.ts';

/** One series as cross-validation sees it. */
export interface FoldFile extends LabelledRows {
  category: string;
}

/** One candidate setting after the detector ran over every file with it. */
export interface SettingScores {
  label: string;
  /** Constants changed from the shipped tuning: among equal scores, fewer wins. */
  changes: number;
  /** Per file, in the order of the files: the detector's score of each row. */
  scores: ReadonlyArray<ArrayLike<number>>;
}

/** What one fold chose on its training categories and how the held-out category scored. */
export interface Fold {
  heldOut: string;
  chosen: string;
  threshold: number;
  /** Normalised score of the chosen setting on the training categories. */
  trainScore: number;
  /** Raw sum over the held-out files; normalised (NaN without windows). */
  heldOutTotal: FileScore;
  heldOutScore: number;
}

export interface CrossValidation {
  /** The held-out results of every fold, summed and normalised. */
  score: number;
  folds: Fold[];
}

export interface CrossValidationOptions {
  files: readonly FoldFile[];
  settings: readonly SettingScores[];
  profile: ScoringProfile;
  /** The shipped threshold: used as is unless `tuneThreshold`. */
  threshold: number;
  /** Choose the threshold on the training categories too (the best one there, exactly). */
  tuneThreshold: boolean;
}

/** Leave-one-category-out: see the file's comment. */
export function crossValidate(options: CrossValidationOptions): CrossValidation {
  const { files, settings, profile } = options;
  if (settings.length === 0) throw new Error('cross-validation needs at least one setting');
  const categories = [...new Set(files.map((file) => file.category))];
  if (categories.length < 2) throw new Error('cross-validation needs at least two categories');
  const folds: Fold[] = [];
  for (const heldOut of categories) {
    const train: number[] = [];
    const test: number[] = [];
    files.forEach((file, index) => (file.category === heldOut ? test : train).push(index));
    let best: { setting: SettingScores; threshold: number; score: number } | null = null;
    for (const setting of settings) {
      const fit = fitOn(train, files, setting, profile, options);
      const better =
        best === null ||
        fit.score > best.score ||
        (fit.score === best.score && setting.changes < best.setting.changes);
      if (better) best = { setting, ...fit };
    }
    const chosen = best!;
    const heldOutTotal = scoreAt(test, files, chosen.setting, chosen.threshold, profile);
    folds.push({
      heldOut,
      chosen: chosen.setting.label,
      threshold: chosen.threshold,
      trainScore: chosen.score,
      heldOutTotal,
      heldOutScore: normalise(heldOutTotal.score, heldOutTotal.windows, profile),
    });
  }
  const total = sumScores(folds.map((fold) => fold.heldOutTotal));
  return { score: normalise(total.score, total.windows, profile), folds };
}

/** The training score of a setting, at the shipped or at the best training threshold. */
function fitOn(
  train: readonly number[],
  files: readonly FoldFile[],
  setting: SettingScores,
  profile: ScoringProfile,
  options: CrossValidationOptions,
): { threshold: number; score: number } {
  if (options.tuneThreshold) {
    const best = bestThreshold(
      train.map((index) => ({ file: files[index]!, scores: setting.scores[index]! })),
      profile,
    );
    return { threshold: best.threshold, score: best.score };
  }
  const total = scoreAt(train, files, setting, options.threshold, profile);
  return { threshold: options.threshold, score: normalise(total.score, total.windows, profile) };
}

/** Per setting, per threshold and profile, each file's score: folds share most files. */
const fileScores = new WeakMap<SettingScores, Map<string, Array<FileScore | undefined>>>();

/** Sum of the files' scores for one setting at one threshold. */
export function scoreAt(
  indices: readonly number[],
  files: readonly FoldFile[],
  setting: SettingScores,
  threshold: number,
  profile: ScoringProfile,
): FileScore {
  let bySetting = fileScores.get(setting);
  if (bySetting === undefined) {
    bySetting = new Map<string, Array<FileScore | undefined>>();
    fileScores.set(setting, bySetting);
  }
  const key = `${threshold} ${profile.name}`;
  let cached = bySetting.get(key);
  if (cached === undefined) bySetting.set(key, (cached = []));
  const memo = cached;
  return sumScores(
    indices.map(
      (index) =>
        (memo[index] ??= scoreFile(
          files[index]!,
          detectionsAt(setting.scores[index]!, threshold),
          profile,
        )),
    ),
  );
}
