import uPlot from 'uplot';
import { formatNumber } from '../lib/format.js';
import { html } from '../lib/html.js';
import { themeColor } from '../lib/theme.js';
import { drawPartialStep, useUplot } from '../lib/use-uplot.js';

/** @typedef {import('../api-types').LogHistogram} LogHistogram */

/** Levels from the bottom of a stack up, each with its theme colour. */
const LEVELS = [
  { level: 'FATAL', color: '--bad-text' },
  { level: 'ERROR', color: '--bad' },
  { level: 'WARN', color: '--warn' },
  { level: 'INFO', color: '--observed' },
  { level: 'DEBUG', color: '--s4' },
  { level: 'TRACE', color: '--s6' },
];
const OTHER = { level: 'other', color: '--s5' };

/**
 * The level a histogram's severity key counts in (WARNING → WARN, unknown → other).
 * @param {string} key
 */
function levelOf(key) {
  const text = key.toUpperCase();
  if (text.startsWith('WARN')) return 'WARN';
  return LEVELS.some((entry) => entry.level === text) ? text : 'other';
}

/**
 * Columns for a stacked bar chart: time (s), then per level present the running total
 * from the bottom level up to it, the tallest first (uPlot paints in order, so each lower
 * level covers the part of the bar below its own top). `counts` keeps each level's own.
 * @param {LogHistogram} histogram
 */
export function stackedColumns(histogram) {
  const buckets = histogram.points;
  /** @type {Map<string, number[]>} */
  const own = new Map();
  buckets.forEach((bucket, i) => {
    for (const [key, count] of Object.entries(bucket.bySeverity)) {
      const level = levelOf(key);
      let column = own.get(level);
      if (!column) {
        column = new Array(buckets.length).fill(0);
        own.set(level, column);
      }
      column[i] = (column[i] ?? 0) + count;
    }
  });
  const present = [...LEVELS, OTHER].filter((entry) => own.has(entry.level));
  const running = new Array(buckets.length).fill(0);
  /** @type {Array<{ level: string, color: string, counts: number[], stacked: number[] }>} */
  const stack = [];
  for (const entry of present) {
    const counts = /** @type {number[]} */ (own.get(entry.level));
    for (let i = 0; i < running.length; i++) running[i] += counts[i] ?? 0;
    stack.push({ ...entry, counts, stacked: [...running] });
  }
  return {
    times: buckets.map((bucket) => bucket.t / 1000),
    levels: stack.reverse(),
  };
}

/**
 * How many records were written per step, stacked by severity; the step in progress is
 * drawn lighter, as its count is still growing.
 * @param {{ histogram: LogHistogram, fromMs: number, toMs: number }} props
 */
export function LogHistogramChart({ histogram, fromMs, toMs }) {
  const { times, levels } = stackedColumns(histogram);
  const partialMs = histogram.partialFrom;
  const total = levels[0]?.stacked.reduce((sum, count) => sum + count, 0) ?? 0;
  const stepMs = histogram.stepSeconds * 1000;
  // Every step from partialFrom on is still open (one, unless the step is very short).
  const lastStart = histogram.points[histogram.points.length - 1]?.t ?? 0;
  const openMs = partialMs === null ? 0 : lastStart + stepMs - partialMs;
  const container = useUplot(
    {
      height: 120,
      build: () => ({
        data: [times, ...levels.map((entry) => entry.stacked)],
        options: {
          scales: { x: { time: true, range: () => [fromMs / 1000, toMs / 1000] } },
          series: [
            {},
            ...levels.map((entry) => ({
              label: entry.level,
              fill: themeColor(entry.color),
              stroke: themeColor(entry.color),
              width: 0,
              paths: uPlot.paths.bars?.({ size: [0.9, 40], align: 1 }),
              points: { show: false },
              value: (
                /** @type {uPlot} */ _u,
                /** @type {number | null} */ _v,
                /** @type {number} */ _s,
                /** @type {number | null} */ index,
              ) => (index === null ? '' : formatNumber(entry.counts[index] ?? 0)),
            })),
          ],
          axes: [
            { stroke: themeColor('--muted'), grid: { show: false }, ticks: { show: false } },
            {
              stroke: themeColor('--muted'),
              grid: { stroke: themeColor('--grid'), width: 1 },
              ticks: { show: false },
              size: 48,
            },
          ],
          legend: { live: true },
          cursor: { drag: { x: false, y: false } },
          hooks: {
            draw: [
              (u) => {
                if (partialMs !== null)
                  drawPartialStep(
                    u,
                    partialMs,
                    openMs,
                    themeColor('--surface'),
                    themeColor('--muted'),
                  );
              },
            ],
          },
        },
      }),
      drawn: (_plot, element) => {
        element.dataset.buckets = String(times.length);
        element.dataset.total = String(total);
        element.dataset.partial = partialMs === null ? 'false' : 'true';
      },
    },
    [histogram, fromMs, toMs],
  );
  const summary = `${formatNumber(total)} record${total === 1 ? '' : 's'}${partialMs === null ? '' : ' (the last step still counting)'}`;
  return html`<figure class="chart log-histogram">
    <figcaption>
      <span class="chart-title">Volume by severity</span>
      <span class="chart-summary">${summary}</span>
    </figcaption>
    ${
      total === 0
        ? html`<p class="state empty-note chart-empty">No records in this range.</p>`
        : html`<div
            class="chart-canvas histogram-canvas"
            ref=${container}
            role="img"
            aria-label=${`Log volume by severity: ${summary}`}
          ></div>`
    }
  </figure>`;
}
