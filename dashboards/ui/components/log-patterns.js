import { Badge } from './badges.js';
import { Sparkline } from './sparkline.js';
import { EmptyNote, ErrorNotice, Loading } from './states.js';
import { formatNumber, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { apiRange } from '../lib/time-range.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').LogPatternList} LogPatternList
 * @typedef {import('../lib/time-range.js').TimeRange} TimeRange
 */

/** Levels whose patterns read as trouble. */
const LOUD = new Set(['WARN', 'ERROR', 'FATAL']);
/** Buckets of each pattern's sparkline (as many as the cell's 96 pixels show well). */
const BUCKETS = 30;

/**
 * The log patterns of the range (service and severity as the search has them), most
 * frequent first: template, lines and their sparkline over the range, level, first seen
 * with a "new" badge when that was in the range, and the pattern's lines a click away.
 * @param {{ range: TimeRange, service?: string, severity?: string }} props
 */
export function LogPatterns({ range, service, severity }) {
  const answer = useApi('/v1/logs/patterns', {
    ...apiRange(range),
    service: service || undefined,
    severity: severity || undefined,
    limit: 200,
    buckets: BUCKETS,
  });
  const data = /** @type {LogPatternList | undefined} */ (answer.data);
  if (answer.error && !data)
    return html`<${ErrorNotice} error=${answer.error} retry=${answer.reload} />`;
  if (!data) return html`<${Loading} label="Grouping…" />`;
  if (data.patterns.length === 0)
    return html`<${EmptyNote}>No log pattern in ${range.label.toLowerCase()}.</${EmptyNote}>`;
  const minutes = data.bucketSeconds / 60;
  const every = minutes === 1 ? 'minute' : `${minutes} minutes`;
  return html`<p class="muted small">
      ${data.patterns.length} pattern${data.patterns.length === 1 ? '' : 's'}, most frequent
      first.${' '}
      <code>${'<*>'}</code> stands for the parts that vary.
    </p>
    <div class="table-scroll">
      <table class="log-patterns" data-testid="log-patterns">
        <caption class="visually-hidden">
          Log patterns
        </caption>
        <thead>
          <tr>
            <th scope="col">Pattern</th>
            ${!service && html`<th scope="col">Service</th>`}
            <th scope="col" class="numeric">Lines</th>
            <th scope="col">Over time</th>
            <th scope="col">Level</th>
            <th scope="col">First seen</th>
          </tr>
        </thead>
        <tbody>
          ${data.patterns.map((pattern) => {
            const fresh = Date.parse(pattern.firstSeen) >= range.fromMs;
            return html`<tr key=${pattern.id} data-pattern=${pattern.id}>
              <td>
                <a
                  class="mono pattern-template"
                  href=${link('/logs', { pattern: pattern.id, service: pattern.service, view: null })}
                  title=${pattern.sample}
                  >${pattern.template}</a
                >
                ${fresh && html` <${Badge} value="new" title="First seen in this range" />`}
              </td>
              ${
                !service &&
                html`<td>
                  <a href=${link(`/services/${encodeURIComponent(pattern.service)}`)}
                    >${pattern.service}</a
                  >
                </td>`
              }
              <td class="numeric">${formatNumber(pattern.count)}</td>
              <td class="pattern-sparkline">
                <${Sparkline}
                  values=${pattern.counts}
                  label=${`Lines per ${every}: ${pattern.counts.join(', ')}`}
                  tone=${LOUD.has(pattern.severity) ? 'bad' : 'accent'}
                  partial=${data.partialFrom !== null}
                />
              </td>
              <td>
                <span class=${LOUD.has(pattern.severity) ? 'bad-text' : ''}
                  >${pattern.severity}</span
                >
              </td>
              <td>${formatTime(pattern.firstSeen)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
}
