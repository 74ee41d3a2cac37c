import { chartUnit, defaultAggregation, useMetricSeries } from '../lib/metrics.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { apiRange } from '../lib/time-range.js';
import { MetricChart } from './metric-chart.js';
import { EmptyNote, ErrorNotice, Loading } from './states.js';

/**
 * @typedef {import('../api-types').MetricInfo} MetricInfo
 * @typedef {import('../api-types').MetricSeries} MetricSeries
 * @typedef {import('../lib/time-range.js').TimeRange} TimeRange
 */

/** Charts drawn at most: the page stays quick for a service that sends hundreds of metrics. */
export const MAX_SERVICE_METRICS = 8;

/**
 * A service's metrics as small charts (the first MAX_SERVICE_METRICS by name), each with
 * its usual aggregation; the explorer has the others and more choices.
 * @param {{ service: string, range: TimeRange }} props
 */
export function ServiceMetrics({ service, range }) {
  const state = useApi('/v1/metrics', { service, ...apiRange(range) });
  const list = /** @type {{ metrics: MetricInfo[] } | undefined} */ (state.data)?.metrics;
  const shown = (list ?? []).slice(0, MAX_SERVICE_METRICS);
  return html`<section class="service-metrics" aria-labelledby="service-metrics-title">
    <h2 id="service-metrics-title">Metrics</h2>
    ${
      state.error && !list
        ? html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`
        : !list
          ? html`<${Loading} label="Reading the metrics…" />`
          : list.length === 0
            ? html`<${EmptyNote}>${service} sent no metrics in this range.</${EmptyNote}>`
            : html`<p class="muted small">
                  ${
                    list.length > shown.length
                      ? `The first ${shown.length} of ${list.length} metrics, each as usually aggregated. `
                      : 'Each metric as usually aggregated. '
                  }<a href=${link('/explore/metrics', { service })}>Explore them</a> to choose
                  another aggregation or group by an attribute.
                </p>
                <div class="small-multiples">
                  ${shown.map(
                    (metric) =>
                      html`<${ServiceMetricChart}
                        key=${metric.name}
                        service=${service}
                        metric=${metric}
                        range=${range}
                      />`,
                  )}
                </div>`
    }
  </section>`;
}

/**
 * @param {{ service: string, metric: MetricInfo, range: TimeRange }} props
 */
function ServiceMetricChart({ service, metric, range }) {
  const agg = defaultAggregation(metric);
  const series = useMetricSeries({ name: metric.name, service, agg, range });
  const data = /** @type {MetricSeries | undefined} */ (series.data);
  if (series.error && !data)
    return html`<${ErrorNotice} error=${series.error} retry=${series.reload} />`;
  if (!data)
    return html`<figure class="chart"><${Loading} label=${`Loading ${metric.name}…`} /></figure>`;
  return html`<${MetricChart}
    title=${`${agg}(${metric.name})`}
    metric=${metric.name}
    unit=${chartUnit(data.unit, agg)}
    series=${data}
    fromMs=${range.fromMs}
    toMs=${range.toMs}
    height=${120}
  />`;
}
