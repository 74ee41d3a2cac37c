import { useState } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { DeleteButton, RotateSecretButton, useItemAction } from '../components/item-actions.js';
import { AdvancedJsonEditor } from '../components/json-editor.js';
import { RemediationRuns } from '../components/remediation-runs.js';
import { fitsRunbookForm, READ_ONLY_RULE_FIELDS, RunbookForm } from '../components/runbook-form.js';
import { SecretReveal } from '../components/secret-reveal.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { apiSend } from '../lib/api.js';
import { formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').KillSwitch} KillSwitch
 * @typedef {import('../api-types').RemediationRule} RemediationRule
 * @typedef {import('../api-types').RemediationStep} RemediationStep
 */

/** What a new rule starts from: the example of docs/remediation.md, waiting for approval. */
const EXAMPLE = JSON.stringify(
  {
    description: 'Restart checkout when it gets slow',
    match: { service: 'checkout', signal: 'latency_*', minSeverity: 'warning', forSeconds: 120 },
    steps: [{ type: 'webhook', url: 'https://deploy.internal/restart', timeoutSeconds: 20 }],
    mode: 'approval',
    cooldownSeconds: 1800,
    maxActionsPerHour: 3,
    verifyWithinSeconds: 600,
  },
  null,
  2,
);

const HINT =
  'mode is dryRun (the default: record what would run), approval or auto; steps are ' +
  'webhook, scale or notify. See docs/remediation.md.';

/**
 * Remediation runbooks: the kill switch, the rules (create or replace one with a plain form
 * or as JSON, the secret that signs their webhook steps shown once, rotate, delete) and the
 * audit log of runs, with approve / reject for those waiting.
 */
export function RemediationSection() {
  const rules = useApi('/v1/remediations/rules');
  const [secret, setSecret] = useState(
    /** @type {{ id: string, secret: string, why: string } | null} */ (null),
  );
  const [draft, setDraft] = useState(
    /** @type {{ name: string, json: string, stored: RemediationRule | null, advanced: boolean, version: number }} */ ({
      name: '',
      json: EXAMPLE,
      stored: null,
      advanced: false,
      version: 0,
    }),
  );
  const [message, setMessage] = useState('');
  const list = /** @type {{ rules: RemediationRule[] } | undefined} */ (rules.data)?.rules;
  const edit = (/** @type {RemediationRule} */ rule) => {
    const definition = Object.fromEntries(
      Object.entries(rule).filter(([key]) => !READ_ONLY_RULE_FIELDS.includes(key)),
    );
    // A rule the plain form can show opens there; any other in the JSON editor.
    const plain = fitsRunbookForm(rule);
    setDraft({
      name: rule.id,
      json: JSON.stringify(definition, null, 2),
      stored: plain ? rule : null,
      advanced: !plain,
      version: draft.version + 1,
    });
    setMessage('');
    window.requestAnimationFrame(() =>
      document
        .getElementById(plain ? 'runbook-form' : 'rule-editor-form')
        ?.scrollIntoView({ block: 'nearest' }),
    );
  };
  /** @param {Record<string, unknown>} answer @param {string} id @param {string} why */
  const reveal = (answer, id, why) => {
    if (typeof answer.secret === 'string') setSecret({ id, secret: answer.secret, why });
  };
  const saved = (/** @type {Record<string, unknown>} */ answer, /** @type {string} */ id) => {
    if (typeof answer.secret === 'string') {
      reveal(answer, id, `The secret that signs the webhook steps of ${id}.`);
      setMessage('');
    } else {
      setMessage(`Rule ${id} was replaced; its secret is kept.`);
    }
    setDraft({
      name: '',
      json: EXAMPLE,
      stored: null,
      advanced: false,
      version: draft.version + 1,
    });
    rules.reload();
  };
  return html`<div>
    <p class="muted">
      A rule answers matching open alerts with steps (signed webhooks, scaling, a notice) under
      guardrails, then watches the alert: if it recovers in time the run succeeded, otherwise the
      alert is escalated.
    </p>
    <${KillSwitchControl} />
    ${
      secret &&
      html`<${SecretReveal} ...${secret} testId="rule-secret" onDismiss=${() => setSecret(null)} />`
    }
    ${message && html`<p class="small" role="status">${message}</p>`}
    <h3>Rules</h3>
    ${
      rules.error && !list
        ? html`<${ErrorNotice} error=${rules.error} retry=${rules.reload} />`
        : !list
          ? html`<${Loading} />`
          : list.length === 0
            ? html`<${EmptyNote}>No remediation rules yet. Write one below.</${EmptyNote}>`
            : html`<ul class="hook-items">
                ${list.map(
                  (rule) =>
                    html`<${RuleItem}
                      key=${rule.id}
                      rule=${rule}
                      onEdit=${() => edit(rule)}
                      onRotated=${(/** @type {Record<string, unknown>} */ answer) =>
                        reveal(
                          answer,
                          rule.id,
                          `The new secret of ${rule.id}; the old one no longer signs.`,
                        )}
                      onDeleted=${rules.reload}
                    />`,
                )}
              </ul>`
    }
    <${RunbookForm} key=${`plain-${draft.version}`} stored=${draft.stored} onSaved=${saved} />
    <${AdvancedJsonEditor}
      key=${draft.version}
      open=${draft.advanced}
      summary="several steps, scale and notify steps, guardrails"
      id="rule-editor"
      title="Any rule, as JSON"
      nameLabel="Rule id"
      name=${draft.name}
      json=${draft.json}
      pathOf=${(/** @type {string} */ id) => `/v1/remediations/rules/${encodeURIComponent(id)}`}
      onSaved=${saved}
      hint=${HINT}
    />
    <h3>Audit log</h3>
    <${RemediationRuns} params=${{ limit: 50 }} empty="No remediation has run yet." />
  </div>`;
}

/** The kill switch: engaged, nothing new runs and approvals are refused. */
function KillSwitchControl() {
  const state = useApi('/v1/remediations/kill-switch');
  const [changed, setChanged] = useState(/** @type {KillSwitch | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const current = changed ?? /** @type {KillSwitch | undefined} */ (state.data);
  if (state.error && !current)
    return html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  if (!current) return html`<${Loading} label="Loading the kill switch…" />`;
  const toggle = () => {
    setBusy(true);
    setProblem('');
    let by = '';
    try {
      by = window.localStorage.getItem('opsless.user') ?? '';
    } catch {
      // no name remembered: the API records "api"
    }
    apiSend('PUT', '/v1/remediations/kill-switch', {
      engaged: !current.engaged,
      ...(by ? { by } : {}),
    }).then(
      (answer) => {
        setBusy(false);
        setChanged(/** @type {KillSwitch} */ (answer));
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };
  const engaged = current.engaged;
  return html`<div
    class=${`kill-switch ${engaged ? 'engaged' : ''}`}
    data-engaged=${String(engaged)}
  >
    <button
      type="button"
      role="switch"
      class="switch"
      aria-checked=${engaged ? 'true' : 'false'}
      aria-describedby="kill-switch-state"
      disabled=${busy || current.engagedByEnvironment}
      onClick=${toggle}
    >
      <span class="switch-track" aria-hidden="true"><span class="switch-thumb"></span></span>
      Kill switch
    </button>
    <p id="kill-switch-state">
      ${
        engaged
          ? html`<strong>Engaged:</strong> no runbook runs, and approvals are refused.`
          : html`<strong>Disengaged:</strong> runbooks run under their guardrails.`
      }
      ${
        current.engagedByEnvironment
          ? html` <span class="small"
              >Engaged by <code>OPSLESS_REMEDIATION_DISABLED=true</code>; only a restart without it
              releases it.</span
            >`
          : current.updatedAt &&
            html` <span class="muted small"
              >Set by ${current.by ?? 'api'}, ${formatTime(current.updatedAt)}.</span
            >`
      }
    </p>
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
  </div>`;
}

/**
 * @param {{ rule: RemediationRule, onEdit: () => void, onRotated: (answer: Record<string, unknown>) => void, onDeleted: () => void }} props
 */
function RuleItem({ rule, onEdit, onRotated, onDeleted }) {
  const { busy, problem, run: call } = useItemAction();
  const base = `/v1/remediations/rules/${encodeURIComponent(rule.id)}`;
  const { match } = rule;
  return html`<li class="hook-item remediation-rule" data-rule=${rule.id}>
    <div class="item-head">
      <span class="item-name">${rule.id}</span>
      <${Badge} value=${rule.mode} />
    </div>
    ${rule.description && html`<p>${rule.description}</p>`}
    <p class="muted small">
      ${[
        `answers ${match.service === '*' ? 'every service' : match.service}`,
        `signal ${match.signal}`,
        match.minSeverity && `${match.minSeverity} and above`,
        match.forSeconds > 0 && `open ${match.forSeconds} s`,
      ]
        .filter(Boolean)
        .join(' · ')}
    </p>
    <ol class="rule-steps small">
      ${rule.steps.map((step) => html`<li>${describeStep(step)}</li>`)}
    </ol>
    <p class="muted small">
      cooldown ${rule.cooldownSeconds} s · at most ${rule.maxActionsPerHour} an hour · verified
      within ${rule.verifyWithinSeconds} s · updated ${formatTime(rule.updatedAt)}
    </p>
    <div class="actions">
      <button type="button" class="secondary" onClick=${onEdit}>Edit</button>
      <${RotateSecretButton}
        busy=${busy}
        onRotate=${() => call('POST', `${base}/rotate-secret`, onRotated)}
      />
      <${DeleteButton} busy=${busy} onDelete=${() => call('DELETE', base, onDeleted)} />
    </div>
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
  </li>`;
}

/**
 * @param {RemediationStep} step
 */
function describeStep(step) {
  if (step.type === 'webhook') return html`webhook <code>${step.url}</code>`;
  if (step.type === 'scale')
    return step.replicas !== undefined
      ? `scale to ${step.replicas} replicas`
      : `scale by ${(step.by ?? 0) > 0 ? '+' : ''}${step.by}`;
  return 'notify subscribers';
}
