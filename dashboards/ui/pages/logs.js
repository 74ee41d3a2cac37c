import { useEffect } from 'preact/hooks';
import { LogHistogramChart } from '../components/log-histogram.js';
import { LogList } from '../components/log-list.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { html } from '../lib/html.js';
import { link, setQuery } from '../lib/router.js';
import { apiRange } from '../lib/time-range.js';
import { useApi } from '../lib/use-api.js';
import { LogSearchForm, LOG_FIELDS } from '../components/log-search-form.js';
import { useLogPages } from '../lib/use-log-pages.js';
import { LogPatterns } from '../components/log-patterns.js';

/**
 * @typedef {import('../api-types').LogHistogram} LogHistogram
 * @typedef {import('../lib/time-range.js').TimeRange} TimeRange
 */

/**
 * The filters of the page's URL as the logs API takes them: `attribute=key=value` in the
 * URL becomes `attr.key=value`.
 * @param {URLSearchParams} query
 */
export function logFilters(query) {
  /** @type {Record<string, string>} */
  const filters = {};
  for (const field of LOG_FIELDS) {
    const value = query.get(field);
    if (!value) continue;
    const split = value.indexOf('=');
    if (field === 'attribute') {
      if (split > 0) filters[`attr.${value.slice(0, split)}`] = value.slice(split + 1);
    } else filters[field] = value;
  }
  return filters;
}

/**
 * Log search over the shared time range: full text, service, severity (that level and
 * above), trace and attribute; the volume by severity, the newest records with older ones
 * a click away, and a live tail that follows what arrives.
 * @param {{ range: TimeRange, query: URLSearchParams }} props
 */
export function LogsPage({ range, query }) {
  const filters = logFilters(query);
  const live = query.get('live') === '1' && range.to === null;
  const histogram = useApi('/v1/logs/histogram', { ...filters, ...apiRange(range) });
  const pages = useLogPages({ filters, range, live });
  const traceId = query.get('traceId');
  const patterns = query.get('view') === 'patterns';
  const pattern = query.get('pattern');

  useEffect(() => {
    document.title = 'Logs · opsless';
  }, []);

  const data = /** @type {LogHistogram | undefined} */ (histogram.data);
  return html`<section class="page">
    <div class="page-head">
      <h1>Logs</h1>
      ${
        traceId &&
        html`<p class="muted">
          Of trace <a class="mono" href=${link(`/traces/${traceId}`)}>${traceId.slice(0, 16)}…</a>
        </p>`
      }
    </div>
    <${LogSearchForm} key=${query.toString()} query=${query} />
    <div class="log-toolbar" role="group" aria-label="View">
      <button
        type="button"
        class="secondary"
        aria-pressed=${patterns ? 'false' : 'true'}
        onClick=${() => setQuery({ view: null }, { replace: true })}
      >
        Records
      </button>
      <button
        type="button"
        class="secondary"
        aria-pressed=${patterns ? 'true' : 'false'}
        onClick=${() => setQuery({ view: 'patterns', live: null, pattern: null }, { replace: true })}
      >
        Patterns
      </button>
      ${
        pattern &&
        html`<span class="muted small"
          >Lines of one pattern.
          <a href=${link('/logs', { pattern: null, view: 'patterns' })}>All patterns</a></span
        >`
      }
    </div>
    ${
      patterns
        ? html`<${LogPatterns}
            range=${range}
            service=${query.get('service') ?? ''}
            severity=${query.get('severity') ?? ''}
          />`
        : html`<${RecordsView}
            range=${range}
            live=${live}
            data=${data}
            histogram=${histogram}
            pages=${pages}
          />`
    }
  </section>`;
}

/**
 * @param {{ range: TimeRange, live: boolean, data: LogHistogram | undefined, histogram: ReturnType<typeof useApi>, pages: ReturnType<typeof useLogPages> }} props
 */
function RecordsView({ range, live, data, histogram, pages }) {
  return html`<div class="log-toolbar">
      <button
        type="button"
        class="secondary"
        aria-pressed=${live ? 'true' : 'false'}
        disabled=${range.to !== null}
        title=${range.to !== null ? 'A live tail follows a range that ends now' : undefined}
        onClick=${() => setQuery({ live: live ? null : '1' }, { replace: true })}
      >
        ${live ? '■ Stop live tail' : '▶ Live tail'}
      </button>
      ${live && html`<span class="muted small" role="status">Following new records every 2 s.</span>`}
    </div>
    ${
      histogram.error && !data
        ? html`<${ErrorNotice} error=${histogram.error} retry=${histogram.reload} />`
        : data
          ? html`<${LogHistogramChart}
              histogram=${data}
              fromMs=${range.fromMs}
              toMs=${range.toMs}
            />`
          : html`<${Loading} label="Counting…" />`
    }
    <${Results} pages=${pages} range=${range} />`;
}

/**
 * @param {{ pages: ReturnType<typeof useLogPages>, range: TimeRange }} props
 */
function Results({ pages, range }) {
  if (pages.error && !pages.items)
    return html`<${ErrorNotice} error=${pages.error} retry=${pages.reload} />`;
  if (!pages.items) return html`<${Loading} label="Searching…" />`;
  if (pages.items.length === 0)
    return html`<${EmptyNote}>No log record matches in ${range.label.toLowerCase()}.</${EmptyNote}>`;
  return html`<p class="muted small">
      ${pages.items.length.toLocaleString()} record${pages.items.length === 1 ? '' : 's'}, newest
      first${pages.trimmed ? ` (the newest ${pages.items.length} kept while tailing)` : ''}. Choose
      a record to see its attributes and resource.
    </p>
    <div class=${pages.loading ? 'stale' : ''} aria-busy=${pages.loading ? 'true' : 'false'}>
      <${LogList} logs=${pages.items} label="Log records" />
    </div>
    ${pages.error && html`<${ErrorNotice} error=${pages.error} retry=${pages.reload} />`}
    ${
      pages.nextCursor &&
      html`<div class="form-buttons load-more">
        <button type="button" class="secondary" disabled=${pages.loading} onClick=${pages.more}>
          Load more
        </button>
      </div>`
    }`;
}
