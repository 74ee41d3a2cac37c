import { useState } from 'preact/hooks';
import { REFRESH_EVENT } from '../lib/api.js';
import { html } from '../lib/html.js';
import { setQuery } from '../lib/router.js';
import { PRESETS } from '../lib/time-range.js';

/**
 * The time range every page shares, kept in the URL (since=…, or from=…&to=…).
 * @param {{ range: import('../lib/time-range.js').TimeRange }} props
 */
export function TimeRangePicker({ range }) {
  const [custom, setCustom] = useState(false);
  const selected = range.since ?? 'custom';
  const choose = (/** @type {string} */ value) => {
    if (value === 'custom') {
      setCustom(true);
      return;
    }
    setCustom(false);
    setQuery({ since: value, from: null, to: null });
  };
  return html`<div class="range-picker">
    <label class="visually-hidden" for="range-select">Time range</label>
    <select
      id="range-select"
      value=${custom ? 'custom' : selected}
      onChange=${(/** @type {Event} */ event) =>
        choose(/** @type {HTMLSelectElement} */ (event.currentTarget).value)}
    >
      ${PRESETS.map((preset) => html`<option value=${preset.since}>${preset.label}</option>`)}
      ${
        range.since !== null && !PRESETS.some((preset) => preset.since === range.since)
          ? html`<option value=${range.since}>${range.label}</option>`
          : null
      }
      <option value="custom">${range.since === null ? range.label : 'Custom…'}</option>
    </select>
    <button
      type="button"
      class="icon-button"
      title="Read again"
      aria-label="Refresh"
      onClick=${() => window.dispatchEvent(new Event(REFRESH_EVENT))}
    >
      ↻
    </button>
    ${custom && html`<${CustomRange} range=${range} close=${() => setCustom(false)} />`}
  </div>`;
}

/**
 * Two local date-time fields; applied as ISO times.
 * @param {{ range: import('../lib/time-range.js').TimeRange, close: () => void }} props
 */
function CustomRange({ range, close }) {
  const [from, setFrom] = useState(toLocalInput(range.fromMs));
  const [to, setTo] = useState(toLocalInput(range.toMs));
  const [problem, setProblem] = useState('');
  const apply = (/** @type {Event} */ event) => {
    event.preventDefault();
    const fromMs = new Date(from).getTime();
    const toMs = new Date(to).getTime();
    if (Number.isNaN(fromMs) || Number.isNaN(toMs) || toMs <= fromMs) {
      setProblem('The end must be after the start.');
      return;
    }
    close();
    setQuery({
      since: null,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    });
  };
  return html`<form class="custom-range" onSubmit=${apply}>
    <label
      >From
      <input
        type="datetime-local"
        value=${from}
        required
        onInput=${(/** @type {Event} */ e) => setFrom(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    <label
      >To
      <input
        type="datetime-local"
        value=${to}
        required
        onInput=${(/** @type {Event} */ e) => setTo(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    <button type="submit">Apply</button>
    <button type="button" class="quiet" onClick=${close}>Cancel</button>
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
  </form>`;
}

/**
 * @param {number} ms
 */
function toLocalInput(ms) {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}
