import { useState } from 'preact/hooks';
import { apiSend } from '../lib/api.js';
import { html } from '../lib/html.js';

/**
 * One list item's API actions (test, rotate, delete …): `busy` while one runs, `problem`
 * when it failed, `run` to start one.
 */
export function useItemAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  /**
   * @param {'POST' | 'PUT' | 'DELETE'} method
   * @param {string} path
   * @param {(answer: any) => void} done
   * @param {unknown} [body]
   */
  const run = (method, path, done, body) => {
    setBusy(true);
    setProblem('');
    apiSend(method, path, body).then(
      (answer) => {
        setBusy(false);
        done(answer);
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };
  return { busy, problem, run };
}

/**
 * "Delete…", then "Really delete" / "Keep": a deletion takes two clicks.
 * @param {{ busy: boolean, onDelete: () => void }} props
 */
export function DeleteButton({ busy, onDelete }) {
  const [confirming, setConfirming] = useState(false);
  return confirming
    ? html`<button type="button" class="danger" disabled=${busy} onClick=${onDelete}>
          Really delete
        </button>
        <button type="button" class="quiet" onClick=${() => setConfirming(false)}>Keep</button>`
    : html`<button type="button" class="quiet" onClick=${() => setConfirming(true)}>
        Delete…
      </button>`;
}

/**
 * "Rotate secret": a new signing secret, shown once by the caller.
 * @param {{ busy: boolean, onRotate: () => void }} props
 */
export function RotateSecretButton({ busy, onRotate }) {
  return html`<button type="button" class="secondary" disabled=${busy} onClick=${onRotate}>
    Rotate secret
  </button>`;
}
