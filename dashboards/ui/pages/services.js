import { useEffect, useMemo, useState } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { Sparkline } from '../components/sparkline.js';
import { EmptyNote, EmptyTelemetry, ErrorNotice, Loading } from '../components/states.js';
import { formatMs, formatPercent, formatRate } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link, setQuery } from '../lib/router.js';
import { apiRange } from '../lib/time-range.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').ServiceSummary} ServiceSummary
 * @typedef {import('../api-types').Sparklines} Sparklines
 * @typedef {ServiceSummary & { rate: number, spark: Sparklines['services'][string] | undefined, partial: boolean }} Row
 *   `partial`: the sparklines' last step is still open.
 */

/** Performance marks: the first rows drawn with their sparklines, then every row. */
const READY_MARK = 'opsless:services-ready';
const COMPLETE_MARK = 'opsless:services-complete';
/**
 * Rows drawn at once, then per idle moment: a screenful comes first and a list of
 * 1,000 services never blocks the page for the whole table (measured with bench/ui.ts).
 */
const FIRST_ROWS = 60;
const MORE_ROWS = 200;

/** Sortable columns: key in the URL → how to read it from a row. */
const COLUMNS = /** @type {const} */ ({
  name: { label: 'Service', read: (/** @type {Row} */ row) => row.name },
  status: {
    label: 'Status',
    read: (/** @type {Row} */ row) => ({ anomalous: 0, learning: 1, ok: 2 })[row.status],
  },
  alerts: { label: 'Open alerts', read: (/** @type {Row} */ row) => row.openAlerts },
  rate: { label: 'Requests', read: (/** @type {Row} */ row) => row.rate },
  errors: { label: 'Errors', read: (/** @type {Row} */ row) => row.errorRatio ?? -1 },
  p95: { label: 'p95', read: (/** @type {Row} */ row) => row.p95Ms },
  p99: { label: 'p99', read: (/** @type {Row} */ row) => row.p99Ms },
});
/** @typedef {keyof typeof COLUMNS} ColumnKey */

/**
 * Every service in the range: rate, errors, latency with sparklines, status and open
 * alerts; filtered by name and environment, sorted by any column, all in the URL.
 * @param {{ range: import('../lib/time-range.js').TimeRange, query: URLSearchParams }} props
 */
export function ServicesPage({ range, query }) {
  const params = apiRange(range);
  const services = useApi('/v1/services', params);
  const sparklines = useApi('/v1/services/sparklines', { ...params, points: 30 });
  const filter = query.get('q') ?? '';
  const environment = query.get('env') ?? '';
  const sort = /** @type {ColumnKey} */ (
    (query.get('sort') ?? '') in COLUMNS ? query.get('sort') : 'status'
  );
  const descending = query.get('dir') === 'desc';

  useEffect(() => {
    document.title = 'Services · opsless';
  }, []);

  /** @type {ServiceSummary[] | undefined} */
  const list = /** @type {{ services: ServiceSummary[] } | undefined} */ (services.data)?.services;
  const spark = /** @type {Sparklines | undefined} */ (sparklines.data);
  // Requests and errors are the API's (entry spans, the step still open included), over
  // the range up to now.
  const rangeSeconds = (range.toMs - range.fromMs) / 1000;

  const rows = useMemo(() => {
    if (!list) return [];
    const needle = filter.trim().toLowerCase();
    /** @type {Row[]} */
    const selected = [];
    for (const service of list) {
      if (needle && !service.name.toLowerCase().includes(needle)) continue;
      if (environment && !service.environments.includes(environment)) continue;
      selected.push({
        ...service,
        spark: spark?.services[service.name],
        partial: spark !== undefined && spark.partialFrom !== null,
        rate: rangeSeconds > 0 ? service.requests / rangeSeconds : 0,
      });
    }
    const read = COLUMNS[sort].read;
    selected.sort((a, b) => {
      const x = read(a);
      const y = read(b);
      const order = x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      return descending ? -order : order;
    });
    return selected;
  }, [list, spark, filter, environment, sort, descending, rangeSeconds]);

  const shown = useProgressiveCount(rows.length, Boolean(list && spark));
  // The same element for an unchanged row: Preact then skips it when more rows are added.
  const rowElements = useMemo(
    () => rows.map((row) => html`<${ServiceRow} key=${row.name} row=${row} />`),
    [rows],
  );

  const environments = useMemo(
    () => [...new Set((list ?? []).flatMap((service) => service.environments))].sort(),
    [list],
  );

  if (services.error && !list) {
    return html`<section class="page">
      <h1>Services</h1>
      <${ErrorNotice} error=${services.error} retry=${services.reload} />
    </section>`;
  }
  if (!list)
    return html`<section class="page">
      <h1>Services</h1>
      <${Loading} />
    </section>`;
  if (list.length === 0) {
    return html`<section class="page">
      <h1>Services</h1>
      ${
        range.since === '7d' || range.since === null
          ? html`<${EmptyTelemetry} />`
          : html`<${EmptyNote}
              >${`No spans in ${range.label.toLowerCase()}. `}<a href=${link('/services', { since: '7d' })}
                >Look at the last 7 days</a
              >, or send some:</${EmptyNote}
            >
            <${EmptyTelemetry} title="Sending telemetry" />`
      }
    </section>`;
  }

  /** @param {ColumnKey} key */
  const header = (key) => {
    const active = sort === key;
    const next = active && !descending ? 'desc' : 'asc';
    return html`<th
      scope="col"
      aria-sort=${active ? (descending ? 'descending' : 'ascending') : 'none'}
      class=${key === 'name' ? '' : 'numeric'}
    >
      <button
        type="button"
        class="sort"
        onClick=${() => setQuery({ sort: key, dir: next }, { replace: true })}
      >
        ${COLUMNS[key].label}<span aria-hidden="true"
          >${active ? (descending ? ' ▾' : ' ▴') : ''}</span
        >
      </button>
    </th>`;
  };

  return html`<section class="page">
    <div class="page-head">
      <h1>Services</h1>
      <p class="muted">
        ${`${list.length} service${list.length === 1 ? '' : 's'} sending telemetry in ${range.label.toLowerCase()}`}${sparklines.error ? ' · sparklines unavailable' : spark?.partialFrom ? ' · the dashed end of a sparkline is the step still open' : ''}
      </p>
    </div>
    <div class="filters" role="search">
      <label
        >Name
        <input
          type="search"
          value=${filter}
          placeholder="Filter services"
          onInput=${(/** @type {Event} */ e) =>
            setQuery(
              { q: /** @type {HTMLInputElement} */ (e.currentTarget).value },
              { replace: true },
            )}
      /></label>
      <label
        >Environment
        <select
          value=${environment}
          onChange=${(/** @type {Event} */ e) =>
            setQuery(
              { env: /** @type {HTMLSelectElement} */ (e.currentTarget).value },
              { replace: true },
            )}
        >
          <option value="">All</option>
          ${environments.map((name) => html`<option value=${name}>${name}</option>`)}
        </select></label
      >
    </div>
    ${
      rows.length === 0
        ? html`<${EmptyNote}>No service matches these filters.</${EmptyNote}>`
        : html`<div
            class=${`table-scroll${services.loading || sparklines.loading ? ' stale' : ''}`}
            aria-busy=${services.loading || sparklines.loading ? 'true' : 'false'}
          >
            <table class="services" data-ready=${spark ? 'true' : 'false'}>
              <caption class="visually-hidden">
                Services, sorted by ${COLUMNS[sort].label}
              </caption>
              <thead>
                <tr>
                  ${header('name')}${header('status')}${header('alerts')}${header('rate')}${header('errors')}${header('p95')}${header('p99')}
                </tr>
              </thead>
              <tbody>
                ${rowElements.slice(0, shown)}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}

/**
 * How many rows to draw: FIRST_ROWS at once, MORE_ROWS more at each idle moment until all
 * `total` are; marks the first and the complete drawing once `ready` (the data is in).
 * @param {number} total
 * @param {boolean} ready
 */
function useProgressiveCount(total, ready) {
  const [count, setCount] = useState(FIRST_ROWS);
  useEffect(() => {
    if (!ready) return undefined;
    mark(READY_MARK);
    if (count >= total) {
      mark(COMPLETE_MARK);
      return undefined;
    }
    const timer = window.setTimeout(() => setCount(count + MORE_ROWS), 0);
    return () => window.clearTimeout(timer);
  }, [ready, count, total]);
  return count;
}

/**
 * Sets a performance mark the first time only.
 * @param {string} name
 */
function mark(name) {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}

/**
 * @param {{ row: Row }} props
 */
function ServiceRow({ row }) {
  const spark = row.spark;
  return html`<tr data-service=${row.name}>
    <th scope="row" class="name">
      <a href=${link(`/services/${encodeURIComponent(row.name)}`)}>${row.name}</a>
      ${
        row.environments.length > 0 &&
        html`<span class="muted small"> ${row.environments.join(', ')}</span>`
      }
      ${
        !row.signals.includes('traces') &&
        html`<div class="muted small" data-testid="signals">
          ${row.signals.join(' and ')} only:
          ${row.signals.includes('logs') && html` <a href=${link('/logs', { service: row.name })}>logs</a>`}
          ${
            row.signals.includes('metrics') &&
            html` <a href=${link('/explore/metrics', { service: row.name })}>metrics</a>`
          }
        </div>`
      }
    </th>
    <td><${Badge} value=${row.status} /></td>
    <td class="numeric">
      ${
        row.openAlerts > 0
          ? html`<a href=${link('/alerts', { service: row.name, status: 'open' })}
              >${row.openAlerts}</a
            >`
          : '0'
      }
    </td>
    <td class="numeric">
      <span class="cell-with-spark"
        >${formatRate(row.rate)}
        <${Sparkline}
          partial=${row.partial}
          values=${spark?.request_rate}
          label=${`${row.name} request rate`}
      /></span>
    </td>
    <td class="numeric">
      <span class="cell-with-spark"
        >${formatPercent(row.errorRatio)}
        <${Sparkline}
          partial=${row.partial}
          values=${spark?.error_ratio}
          label=${`${row.name} error ratio`}
          tone=${row.errorRatio !== null && row.errorRatio > 0.01 ? 'bad' : 'accent'}
      /></span>
    </td>
    <td class="numeric">
      <span class="cell-with-spark"
        >${formatMs(row.p95Ms)}
        <${Sparkline}
          partial=${row.partial}
          values=${spark?.latency_p95}
          label=${`${row.name} p95 latency`}
      /></span>
    </td>
    <td class="numeric">
      <span class="cell-with-spark"
        >${formatMs(row.p99Ms)}
        <${Sparkline}
          partial=${row.partial}
          values=${spark?.latency_p99}
          label=${`${row.name} p99 latency`}
      /></span>
    </td>
  </tr>`;
}
