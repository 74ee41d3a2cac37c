/**
 * The small, declared grid of engine constants that bench:nab --cv chooses from. Each axis
 * holds the shipped value and one or two alternatives, among them "off" for the rules that
 * were added on the NAB corpus itself (agreement, the youth discount, the record discount),
 * and the rest after an alarm, so that cross-validation can say whether a rule earns its place.
 */
import { DEFAULT_ENGINE_TUNING, type EngineTuningOverrides } from '../../detector/index.ts';

/** One point of the grid: its overrides of the shipped tuning and a short label. */
export interface GridSetting {
  label: string;
  overrides: EngineTuningOverrides;
  /** Constants switched off or away from the shipped value: fewer is simpler. */
  changes: number;
}

interface Axis {
  name: string;
  /** The values tried, as overrides; the first equals the shipped default. */
  values: Array<{ label: string; overrides: EngineTuningOverrides }>;
}

const shipped = DEFAULT_ENGINE_TUNING;

/** The axes, each listing the shipped value first. */
export const GRID_AXES: readonly Axis[] = [
  {
    name: 'agreement',
    values: [
      { label: `agree${shipped.agreement.bonus}`, overrides: {} },
      { label: 'agree0', overrides: { agreement: { ...shipped.agreement, bonus: 0 } } },
    ],
  },
  {
    name: 'youngPoints',
    values: [
      { label: `young${shipped.youngPoints}`, overrides: {} },
      { label: 'young0', overrides: { youngPoints: 0 } },
    ],
  },
  {
    name: 'recordDecades',
    values: [
      { label: `records${shipped.recordDecades}`, overrides: {} },
      { label: 'records0', overrides: { recordDecades: 0 } },
    ],
  },
  {
    name: 'residualWeight',
    values: [
      { label: `resid${shipped.residualWeight}`, overrides: {} },
      { label: 'resid0.45', overrides: { residualWeight: 0.45 } },
      { label: 'resid0.7', overrides: { residualWeight: 0.7 } },
    ],
  },
  {
    name: 'extremeMargins.value',
    values: [
      { label: `value${shipped.extremeMargins.value}`, overrides: {} },
      {
        label: 'value0.02',
        overrides: { extremeMargins: { ...shipped.extremeMargins, value: 0.02 } },
      },
    ],
  },
  {
    name: 'restPoints',
    values: [
      { label: `rest${shipped.restPoints}`, overrides: {} },
      { label: 'rest0', overrides: { restPoints: 0 } },
    ],
  },
  {
    name: 'transitionHalfSurprise',
    values: [
      { label: `trans${shipped.transitionHalfSurprise}`, overrides: {} },
      { label: 'trans4', overrides: { transitionHalfSurprise: 4 } },
    ],
  },
];

/**
 * Constants tried one at a time, each beside the shipped setting only: a full combination
 * with the axes above would multiply the grid by 16 for constants whose one-at-a-time
 * in-sample effect was already small when they were chosen.
 */
export const ONE_AT_A_TIME: ReadonlyArray<{ label: string; overrides: EngineTuningOverrides }> = [
  { label: 'half8', overrides: { halfSurprise: 8 } },
  { label: 'fresh0.4', overrides: { freshMargin: 0.4 } },
  {
    label: 'mean0.1',
    overrides: { extremeMargins: { ...shipped.extremeMargins, mean: 0.1 } },
  },
  {
    label: 'residual0.02',
    overrides: { extremeMargins: { ...shipped.extremeMargins, residual: 0.02 } },
  },
];

/** Every combination of the axes, the shipped setting first, then the one-at-a-time settings. */
export function gridSettings(axes: readonly Axis[] = GRID_AXES): GridSetting[] {
  let settings: GridSetting[] = [{ label: '', overrides: {}, changes: 0 }];
  for (const axis of axes) {
    const next: GridSetting[] = [];
    for (const setting of settings) {
      axis.values.forEach((value, index) => {
        next.push({
          label: setting.label === '' ? value.label : `${setting.label} ${value.label}`,
          overrides: { ...setting.overrides, ...value.overrides },
          changes: setting.changes + (index === 0 ? 0 : 1),
        });
      });
    }
    settings = next;
  }
  const shippedLabel = settings[0]!.label;
  for (const extra of ONE_AT_A_TIME) {
    settings.push({
      label: `${shippedLabel} ${extra.label}`,
      overrides: extra.overrides,
      changes: 1,
    });
  }
  return settings;
}
