import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { setQuery } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { SEVERITIES } from './log-list.js';

/** @typedef {import('../api-types').ServiceSummary} ServiceSummary */

/** The log search fields, as named in the page URL. */
export const LOG_FIELDS = ['q', 'service', 'severity', 'traceId', 'attribute', 'pattern'];

/**
 * The log criteria as a form; submitting puts them in the URL, which runs the search.
 * The service and severity choices apply at once.
 * @param {{ query: URLSearchParams }} props
 */
export function LogSearchForm({ query }) {
  /** @type {Record<string, string>} */
  const initial = {};
  for (const field of LOG_FIELDS) initial[field] = query.get(field) ?? '';
  const [form, setForm] = useState(initial);
  /** @type {import('../lib/use-api.js').ApiState<{ services: ServiceSummary[] }>} */
  const services = useApi('/v1/services', { since: '24h' });
  const names = (services.data?.services ?? []).map((service) => service.name);
  if (form.service && !names.includes(form.service)) names.unshift(form.service);

  /** @param {Record<string, string>} next */
  const apply = (next) => {
    /** @type {Record<string, string | null>} */
    const changes = {};
    for (const field of LOG_FIELDS) changes[field] = (next[field] ?? '').trim() || null;
    setQuery(changes);
  };
  /** @param {string} name */
  const text = (name) => ({
    name,
    value: form[name] ?? '',
    onInput: (/** @type {Event} */ e) =>
      setForm({ ...form, [name]: /** @type {HTMLInputElement} */ (e.currentTarget).value }),
  });
  /** @param {string} name */
  const choice = (name) => ({
    name,
    value: form[name] ?? '',
    onChange: (/** @type {Event} */ e) => {
      const next = { ...form, [name]: /** @type {HTMLSelectElement} */ (e.currentTarget).value };
      setForm(next);
      apply(next);
    },
  });
  return html`<form
    class="search-form log-search"
    role="search"
    onSubmit=${(/** @type {Event} */ event) => {
      event.preventDefault();
      apply(form);
    }}
  >
    <label class="log-search-text"
      >Search <input type="search" placeholder="Words in the message" ...${text('q')}
    /></label>
    <label
      >Service
      <select ...${choice('service')}>
        <option value="">All</option>
        ${names.map((name) => html`<option value=${name}>${name}</option>`)}
      </select></label
    >
    <label
      >Severity
      <select ...${choice('severity')}>
        <option value="">Any</option>
        ${SEVERITIES.map(
          (severity) =>
            html`<option value=${severity.text}>
              ${severity.text === 'FATAL' ? 'FATAL' : `${severity.text} and above`}
            </option>`,
        )}
      </select></label
    >
    <label
      >Attribute <input type="text" placeholder="http.route=/pay" ...${text('attribute')}
    /></label>
    ${
      form.traceId &&
      html`<label
        >Trace id <input type="text" class="mono" spellcheck="false" ...${text('traceId')}
      /></label>`
    }
    <div class="form-buttons">
      <button type="submit">Search</button>
      <button
        type="button"
        class="quiet"
        onClick=${() => {
          setForm({});
          apply({});
        }}
      >
        Clear
      </button>
    </div>
  </form>`;
}
