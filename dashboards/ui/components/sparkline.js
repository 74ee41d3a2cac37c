import { html } from '../lib/html.js';

const WIDTH = 96;
const HEIGHT = 24;

/**
 * A tiny line of a series; gaps (null) break the line. SVG, so a list of 1,000 services
 * costs no canvas per cell. With `partial`, the last step is still open: the stretch to
 * it is dashed.
 * @param {{ values: Array<number | null> | undefined, label: string, tone?: string, partial?: boolean }} props
 */
export function Sparkline({ values, label, tone = 'accent', partial = false }) {
  if (!values || values.length < 2) return null;
  let max = 0;
  for (const value of values) if (value !== null && value > max) max = value;
  const scale = max === 0 ? 0 : (HEIGHT - 2) / max;
  const stepX = WIDTH / (values.length - 1);
  let path = '';
  let tail = '';
  let pen = false;
  const last = partial ? values.length - 1 : values.length;
  for (let i = 0; i < last; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      pen = false;
      continue;
    }
    const x = (i * stepX).toFixed(1);
    const y = (HEIGHT - 1 - value * scale).toFixed(1);
    path += `${pen ? 'L' : 'M'}${x} ${y}`;
    pen = true;
  }
  const open = partial ? values[last] : null;
  const previous = values[last - 1];
  if (open !== null && open !== undefined && previous !== null && previous !== undefined) {
    const y = (/** @type {number} */ value) => (HEIGHT - 1 - value * scale).toFixed(1);
    tail = `M${((last - 1) * stepX).toFixed(1)} ${y(previous)}L${(last * stepX).toFixed(1)} ${y(open)}`;
  }
  return html`<svg
    class=${`sparkline tone-${tone}`}
    viewBox=${`0 0 ${WIDTH} ${HEIGHT}`}
    width=${WIDTH}
    height=${HEIGHT}
    role="img"
    aria-label=${label}
    preserveAspectRatio="none"
  >
    <path d=${path} />
    ${tail && html`<path class="partial" d=${tail} />`}
  </svg>`;
}
