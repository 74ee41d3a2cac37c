import { useState } from 'preact/hooks';
import { onValue } from '../lib/form-input.js';
import { html } from '../lib/html.js';
import { useItemAction } from './item-actions.js';

/** @typedef {import('../api-types').RemediationRule} RemediationRule */

const MODES = [
  { value: 'dryRun', label: 'Dry run: record what would run' },
  { value: 'approval', label: 'Wait for approval' },
  { value: 'auto', label: 'Run on its own' },
];

/** Fields of a rule the API shows but does not take back. */
export const READ_ONLY_RULE_FIELDS = ['id', 'createdAt', 'updatedAt'];

/**
 * Whether the form can show a stored rule: one webhook step (whatever else the rule holds
 * is kept when the form saves it).
 * @param {RemediationRule} rule
 */
export function fitsRunbookForm(rule) {
  return rule.steps.length === 1 && rule.steps[0]?.type === 'webhook';
}

/**
 * The common runbook: alerts of a service (and signal) call one webhook, in a mode.
 * Editing a stored rule (`stored`) keeps its other settings (guardrails, step timeout).
 * @param {{ stored: RemediationRule | null, onSaved: (answer: Record<string, unknown>, id: string) => void }} props
 */
export function RunbookForm({ stored, onSaved }) {
  const step = stored?.steps[0];
  const [id, setId] = useState(stored?.id ?? '');
  const [service, setService] = useState(stored?.match.service ?? '');
  const [signal, setSignal] = useState(stored?.match.signal ?? '*');
  const [url, setUrl] = useState(step?.type === 'webhook' ? (step.url ?? '') : '');
  const [mode, setMode] = useState(/** @type {string} */ (stored?.mode ?? 'approval'));
  const [description, setDescription] = useState(stored?.description ?? '');
  const { busy, problem, run } = useItemAction();
  const submit = (/** @type {Event} */ event) => {
    event.preventDefault();
    const name = id.trim();
    /** @type {Record<string, unknown>} */
    const base = stored
      ? Object.fromEntries(
          Object.entries(stored).filter(([key]) => !READ_ONLY_RULE_FIELDS.includes(key)),
        )
      : {};
    // A description emptied in the form is removed, not kept from the stored rule.
    delete base.description;
    const body = {
      ...base,
      match: {
        ...(stored?.match ?? {}),
        service: service.trim() || '*',
        signal: signal.trim() || '*',
      },
      steps: [{ ...(step ?? {}), type: 'webhook', url: url.trim() }],
      mode,
      ...(description.trim() ? { description: description.trim() } : {}),
    };
    run(
      'PUT',
      `/v1/remediations/rules/${encodeURIComponent(name)}`,
      (answer) => onSaved(answer, name),
      body,
    );
  };
  return html`<form
    class="plain-form"
    id="runbook-form"
    onSubmit=${submit}
    aria-labelledby="runbook-form-title"
  >
    <h3 id="runbook-form-title">Create or replace a runbook</h3>
    <label
      >Rule id
      <input
        type="text"
        value=${id}
        onInput=${onValue(setId)}
        required
        maxlength="256"
        placeholder="checkout-restart"
    /></label>
    <label
      >Service
      <input
        type="text"
        value=${service}
        onInput=${onValue(setService)}
        placeholder="* (every service)"
    /></label>
    <label
      >Signal
      <input type="text" value=${signal} onInput=${onValue(setSignal)} placeholder="latency_*"
    /></label>
    <label
      >Webhook URL
      <input
        type="url"
        value=${url}
        onInput=${onValue(setUrl)}
        required
        placeholder="https://deploy.internal/restart"
    /></label>
    <label
      >Mode
      <select value=${mode} onChange=${onValue(setMode)}>
        ${MODES.map((choice) => html`<option value=${choice.value}>${choice.label}</option>`)}
      </select></label
    >
    <label
      >Description
      <input type="text" value=${description} onInput=${onValue(setDescription)} maxlength="1000"
    /></label>
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
    <div class="form-buttons">
      <button type="submit" disabled=${busy || id.trim() === ''}>Save</button>
    </div>
  </form>`;
}
