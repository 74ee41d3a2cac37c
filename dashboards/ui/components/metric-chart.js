import { formatNumber } from '../lib/format.js';
import { html } from '../lib/html.js';
import { themeColor } from '../lib/theme.js';
import { drawPartialSegment, timeMs, useUplot } from '../lib/use-uplot.js';

/**
 * @typedef {import('../api-types').MetricSeries} MetricSeries
 * @typedef {import('../api-types').ChartPoint} MetricPoint
 * @typedef {{ label: string, values: Array<number | null>, partial: number | null }} Line
 *   `partial`: the value of the step in progress, at the last time, kept out of `values`.
 */

/** Lines drawn at most (the busiest groups first); the legend says how many are left out. */
export const MAX_LINES = 10;
const TONES = 8;

/**
 * The series' lines on one time axis (the union of every line's times, in ms): the whole
 * series, or one line per group, the groups with the largest total first.
 * @param {MetricSeries} series
 * @param {string} label  The line of an ungrouped series.
 */
export function metricLines(series, label) {
  const sources =
    series.groups && series.groups.length > 0
      ? [...series.groups]
          .map((group) => ({ label: group.key || '(none)', points: group.points }))
          .sort((a, b) => total(b.points) - total(a.points))
      : [{ label, points: series.points }];
  const shown = sources.slice(0, MAX_LINES);
  const times = [...new Set(shown.flatMap((line) => line.points.map((p) => timeMs(p.t))))].sort(
    (a, b) => a - b,
  );
  const index = new Map(times.map((t, i) => [t, i]));
  const lastTime = times[times.length - 1];
  /** @type {Line[]} */
  const lines = shown.map((source) => {
    const values = new Array(times.length).fill(null);
    let partial = null;
    for (const point of source.points) {
      const t = timeMs(point.t);
      if (point.partial && t === lastTime) partial = point.value;
      else values[index.get(t) ?? 0] = point.value;
    }
    return { label: source.label, values, partial };
  });
  return { times, lines, hidden: sources.length - shown.length };
}

/** @param {MetricPoint[]} points */
function total(points) {
  let sum = 0;
  for (const point of points) sum += point.value ?? 0;
  return sum;
}

/**
 * The y range over the drawn values and the open step's, from zero for values that never
 * go below it, with some room above; a flat line still gets some height.
 * @param {number | null} min
 * @param {number | null} max
 * @param {Line[]} lines
 * @returns {[number, number]}
 */
export function valueRange(min, max, lines) {
  let low = min ?? Infinity;
  let high = max ?? -Infinity;
  for (const line of lines) {
    if (line.partial === null) continue;
    low = Math.min(low, line.partial);
    high = Math.max(high, line.partial);
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
  const floor = low >= 0 ? 0 : low * 1.1;
  const top = high > floor ? high * 1.1 : floor + 1;
  return [floor, top];
}

/**
 * @param {string} unit
 * @param {number | null | undefined} value
 */
export function formatMetric(unit, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const shown = formatNumber(value);
  if (!unit || unit === '1') return shown;
  return `${shown} ${unit.replace(/^\{(.*)\}$/, '$1')}`;
}

/**
 * A metric over time: a line per group (or one), the step still in progress drawn dashed
 * from the last whole step, as its value covers only part of the step.
 * @param {{ title: string, unit: string, series: MetricSeries, fromMs: number, toMs: number, height?: number, metric?: string }} props
 */
export function MetricChart({ title, unit, series, fromMs, toMs, height = 200, metric }) {
  const { times, lines, hidden } = metricLines(series, title);
  const partialCount = lines.filter((line) => line.partial !== null).length;
  const last = lines[0];
  const lastValue = last?.partial ?? last?.values.findLast((value) => value !== null) ?? null;
  const summary =
    times.length === 0
      ? 'no data'
      : lines.length === 1
        ? `now ${formatMetric(unit, lastValue)}${last?.partial !== null ? ' (partial step)' : ''}`
        : `${lines.length} groups${hidden > 0 ? `, ${hidden} more not drawn` : ''}`;
  const container = useUplot(
    {
      height,
      build: () => {
        const colors = lines.map((_line, i) => themeColor(`--s${i % TONES}`));
        const lastIndex = times.length - 1;
        const seconds = times.map((t) => t / 1000);
        return {
          data: [seconds, ...lines.map((line) => line.values)],
          options: {
            scales: {
              x: { time: true, range: () => [fromMs / 1000, toMs / 1000] },
              // uPlot ranges over the drawn values; the open step's are drawn apart.
              y: {
                range: (
                  /** @type {unknown} */ _u,
                  /** @type {number | null} */ min,
                  /** @type {number | null} */ max,
                ) => valueRange(min, max, lines),
              },
            },
            series: [
              {},
              ...lines.map((line, i) => ({
                label: line.label,
                stroke: colors[i],
                width: 1.5,
                // Shown by uPlot where points are sparse: a lone step is a dot, not nothing.
                points: { size: 5 },
                value: (
                  /** @type {unknown} */ _u,
                  /** @type {number | null} */ v,
                  /** @type {number} */ _s,
                  /** @type {number | null} */ idx,
                ) =>
                  idx === lastIndex && line.partial !== null
                    ? `${formatMetric(unit, line.partial)} (partial)`
                    : formatMetric(unit, v),
              })),
            ],
            axes: [
              {
                stroke: themeColor('--muted'),
                grid: { stroke: themeColor('--grid'), width: 1 },
                ticks: { show: false },
              },
              {
                stroke: themeColor('--muted'),
                grid: { stroke: themeColor('--grid'), width: 1 },
                ticks: { show: false },
                size: 56,
                values: (/** @type {unknown} */ _u, /** @type {number[]} */ splits) =>
                  splits.map((v) => formatNumber(v)),
              },
            ],
            legend: { live: true },
            cursor: { drag: { x: false, y: false } },
            hooks: {
              draw: [
                (/** @type {import('uplot')} */ u) => {
                  lines.forEach((line, i) => {
                    if (line.partial !== null)
                      drawPartialSegment(u, {
                        values: line.values,
                        partial: line.partial,
                        times: seconds,
                        color: colors[i] ?? themeColor('--observed'),
                      });
                  });
                },
              ],
            },
          },
        };
      },
      drawn: (plot, element) => {
        element.dataset.lines = String(plot.series.length - 1);
        element.dataset.points = String(times.length);
        element.dataset.partial = String(partialCount);
      },
    },
    [series, unit, fromMs, toMs, height],
  );
  return html`<figure class="chart metric-chart" data-metric=${metric ?? title}>
    <figcaption>
      <span class="chart-title">${title}</span>
      <span class="chart-summary">${summary}</span>
    </figcaption>
    ${
      times.length === 0
        ? html`<p class="state empty-note chart-empty">No data points in this range.</p>`
        : html`<div
            class="chart-canvas"
            ref=${container}
            role="img"
            aria-label=${`${title}: ${summary}`}
          ></div>`
    }
  </figure>`;
}
