import { useState } from 'preact/hooks';
import { apiSend } from '../lib/api.js';
import { html } from '../lib/html.js';

/**
 * @typedef {object} JsonEditorProps
 * @property {string} id          Prefix of the form's element ids (unique on the page).
 * @property {string} title
 * @property {string} nameLabel   What the name is (Service, Rule id); it goes into the path.
 * @property {string} name        Initial values: empty for a new one, a definition to edit.
 * @property {string} json
 * @property {(name: string) => string} pathOf  The URL a definition is PUT to.
 * @property {(answer: Record<string, unknown>, name: string) => void} onSaved
 * @property {unknown} [hint]     A line under the textarea (what the fields mean, where the docs are).
 */

/**
 * Creates or replaces a definition (a scaling policy, a remediation rule) written as JSON:
 * the API validates it and names what is wrong. The caller remounts it (a new `key`) to
 * load another definition.
 * @param {JsonEditorProps} props
 */
export function JsonEditor(props) {
  const [name, setName] = useState(props.name);
  const [text, setText] = useState(props.json);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const submit = (/** @type {Event} */ event) => {
    event.preventDefault();
    setProblem('');
    /** @type {unknown} */
    let body;
    try {
      body = JSON.parse(text);
    } catch (error) {
      setProblem(
        `That is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const target = name.trim();
    setBusy(true);
    apiSend('PUT', props.pathOf(target), body).then(
      (answer) => {
        setBusy(false);
        props.onSaved(/** @type {Record<string, unknown>} */ (answer), target);
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };
  return html`<form
    class="json-editor"
    id=${`${props.id}-form`}
    onSubmit=${submit}
    aria-labelledby=${`${props.id}-title`}
  >
    <h3 id=${`${props.id}-title`}>${props.title}</h3>
    <label
      >${props.nameLabel}
      <input
        type="text"
        value=${name}
        required
        maxlength="256"
        onInput=${(/** @type {Event} */ e) => setName(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    <label class="json-field"
      >Definition (JSON)
      <textarea
        rows="10"
        spellcheck="false"
        value=${text}
        onInput=${(/** @type {Event} */ e) =>
          setText(/** @type {HTMLTextAreaElement} */ (e.currentTarget).value)}
      ></textarea>
    </label>
    ${props.hint && html`<p class="muted small">${props.hint}</p>`}
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
    <div class="form-buttons">
      <button type="submit" disabled=${busy || name.trim() === ''}>Save</button>
    </div>
  </form>`;
}

/**
 * The JSON editor folded under "Advanced (JSON)", below a plain form for the common
 * cases; open when a definition the plain form cannot show is being edited.
 * @param {JsonEditorProps & { open: boolean, summary: string }} props
 */
export function AdvancedJsonEditor({ open, summary, ...editor }) {
  return html`<details class="advanced" open=${open}>
    <summary>Advanced (JSON): ${summary}</summary>
    <${JsonEditor} ...${editor} />
  </details>`;
}
