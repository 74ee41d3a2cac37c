import { useState } from 'preact/hooks';
import { setApiKey } from '../lib/api.js';
import { html } from '../lib/html.js';

/**
 * Asks once for the API key this opsless requires (OPSLESS_API_KEY); it is kept in this
 * browser session only and sent as a Bearer token.
 * @param {{ refused: boolean, onDone: () => void }} props
 */
export function KeyPrompt({ refused, onDone }) {
  const [key, setKey] = useState('');
  const submit = (/** @type {Event} */ event) => {
    event.preventDefault();
    if (key.trim() === '') return;
    setApiKey(key.trim());
    onDone();
  };
  return html`<section class="key-prompt" aria-labelledby="key-title">
    <form onSubmit=${submit}>
      <h2 id="key-title">API key required</h2>
      <p>
        This opsless asks for its API key (<code>OPSLESS_API_KEY</code>). It is kept in this browser
        tab's session only and sent with each API call.
      </p>
      ${refused && html`<p class="field-error" role="alert">That key was not accepted.</p>`}
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="current-password"
        value=${key}
        onInput=${(/** @type {Event} */ e) => setKey(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
        autofocus
        required
      />
      <button type="submit">Continue</button>
    </form>
  </section>`;
}
