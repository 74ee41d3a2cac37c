import { useState } from 'preact/hooks';
import { onValue } from '../lib/form-input.js';
import { html } from '../lib/html.js';
import { useItemAction } from './item-actions.js';

/** @typedef {import('../api-types').ScalingPolicyView} ScalingPolicyView */

/** The targets the form offers; a watched metric by name needs the JSON editor. */
const TARGETS = [
  { type: 'request', label: 'Requests/s per replica', example: '100' },
  { type: 'cpu', label: 'CPU % per replica', example: '70' },
  { type: 'queue_depth', label: 'Queued items per replica', example: '50' },
];

/**
 * Whether the form can show a stored policy: one target of a kind it offers (whatever else
 * the policy holds is kept when the form saves it).
 * @param {ScalingPolicyView['policy']} policy
 */
export function fitsScalingForm(policy) {
  const target = policy.metrics[0];
  return (
    policy.metrics.length === 1 &&
    target !== undefined &&
    TARGETS.some((choice) => choice.type === target.type)
  );
}

/**
 * The common scaling policy: a service, its replica bounds, one target and whether to
 * forecast. Editing a stored policy (`stored`) keeps its other settings (actuator,
 * behavior, forecast details).
 * @param {{ stored: ScalingPolicyView | null, onSaved: (answer: Record<string, unknown>, service: string) => void }} props
 */
export function ScalingForm({ stored, onSaved }) {
  const policy = stored?.policy;
  const first = policy?.metrics[0];
  const [service, setService] = useState(stored?.service ?? '');
  const [minReplicas, setMin] = useState(String(policy?.minReplicas ?? 1));
  const [maxReplicas, setMax] = useState(String(policy?.maxReplicas ?? 10));
  const [type, setType] = useState(first?.type ?? 'request');
  const [target, setTarget] = useState(first ? String(first.target) : '100');
  const [predictive, setPredictive] = useState(policy?.predictive.enabled ?? false);
  const { busy, problem, run } = useItemAction();
  const submit = (/** @type {Event} */ event) => {
    event.preventDefault();
    const name = service.trim();
    const body = {
      ...(policy ?? {}),
      minReplicas: Number(minReplicas),
      maxReplicas: Number(maxReplicas),
      metrics: [{ type, target: Number(target) }],
      predictive: { ...(policy?.predictive ?? {}), enabled: predictive },
    };
    run(
      'PUT',
      `/v1/scaling/policies/${encodeURIComponent(name)}`,
      (answer) => onSaved(answer, name),
      body,
    );
  };
  return html`<form
    class="plain-form"
    id="scaling-form"
    onSubmit=${submit}
    aria-labelledby="scaling-form-title"
  >
    <h3 id="scaling-form-title">Create or replace a scaling policy</h3>
    <label
      >Service
      <input type="text" value=${service} onInput=${onValue(setService)} required maxlength="256"
    /></label>
    <label
      >Min replicas
      <input
        type="number"
        min="0"
        step="1"
        value=${minReplicas}
        onInput=${onValue(setMin)}
        required
    /></label>
    <label
      >Max replicas
      <input
        type="number"
        min="1"
        step="1"
        value=${maxReplicas}
        onInput=${onValue(setMax)}
        required
    /></label>
    <label
      >Target
      <select name="target-type" value=${type} onChange=${onValue(setType)}>
        ${TARGETS.map((choice) => html`<option value=${choice.type}>${choice.label}</option>`)}
      </select></label
    >
    <label
      >Target value
      <input
        type="number"
        min="0"
        step="any"
        value=${target}
        onInput=${onValue(setTarget)}
        placeholder=${TARGETS.find((choice) => choice.type === type)?.example}
        required
    /></label>
    <label class="check"
      ><input type="checkbox" checked=${predictive} onChange=${() => setPredictive(!predictive)} />
      Predictive: scale ahead of the forecast</label
    >
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
    <div class="form-buttons">
      <button type="submit" disabled=${busy || service.trim() === ''}>Save</button>
    </div>
  </form>`;
}
