import { useEffect, useState } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { formatAgo, formatMs, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link, setQuery } from '../lib/router.js';
import { apiRange } from '../lib/time-range.js';
import { useApi } from '../lib/use-api.js';
import { usePages } from '../lib/use-pages.js';

/**
 * @typedef {import('../api-types').TraceSummary} TraceSummary
 * @typedef {import('../api-types').ServiceSummary} ServiceSummary
 * @typedef {import('../api-types').Operation} Operation
 */

/** Traces per answer; "Load more" reads the next page with the API's cursor. */
const PAGE_SIZE = 100;

/** The search fields, as named in the page URL and the API. */
const FIELDS = ['service', 'operation', 'minDurationMs', 'maxDurationMs', 'status', 'attribute'];

/**
 * Trace search over the shared time range: service, operation, duration, status and an
 * attribute; the newest matching traces, each opening its waterfall.
 * @param {{ range: import('../lib/time-range.js').TimeRange, query: URLSearchParams }} props
 */
export function TracesPage({ range, query }) {
  /** @type {Record<string, string>} */
  const criteria = {};
  for (const field of FIELDS) {
    const value = query.get(field);
    if (value) criteria[field] = value;
  }
  const attributes = query.getAll('attribute');
  /** @type {ReturnType<typeof usePages<TraceSummary>>} */
  const traces = usePages(
    '/v1/traces',
    { ...criteria, attribute: attributes, ...apiRange(range), limit: PAGE_SIZE },
    'traces',
  );
  const list = traces.items;

  useEffect(() => {
    document.title = 'Traces · opsless';
  }, []);

  return html`<section class="page">
    <div class="page-head"><h1>Traces</h1></div>
    <${SearchForm} key=${query.toString()} criteria=${criteria} />
    ${
      traces.error && !list
        ? html`<${ErrorNotice} error=${traces.error} retry=${traces.reload} />`
        : !list
          ? html`<${Loading} label="Searching…" />`
          : list.length === 0
            ? html`<${EmptyNote}>No trace matches in ${range.label.toLowerCase()}.</${EmptyNote}>`
            : html`<p class="muted small">
                  ${traces.nextCursor ? `The newest ${list.length}` : list.length} matching
                  trace${list.length === 1 ? '' : 's'}, newest first.
                </p>
                <div
                  class=${`table-scroll${traces.loading ? ' stale' : ''}`}
                  aria-busy=${traces.loading ? 'true' : 'false'}
                >
                  <table class="traces">
                    <thead>
                      <tr>
                        <th scope="col">Trace</th>
                        <th scope="col">Matching span</th>
                        <th scope="col" class="numeric">Duration</th>
                        <th scope="col" class="numeric">Spans</th>
                        <th scope="col">Status</th>
                        <th scope="col">Started</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${list.map((trace) => html`<${TraceRow} key=${trace.traceId} trace=${trace} />`)}
                    </tbody>
                  </table>
                </div>
                ${traces.error && html`<${ErrorNotice} error=${traces.error} retry=${traces.reload} />`}
                ${
                  traces.nextCursor &&
                  html`<div class="form-buttons load-more">
                    <button
                      type="button"
                      class="secondary"
                      disabled=${traces.loading}
                      onClick=${traces.more}
                    >
                      Load more
                    </button>
                  </div>`
                }`
    }
  </section>`;
}

/**
 * @param {{ trace: TraceSummary }} props
 */
function TraceRow({ trace }) {
  const root = trace.root ?? { service: trace.match.service, operation: trace.match.operation };
  return html`<tr data-trace=${trace.traceId}>
    <th scope="row" class="name">
      <a href=${link(`/traces/${trace.traceId}`, { span: trace.match.spanId })}
        >${root.service}: ${root.operation}</a
      >
      ${!trace.root && html`<span class="muted small"> (root not received)</span>`}
      <div class="muted small mono">${trace.traceId}</div>
    </th>
    <td>
      ${trace.match.service}: ${trace.match.operation}
      <span class="muted small"> ${formatMs(trace.match.durationMs)}</span>
    </td>
    <td class="numeric">${formatMs(trace.durationMs)}</td>
    <td class="numeric">${trace.spans}</td>
    <td>
      ${
        trace.errorSpans > 0
          ? html`<${Badge} value="failed" title=${`${trace.errorSpans} error span(s)`} />`
          : html`<${Badge} value="ok" />`
      }
    </td>
    <td>
      <time datetime=${trace.startTime} title=${formatTime(trace.startTime)}
        >${formatAgo(trace.startTime)}</time
      >
    </td>
  </tr>`;
}

/**
 * The criteria as a form; submitting puts them in the URL, which runs the search.
 * @param {{ criteria: Record<string, string> }} props
 */
function SearchForm({ criteria }) {
  const [form, setForm] = useState(criteria);
  /** @type {import('../lib/use-api.js').ApiState<{ services: ServiceSummary[] }>} */
  const services = useApi('/v1/services', { since: '24h' });
  /** @type {import('../lib/use-api.js').ApiState<{ operations: Operation[] }>} */
  const operations = useApi(
    form.service ? `/v1/services/${encodeURIComponent(form.service)}/operations` : null,
    { since: '24h', limit: 200 },
  );
  const serviceNames = (services.data?.services ?? []).map((service) => service.name);
  if (form.service && !serviceNames.includes(form.service)) serviceNames.unshift(form.service);
  const operationNames = (operations.data?.operations ?? []).map((operation) => operation.name);
  /** @param {string} name */
  const bind = (name) => ({
    name,
    value: form[name] ?? '',
    onInput: (/** @type {Event} */ e) =>
      setForm({
        ...form,
        [name]: /** @type {HTMLInputElement} */ (e.currentTarget).value,
      }),
  });
  const submit = (/** @type {Event} */ event) => {
    event.preventDefault();
    /** @type {Record<string, string | null>} */
    const changes = {};
    for (const field of FIELDS) changes[field] = (form[field] ?? '').trim() || null;
    setQuery(changes);
  };
  const clear = () => {
    setForm({});
    setQuery(Object.fromEntries(FIELDS.map((field) => [field, null])));
  };
  return html`<form class="search-form" role="search" onSubmit=${submit}>
    <label
      >Service
      <select ...${bind('service')} onChange=${bind('service').onInput}>
        <option value="">All</option>
        ${serviceNames.map((name) => html`<option value=${name}>${name}</option>`)}
      </select></label
    >
    <label
      >Operation
      <input type="text" list="trace-operations" autocomplete="off" ...${bind('operation')}
    /></label>
    <datalist id="trace-operations">
      ${operationNames.map((name) => html`<option value=${name}></option>`)}
    </datalist>
    <label
      >Min duration (ms)
      <input type="number" min="0" step="any" inputmode="decimal" ...${bind('minDurationMs')}
    /></label>
    <label
      >Max duration (ms)
      <input type="number" min="0" step="any" inputmode="decimal" ...${bind('maxDurationMs')}
    /></label>
    <label
      >Status
      <select ...${bind('status')} onChange=${bind('status').onInput}>
        <option value="">Any</option>
        <option value="error">Errors</option>
        <option value="ok">Not errors</option>
      </select></label
    >
    <label
      >Attribute <input type="text" placeholder="http.route=/pay" ...${bind('attribute')}
    /></label>
    <div class="form-buttons">
      <button type="submit">Search</button>
      <button type="button" class="quiet" onClick=${clear}>Clear</button>
    </div>
  </form>`;
}
