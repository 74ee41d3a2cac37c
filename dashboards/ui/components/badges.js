import { html } from '../lib/html.js';

/** @type {Record<string, string>} */
const TONES = {
  ok: 'ok',
  learning: 'neutral',
  anomalous: 'bad',
  open: 'bad',
  acknowledged: 'warn',
  resolved: 'ok',
  critical: 'bad',
  warning: 'warn',
  info: 'neutral',
  delivered: 'ok',
  pending: 'warn',
  failed: 'bad',
  enabled: 'ok',
  disabled: 'bad',
  // Remediation runs and rules
  pending_approval: 'warn',
  running: 'warn',
  verifying: 'warn',
  succeeded: 'ok',
  skipped: 'neutral',
  rejected: 'neutral',
  auto: 'ok',
  approval: 'warn',
  dryRun: 'neutral',
  // Scaling decisions
  sent: 'ok',
  'dry-run': 'neutral',
  'no-actuator': 'neutral',
  predictive: 'ok',
  reactive: 'neutral',
  // Demo incidents
  scheduled: 'neutral',
  done: 'ok',
};

/**
 * A word in a coloured pill; the word carries the meaning, the colour only repeats it.
 * @param {{ value: string, title?: string }} props
 */
export function Badge({ value, title }) {
  return html`<span class=${`badge tone-${TONES[value] ?? 'neutral'}`} title=${title}
    >${value}</span
  >`;
}
