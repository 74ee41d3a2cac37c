import { useEffect, useMemo, useState } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { DeliveryTable } from '../components/deliveries.js';
import { chartSteps, SignalChart } from '../components/chart.js';
import { RemediationRuns } from '../components/remediation-runs.js';
import { RootCauseList } from '../components/root-cause.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { apiSend } from '../lib/api.js';
import { formatAgo, formatPercent, formatTime, formatValue, signalLabel } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').Alert} Alert
 * @typedef {import('../api-types').Delivery} Delivery
 * @typedef {import('../api-types').Explanation} Explanation
 * @typedef {import('../api-types').Series} Series
 */

/** How much of the time before an incident its chart shows, and after it resolved. */
const BEFORE_MS = 60 * 60_000;
const AFTER_MS = 30 * 60_000;
const USER_STORAGE = 'opsless.user';

/**
 * One alert: what happened, the chart around it, why (the explanation), who was told
 * (webhook deliveries), what the runbooks did (remediation steps and their verification),
 * and the buttons to acknowledge and resolve it.
 * @param {{ id: string }} props
 */
export function AlertPage({ id }) {
  const state = useApi(`/v1/alerts/${encodeURIComponent(id)}`);
  const [changed, setChanged] = useState(/** @type {Alert | null} */ (null));
  const alert = changed ?? /** @type {Alert | undefined} */ (state.data);

  useEffect(() => {
    document.title = `${alert ? alert.summary : 'Alert'} · opsless`;
  }, [alert?.summary]);

  if (state.error && !alert) {
    return html`<section class="page">
      <h1>Alert</h1>
      <${ErrorNotice} error=${state.error} retry=${state.reload} />
    </section>`;
  }
  if (!alert)
    return html`<section class="page">
      <h1>Alert</h1>
      <${Loading} />
    </section>`;

  const unit =
    alert.signal === 'error_ratio'
      ? 'ratio'
      : alert.signal.startsWith('latency')
        ? 'ms'
        : alert.signal === 'request_rate'
          ? 'requests/s'
          : '';
  return html`<section class="page">
    <nav class="breadcrumbs" aria-label="Breadcrumbs">
      <a href=${link('/alerts')}>Alerts</a> / <span>${alert.id}</span>
    </nav>
    <div class="page-head">
      <h1>${alert.summary}</h1>
      <span data-testid="alert-status"><${Badge} value=${alert.status} /></span>
      <${Badge} value=${alert.severity} />
    </div>
    <${Actions} alert=${alert} onChange=${setChanged} />
    <dl class="facts">
      <div>
        <dt>Service</dt>
        <dd>
          <a href=${link(`/services/${encodeURIComponent(alert.service)}`)}>${alert.service}</a>
        </dd>
      </div>
      <div>
        <dt>Signal</dt>
        <dd>${signalLabel(alert.signal)}${alert.operation ? ` · ${alert.operation}` : ''}</dd>
      </div>
      <div>
        <dt>Observed</dt>
        <dd>${formatValue(unit, alert.observed)}</dd>
      </div>
      <div>
        <dt>Expected</dt>
        <dd>${formatValue(unit, alert.expected)}</dd>
      </div>
      <div>
        <dt>Score</dt>
        <dd>${alert.score.toFixed(2)}</dd>
      </div>
      <div>
        <dt>Opened</dt>
        <dd>
          <time datetime=${alert.openedAt} title=${formatAgo(alert.openedAt)}
            >${formatTime(alert.openedAt)}</time
          >
        </dd>
      </div>
      ${
        alert.acknowledgedAt &&
        html`<div>
          <dt>Acknowledged</dt>
          <dd>${formatTime(alert.acknowledgedAt)} by ${alert.acknowledgedBy}</dd>
        </div>`
      }
      ${
        alert.resolvedAt &&
        html`<div>
          <dt>Resolved</dt>
          <dd>${formatTime(alert.resolvedAt)} by ${alert.resolvedBy}</dd>
        </div>`
      }
      ${
        alert.signals.length > 1 &&
        html`<div>
          <dt>Also anomalous</dt>
          <dd>
            ${alert.signals
              .filter((s) => s !== alert.signal)
              .map(signalLabel)
              .join(', ')}
          </dd>
        </div>`
      }
    </dl>
    <${IncidentChart} alert=${alert} />
    <h2>Root cause</h2>
    <${RootCauseList} candidates=${alert.rootCause} />
    <h2>Explanation</h2>
    <${ExplanationView} explanation=${/** @type {Explanation | null} */ (alert.explanation)} />
    <h2>Webhook deliveries</h2>
    <${Deliveries} key=${alert.status} id=${alert.id} />
    <h2>Remediation</h2>
    <${RemediationRuns}
      key=${alert.status}
      params=${{ alertId: alert.id }}
      showAlert=${false}
      empty=${html`No runbook answered this alert.
        <a href=${`${link('/hooks')}#section-remediation`}>Add a remediation rule</a> to act on the
        next.`}
    />
  </section>`;
}

/**
 * @param {{ alert: Alert, onChange: (alert: Alert) => void }} props
 */
function Actions({ alert, onChange }) {
  const [by, setBy] = useState(() => {
    try {
      return window.localStorage.getItem(USER_STORAGE) ?? '';
    } catch {
      return '';
    }
  });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const act = (/** @type {'ack' | 'resolve'} */ action) => {
    setBusy(true);
    setProblem('');
    try {
      if (by) window.localStorage.setItem(USER_STORAGE, by);
    } catch {
      // not remembered: asked again next time
    }
    apiSend('POST', `/v1/alerts/${encodeURIComponent(alert.id)}/${action}`, by ? { by } : {}).then(
      (updated) => {
        setBusy(false);
        onChange(/** @type {Alert} */ (updated));
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };
  if (alert.status === 'resolved') return null;
  return html`<div class="actions">
    <label
      >Your name
      <input
        type="text"
        value=${by}
        placeholder="optional"
        maxlength="200"
        onInput=${(/** @type {Event} */ e) => setBy(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    ${
      alert.status === 'open' &&
      html`<button type="button" disabled=${busy} onClick=${() => act('ack')}>Acknowledge</button>`
    }
    <button type="button" class="secondary" disabled=${busy} onClick=${() => act('resolve')}>
      Resolve
    </button>
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
  </div>`;
}

/**
 * The alert's signal from an hour before it opened to half an hour after it resolved.
 * @param {{ alert: Alert }} props
 */
function IncidentChart({ alert }) {
  // "Now" is read once: a range that moved on every render would read again on every render.
  const [nowMs] = useState(() => Date.now());
  const openedMs = Date.parse(alert.openedAt);
  const endMs = alert.resolvedAt ? Date.parse(alert.resolvedAt) : nowMs;
  const range = useMemo(
    () => ({ fromMs: openedMs - BEFORE_MS, toMs: Math.min(nowMs, endMs + AFTER_MS) }),
    [openedMs, endMs, nowMs],
  );
  const series = useApi(`/v1/services/${encodeURIComponent(alert.service)}/series`, {
    signal: alert.signal,
    operation: alert.operation ?? '',
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
  });
  const data = /** @type {Series | undefined} */ (series.data);
  const points = useMemo(
    () => (data ? chartSteps(data.points, data.stepSeconds, range.fromMs, range.toMs) : []),
    [data, range],
  );
  const spans = useMemo(
    () => [{ fromMs: openedMs, toMs: endMs, label: alert.summary }],
    [openedMs, endMs, alert.summary],
  );
  if (series.error && !data)
    return html`<${ErrorNotice} error=${series.error} retry=${series.reload} />`;
  if (!data) return html`<${Loading} label="Loading the chart…" />`;
  return html`<${SignalChart}
    title=${`${signalLabel(alert.signal)}${alert.operation ? ` · ${alert.operation}` : ''} around the incident`}
    signal=${alert.signal}
    unit=${data.unit}
    points=${points}
    fromMs=${range.fromMs}
    toMs=${range.toMs}
    alerts=${spans}
    height=${240}
  />`;
}

/** @type {Record<string, string>} */
const FOCUS = {
  errors: 'Among the failing spans',
  slow: 'Among the slow spans',
  all: 'Among all spans',
  missing: 'What went missing from the traffic',
};

/**
 * What is over-represented among the spans the anomaly is about, against the hour before.
 * @param {{ explanation: Explanation | null }} props
 */
function ExplanationView({ explanation }) {
  if (!explanation || !Array.isArray(explanation.contributors)) {
    return html`<${EmptyNote}>No explanation was recorded for this alert.</${EmptyNote}>`;
  }
  if (explanation.contributors.length === 0) {
    return html`<${EmptyNote}>Nothing in the spans stands out: no route, version, pod or status is over-represented.</${EmptyNote}>`;
  }
  const max = Math.max(...explanation.contributors.map((c) => Math.abs(c.contribution)), 0.0001);
  return html`<div class="explanation" data-testid="explanation">
    <p>${explanationLead(explanation)}</p>
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Attribute</th>
            <th scope="col">Value</th>
            <th scope="col" class="numeric">During</th>
            <th scope="col" class="numeric">Before</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          ${explanation.contributors.map(
            (c) =>
              html`<tr>
                <td><code>${c.dimension}</code></td>
                <th scope="row" class="name">
                  ${c.value === '' ? html`<span class="muted">(empty)</span>` : c.value}
                </th>
                <td class="numeric">${formatPercent(c.anomalousShare)}</td>
                <td class="numeric">${formatPercent(c.baselineShare)}</td>
                <td>
                  <span class="bar-track" aria-hidden="true"
                    ><span
                      class="bar"
                      style=${{ width: `${(Math.abs(c.contribution) / max) * 100}%` }}
                    ></span
                  ></span>
                  <span class="small"
                    >${c.contribution >= 0 ? '+' : '−'}${formatPercent(Math.abs(c.contribution))}</span
                  >
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </div>`;
}

/**
 * One sentence on what the explanation compared.
 * @param {Explanation} explanation
 */
function explanationLead(explanation) {
  const slow =
    explanation.focus === 'slow' && explanation.slowThresholdMs !== undefined
      ? ` (slower than ${formatValue('ms', explanation.slowThresholdMs)}, the baseline p95)`
      : '';
  return (
    `${FOCUS[explanation.focus] ?? 'Among the spans'}${slow}: ` +
    `${explanation.anomalousSpans.toLocaleString()} in the anomalous window against ` +
    `${explanation.baselineSpans.toLocaleString()} in the hour before, ranked by how much ` +
    'the share of each value changed.'
  );
}

/**
 * Remounted (read again) when the alert's status changes: acknowledging or resolving
 * sends events.
 * @param {{ id: string }} props
 */
function Deliveries({ id }) {
  const state = useApi(`/v1/alerts/${encodeURIComponent(id)}/deliveries`);
  const list = /** @type {{ deliveries: Delivery[] } | undefined} */ (state.data)?.deliveries;
  if (state.error && !list)
    return html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  if (!list) return html`<${Loading} />`;
  if (list.length === 0) {
    return html`<${EmptyNote}
      >No webhook was sent for this alert. <a href=${link('/hooks')}>Subscribe one</a> to be told
      of the next.</${EmptyNote}
    >`;
  }
  return html`<${DeliveryTable} deliveries=${list} showWebhook=${true} />`;
}
