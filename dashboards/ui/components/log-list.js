import { useState } from 'preact/hooks';
import { formatLogTime, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { AttributeTable } from './attribute-table.js';

/** @typedef {import('../api-types').LogRecord} LogRecord */

/** OpenTelemetry severity numbers: where each level starts (1-4 TRACE … 21-24 FATAL). */
export const SEVERITIES = [
  { text: 'TRACE', from: 1 },
  { text: 'DEBUG', from: 5 },
  { text: 'INFO', from: 9 },
  { text: 'WARN', from: 13 },
  { text: 'ERROR', from: 17 },
  { text: 'FATAL', from: 21 },
];

/**
 * The level of a record (by its number; the text when the number is unset), as the
 * severity filter names it.
 * @param {{ severity: string, severityNumber: number }} record
 */
export function severityLevel(record) {
  if (record.severityNumber > 0) {
    let level = 'TRACE';
    for (const severity of SEVERITIES)
      if (record.severityNumber >= severity.from) level = severity.text;
    return level;
  }
  const text = record.severity.toUpperCase();
  if (text.startsWith('WARN')) return 'WARN';
  if (text === 'ERR' || text === 'CRITICAL') return 'ERROR';
  return SEVERITIES.some((severity) => severity.text === text) ? text : 'UNSET';
}

/** @type {Record<string, string>} */
const LEVEL_TONES = { FATAL: 'bad', ERROR: 'bad', WARN: 'warn', INFO: 'neutral' };

/**
 * A record's identity within a list (the API has no id): time, span and body.
 * @param {LogRecord} record
 */
export function logKey(record) {
  return `${record.time}|${record.spanId}|${record.service}|${record.body}`;
}

/**
 * Log records, newest first; each row opens to its attributes and resource, and a record
 * written inside a span links to its trace.
 * @param {{ logs: LogRecord[], showTraceLink?: boolean, label: string }} props
 */
export function LogList({ logs, showTraceLink = true, label }) {
  return html`<ol class="log-list" aria-label=${label}>
    ${logs.map(
      (record) =>
        html`<${LogRow} key=${logKey(record)} record=${record} showTraceLink=${showTraceLink} />`,
    )}
  </ol>`;
}

/**
 * @param {{ record: LogRecord, showTraceLink: boolean }} props
 */
function LogRow({ record, showTraceLink }) {
  const [open, setOpen] = useState(false);
  const level = severityLevel(record);
  const shownSeverity = record.severity || level;
  return html`<li class=${`log-row${open ? ' open' : ''}`} data-severity=${level}>
    <div class="log-line">
      <button
        type="button"
        class="log-summary"
        aria-expanded=${open ? 'true' : 'false'}
        onClick=${() => setOpen(!open)}
      >
        <time class="log-time" datetime=${record.time} title=${formatTime(record.time)}
          >${formatLogTime(record.time)}</time
        >
        <span class=${`badge log-severity tone-${LEVEL_TONES[level] ?? 'quiet'}`}
          >${shownSeverity}</span
        >
        <span class="log-service">${record.service}</span>
        <span class="log-body">${record.body}</span>
      </button>
      ${
        showTraceLink && record.traceId
          ? html`<a
              class="log-trace"
              href=${link(`/traces/${record.traceId}`, { span: record.spanId || null })}
              >trace<span class="visually-hidden"> of this log</span></a
            >`
          : html`<span class="log-trace" aria-hidden="true"></span>`
      }
    </div>
    ${open && html`<${LogDetails} record=${record} />`}
  </li>`;
}

/**
 * @param {{ record: LogRecord }} props
 */
function LogDetails({ record }) {
  return html`<div class="log-details" data-testid="log-details">
    <pre class="log-full-body">${record.body}</pre>
    <dl class="facts">
      <div>
        <dt>Time</dt>
        <dd class="mono">${record.time}</dd>
      </div>
      <div>
        <dt>Severity</dt>
        <dd>${record.severity || '–'} (${record.severityNumber})</dd>
      </div>
      ${
        record.traceId &&
        html`<div>
          <dt>Trace</dt>
          <dd class="mono">
            <a href=${link(`/traces/${record.traceId}`, { span: record.spanId || null })}
              >${record.traceId}</a
            >${' '}
            <a href=${link('/logs', { traceId: record.traceId })}>all its logs</a>
          </dd>
        </div>`
      }
      ${
        record.spanId &&
        html`<div>
          <dt>Span</dt>
          <dd class="mono">${record.spanId}</dd>
        </div>`
      }
    </dl>
    <p class="log-details-title">Attributes</p>
    <${AttributeTable} attributes=${record.attributes} />
    <p class="log-details-title">Resource</p>
    <${AttributeTable} attributes=${record.resource} />
  </div>`;
}
