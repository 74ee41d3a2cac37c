import { useEffect, useMemo } from 'preact/hooks';
import { AttributeTable } from '../components/attribute-table.js';
import { Badge } from '../components/badges.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { TraceLogs } from '../components/trace-logs.js';
import { formatMs, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link, setQuery } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').Trace} Trace
 * @typedef {import('../api-types').TraceSpan} TraceSpan
 * @typedef {{ span: TraceSpan, depth: number }} WaterfallRow
 */

/** Service colours cycle through this many tones (styles.css .service-0 …). */
const SERVICE_TONES = 8;

/**
 * One trace as a waterfall: a bar per span on the trace's timeline, indented under its
 * parent; choosing a span (its id goes in the URL) shows its attributes and events.
 * @param {{ traceId: string, query: URLSearchParams }} props
 */
export function TracePage({ traceId, query }) {
  const state = useApi(`/v1/traces/${encodeURIComponent(traceId)}`);
  const trace = /** @type {Trace | undefined} */ (state.data);
  const selectedId = query.get('span');
  const rows = useMemo(() => (trace ? waterfallRows(trace.spans) : []), [trace]);
  const selected = trace?.spans.find((span) => span.spanId === selectedId);

  useEffect(() => {
    document.title = `Trace ${traceId.slice(0, 8)} · opsless`;
  }, [traceId]);

  const head = html`<nav class="breadcrumbs" aria-label="Breadcrumbs">
    <a href=${link('/traces')}>Traces</a> / <span class="mono">${traceId}</span>
  </nav>`;
  if (state.error && !trace) {
    return html`<section class="page">
      ${head}
      <h1>Trace</h1>
      <${ErrorNotice} error=${state.error} retry=${state.reload} />
    </section>`;
  }
  if (!trace)
    return html`<section class="page">
      ${head}
      <h1>Trace</h1>
      <${Loading} />
    </section>`;

  const tones = new Map(trace.services.map((service, i) => [service, i % SERVICE_TONES]));
  const root = rows[0]?.span;
  const errors = trace.spans.filter((span) => span.error).length;
  return html`<section class="page">
    ${head}
    <div class="page-head">
      <h1>${root ? `${root.service}: ${root.operation}` : 'Trace'}</h1>
      ${errors > 0 ? html`<${Badge} value="failed" title=${`${errors} error span(s)`} />` : html`<${Badge} value="ok" />`}
    </div>
    <dl class="facts">
      <div>
        <dt>Started</dt>
        <dd>${formatTime(trace.startTime)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>${formatMs(trace.durationMs)}</dd>
      </div>
      <div>
        <dt>Spans</dt>
        <dd>
          ${trace.spanCount.toLocaleString()}${trace.truncated ? ' (cut: too many to show)' : ''}
        </dd>
      </div>
      <div>
        <dt>Services</dt>
        <dd>
          ${trace.services.map((service) => html`<span class=${`legend-dot service-${tones.get(service)}`}></span>${service} `)}
        </dd>
      </div>
    </dl>
    <div class="waterfall" role="list" aria-label="Spans, in start order">
      <div class="waterfall-axis" aria-hidden="true">
        <span></span>
        <div class="ticks">
          ${[0, 0.25, 0.5, 0.75, 1].map(
            (share) =>
              html`<span style=${{ left: `${share * 100}%` }}
                >${formatMs(trace.durationMs * share)}</span
              >`,
          )}
        </div>
        <span></span>
      </div>
      ${rows.map(
        ({ span, depth }) =>
          html`<${SpanRow}
            key=${span.spanId}
            span=${span}
            depth=${depth}
            total=${trace.durationMs}
            tone=${tones.get(span.service) ?? 0}
            selected=${span.spanId === selectedId}
          />`,
      )}
    </div>
    ${
      selected
        ? html`<${SpanDetails} span=${selected} />`
        : html`<${EmptyNote}>Choose a span to see its attributes and events.</${EmptyNote}>`
    }
    <${TraceLogs} traceId=${traceId} startTime=${trace.startTime} durationMs=${trace.durationMs} />
  </section>`;
}

/**
 * @param {{ span: TraceSpan, depth: number, total: number, tone: number, selected: boolean }} props
 */
function SpanRow({ span, depth, total, tone, selected }) {
  const scale = total > 0 ? 100 / total : 0;
  const left = Math.min(span.startOffsetMs * scale, 100);
  const width = Math.max(span.durationMs * scale, 0.2);
  return html`<div
    role="listitem"
    class=${`span-row${selected ? ' selected' : ''}`}
    data-span=${span.spanId}
    data-depth=${depth}
  >
    <button
      type="button"
      class="span-button"
      aria-pressed=${selected ? 'true' : 'false'}
      aria-label=${`${span.service}: ${span.operation}, ${span.kind}, ${formatMs(span.durationMs)}${span.error ? ', error' : ''}`}
      onClick=${() => setQuery({ span: selected ? null : span.spanId }, { replace: true })}
    >
      <span class="span-name" style=${{ paddingLeft: `${Math.min(depth, 24) * 14}px` }}>
        <span class=${`legend-dot service-${tone}`} aria-hidden="true"></span>
        <span class="span-service">${span.service}</span>
        <span class="span-operation">${span.operation}</span>
        <span class="kind">${span.kind.toLowerCase()}</span>
        ${span.error && html`<span class="error-mark" aria-hidden="true">!</span>`}
      </span>
      <span class="span-track" aria-hidden="true">
        <span
          class=${`span-bar service-${tone}${span.error ? ' error' : ''}`}
          style=${{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }}
        ></span>
      </span>
      <span class="span-duration" aria-hidden="true">${formatMs(span.durationMs)}</span>
    </button>
  </div>`;
}

/**
 * @param {{ span: TraceSpan }} props
 */
function SpanDetails({ span }) {
  return html`<section class="span-details" aria-labelledby="span-title" data-testid="span-details">
    <h2 id="span-title">${span.service}: ${span.operation}</h2>
    <dl class="facts">
      <div>
        <dt>Kind</dt>
        <dd>${span.kind}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>${span.statusCode}${span.statusMessage ? ` · ${span.statusMessage}` : ''}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>${formatMs(span.durationMs)}</dd>
      </div>
      <div>
        <dt>Starts at</dt>
        <dd>+${formatMs(span.startOffsetMs)}</dd>
      </div>
      <div>
        <dt>Span id</dt>
        <dd class="mono">${span.spanId}</dd>
      </div>
      ${
        span.parentSpanId &&
        html`<div>
          <dt>Parent</dt>
          <dd class="mono">${span.parentSpanId}</dd>
        </div>`
      }
      ${
        span.scope.name &&
        html`<div>
          <dt>Scope</dt>
          <dd>${span.scope.name} ${span.scope.version}</dd>
        </div>`
      }
    </dl>
    <h3>Attributes</h3>
    <${AttributeTable} attributes=${span.attributes} />
    <h3>Resource</h3>
    <${AttributeTable} attributes=${span.resourceAttributes} />
    <h3>Events</h3>
    ${
      span.events.length === 0
        ? html`<p class="muted">None.</p>`
        : html`<ol class="events">
            ${span.events.map(
              (event) =>
                html`<li>
                  <strong>${event.name}</strong>
                  <span class="muted">at +${formatMs(event.offsetMs)}</span>
                  <${AttributeTable} attributes=${event.attributes} />
                </li>`,
            )}
          </ol>`
    }
    ${
      span.links.length > 0 &&
      html`<h3>Links</h3>
        <ul>
          ${span.links.map(
            (l) =>
              html`<li>
                <a class="mono" href=${link(`/traces/${l.traceId}`, { span: l.spanId })}
                  >${l.traceId} / ${l.spanId}</a
                >
              </li>`,
          )}
        </ul>`
    }
  </section>`;
}

/**
 * The spans in waterfall order: each parent followed by its children by start time;
 * spans whose parent is missing from the trace start their own branch.
 * @param {TraceSpan[]} spans  In start order.
 * @returns {WaterfallRow[]}
 */
export function waterfallRows(spans) {
  const ids = new Set(spans.map((span) => span.spanId));
  /** @type {Map<string, TraceSpan[]>} */
  const children = new Map();
  /** @type {TraceSpan[]} */
  const roots = [];
  for (const span of spans) {
    if (span.parentSpanId === null || !ids.has(span.parentSpanId)) {
      roots.push(span);
      continue;
    }
    const siblings = children.get(span.parentSpanId);
    if (siblings) siblings.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  /** @type {WaterfallRow[]} */
  const rows = [];
  /** @type {Array<{ span: TraceSpan, depth: number }>} */
  const stack = roots.map((span) => ({ span, depth: 0 })).reverse();
  const seen = new Set();
  while (stack.length > 0) {
    const next = /** @type {{ span: TraceSpan, depth: number }} */ (stack.pop());
    if (seen.has(next.span.spanId)) continue; // a cycle in bad data must not loop forever
    seen.add(next.span.spanId);
    rows.push(next);
    const kids = children.get(next.span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) {
      stack.push({ span: /** @type {TraceSpan} */ (kids[i]), depth: next.depth + 1 });
    }
  }
  // Spans only reachable through a cycle of parent ids: shown, unindented, at the end.
  for (const span of spans) if (!seen.has(span.spanId)) rows.push({ span, depth: 0 });
  return rows;
}
