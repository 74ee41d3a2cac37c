import { useEffect } from 'preact/hooks';
import { MetricChart } from '../components/metric-chart.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { html } from '../lib/html.js';
import { link, setQuery } from '../lib/router.js';
import { apiRange } from '../lib/time-range.js';
import { useApi } from '../lib/use-api.js';
import { chartUnit, defaultAggregation, useMetricSeries } from '../lib/metrics.js';

/**
 * @typedef {import('../api-types').MetricAggregation} MetricAggregation
 * @typedef {import('../api-types').MetricInfo} MetricInfo
 * @typedef {import('../api-types').MetricSeries} MetricSeries
 * @typedef {import('../api-types').ServiceSummary} ServiceSummary
 * @typedef {import('../lib/time-range.js').TimeRange} TimeRange
 */

/**
 * Any metric sent over OTLP: pick a service and a metric, how to aggregate it and an
 * attribute to group by; the choices live in the URL.
 * @param {{ range: TimeRange, query: URLSearchParams }} props
 */
export function MetricsPage({ range, query }) {
  const service = query.get('service') ?? '';
  const name = query.get('metric') ?? '';
  const services = useApi('/v1/services', apiRange(range));
  const metrics = useApi('/v1/metrics', { service, ...apiRange(range) });
  const list = /** @type {{ metrics: MetricInfo[] } | undefined} */ (metrics.data)?.metrics;
  const metric = list?.find((entry) => entry.name === name);
  const agg = query.get('agg') ?? (metric ? defaultAggregation(metric) : 'avg');
  const by = query.get('by') ?? '';
  const series = useMetricSeries({ name: metric ? name : '', service, agg, by, range });

  useEffect(() => {
    document.title = 'Metrics · opsless';
  }, []);

  const serviceList = /** @type {{ services: ServiceSummary[] } | undefined} */ (services.data)
    ?.services;
  const serviceNames = (serviceList ?? []).map((entry) => entry.name);
  if (service && !serviceNames.includes(service)) serviceNames.unshift(service);
  /**
   * @param {string} field
   * @param {() => Record<string, string | null>} [extra]  Choices that no longer apply.
   */
  const choose = (field, extra) => (/** @type {Event} */ e) => {
    const value = /** @type {HTMLSelectElement} */ (e.currentTarget).value;
    setQuery({ [field]: value || null, ...(extra ? extra() : {}) });
  };
  const data = /** @type {MetricSeries | undefined} */ (series.data);

  return html`<section class="page">
    <div class="page-head"><h1>Metrics</h1></div>
    <form
      class="search-form metric-picker"
      onSubmit=${(/** @type {Event} */ e) => e.preventDefault()}
    >
      <label
        >Service
        <select
          value=${service}
          name="service"
          onChange=${choose('service', () => ({ metric: null, agg: null, by: null }))}
        >
          <option value="">All services</option>
          ${serviceNames.map((entry) => html`<option value=${entry}>${entry}</option>`)}
        </select></label
      >
      <label
        >Metric
        <select
          value=${name}
          name="metric"
          onChange=${choose('metric', () => ({ agg: null, by: null }))}
        >
          <option value="">Choose a metric…</option>
          ${name && !metric && html`<option value=${name}>${name}</option>`}
          ${(list ?? []).map((entry) => html`<option value=${entry.name}>${entry.name}</option>`)}
        </select></label
      >
      <label
        >Aggregation
        <select value=${agg} name="agg" onChange=${choose('agg')}>
          ${
            !metric?.aggregations.includes(/** @type {MetricAggregation} */ (agg)) &&
            html`<option value=${agg}>${agg}</option>`
          }
          ${(metric?.aggregations ?? []).map((entry) => html`<option value=${entry}>${entry}</option>`)}
        </select></label
      >
      <label
        >Group by
        <select value=${by} name="by" onChange=${choose('by')}>
          <option value="">Nothing</option>
          ${by && !metric?.attributeKeys.includes(by) && html`<option value=${by}>${by}</option>`}
          ${(metric?.attributeKeys ?? []).map((key) => html`<option value=${key}>${key}</option>`)}
        </select></label
      >
    </form>
    ${
      metrics.error && !list
        ? html`<${ErrorNotice} error=${metrics.error} retry=${metrics.reload} />`
        : !list
          ? html`<${Loading} label="Reading the metrics…" />`
          : list.length === 0
            ? html`<${EmptyNote}
                >No metrics${service ? ` from ${service}` : ''} in ${range.label.toLowerCase()}.</${EmptyNote}
              >`
            : !metric
              ? html`<${MetricIndex} list=${list} service=${service} />`
              : html`${
                  metric.description &&
                  html`<p class="muted metric-description">
                    ${metric.description} · ${metric.type}${metric.unit ? ` · ${metric.unit}` : ''}
                  </p>`
                }
                ${
                  series.error && !data
                    ? html`<${ErrorNotice} error=${series.error} retry=${series.reload} />`
                    : !data
                      ? html`<${Loading} label="Reading the series…" />`
                      : html`<div class=${series.loading ? 'stale' : ''}>
                          <${MetricChart}
                            title=${`${agg}(${metric.name})${by ? ` by ${by}` : ''}`}
                            metric=${metric.name}
                            unit=${chartUnit(data.unit, agg)}
                            series=${data}
                            fromMs=${range.fromMs}
                            toMs=${range.toMs}
                            height=${280}
                          />
                        </div>`
                }`
    }
  </section>`;
}

/**
 * Every metric in the range, each a link that charts it.
 * @param {{ list: MetricInfo[], service: string }} props
 */
function MetricIndex({ list, service }) {
  return html`<div class="table-scroll">
    <table class="metrics">
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Type</th>
          <th scope="col">Unit</th>
          <th scope="col">Attributes</th>
        </tr>
      </thead>
      <tbody>
        ${list.map(
          (metric) =>
            html`<tr data-metric=${metric.name}>
              <th scope="row" class="name">
                <a href=${link('/explore/metrics', { service, metric: metric.name })}
                  >${metric.name}</a
                >
                ${metric.description && html`<div class="muted small">${metric.description}</div>`}
              </th>
              <td>${metric.type}</td>
              <td>${metric.unit || '–'}</td>
              <td class="small">${metric.attributeKeys.join(', ') || '–'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
