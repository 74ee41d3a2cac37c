import { useState } from 'preact/hooks';
import { Badge } from './badges.js';
import { EmptyNote, ErrorNotice, Loading } from './states.js';
import { apiSend } from '../lib/api.js';
import { formatMs, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').RemediationRun} RemediationRun
 * @typedef {import('../api-types').RemediationStepResult} RemediationStepResult
 */

/** Who approves or rejects: the name the alert page remembers, if any. */
const USER_STORAGE = 'opsless.user';

/**
 * Remediation runs (the audit log, or one alert's runs) with their steps, the verification
 * outcome, and approve / reject for runs waiting for approval.
 * @param {{ params: Record<string, string | number>, empty: unknown, showAlert?: boolean }} props
 */
export function RemediationRuns({ params, empty, showAlert = true }) {
  const state = useApi('/v1/remediations', params);
  const list = /** @type {{ remediations: RemediationRun[] } | undefined} */ (state.data)
    ?.remediations;
  if (state.error && !list)
    return html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  if (!list) return html`<${Loading} label="Loading remediations…" />`;
  if (list.length === 0) return html`<${EmptyNote}>${empty}</${EmptyNote}>`;
  return html`<ul class="remediation-runs">
    ${list.map(
      (run) =>
        html`<${RunItem}
          key=${run.id}
          run=${run}
          showAlert=${showAlert}
          onChange=${state.reload}
        />`,
    )}
  </ul>`;
}

/**
 * @param {{ run: RemediationRun, showAlert: boolean, onChange: () => void }} props
 */
function RunItem({ run: listed, showAlert, onChange }) {
  // The answer of an approval or rejection is the run's newest state.
  const [decided, setDecided] = useState(/** @type {RemediationRun | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const run = decided ?? listed;
  const decide = (/** @type {'approve' | 'reject'} */ action) => {
    setBusy(true);
    setProblem('');
    let by = '';
    try {
      by = window.localStorage.getItem(USER_STORAGE) ?? '';
    } catch {
      // no name remembered: the API records "api"
    }
    apiSend(
      'POST',
      `/v1/remediations/${encodeURIComponent(run.id)}/${action}`,
      by ? { by } : {},
    ).then(
      (answer) => {
        setBusy(false);
        setDecided(/** @type {RemediationRun} */ (answer));
        onChange();
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };
  return html`<li class="remediation-run" data-run=${run.id} data-status=${run.status}>
    <div class="item-head">
      <${Badge} value=${run.status} />
      <strong>${run.ruleId}</strong>
      <span class="muted small">
        on${' '}
        <a href=${link(`/services/${encodeURIComponent(run.service)}`)}>${run.service}</a>
        ${' · '}${run.signal}
        ${
          showAlert &&
          html`${' · '}<a href=${link(`/alerts/${encodeURIComponent(run.alertId)}`)}>alert</a>`
        }
        ${' · '}${run.mode} · <time datetime=${run.createdAt}>${formatTime(run.createdAt)}</time>
      </span>
    </div>
    <p class="run-outcome">${outcome(run)}</p>
    ${run.steps.length > 0 && html`<${StepTable} steps=${run.steps} />`}
    ${
      run.status === 'pending_approval' &&
      html`<div class="actions">
        <button type="button" disabled=${busy} onClick=${() => decide('approve')}>Approve</button>
        <button type="button" class="secondary" disabled=${busy} onClick=${() => decide('reject')}>
          Reject
        </button>
      </div>`
    }
    ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
  </li>`;
}

/**
 * One sentence on where the run stands, the verification outcome included.
 * @param {RemediationRun} run
 */
function outcome(run) {
  const at = (/** @type {string | null} */ time) => (time ? ` (${formatTime(time)})` : '');
  switch (run.status) {
    case 'pending_approval':
      return 'Waiting for approval: approved, its steps run at the next pass; rejected, they never do.';
    case 'running':
      return run.startedAt
        ? `Running its steps${at(run.startedAt)}.`
        : `Approved${run.approvedBy ? ` by ${run.approvedBy}` : ''}; its steps run at the next pass.`;
    case 'verifying':
      return `Steps done; verifying: the alert must recover by ${formatTime(run.verifyUntil)}.`;
    case 'succeeded':
      return `Verified: the alert recovered after the steps${at(run.finishedAt)}.`;
    case 'failed':
      return `Failed${run.reason ? `: ${run.reason}` : ''}${at(run.finishedAt)}; the alert was escalated to critical.`;
    case 'skipped':
      return run.reason === 'dry run'
        ? 'Skipped: a dry run. These steps would have run:'
        : `Skipped: ${run.reason ?? 'no reason recorded'}.`;
    case 'rejected':
      return `Rejected${run.reason ? ` (${run.reason})` : ''}${at(run.finishedAt)}.`;
    default:
      return run.reason ?? '';
  }
}

/**
 * @param {{ steps: RemediationStepResult[] }} props
 */
function StepTable({ steps }) {
  return html`<div class="table-scroll">
    <table class="run-steps">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Target</th>
          <th scope="col">Result</th>
          <th scope="col">Answer</th>
          <th scope="col" class="numeric">Took</th>
        </tr>
      </thead>
      <tbody>
        ${steps.map(
          (step) =>
            html`<tr>
              <th scope="row" class="name">${step.index + 1}. ${step.type}</th>
              <td><code>${step.target ?? '–'}</code></td>
              <td><${Badge} value=${step.status} /></td>
              <td>
                ${step.statusCode ? `${step.statusCode} ` : ''}${
                  step.error
                    ? html`<span class="bad-text small">${step.error}</span>`
                    : step.detail
                      ? html`<span class="muted small">${step.detail}</span>`
                      : step.statusCode
                        ? ''
                        : '–'
                }
              </td>
              <td class="numeric">${step.durationMs === null ? '–' : formatMs(step.durationMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
