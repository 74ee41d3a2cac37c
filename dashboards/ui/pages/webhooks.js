import { useState } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { SecretReveal } from '../components/secret-reveal.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { apiSend } from '../lib/api.js';
import { formatTime } from '../lib/format.js';
import { onValue } from '../lib/form-input.js';
import { html } from '../lib/html.js';
import { useApi } from '../lib/use-api.js';
import { DeliveryTable } from '../components/deliveries.js';
import { DeleteButton, RotateSecretButton, useItemAction } from '../components/item-actions.js';

/**
 * @typedef {import('../api-types').Webhook} Webhook
 * @typedef {import('../api-types').Delivery} Delivery
 */

const EVENTS = ['anomaly.opened', 'anomaly.updated', 'anomaly.acknowledged', 'anomaly.resolved'];
const KINDS = [
  { value: 'webhook', label: 'opsless event' },
  { value: 'alertmanager', label: 'Alertmanager' },
  { value: 'pagerduty', label: 'PagerDuty' },
];

/**
 * Webhook subscriptions: create (the signing secret is shown once), test, rotate the
 * secret, delete, and each one's delivery log.
 */
export function WebhooksSection() {
  const state = useApi('/v1/webhooks');
  const [secret, setSecret] = useState(
    /** @type {{ id: string, secret: string, why: string } | null} */ (null),
  );
  const list = /** @type {{ webhooks: Webhook[] } | undefined} */ (state.data)?.webhooks;
  /** @param {{ id: string, secret: string }} answer @param {string} why */
  const reveal = (answer, why) => {
    setSecret({ id: answer.id, secret: answer.secret, why });
    state.reload();
  };
  return html`<div>
    <p class="muted">
      opsless POSTs each alert event, signed (Standard Webhooks), to every subscribed URL, in order,
      retrying for a day.
    </p>
    ${
      secret &&
      html`<${SecretReveal}
        ...${secret}
        testId="webhook-secret"
        onDismiss=${() => setSecret(null)}
      />`
    }
    ${
      state.error && !list
        ? html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`
        : !list
          ? html`<${Loading} />`
          : list.length === 0
            ? html`<${EmptyNote}>No webhooks yet. Subscribe one below.</${EmptyNote}>`
            : html`<ul class="webhooks">
                ${list.map(
                  (webhook) =>
                    html`<${WebhookItem}
                      key=${webhook.id}
                      webhook=${webhook}
                      onRotated=${(/** @type {{ id: string, secret: string }} */ answer) =>
                        reveal(
                          answer,
                          'The new signing secret; the old one keeps signing for 24 hours.',
                        )}
                      onDeleted=${state.reload}
                    />`,
                )}
              </ul>`
    }
    <${CreateForm}
      onCreated=${(/** @type {{ id: string, secret: string }} */ answer) =>
        reveal(answer, 'The signing secret of the new webhook.')}
    />
  </div>`;
}

/**
 * @param {{ webhook: Webhook, onRotated: (answer: { id: string, secret: string }) => void, onDeleted: () => void }} props
 */
function WebhookItem({ webhook, onRotated, onDeleted }) {
  const [showLog, setShowLog] = useState(false);
  const [message, setMessage] = useState('');
  const { busy, problem, run: call } = useItemAction();
  const base = `/v1/webhooks/${encodeURIComponent(webhook.id)}`;
  return html`<li class="webhook" id=${webhook.id} data-webhook=${webhook.id}>
    <div class="webhook-head">
      <code class="webhook-url">${webhook.url}</code>
      <${Badge}
        value=${webhook.enabled ? 'enabled' : 'disabled'}
        title=${webhook.disabledReason ?? undefined}
      />
      ${webhook.kind && webhook.kind !== 'webhook' && html`<span class="muted small">${webhook.kind}</span>`}
    </div>
    ${webhook.description && html`<p>${webhook.description}</p>`}
    <p class="muted small">
      ${[
        webhook.events.join(', '),
        webhook.services.length === 0 ? 'every service' : webhook.services.join(', '),
        `${webhook.minSeverity} and above`,
        `created ${formatTime(webhook.createdAt)}`,
      ].join(' · ')}
    </p>
    ${webhook.disabledReason && html`<p class="field-error">Disabled: ${webhook.disabledReason}</p>`}
    <div class="actions">
      <button
        type="button"
        class="secondary"
        disabled=${busy}
        onClick=${() =>
          call('POST', `${base}/test`, () => {
            setMessage('Test event queued; see the delivery log.');
            setShowLog(true);
          })}
      >
        Send test
      </button>
      <${RotateSecretButton}
        busy=${busy}
        onRotate=${() => call('POST', `${base}/rotate-secret`, onRotated)}
      />
      <button
        type="button"
        class="secondary"
        aria-expanded=${showLog ? 'true' : 'false'}
        onClick=${() => setShowLog(!showLog)}
      >
        ${showLog ? 'Hide' : 'Show'} deliveries
      </button>
      <${DeleteButton} busy=${busy} onDelete=${() => call('DELETE', base, onDeleted)} />
    </div>
    ${(problem || message) && html`<p class="small" role="status">${problem || message}</p>`}
    ${showLog && html`<${DeliveryLog} path=${`${base}/deliveries`} />`}
  </li>`;
}

/**
 * @param {{ path: string }} props
 */
function DeliveryLog({ path }) {
  const state = useApi(path);
  const list = /** @type {{ deliveries: Delivery[] } | undefined} */ (state.data)?.deliveries;
  if (state.error && !list)
    return html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  if (!list) return html`<${Loading} />`;
  return html`<div class="delivery-log">
    <button type="button" class="quiet small" onClick=${state.reload}>Reload</button>
    ${
      list.length === 0
        ? html`<${EmptyNote}>Nothing was sent to this webhook yet.</${EmptyNote}>`
        : html`<${DeliveryTable} deliveries=${list} />`
    }
  </div>`;
}

/**
 * @param {{ onCreated: (answer: { id: string, secret: string }) => void }} props
 */
function CreateForm({ onCreated }) {
  const [kind, setKind] = useState('webhook');
  const [url, setUrl] = useState('');
  const [routingKey, setRoutingKey] = useState('');
  const [events, setEvents] = useState(['anomaly.opened', 'anomaly.resolved']);
  const [services, setServices] = useState('');
  const [minSeverity, setMinSeverity] = useState('warning');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const submit = (/** @type {Event} */ event) => {
    event.preventDefault();
    setBusy(true);
    setProblem('');
    /** @type {Record<string, unknown>} */
    const body = { events, minSeverity };
    if (kind !== 'webhook') body.kind = kind;
    if (url.trim()) body.url = url.trim();
    if (kind === 'pagerduty' && routingKey.trim()) body.routingKey = routingKey.trim();
    const names = services
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (names.length > 0) body.services = names;
    if (description.trim()) body.description = description.trim();
    apiSend('POST', '/v1/webhooks', body).then(
      (answer) => {
        setBusy(false);
        setUrl('');
        setRoutingKey('');
        setDescription('');
        onCreated(/** @type {{ id: string, secret: string }} */ (answer));
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };
  /** @param {string} name */
  const toggle = (name) =>
    setEvents(events.includes(name) ? events.filter((e) => e !== name) : [...events, name]);
  return html`<form
    class="create-webhook"
    onSubmit=${submit}
    aria-labelledby="create-webhook-title"
  >
    <h3 id="create-webhook-title">Subscribe a webhook</h3>
    <label
      >Format
      <select value=${kind} onChange=${onValue(setKind)}>
        ${KINDS.map((choice) => html`<option value=${choice.value}>${choice.label}</option>`)}
      </select></label
    >
    <label
      >URL
      <input
        type="url"
        value=${url}
        onInput=${onValue(setUrl)}
        required=${kind !== 'pagerduty'}
        placeholder=${kind === 'pagerduty' ? 'default: PagerDuty’s events endpoint' : 'https://example.com/opsless'}
      />
    </label>
    ${
      kind === 'pagerduty' &&
      html`<label
        >Routing key
        <input type="password" value=${routingKey} onInput=${onValue(setRoutingKey)} required
      /></label>`
    }
    <fieldset>
      <legend>Events</legend>
      ${EVENTS.map(
        (name) =>
          html`<label class="check"
            ><input
              type="checkbox"
              checked=${events.includes(name)}
              onChange=${() => toggle(name)}
            />
            ${name}</label
          >`,
      )}
    </fieldset>
    <label
      >Services
      <input
        type="text"
        value=${services}
        onInput=${onValue(setServices)}
        placeholder="all; or checkout, payments"
    /></label>
    <label
      >Severity
      <select value=${minSeverity} onChange=${onValue(setMinSeverity)}>
        <option value="warning">Warning and critical</option>
        <option value="critical">Critical only</option>
      </select></label
    >
    <label
      >Description
      <input type="text" value=${description} onInput=${onValue(setDescription)} maxlength="1000"
    /></label>
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
    <div class="form-buttons">
      <button type="submit" disabled=${busy || events.length === 0}>Subscribe</button>
    </div>
  </form>`;
}
