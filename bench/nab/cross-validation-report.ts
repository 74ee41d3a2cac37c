/**
 * bench:nab --cv: runs the detector over the corpus once per setting of the declared grid
 * (bench/nab/grid.ts), keeps every row's score per setting, then prints the
 * leave-one-category-out figures beside the in-sample ones, per profile, and the settings
 * whose scores hold up best across categories.
 */
import { createDetector, type DetectorOptions } from '../../detector/index.ts';
import type { NabFile } from './corpus.ts';
import { crossValidate, scoreAt, type FoldFile, type SettingScores } from './cross-validation.ts';
import { gridSettings } from './grid.ts';
import { normalise, PROFILES, type ProfileName } from './score.ts';

export interface CrossValidationReportOptions {
  corpus: readonly NabFile[];
  detectorOptions: DetectorOptions;
  threshold: number;
  profiles: readonly ProfileName[];
  /** Scores of the shipped setting, already computed by the in-sample run. */
  shippedScores: ReadonlyArray<Float64Array>;
  log: (line: string) => void;
}

/** Per profile: in-sample, cross-validated at the shipped threshold, and with the threshold chosen too. */
export type CrossValidationFigures = Record<
  ProfileName,
  { inSample: number; crossValidated: number; crossValidatedTunedThreshold: number }
>;

export interface CrossValidationSummary {
  settings: number;
  figures: CrossValidationFigures;
  /** Standard profile, shipped threshold: what each fold chose and scored. */
  folds: Array<{ heldOut: string; chosen: string; heldOutScore: number | null }>;
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
  log(`\ncross-validation: ${grid.length} settings, leave one category out`);
  const settings: SettingScores[] = grid.map((setting, index) => ({
    label: setting.label,
    changes: setting.changes,
    scores:
      index === 0
        ? options.shippedScores
        : corpus.map((file) => {
            const detector = createDetector({
              ...options.detectorOptions,
              tuning: setting.overrides,
            });
            const verdicts = detector.updateBatch(file.timestampsMs, file.values);
            return Float64Array.from(verdicts, (verdict) => verdict.score);
          }),
  }));
  log(`  grid scored in ${fmt((performance.now() - started) / 1000)} s`);

  const figures = {} as CrossValidationFigures;
  const all = files.map((_, index) => index);
  let folds: CrossValidationSummary['folds'] = [];
  log(
    `${'profile'.padEnd(14)} ${'in-sample'.padStart(9)} ${'CV'.padStart(6)} ${'CV+thr'.padStart(7)}`,
  );
  for (const name of options.profiles) {
    const profile = PROFILES[name];
    const shipped = scoreAt(all, files, settings[0]!, threshold, profile);
    const atShipped = crossValidate({ files, settings, profile, threshold, tuneThreshold: false });
    const tuned = crossValidate({ files, settings, profile, threshold, tuneThreshold: true });
    figures[name] = {
      inSample: normalise(shipped.score, shipped.windows, profile),
      crossValidated: atShipped.score,
      crossValidatedTunedThreshold: tuned.score,
    };
    log(
      `${name.padEnd(14)} ${fmt(figures[name].inSample).padStart(9)} ${fmt(atShipped.score).padStart(6)} ` +
        `${fmt(tuned.score).padStart(7)}`,
    );
    if (name === 'standard') {
      folds = atShipped.folds.map((fold) => ({
        heldOut: fold.heldOut,
        chosen: fold.chosen,
        heldOutScore: Number.isFinite(fold.heldOutScore) ? fold.heldOutScore : null,
      }));
      for (const fold of atShipped.folds) {
        log(
          `  held out ${fold.heldOut.padEnd(22)} train ${fmt(fold.trainScore)} held-out ` +
            `${fmt(fold.heldOutScore).padStart(5)} (raw ${fold.heldOutTotal.score.toFixed(3)}, ` +
            `fp ${fold.heldOutTotal.fp}) chose: ${fold.chosen}`,
        );
      }
    }
  }
  logRobustSettings(files, settings, threshold, log);
  return {
    settings: settings.length,
    figures,
    folds,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Standard profile at the shipped threshold, per category: the settings with the best
 * pooled score and with the best worst category (categories without windows excluded;
 * their false positives count in the pooled score).
 */
function logRobustSettings(
  files: readonly FoldFile[],
  settings: readonly SettingScores[],
  threshold: number,
  log: (line: string) => void,
): void {
  const profile = PROFILES.standard;
  const categories = [...new Set(files.map((file) => file.category))];
  const rows = settings.map((setting) => {
    const perCategory = categories.map((category) => {
      const indices = files.flatMap((file, index) => (file.category === category ? [index] : []));
      const total = scoreAt(indices, files, setting, threshold, profile);
      return normalise(total.score, total.windows, profile);
    });
    const withWindows = perCategory.filter(Number.isFinite);
    const all = scoreAt(
      files.map((_, index) => index),
      files,
      setting,
      threshold,
      profile,
    );
    return {
      setting,
      pooled: normalise(all.score, all.windows, profile),
      worst: Math.min(...withWindows),
      mean: withWindows.reduce((sum, x) => sum + x, 0) / withWindows.length,
      perCategory,
    };
  });
  const header =
    `${'pooled'.padStart(6)} ${'worst'.padStart(5)} ${'mean'.padStart(5)} ` +
    categories.map((category) => category.slice(0, 9).padStart(9)).join(' ');
  const print = (title: string, list: typeof rows): void => {
    log(`\n${title}\n${header}  setting`);
    for (const row of list) {
      log(
        `${fmt(row.pooled).padStart(6)} ${fmt(row.worst).padStart(5)} ${fmt(row.mean).padStart(5)} ` +
          row.perCategory.map((x) => fmt(x).padStart(9)).join(' ') +
          `  ${row.setting.label}`,
      );
    }
  };
  print('shipped setting (standard, shipped threshold)', rows.slice(0, 1));
  print('best pooled', [...rows].sort((a, b) => b.pooled - a.pooled).slice(0, 8));
  print('best worst category', [...rows].sort((a, b) => b.worst - a.worst).slice(0, 8));
  print('best mean of categories', [...rows].sort((a, b) => b.mean - a.mean).slice(0, 8));
}
