import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { useThemeVersion } from './theme.js';

/**
 * A uPlot chart in the returned ref's element, made again whenever `inputs` or the theme
 * change, sized to the element's width (followed on resize) and destroyed on unmount.
 * `build` gets the element's width and returns the options and data; `drawn` (optional)
 * is called with the plot, to mark what was drawn on the element for tests and readers.
 * @param {{ height: number, build: (width: number) => { options: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData }, drawn?: (plot: uPlot, element: HTMLDivElement) => void }} spec
 * @param {unknown[]} inputs
 */
export function useUplot(spec, inputs) {
  const container = useRef(/** @type {HTMLDivElement | null} */ (null));
  const themeVersion = useThemeVersion();
  const latest = useRef(spec);
  latest.current = spec;
  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const { height, build, drawn } = latest.current;
    const width = Math.max(element.clientWidth, 200);
    const { options, data } = build(width);
    const plot = new uPlot({ ...options, width, height }, data, element);
    drawn?.(plot, element);
    const resize = new ResizeObserver(() => {
      const next = Math.max(element.clientWidth, 200);
      if (next !== plot.width) plot.setSize({ width: next, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [...inputs, themeVersion]);
  return container;
}

/**
 * A time of the explorers' answers (ISO 8601 or ms) in ms.
 * @param {string | number} time
 */
export function timeMs(time) {
  return typeof time === 'number' ? time : Date.parse(time);
}

/**
 * Lightens the step still in progress (from `startMs`, `stepMs` long) with a translucent
 * veil and a dashed edge: its count or value covers only part of the step.
 * @param {uPlot} u
 * @param {number} startMs
 * @param {number} stepMs
 * @param {string} veil  A colour (the surface), drawn half transparent.
 * @param {string} edge
 */
export function drawPartialStep(u, startMs, stepMs, veil, edge) {
  const { ctx, bbox } = u;
  const left = Math.max(u.valToPos(startMs / 1000, 'x', true), bbox.left);
  const right = Math.min(u.valToPos((startMs + stepMs) / 1000, 'x', true), bbox.left + bbox.width);
  if (right <= left) return;
  ctx.save();
  ctx.globalAlpha = 0.5;
  ctx.fillStyle = veil;
  ctx.fillRect(left, bbox.top, right - left, bbox.height);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = edge;
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left + 0.5, bbox.top);
  ctx.lineTo(left + 0.5, bbox.top + bbox.height);
  ctx.stroke();
  ctx.restore();
}

/**
 * The dashed stretch of a line from its last whole step to the step in progress (the last
 * time), ending in an open ring: its value covers only part of the step.
 * @param {uPlot} u
 * @param {{ values: ArrayLike<number | null | undefined>, partial: number, times: ArrayLike<number>, color: string }} line
 *   `times` in seconds, as uPlot's x; `values` holds no value at the last time.
 */
export function drawPartialSegment(u, { values, partial, times, color }) {
  const lastIndex = times.length - 1;
  let from = lastIndex - 1;
  while (from >= 0 && (values[from] === null || values[from] === undefined)) from--;
  const endX = u.valToPos(times[lastIndex] ?? 0, 'x', true);
  const endY = u.valToPos(partial, 'y', true);
  const pixel = window.devicePixelRatio || 1;
  const { ctx } = u;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5 * pixel;
  ctx.setLineDash([5 * pixel, 4 * pixel]);
  if (from >= 0) {
    ctx.beginPath();
    ctx.moveTo(u.valToPos(times[from] ?? 0, 'x', true), u.valToPos(values[from] ?? 0, 'y', true));
    ctx.lineTo(endX, endY);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.arc(endX, endY, 2.5 * pixel, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.restore();
}
