import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { formatValue } from '../lib/format.js';
import { html } from '../lib/html.js';
import { chartColors, useThemeVersion } from '../lib/theme.js';
import { drawPartialSegment } from '../lib/use-uplot.js';

/** A step whose score reaches this is drawn as an anomaly mark (the detector's 0..1 scale). */
export const ANOMALY_SCORE = 0.5;

/**
 * @typedef {import('../api-types').SeriesPoint} SeriesPoint
 * @typedef {{ fromMs: number, toMs: number, label: string }} AlertSpan
 * @typedef {{ times: number[], values: number[], lower?: number[], upper?: number[] }} Forecast
 *   Times in ms, ahead of the data; the band (lower, upper) when the forecaster has one.
 */

/**
 * @typedef {object} SignalChartProps
 * @property {string} title
 * @property {string} signal
 * @property {string} [operation]  Whose data this is ('' for the whole service); shown to tests as data-operation.
 * @property {string} unit
 * @property {SeriesPoint[]} points
 * @property {number} fromMs   The x axis spans the page's range, data or not.
 * @property {number} toMs
 * @property {AlertSpan[]} [alerts]  Shaded behind the lines.
 * @property {Forecast | null} [forecast]  Drawn ahead of the data when a predictive policy provides one.
 * @property {(fromMs: number, toMs: number) => void} [onZoom]  Called with the range dragged across.
 * @property {number} [height]
 * @property {string} [syncKey]  Charts with the same key share the cursor.
 */

/**
 * A signal over time: observed line, the detector's expected line and band, a mark on each
 * anomalous step, and alert spans. Drag across to zoom (the page decides what zooming does).
 * @param {SignalChartProps} props
 */
export function SignalChart(props) {
  const { title, signal, unit, points, fromMs, toMs, alerts = [], forecast = null } = props;
  const partial = points[points.length - 1]?.partial ? points[points.length - 1] : undefined;
  const height = props.height ?? 200;
  const container = useRef(/** @type {HTMLDivElement | null} */ (null));
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;
  const themeVersion = useThemeVersion();
  const alertKey = JSON.stringify(alerts);

  const summary = describe(points, unit);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const data = chartData(points, forecast);
    const colors = chartColors();
    const spans = /** @type {AlertSpan[]} */ (JSON.parse(alertKey));
    /** @type {uPlot.Series[]} */
    const series = [
      {},
      {
        label: 'observed',
        stroke: colors.observed,
        width: 1.5,
        points: { show: false },
        value: (_u, v, _s, index) =>
          partial && index === points.length - 1
            ? `${formatValue(unit, partial.observed)} (partial)`
            : formatValue(unit, v),
      },
      {
        label: 'expected',
        stroke: colors.expected,
        width: 1,
        dash: [5, 4],
        points: { show: false },
        value: (_u, v) => formatValue(unit, v),
      },
      {
        label: 'band low',
        stroke: colors.bandEdge,
        width: 0.5,
        points: { show: false },
        value: (_u, v) => formatValue(unit, v),
      },
      {
        label: 'band high',
        stroke: colors.bandEdge,
        width: 0.5,
        points: { show: false },
        value: (_u, v) => formatValue(unit, v),
      },
      {
        label: 'anomaly',
        stroke: colors.anomaly,
        width: 0,
        paths: () => null,
        points: { show: true, size: 8, width: 1, stroke: colors.anomaly, fill: colors.anomaly },
        value: (_u, v) => (v === null ? '' : formatValue(unit, v)),
      },
    ];
    /** @type {uPlot.Band[]} */
    const bands = [{ series: [4, 3], fill: colors.band }];
    if (forecast) {
      series.push({
        label: 'forecast',
        stroke: colors.forecast,
        width: 2,
        dash: [6, 4],
        points: { show: false },
        value: (_u, v) => formatValue(unit, v),
      });
      if (forecast.lower && forecast.upper) {
        for (const label of ['forecast low', 'forecast high']) {
          series.push({
            label,
            stroke: colors.forecastEdge,
            width: 0.5,
            points: { show: false },
            value: (_u, v) => formatValue(unit, v),
          });
        }
        bands.push({ series: [8, 7], fill: colors.forecastBand });
      }
    }
    /** @type {uPlot.Options} */
    const options = {
      width: Math.max(element.clientWidth, 200),
      height,
      scales: {
        x: { time: true, range: () => [fromMs / 1000, xMax(toMs, forecast) / 1000] },
        // The open step is drawn apart (dashed): its value must fit too.
        y: {
          range: (_u, min, max) =>
            yRange(
              unit,
              partial ? Math.min(min ?? partial.observed, partial.observed) : min,
              partial ? Math.max(max ?? partial.observed, partial.observed) : max,
            ),
        },
      },
      series,
      bands,
      axes: [
        { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { show: false } },
        {
          stroke: colors.text,
          grid: { stroke: colors.grid, width: 1 },
          ticks: { show: false },
          size: 64,
          values: (_u, splits) => splits.map((v) => formatValue(unit, v)),
        },
      ],
      cursor: {
        sync: { key: props.syncKey ?? 'opsless' },
        drag: { x: true, y: false, setScale: false },
      },
      legend: { live: true },
      hooks: {
        drawClear: [(u) => drawAlertSpans(u, spans, colors.alertSpan)],
        draw: [
          (u) => {
            if (!partial) return;
            drawPartialSegment(u, {
              values: data[1] ?? [],
              partial: partial.observed,
              times: data[0].slice(0, points.length),
              color: colors.observed,
            });
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width < 5 || !onZoom.current) return;
            const from = u.posToVal(u.select.left, 'x') * 1000;
            const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onZoom.current(Math.round(from), Math.round(to));
          },
        ],
      },
    };
    const plot = new uPlot(options, data, element);
    // What was drawn, for people reading the DOM and for the browser tests.
    element.dataset.series = String(plot.series.length - 1);
    element.dataset.points = String(data[0].length);
    element.dataset.bandPoints = String(countPresent(data[4] ?? []));
    element.dataset.anomalies = String(countPresent(data[5] ?? []));
    element.dataset.alertSpans = String(spans.length);
    element.dataset.forecastPoints = String(countPresent(data[6] ?? []));
    element.dataset.partial = partial ? 'true' : 'false';

    const resize = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 200);
      if (width !== plot.width) plot.setSize({ width, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, unit, fromMs, toMs, alertKey, forecast, themeVersion, height]);

  return html`<figure class="chart" data-signal=${signal} data-operation=${props.operation ?? ''}>
    <figcaption>
      <span class="chart-title">${title}</span>
      <span class="chart-summary">${summary}</span>
    </figcaption>
    ${
      points.length === 0
        ? html`<p class="state empty-note chart-empty">No requests in this range.</p>`
        : html`<div
            class="chart-canvas"
            ref=${container}
            role="img"
            aria-label=${`${title}: ${summary}`}
          ></div>`
    }
  </figure>`;
}

/**
 * The points to draw over [fromMs, toMs): a step cut by the range's start holds part of its
 * requests and would draw a false dip, so it is left out; the step still in progress at the
 * range's end is kept, marked `partial` (drawn dashed), so what was sent seconds ago shows.
 * @param {SeriesPoint[]} points
 * @param {number} stepSeconds
 * @param {number} fromMs
 * @param {number} toMs
 * @returns {SeriesPoint[]}
 */
export function chartSteps(points, stepSeconds, fromMs, toMs) {
  const stepMs = stepSeconds * 1000;
  /** @type {SeriesPoint[]} */
  const shown = [];
  for (const point of points) {
    const startMs = Date.parse(point.time);
    if (startMs < fromMs || startMs >= toMs) continue;
    const partial = point.partial === true || startMs + stepMs > toMs;
    shown.push(partial ? { ...point, partial: true } : point);
  }
  // Only the last step can still be in progress.
  for (let i = 0; i < shown.length - 1; i++) {
    const point = /** @type {SeriesPoint} */ (shown[i]);
    if (point.partial) shown.splice(i--, 1);
  }
  return shown;
}

/**
 * Columns for uPlot: time (s), observed, expected, band low, band high, marks, and with a
 * forecast its expected line [, its band low, band high].
 * @param {SeriesPoint[]} points
 * @param {Forecast | null} forecast
 * @returns {uPlot.AlignedData}
 */
function chartData(points, forecast) {
  const extra = forecast ? forecast.times.length : 0;
  const size = points.length + extra;
  const times = new Array(size);
  const observed = new Array(size).fill(null);
  const expected = new Array(size).fill(null);
  const lower = new Array(size).fill(null);
  const upper = new Array(size).fill(null);
  const marks = new Array(size).fill(null);
  for (let i = 0; i < points.length; i++) {
    const point = /** @type {SeriesPoint} */ (points[i]);
    times[i] = Date.parse(point.time) / 1000;
    // The step in progress is drawn apart, dashed (drawPartialSegment), and never marked.
    observed[i] = point.partial ? null : point.observed;
    expected[i] = point.expected;
    lower[i] = point.lower;
    upper[i] = point.upper;
    if (!point.partial && point.score !== null && point.score >= ANOMALY_SCORE)
      marks[i] = point.observed;
  }
  if (!forecast) return [times, observed, expected, lower, upper, marks];
  const ahead = new Array(size).fill(null);
  const aheadLower = new Array(size).fill(null);
  const aheadUpper = new Array(size).fill(null);
  for (let i = 0; i < extra; i++) {
    times[points.length + i] = (forecast.times[i] ?? 0) / 1000;
    ahead[points.length + i] = forecast.values[i] ?? null;
    aheadLower[points.length + i] = forecast.lower?.[i] ?? null;
    aheadUpper[points.length + i] = forecast.upper?.[i] ?? null;
  }
  if (!forecast.lower || !forecast.upper) {
    return [times, observed, expected, lower, upper, marks, ahead];
  }
  return [times, observed, expected, lower, upper, marks, ahead, aheadLower, aheadUpper];
}

/**
 * @param {number} toMs
 * @param {Forecast | null} forecast
 */
function xMax(toMs, forecast) {
  const last = forecast?.times[forecast.times.length - 1];
  return last !== undefined && last > toMs ? last : toMs;
}

/**
 * Ratios and durations start at zero; a flat series still gets some height.
 * @param {string} unit
 * @param {number | null} min
 * @param {number | null} max
 * @returns {uPlot.Range.MinMax}
 */
function yRange(unit, min, max) {
  const nonNegative = unit === 'ratio' || unit === 'ms' || unit === 'requests/s';
  // A band may reach below zero; a rate, ratio or duration cannot.
  const floor = nonNegative ? 0 : (min ?? 0);
  const high = max ?? 1;
  const top = high > floor ? high * 1.1 : floor + 1;
  return [floor, unit === 'ratio' ? Math.min(Math.max(top, 0.01), 1) : top];
}

/**
 * Shades each alert's time behind the series.
 * @param {uPlot} u
 * @param {AlertSpan[]} spans
 * @param {string} fill
 */
function drawAlertSpans(u, spans, fill) {
  if (spans.length === 0) return;
  const { ctx, bbox } = u;
  ctx.save();
  ctx.fillStyle = fill;
  for (const span of spans) {
    const left = Math.max(u.valToPos(span.fromMs / 1000, 'x', true), bbox.left);
    const right = Math.min(u.valToPos(span.toMs / 1000, 'x', true), bbox.left + bbox.width);
    if (right > left) ctx.fillRect(left, bbox.top, right - left, bbox.height);
  }
  ctx.restore();
}

/**
 * @param {ArrayLike<number | null | undefined>} values
 */
function countPresent(values) {
  let count = 0;
  for (let i = 0; i < values.length; i++)
    if (values[i] !== null && values[i] !== undefined) count++;
  return count;
}

/**
 * One line for screen readers and the caption: the last value against the expected one.
 * @param {SeriesPoint[]} points
 * @param {string} unit
 */
function describe(points, unit) {
  if (points.length === 0) return 'no data';
  const last = /** @type {SeriesPoint} */ (points[points.length - 1]);
  let anomalies = 0;
  for (const point of points) if (point.score !== null && point.score >= ANOMALY_SCORE) anomalies++;
  const expected = last.expected === null ? '' : `, expected ${formatValue(unit, last.expected)}`;
  const partial = last.partial ? ' (this step so far)' : '';
  const marks = anomalies === 0 ? '' : `; ${anomalies} anomalous step${anomalies === 1 ? '' : 's'}`;
  return `now ${formatValue(unit, last.observed)}${partial}${expected}${marks}`;
}
