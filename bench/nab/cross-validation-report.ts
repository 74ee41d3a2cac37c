/**
 * bench:nab --cv: runs the detector over the corpus once per setting of the declared grid
 * (bench/nab/grid.ts), keeps every row's score per setting, then prints the
 * leave-one-category-out figures beside the in-sample ones, per profile, and the settings
 * whose scores hold up best across categories.
 */
import type { DetectorOptions } from '../../detector/index.ts';
import type { NabFile } from './corpus.ts';
import {
  crossValidate,
  scoreAt,
  worstCategory,
  type CrossValidation,
  type FoldFile,
  type SelectionRule,
  type SettingScores,
} from './cross-validation.ts';
import { gridSettings } from './grid.ts';
import { createScoreCache } from './score-cache.ts';
import { normalise, PROFILES, type ProfileName } from './score.ts';

export interface CrossValidationReportOptions {
  corpus: readonly NabFile[];
  detectorOptions: DetectorOptions;
  threshold: number;
  profiles: readonly ProfileName[];
  /** Directory where per-setting scores are kept between runs (none: score afresh). */
  cacheDir: string | undefined;
  log: (line: string) => void;
}

/** Per profile: in-sample, and cross-validated by each selection rule (and with the threshold chosen too). */
export type CrossValidationFigures = Record<
  ProfileName,
  { inSample: number; pooled: number; worst: number; pooledTunedThreshold: number }
>;

export interface CrossValidationSummary {
  settings: number;
  figures: CrossValidationFigures;
  /** Standard profile, shipped threshold, per rule: what each fold chose and scored. */
  folds: Record<
    SelectionRule,
    Array<{ heldOut: string; chosen: string; heldOutScore: number | null }>
  >;
  /** The setting each rule picks on every category (standard profile, shipped threshold). */
  chosenOnAll: Record<SelectionRule, string>;
  seconds: number;
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

export function crossValidationReport(
  options: CrossValidationReportOptions,
): CrossValidationSummary {
  const { corpus, threshold, log } = options;
  const started = performance.now();
  const files: FoldFile[] = corpus.map((file) => ({
    rows: file.values.length,
    windows: file.windows,
    category: file.category,
  }));
  const grid = gridSettings();
  log(`\ncross-validation: ${grid.length} settings (bench/nab/grid.ts), leave one category out`);
  const scoresOf = createScoreCache({
    corpus,
    detectorOptions: options.detectorOptions,
    dir: options.cacheDir,
  });
  const settings: SettingScores[] = grid.map((setting) => ({
    label: setting.label,
    changes: setting.changes,
    scores: scoresOf(setting.overrides),
  }));
  log(`  grid scored in ${fmt((performance.now() - started) / 1000)} s`);

  const figures = {} as CrossValidationFigures;
  const folds = {} as CrossValidationSummary['folds'];
  const all = files.map((_, index) => index);
  log(
    `${'profile'.padEnd(14)} ${'in-sample'.padStart(9)} ${'CV pooled'.padStart(9)} ` +
      `${'CV worst'.padStart(8)} ${'CV pooled+thr'.padStart(13)}`,
  );
  for (const name of options.profiles) {
    const profile = PROFILES[name];
    const shipped = scoreAt(all, files, settings[0]!, threshold, profile);
    const run = (rule: SelectionRule, tuneThreshold: boolean): CrossValidation =>
      crossValidate({ files, settings, profile, threshold, tuneThreshold, rule });
    const pooled = run('pooled', false);
    const worst = run('worst', false);
    const tuned = run('pooled', true);
    figures[name] = {
      inSample: normalise(shipped.score, shipped.windows, profile),
      pooled: pooled.score,
      worst: worst.score,
      pooledTunedThreshold: tuned.score,
    };
    log(
      `${name.padEnd(14)} ${fmt(figures[name].inSample).padStart(9)} ${fmt(pooled.score).padStart(9)} ` +
        `${fmt(worst.score).padStart(8)} ${fmt(tuned.score).padStart(13)}`,
    );
    if (name !== 'standard') continue;
    for (const [rule, result] of [
      ['pooled', pooled],
      ['worst', worst],
    ] as const) {
      folds[rule] = result.folds.map((fold) => ({
        heldOut: fold.heldOut,
        chosen: fold.chosen,
        heldOutScore: Number.isFinite(fold.heldOutScore) ? fold.heldOutScore : null,
      }));
      for (const fold of result.folds) {
        log(
          `  ${rule.padEnd(6)} held out ${fold.heldOut.padEnd(22)} train ${fmt(fold.trainScore)} ` +
            `held-out ${fmt(fold.heldOutScore).padStart(5)} (raw ${fold.heldOutTotal.score.toFixed(3)}, ` +
            `fp ${fold.heldOutTotal.fp}) chose: ${fold.chosen}`,
        );
      }
    }
  }
  const chosenOnAll = logSettings(files, settings, threshold, log);
  return {
    settings: settings.length,
    figures,
    folds,
    chosenOnAll,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Standard profile at the shipped threshold: every setting's pooled score, worst and mean
 * category (categories without windows excluded; their false positives count in the pooled
 * score) and per-category scores, best pooled first; returns each rule's pick on all
 * categories (the same rule as in the folds: pooled, or worst then pooled, then fewer changes).
 */
function logSettings(
  files: readonly FoldFile[],
  settings: readonly SettingScores[],
  threshold: number,
  log: (line: string) => void,
): Record<SelectionRule, string> {
  const profile = PROFILES.standard;
  const categories = [...new Set(files.map((file) => file.category))];
  const all = files.map((_, index) => index);
  const rows = settings.map((setting) => {
    const perCategory = categories.map((category) => {
      const indices = files.flatMap((file, index) => (file.category === category ? [index] : []));
      const total = scoreAt(indices, files, setting, threshold, profile);
      return normalise(total.score, total.windows, profile);
    });
    const withWindows = perCategory.filter(Number.isFinite);
    const total = scoreAt(all, files, setting, threshold, profile);
    return {
      setting,
      pooled: normalise(total.score, total.windows, profile),
      worst: worstCategory(all, files, setting, threshold, profile),
      mean: withWindows.reduce((sum, x) => sum + x, 0) / withWindows.length,
      perCategory,
    };
  });
  log(
    `\nevery setting, standard profile at the shipped threshold, best pooled first\n` +
      `${'pooled'.padStart(6)} ${'worst'.padStart(5)} ${'mean'.padStart(5)} ` +
      categories.map((category) => category.slice(0, 9).padStart(9)).join(' ') +
      '  setting',
  );
  const byPooled = [...rows].sort(
    (a, b) => b.pooled - a.pooled || a.setting.changes - b.setting.changes,
  );
  for (const row of byPooled) {
    log(
      `${fmt(row.pooled).padStart(6)} ${fmt(row.worst).padStart(5)} ${fmt(row.mean).padStart(5)} ` +
        row.perCategory.map((x) => fmt(x).padStart(9)).join(' ') +
        `  ${row.setting.label}`,
    );
  }
  const byWorst = [...rows].sort(
    (a, b) => b.worst - a.worst || b.pooled - a.pooled || a.setting.changes - b.setting.changes,
  );
  const chosen = { pooled: byPooled[0]!.setting.label, worst: byWorst[0]!.setting.label };
  log(`chosen on all categories: pooled -> ${chosen.pooled}; worst -> ${chosen.worst}`);
  return chosen;
}
