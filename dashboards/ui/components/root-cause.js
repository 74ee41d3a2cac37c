import { formatMs, formatPercent, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { EmptyNote } from './states.js';

/** @typedef {import('../api-types').RootCauseCandidate} RootCauseCandidate */

/** Candidates shown; the API keeps the whole ranking. */
const SHOWN = 5;

/**
 * The incident's ranked root-cause candidates, most likely first: where (operation,
 * version, pod), how its signal moved and since when, and which callers it explains.
 * @param {{ candidates: RootCauseCandidate[] | undefined }} props
 */
export function RootCauseList({ candidates }) {
  if (!candidates || candidates.length === 0) {
    return html`<${EmptyNote}>No root cause was ranked for this alert.</${EmptyNote}>`;
  }
  /** @param {number} value */
  const level = (value) =>
    candidates[0]?.signal === 'availability' ? formatPercent(value) : formatMs(value);
  return html`<ol class="root-cause" data-testid="root-cause">
    ${candidates.slice(0, SHOWN).map((candidate) => {
      const where = [candidate.operation, candidate.version, candidate.pod].filter(Boolean);
      const evidence = [
        ` — ${candidate.signal} ${level(candidate.before)} → ${level(candidate.during)}`,
        candidate.movedAt ? `, moved ${formatTime(candidate.movedAt)}` : '',
        candidate.explains.length > 0 ? `; explains ${candidate.explains.join(', ')}` : '',
        candidate.explainedBy ? `; explained by ${candidate.explainedBy}` : '',
      ].join('');
      const place = where.length > 0 ? ` (${where.join(', ')})` : '';
      return html`<li>
        <a href=${link(`/services/${encodeURIComponent(candidate.service)}`)}
          >${candidate.service}</a
        >${place}${evidence}
      </li>`;
    })}
  </ol>`;
}
