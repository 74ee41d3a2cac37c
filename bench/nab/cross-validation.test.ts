import { describe, expect, it } from 'vitest';
import {
  crossValidate,
  type CrossValidation,
  type CrossValidationOptions,
  type FoldFile,
  type SettingScores,
} from './cross-validation.ts';
import { gridSettings, GRID_AXES, ONE_AT_A_TIME } from './grid.ts';
import { PROFILES, scaledSigmoid } from './score.ts';

// Three categories of one file each: 100 rows (15 in probation), one window at rows 50-59.
const FILES: FoldFile[] = ['a', 'b', 'c'].map((category) => ({
  category,
  rows: 100,
  windows: [[50, 59]],
}));

/** Scores of 0.9 on the given rows of each file (by category) and 0 elsewhere. */
function firing(
  label: string,
  changes: number,
  rowsOf: Record<string, number[]>,
  files: readonly FoldFile[] = FILES,
): SettingScores {
  return {
    label,
    changes,
    scores: files.map((file) => {
      const scores = new Float64Array(file.rows);
      for (const row of rowsOf[file.category] ?? []) scores[row] = 0.9;
      return scores;
    }),
  };
}

// "general" finds every window at its last row; "special" finds a's and b's at their first
// row, c's never. In-sample (all three categories) special scores more.
const GENERAL = firing('general', 0, { a: [59], b: [59], c: [59] });
const SPECIAL = firing('special', 1, { a: [50], b: [50] });
/** Credit of a detection on a window's last row: s(-1/10) / s(-1). */
const LATE = scaledSigmoid(-0.1) / scaledSigmoid(-1);

/** Cross-validation of `settings` over FILES, standard profile, threshold 0.5 unless overridden. */
function validate(
  settings: SettingScores[],
  overrides: Partial<CrossValidationOptions> = {},
): CrossValidation {
  return crossValidate({
    files: FILES,
    settings,
    profile: PROFILES.standard,
    threshold: 0.5,
    tuneThreshold: false,
    ...overrides,
  });
}

describe('leave-one-category-out cross-validation', () => {
  it('scores each category with the setting chosen on the others only', () => {
    const result = validate([GENERAL, SPECIAL]);
    // Holding out a or b leaves one category special misses: general wins the training.
    // Holding out c, special wins on a and b and then misses c's window.
    expect(result.folds.map((fold) => [fold.heldOut, fold.chosen])).toEqual([
      ['a', 'general'],
      ['b', 'general'],
      ['c', 'special'],
    ]);
    expect(result.folds[0]!.heldOutTotal).toMatchObject({ tp: 1, fn: 0, fp: 0, windows: 1 });
    expect(result.folds[2]!.heldOutTotal).toMatchObject({ tp: 0, fn: 1, fp: 0, windows: 1 });
    // Held-out raw scores summed, then normalised over the 3 windows as NAB does.
    const raw = 2 * LATE - 1;
    expect(result.score).toBeCloseTo((100 * (raw + 3)) / 6, 9);
    expect(result.folds[2]!.trainScore).toBeCloseTo(100, 9);
  });

  it('prefers the setting with fewer changes when training scores tie', () => {
    const twin = { ...GENERAL, label: 'twin', changes: 2 };
    const result = validate([twin, GENERAL]);
    expect(result.folds.every((fold) => fold.chosen === 'general')).toBe(true);
  });

  it('judges settings by their worst training category when asked', () => {
    // Four categories: "sharp" finds a, b and c at once and misses d; "steady" finds all late.
    const files: FoldFile[] = ['a', 'b', 'c', 'd'].map((category) => ({
      category,
      rows: 100,
      windows: [[50, 59]],
    }));
    const sharp = firing('sharp', 0, { a: [50], b: [50], c: [50] }, files);
    const steady = firing('steady', 0, { a: [59], b: [59], c: [59], d: [59] }, files);
    const chosen = (rule: 'pooled' | 'worst'): string[] =>
      validate([sharp, steady], { files, rule }).folds.map((fold) => fold.chosen);
    // Pooled, sharp wins every fold (2 - 1 beats 3 * 0.25); its worst category (d) scores 0.
    expect(chosen('pooled')).toEqual(['sharp', 'sharp', 'sharp', 'sharp']);
    expect(chosen('worst')).toEqual(['steady', 'steady', 'steady', 'sharp']);
  });

  it('chooses the threshold on the training categories when asked', () => {
    // Spurious rows at 0.6 before c's window in every file: the best training threshold is
    // 0.9 (above them) for both settings, and the choice of setting is as before.
    const noisy = (setting: SettingScores): SettingScores => ({
      ...setting,
      scores: setting.scores.map((scores) => {
        const copy = Float64Array.from(scores as Float64Array);
        copy[30] = 0.6;
        return copy;
      }),
    });
    const result = validate([noisy(GENERAL), noisy(SPECIAL)], { tuneThreshold: true });
    expect(result.folds.map((fold) => fold.threshold)).toEqual([0.9, 0.9, 0.9]);
    expect(result.folds.map((fold) => fold.chosen)).toEqual(['general', 'general', 'special']);
    expect(result.folds.every((fold) => fold.heldOutTotal.fp === 0)).toBe(true);
  });
});

describe('the declared grid', () => {
  it('holds every combination of the axes and each one-at-a-time setting once, the shipped setting first', () => {
    const settings = gridSettings();
    const size =
      GRID_AXES.reduce((product, axis) => product * axis.values.length, 1) + ONE_AT_A_TIME.length;
    expect(settings).toHaveLength(size);
    expect(new Set(settings.map((setting) => setting.label)).size).toBe(size);
    expect(settings[0]).toMatchObject({ overrides: {}, changes: 0 });
    expect(settings.filter((setting) => setting.changes === 0)).toHaveLength(1);
  });
});
