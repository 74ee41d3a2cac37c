import { CopyButton } from './states.js';
import { html } from '../lib/html.js';

/**
 * The one time a signing secret is shown (a webhook's, a scaling actuator's, a runbook's):
 * copy it now.
 * @param {{ id: string, secret: string, why: string, testId: string, onDismiss: () => void }} props
 */
export function SecretReveal({ id, secret, why, testId, onDismiss }) {
  return html`<div class="secret" role="status" data-testid=${testId}>
    <p>
      <strong>${why}</strong> It is shown this once: store it where your receiver verifies
      signatures.
    </p>
    <p>
      <code class="mono" data-owner=${id}>${secret}</code>
      <${CopyButton} text=${secret} label="Copy secret" />
    </p>
    <button type="button" class="quiet" onClick=${onDismiss}>I have stored it</button>
  </div>`;
}
