import { useEffect, useMemo } from 'preact/hooks';
import { LogPatterns } from '../components/log-patterns.js';
import { Badge } from '../components/badges.js';
import { chartSteps, SignalChart } from '../components/chart.js';
import { ServiceMetrics } from '../components/service-metrics.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { formatMs, formatPercent, formatRate, signalLabel } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link, setQuery } from '../lib/router.js';
import { apiRange } from '../lib/time-range.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').Alert} Alert
 * @typedef {import('../api-types').Operation} Operation
 * @typedef {import('../api-types').ScalingPolicyView} ScalingPolicyView
 * @typedef {import('../api-types').ScalingStatus} ScalingStatus
 * @typedef {import('../api-types').Series} Series
 * @typedef {import('../api-types').ServiceSummary} ServiceSummary
 * @typedef {import('../lib/time-range.js').TimeRange} TimeRange
 */

/** The signals charted for a service, in page order. */
const SIGNALS = ['request_rate', 'error_ratio', 'latency_p95', 'latency_p99', 'latency_p50'];

/**
 * The forecast ahead that a predictive scaling policy made of the service's request rate
 * (its `request` target's total, requests per second, as the chart's), with its band.
 * None for other signals, for one operation, or for a range that does not end now.
 * @param {ScalingStatus | undefined} scaling
 * @param {string} signal
 * @param {string} operation
 * @param {TimeRange} range
 * @returns {import('../components/chart.js').Forecast | null}
 */
export function forecastOf(scaling, signal, operation, range) {
  if (signal !== 'request_rate' || operation !== '' || range.to !== null) return null;
  const points = scaling?.forecast?.request;
  if (!points || points.length === 0) return null;
  return {
    times: points.map((point) => point.timestampMs),
    values: points.map((point) => point.expected),
    lower: points.map((point) => point.lower),
    upper: points.map((point) => point.upper),
  };
}

/**
 * One service: a chart per signal (observed, expected, band, anomaly marks, alert spans),
 * for the whole service or one operation, and its busiest operations; with a predictive
 * scaling policy, the forecast ahead on the request rate and the replicas decided.
 * @param {{ name: string, range: TimeRange, query: URLSearchParams }} props
 */
export function ServicePage({ name, range, query }) {
  const operation = query.get('op') ?? '';
  const params = apiRange(range);
  const services = useApi('/v1/services', params);
  const operations = useApi(`/v1/services/${encodeURIComponent(name)}/operations`, params);
  // Read only for a service with a policy: asking for one that has none would answer 404.
  const policies = useApi('/v1/scaling/policies');
  const hasPolicy = /** @type {{ policies: ScalingPolicyView[] } | undefined} */ (
    policies.data
  )?.policies.some((stored) => stored.service === name);
  const scalingState = useApi(hasPolicy ? `/v1/scaling/${encodeURIComponent(name)}` : null);
  const scaling = hasPolicy
    ? /** @type {ScalingStatus | undefined} */ (scalingState.data)
    : undefined;
  const alerts = useApi('/v1/alerts', {
    service: name,
    status: 'all',
    since: `${Math.ceil((Date.now() - range.fromMs) / 3_600_000) + 24}h`,
  });

  useEffect(() => {
    document.title = `${name} · opsless`;
  }, [name]);

  const summary = /** @type {{ services: ServiceSummary[] } | undefined} */ (
    services.data
  )?.services.find((service) => service.name === name);
  const alertList = /** @type {{ alerts: Alert[] } | undefined} */ (alerts.data)?.alerts ?? [];
  const operationList = /** @type {{ operations: Operation[] } | undefined} */ (operations.data)
    ?.operations;

  const zoom = (/** @type {number} */ fromMs, /** @type {number} */ toMs) =>
    setQuery({
      since: null,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    });

  return html`<section class="page">
    <nav class="breadcrumbs" aria-label="Breadcrumbs">
      <a href=${link('/services')}>Services</a> / <span>${name}</span>
    </nav>
    <div class="page-head">
      <h1>${name}</h1>
      ${summary && html`<${Badge} value=${summary.status} />`}
      ${
        summary &&
        summary.openAlerts > 0 &&
        html`<a href=${link('/alerts', { service: name, status: 'open' })}
          >${summary.openAlerts} open alert${summary.openAlerts === 1 ? '' : 's'}</a
        >`
      }
      <a class="button-link" href=${link('/traces', { service: name, operation })}>Traces</a>
      <a class="button-link" href=${link('/logs', { service: name })}>Logs</a>
      <a class="button-link" href=${link('/logs', { service: name, view: 'patterns' })}
        >Log patterns</a
      >
      <a class="button-link" href=${link('/explore/metrics', { service: name })}>Metrics</a>
    </div>
    ${
      summary &&
      html`<dl class="facts">
        <div>
          <dt>Requests</dt>
          <dd title="Entry spans: SERVER or CONSUMER kind, or roots">
            ${summary.requests.toLocaleString()}
          </dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd>${formatPercent(summary.errorRatio)}</dd>
        </div>
        <div>
          <dt>Spans</dt>
          <dd>${summary.spans.toLocaleString()}</dd>
        </div>
        <div>
          <dt>p50</dt>
          <dd>${formatMs(summary.p50Ms)}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd>${formatMs(summary.p95Ms)}</dd>
        </div>
        <div>
          <dt>p99</dt>
          <dd>${formatMs(summary.p99Ms)}</dd>
        </div>
        ${
          scaling?.desired &&
          html`<div>
            <dt>Replicas</dt>
            <dd data-testid="replicas">
              <a href=${`${link('/hooks')}#section-scaling`}
                >${`${scaling.current} now → ${scaling.desired.final} desired`}</a
              >${' '}
              <span class="muted small"
                >${`(reactive ${scaling.desired.reactive}, predictive ${scaling.desired.predictive ?? 'off'})`}</span
              >
            </dd>
          </div>`
        }
        ${
          summary.environments.length > 0 &&
          html`<div>
            <dt>Environment</dt>
            <dd>${summary.environments.join(', ')}</dd>
          </div>`
        }
      </dl>`
    }
    <div class="filters">
      <label
        >Operation
        <select
          value=${operation}
          onChange=${(/** @type {Event} */ e) =>
            setQuery({ op: /** @type {HTMLSelectElement} */ (e.currentTarget).value })}
        >
          <option value="">Whole service</option>
          ${
            operation &&
            !operationList?.some((op) => op.name === operation) &&
            html`<option value=${operation}>${operation}</option>`
          }
          ${(operationList ?? []).map((op) => html`<option value=${op.name}>${op.name}</option>`)}
        </select></label
      >
      <p class="muted small hint">Drag across a chart to zoom in.</p>
    </div>
    <div class="charts">
      ${SIGNALS.map(
        (signal) =>
          html`<${SignalPanel}
            key=${signal}
            service=${name}
            signal=${signal}
            operation=${operation}
            range=${range}
            alerts=${alertList}
            scaling=${scaling}
            onZoom=${zoom}
          />`,
      )}
    </div>
    <h2>Top operations</h2>
    <${OperationsTable}
      service=${name}
      state=${operations}
      list=${operationList}
      selected=${operation}
    />
    <${ServiceMetrics} service=${name} range=${range} />
    <h2>Log patterns</h2>
    <${LogPatterns} range=${range} service=${name} />
  </section>`;
}

/**
 * @param {{ service: string, signal: string, operation: string, range: TimeRange, alerts: Alert[], scaling: ScalingStatus | undefined, onZoom: (fromMs: number, toMs: number) => void }} props
 */
function SignalPanel({ service, signal, operation, range, alerts, scaling, onZoom }) {
  const series = useApi(`/v1/services/${encodeURIComponent(service)}/series`, {
    signal,
    operation,
    ...apiRange(range),
  });
  const data = /** @type {Series | undefined} */ (series.data);
  const spans = useMemo(() => alertSpans(alerts, signal, range), [alerts, signal, range]);
  const points = useMemo(
    () => (data ? chartSteps(data.points, data.stepSeconds, range.fromMs, range.toMs) : []),
    [data, range],
  );
  // The same object until its inputs change: the chart redraws when it changes.
  const forecast = useMemo(
    () => forecastOf(scaling, signal, operation, range),
    [scaling, signal, operation, range],
  );
  if (series.error && !data)
    return html`<${ErrorNotice} error=${series.error} retry=${series.reload} />`;
  if (!data)
    return html`<figure class="chart">
      <${Loading} label=${`Loading ${signalLabel(signal)}…`} />
    </figure>`;
  return html`<${SignalChart}
    title=${signalLabel(signal)}
    signal=${signal}
    operation=${data.operation ?? ''}
    unit=${data.unit}
    points=${points}
    fromMs=${range.fromMs}
    toMs=${range.toMs}
    alerts=${spans}
    forecast=${forecast}
    onZoom=${onZoom}
    syncKey=${`service:${service}`}
  />`;
}

/**
 * The alerts of a signal as spans of time (open ones last until now).
 * @param {Alert[]} alerts
 * @param {string} signal
 * @param {TimeRange} range
 */
export function alertSpans(alerts, signal, range) {
  return alerts
    .filter((alert) => alert.signals.includes(signal) || alert.signal === signal)
    .map((alert) => ({
      fromMs: Date.parse(alert.openedAt),
      toMs: alert.resolvedAt ? Date.parse(alert.resolvedAt) : Date.now(),
      label: alert.summary,
    }))
    .filter((span) => span.toMs >= range.fromMs && span.fromMs <= range.toMs);
}

/**
 * @param {{ service: string, state: { error: Error | undefined, reload: () => void }, list: Operation[] | undefined, selected: string }} props
 */
function OperationsTable({ service, state, list, selected }) {
  if (state.error && !list)
    return html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  if (!list) return html`<${Loading} />`;
  if (list.length === 0)
    return html`<${EmptyNote}>No entry operations in this range.</${EmptyNote}>`;
  return html`<div class="table-scroll">
    <table class="operations">
      <thead>
        <tr>
          <th scope="col">Operation</th>
          <th scope="col" class="numeric">Rate</th>
          <th scope="col" class="numeric">Requests</th>
          <th scope="col" class="numeric">Errors</th>
          <th scope="col" class="numeric">p95</th>
          <th scope="col" class="numeric">p99</th>
          <th scope="col"><span class="visually-hidden">Links</span></th>
        </tr>
      </thead>
      <tbody>
        ${list.map(
          (op) =>
            html`<tr class=${op.name === selected ? 'selected' : undefined}>
              <th scope="row" class="name">
                <a href=${link(`/services/${encodeURIComponent(service)}`, { op: op.name })}
                  >${op.name}</a
                >
              </th>
              <td class="numeric">${formatRate(op.ratePerSecond)}</td>
              <td class="numeric">${op.requests.toLocaleString()}</td>
              <td class="numeric">
                ${op.errors.toLocaleString()}${' '}<span class="muted small"
                  >(${formatPercent(op.errorRatio)})</span
                >
              </td>
              <td class="numeric">${formatMs(op.p95Ms)}</td>
              <td class="numeric">${formatMs(op.p99Ms)}</td>
              <td>
                <a href=${link('/traces', { service, operation: op.name })}
                  >traces<span class="visually-hidden"> of ${op.name}</span></a
                >
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
