/**
 * Leave-one-category-out cross-validation of the engine's constants on NAB. For each
 * category held out, the setting (and, if asked, the threshold) that scores best on the
 * other categories is chosen, and the held-out category is scored at that choice. The
 * held-out files' raw scores are summed and normalised over their windows, as NAB combines
 * per-file scores, so the figure is comparable with the in-sample one.
 */
import {
  detectionsAt,
  prepareSweep,
  sweepBest,
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
  /**
   * How a setting is judged on the training categories: `pooled`, their files' scores summed
   * and normalised as NAB does; `worst`, the lowest of the categories' normalised scores
   * (categories with windows; ties go to the better pooled score). Default `pooled`.
   */
  rule?: SelectionRule;
}

export type SelectionRule = 'pooled' | 'worst';

/** Leave-one-category-out: see the file's comment. */
export function crossValidate(options: CrossValidationOptions): CrossValidation {
  const { files, settings, profile } = options;
  if (settings.length === 0) throw new Error('cross-validation needs at least one setting');
  const categories = [...new Set(files.map((file) => file.category))];
  if (categories.length < 2) throw new Error('cross-validation needs at least two categories');
  const split = categories.map((heldOut) => {
    const train: number[] = [];
    const test: number[] = [];
    files.forEach((file, index) => (file.category === heldOut ? test : train).push(index));
    return { heldOut, train, test };
  });
  // Per setting, its fit in every fold: the rows are sorted once per setting, not per fold.
  const fits = settings.map((setting) => {
    const sweep = options.tuneThreshold
      ? prepareSweep(files.map((file, index) => ({ file, scores: setting.scores[index]! })))
      : null;
    return split.map(({ heldOut, train }) => {
      const threshold =
        sweep === null
          ? options.threshold
          : sweepBest(sweep, profile, (index) => files[index]!.category !== heldOut).threshold;
      return fitOn(train, files, setting, profile, threshold, options.rule ?? 'pooled');
    });
  });
  const folds: Fold[] = [];
  for (const [fold, { heldOut, test }] of split.entries()) {
    let best: (Fit & { setting: SettingScores }) | null = null;
    for (const [index, setting] of settings.entries()) {
      const fit = fits[index]![fold]!;
      const better =
        best === null ||
        fit.rank > best.rank ||
        (fit.rank === best.rank &&
          (fit.score > best.score ||
            (fit.score === best.score && setting.changes < best.setting.changes)));
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

/** A setting on the training categories: `rank` by the selection rule, `score` pooled. */
interface Fit {
  threshold: number;
  score: number;
  rank: number;
}

/** A setting's training score at `threshold`, ranked by `rule`. */
function fitOn(
  train: readonly number[],
  files: readonly FoldFile[],
  setting: SettingScores,
  profile: ScoringProfile,
  threshold: number,
  rule: SelectionRule,
): Fit {
  const total = scoreAt(train, files, setting, threshold, profile);
  const score = normalise(total.score, total.windows, profile);
  if (rule === 'pooled') return { threshold, score, rank: score };
  return { threshold, score, rank: worstCategory(train, files, setting, threshold, profile) };
}

/** The lowest normalised score of the categories among `indices` that have windows. */
export function worstCategory(
  indices: readonly number[],
  files: readonly FoldFile[],
  setting: SettingScores,
  threshold: number,
  profile: ScoringProfile,
): number {
  const byCategory = new Map<string, number[]>();
  for (const index of indices) {
    const category = files[index]!.category;
    byCategory.set(category, [...(byCategory.get(category) ?? []), index]);
  }
  let worst = Infinity;
  for (const members of byCategory.values()) {
    const total = scoreAt(members, files, setting, threshold, profile);
    if (total.windows > 0) worst = Math.min(worst, normalise(total.score, total.windows, profile));
  }
  return worst;
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
