import { useState } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { DeleteButton, useItemAction } from '../components/item-actions.js';
import { AdvancedJsonEditor } from '../components/json-editor.js';
import { fitsScalingForm, ScalingForm } from '../components/scaling-form.js';
import { SecretReveal } from '../components/secret-reveal.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { formatNumber, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').ScalingPolicyView} ScalingPolicyView
 * @typedef {import('../api-types').ScalingStatus} ScalingStatus
 * @typedef {import('../api-types').ScalingDecisionRecord} ScalingDecisionRecord
 */

/** What a new policy starts from: the example of docs/scaling.md, without an actuator (a dry run). */
const EXAMPLE = JSON.stringify(
  {
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [{ type: 'request', target: 100 }],
    predictive: { enabled: true, lookahead: '30m' },
  },
  null,
  2,
);

const HINT =
  'Targets are per replica: cpu (percent), request (per second), queue_depth, or a watched ' +
  'metric by name; an actuator {"url": …, "dryRun": false} receives each change, signed. ' +
  'See docs/scaling.md.';

/**
 * Scaling policies: each service's current and desired replicas (reactive, predictive,
 * final), its recent decisions, a plain form for the common policy and a JSON editor for
 * any other to create or replace one (the actuator's signing secret is shown once), or
 * delete it.
 */
export function ScalingSection() {
  const state = useApi('/v1/scaling/policies');
  const [secret, setSecret] = useState(
    /** @type {{ id: string, secret: string, why: string } | null} */ (null),
  );
  const [draft, setDraft] = useState(
    /** @type {{ name: string, json: string, stored: ScalingPolicyView | null, advanced: boolean, version: number }} */ ({
      name: '',
      json: EXAMPLE,
      stored: null,
      advanced: false,
      version: 0,
    }),
  );
  const [message, setMessage] = useState('');
  const list = /** @type {{ policies: ScalingPolicyView[] } | undefined} */ (state.data)?.policies;
  // A policy the plain form can show opens there; any other in the JSON editor.
  const edit = (/** @type {ScalingPolicyView} */ stored) => {
    const plain = fitsScalingForm(stored.policy);
    setDraft({
      name: stored.service,
      json: JSON.stringify(stored.policy, null, 2),
      stored: plain ? stored : null,
      advanced: !plain,
      version: draft.version + 1,
    });
    setMessage('');
    window.requestAnimationFrame(() =>
      document
        .getElementById(plain ? 'scaling-form' : 'scaling-editor-form')
        ?.scrollIntoView({ block: 'nearest' }),
    );
  };
  const saved = (/** @type {Record<string, unknown>} */ answer, /** @type {string} */ name) => {
    if (typeof answer.secret === 'string') {
      setSecret({
        id: name,
        secret: answer.secret,
        why: `The actuator signing secret of ${name}'s policy.`,
      });
      setMessage('');
    } else {
      setMessage(`The policy of ${name} was replaced; its actuator secret is kept.`);
    }
    setDraft({
      name: '',
      json: EXAMPLE,
      stored: null,
      advanced: false,
      version: draft.version + 1,
    });
    state.reload();
  };
  return html`<div>
    <p class="muted">
      Every step opsless decides the replicas each service with a policy should run: the HPA
      algorithm on its targets (reactive) and, when predictive, a forecast of its load ahead. A
      change goes to the actuator, signed, unless the policy is a dry run.
    </p>
    ${
      secret &&
      html`<${SecretReveal}
        ...${secret}
        testId="scaling-secret"
        onDismiss=${() => setSecret(null)}
      />`
    }
    ${message && html`<p class="small" role="status">${message}</p>`}
    ${
      state.error && !list
        ? html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`
        : !list
          ? html`<${Loading} />`
          : list.length === 0
            ? html`<${EmptyNote}>No scaling policies yet. Write one below.</${EmptyNote}>`
            : html`<ul class="hook-items">
                ${list.map(
                  (stored) =>
                    html`<${PolicyItem}
                      key=${stored.service}
                      stored=${stored}
                      onEdit=${() => edit(stored)}
                      onDeleted=${state.reload}
                    />`,
                )}
              </ul>`
    }
    <${ScalingForm} key=${`plain-${draft.version}`} stored=${draft.stored} onSaved=${saved} />
    <${AdvancedJsonEditor}
      key=${draft.version}
      open=${draft.advanced}
      summary="several targets, a watched metric, an actuator, behavior"
      id="scaling-editor"
      title="Any scaling policy, as JSON"
      nameLabel="Service"
      name=${draft.name}
      json=${draft.json}
      pathOf=${(/** @type {string} */ name) => `/v1/scaling/policies/${encodeURIComponent(name)}`}
      onSaved=${saved}
      hint=${HINT}
    />
  </div>`;
}

/**
 * @param {{ stored: ScalingPolicyView, onEdit: () => void, onDeleted: () => void }} props
 */
function PolicyItem({ stored, onEdit, onDeleted }) {
  const { service, policy } = stored;
  const [showLog, setShowLog] = useState(false);
  const { busy, problem, run } = useItemAction();
  const path = encodeURIComponent(service);
  const predictive = policy.predictive.enabled;
  return html`<li class="hook-item scaling-policy" data-service=${service}>
    <div class="item-head">
      <a class="item-name" href=${link(`/services/${path}`)}>${service}</a>
      <${Badge} value=${predictive ? 'predictive' : 'reactive'} />
      ${policy.actuator?.dryRun && html`<${Badge} value="dry-run" />`}
    </div>
    <p class="muted small">
      ${[
        `${policy.minReplicas}–${policy.maxReplicas} replicas`,
        policy.metrics.map(describeTarget).join(', '),
        predictive &&
          `forecast ${policy.predictive.lookahead} ahead (${policy.predictive.mode}, start-up ${policy.predictive.startupDelay})`,
        policy.actuator ? `actuator ${policy.actuator.url}` : 'no actuator (KEDA can read it)',
        `updated ${formatTime(stored.updatedAt)}`,
      ]
        .filter(Boolean)
        .join(' · ')}
    </p>
    <${ScalingNow} service=${service} hasActuator=${policy.actuator !== undefined} />
    <div class="actions">
      <button
        type="button"
        class="secondary"
        aria-expanded=${showLog ? 'true' : 'false'}
        onClick=${() => setShowLog(!showLog)}
      >
        ${showLog ? 'Hide' : 'Show'} decisions
      </button>
      <button type="button" class="secondary" onClick=${onEdit}>Edit</button>
      <${DeleteButton}
        busy=${busy}
        onDelete=${() => run('DELETE', `/v1/scaling/policies/${path}`, onDeleted)}
      />
    </div>
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
    ${showLog && html`<${DecisionLog} service=${service} />`}
  </li>`;
}

/**
 * @param {{ type: string, name?: string, target: number }} metric
 */
function describeTarget(metric) {
  if (metric.type === 'cpu') return `CPU ${formatNumber(metric.target)}% per replica`;
  if (metric.type === 'request') return `${formatNumber(metric.target)} requests/s per replica`;
  if (metric.type === 'queue_depth')
    return `queue depth ${formatNumber(metric.target)} per replica`;
  return `${metric.name ?? metric.type} ${formatNumber(metric.target)} per replica`;
}

/**
 * The newest decision: current replicas and the desired counts, with the reasons.
 * @param {{ service: string, hasActuator: boolean }} props
 */
function ScalingNow({ service, hasActuator }) {
  const state = useApi(`/v1/scaling/${encodeURIComponent(service)}`);
  const status = /** @type {ScalingStatus | undefined} */ (state.data);
  if (state.error && !status)
    return html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  if (!status) return html`<${Loading} label="Loading the decision…" />`;
  if (!status.desired) {
    return html`<p class="small" data-testid="scaling-now">
      ${status.message ?? 'No decision yet.'}
    </p>`;
  }
  return html`<dl class="facts scaling-now" data-testid="scaling-now">
    <div>
      <dt>Current</dt>
      <dd>${status.current} <span class="muted small">(${status.currentSource})</span></dd>
    </div>
    <div>
      <dt>Reactive</dt>
      <dd>${status.desired.reactive}</dd>
    </div>
    <div>
      <dt>Predictive</dt>
      <dd>${status.desired.predictive ?? '–'}</dd>
    </div>
    <div>
      <dt>Desired</dt>
      <dd data-testid="scaling-final"><strong>${status.desired.final}</strong></dd>
    </div>
    ${
      status.capacity &&
      html`<div>
        <dt>Per replica</dt>
        <dd data-testid="scaling-capacity">
          ${formatNumber(status.capacity.perReplica)} ${status.capacity.unit}
          <span class="muted small"
            >(${
              status.capacity.basis === 'policy'
                ? 'assumed from the target'
                : `learned from ${status.capacity.basis}, confidence ${Math.round(status.capacity.confidence * 100)}%`
            })</span
          >
        </dd>
      </div>`
    }
    <div>
      <dt>Decided</dt>
      <dd>${formatTime(status.time)}${hasActuator && status.dryRun ? ' (dry run)' : ''}</dd>
    </div>
    ${
      status.reasons &&
      status.reasons.length > 0 &&
      html`<div class="reasons">
        <dt>Why</dt>
        <dd>
          <ul>
            ${status.reasons.map((reason) => html`<li>${reason}</li>`)}
          </ul>
        </dd>
      </div>`
    }
  </dl>`;
}

/**
 * The changes of the desired count, newest first.
 * @param {{ service: string }} props
 */
function DecisionLog({ service }) {
  const state = useApi(`/v1/scaling/${encodeURIComponent(service)}/history`, { limit: 20 });
  const list = /** @type {{ decisions: ScalingDecisionRecord[] } | undefined} */ (state.data)
    ?.decisions;
  if (state.error && !list)
    return html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  if (!list) return html`<${Loading} />`;
  if (list.length === 0)
    return html`<${EmptyNote}>The desired count has not changed yet.</${EmptyNote}>`;
  return html`<div class="table-scroll">
    <table class="decisions">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Change</th>
          <th scope="col" class="numeric">Current</th>
          <th scope="col" class="numeric">Reactive</th>
          <th scope="col" class="numeric">Predictive</th>
          <th scope="col">Outcome</th>
          <th scope="col">Source</th>
        </tr>
      </thead>
      <tbody>
        ${list.map(
          (d) =>
            html`<tr>
              <th scope="row" class="name">
                <time datetime=${d.time}>${formatTime(d.time)}</time>
              </th>
              <td>${d.previous} → <strong>${d.final}</strong></td>
              <td class="numeric">${d.current}</td>
              <td class="numeric">${d.reactive}</td>
              <td class="numeric">${d.predictive ?? '–'}</td>
              <td>
                <${Badge} value=${d.outcome} />${
                  d.detail && html` <span class="muted small">${d.detail}</span>`
                }
              </td>
              <td>${d.source}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
