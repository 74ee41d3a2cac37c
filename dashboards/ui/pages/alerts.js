import { useEffect } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { formatAgo, formatTime, signalLabel } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link, setQuery } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/** @typedef {import('../api-types').Alert} Alert */

const STATUSES = [
  { value: 'open', label: 'Open' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

/** Open and acknowledged alerts matter however old; this is how far back they are read. */
const UNRESOLVED_LOOKBACK = '90d';

/**
 * Alerts by status (open by default) and service. Open and acknowledged alerts are
 * listed however long ago they opened; resolved ones (and "all") within the time range.
 * @param {{ range: import('../lib/time-range.js').TimeRange, query: URLSearchParams }} props
 */
export function AlertsPage({ range, query }) {
  const status = query.get('status') ?? 'open';
  const service = query.get('service') ?? '';
  const windowed = status === 'resolved' || status === 'all';
  const since = windowed
    ? `${Math.max(1, Math.ceil((Date.now() - range.fromMs) / 60_000))}m`
    : UNRESOLVED_LOOKBACK;
  const alerts = useApi('/v1/alerts', { status, service, since, limit: 500 });

  useEffect(() => {
    document.title = 'Alerts · opsless';
  }, []);

  const list = /** @type {{ alerts: Alert[] } | undefined} */ (alerts.data)?.alerts;
  const shown =
    windowed && list ? list.filter((alert) => Date.parse(alert.openedAt) <= range.toMs) : list;

  return html`<section class="page">
    <div class="page-head"><h1>Alerts</h1></div>
    <div class="filters">
      <div class="segmented" role="group" aria-label="Status">
        ${STATUSES.map(
          (choice) =>
            html`<button
              type="button"
              aria-pressed=${status === choice.value ? 'true' : 'false'}
              onClick=${() => setQuery({ status: choice.value })}
            >
              ${choice.label}
            </button>`,
        )}
      </div>
      <label
        >Service
        <input
          type="search"
          value=${service}
          placeholder="Any service"
          onChange=${(/** @type {Event} */ e) =>
            setQuery({ service: /** @type {HTMLInputElement} */ (e.currentTarget).value.trim() })}
      /></label>
    </div>
    <p class="muted small">
      ${
        windowed
          ? `Alerts opened in ${range.label.toLowerCase()}.`
          : 'Every alert in this state, however long ago it opened.'
      }
    </p>
    ${
      alerts.error && !list
        ? html`<${ErrorNotice} error=${alerts.error} retry=${alerts.reload} />`
        : !shown
          ? html`<${Loading} />`
          : shown.length === 0
            ? html`<${EmptyNote}
              >${
                status === 'open'
                  ? 'Nothing is open. opsless opens an alert when a service’s signals leave their learned band.'
                  : 'No alerts match.'
              }</${EmptyNote}
            >`
            : html`<div class="table-scroll">
                <table class="alerts">
                  <thead>
                    <tr>
                      <th scope="col">Alert</th>
                      <th scope="col">Status</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Service</th>
                      <th scope="col">Signal</th>
                      <th scope="col">Opened</th>
                      <th scope="col">Resolved</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${shown.map((alert) => html`<${AlertRow} key=${alert.id} alert=${alert} />`)}
                  </tbody>
                </table>
              </div>`
    }
  </section>`;
}

/**
 * @param {{ alert: Alert }} props
 */
function AlertRow({ alert }) {
  return html`<tr data-alert=${alert.id}>
    <th scope="row" class="name">
      <a href=${link(`/alerts/${encodeURIComponent(alert.id)}`)}>${alert.summary}</a>
    </th>
    <td><${Badge} value=${alert.status} /></td>
    <td><${Badge} value=${alert.severity} /></td>
    <td><a href=${link(`/services/${encodeURIComponent(alert.service)}`)}>${alert.service}</a></td>
    <td>
      ${signalLabel(alert.signal)}${
        alert.operation && html`<span class="muted small"> · ${alert.operation}</span>`
      }
    </td>
    <td>
      <time datetime=${alert.openedAt} title=${formatTime(alert.openedAt)}
        >${formatAgo(alert.openedAt)}</time
      >
    </td>
    <td>
      ${
        alert.resolvedAt
          ? html`<time datetime=${alert.resolvedAt} title=${formatTime(alert.resolvedAt)}
              >${formatAgo(alert.resolvedAt)}</time
            >`
          : '–'
      }
    </td>
  </tr>`;
}
