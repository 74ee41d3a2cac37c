import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { LogList } from './log-list.js';
import { EmptyNote, ErrorNotice, Loading } from './states.js';

/** @typedef {import('../api-types').LogPage} LogPage */

/** Logs written a little before or after a trace's spans still count as its own. */
const MARGIN_MS = 5 * 60_000;
const SHOWN = 200;

/**
 * The log records written inside a trace (by its id), newest first, each opening to its
 * attributes; the Logs page has the rest.
 * @param {{ traceId: string, startTime: string, durationMs: number }} props
 */
export function TraceLogs({ traceId, startTime, durationMs }) {
  const startMs = Date.parse(startTime);
  const state = useApi('/v1/logs', {
    traceId,
    from: new Date(startMs - MARGIN_MS).toISOString(),
    to: new Date(startMs + durationMs + MARGIN_MS).toISOString(),
    limit: SHOWN,
  });
  const page = /** @type {LogPage | undefined} */ (state.data);
  return html`<section class="trace-logs" aria-labelledby="trace-logs-title">
    <h2 id="trace-logs-title">Logs</h2>
    ${
      state.error && !page
        ? html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`
        : !page
          ? html`<${Loading} label="Reading the trace's logs…" />`
          : page.logs.length === 0
            ? html`<${EmptyNote}>No log records carry this trace's id.</${EmptyNote}>`
            : html`<${LogList}
                  logs=${page.logs}
                  showTraceLink=${false}
                  label="Logs of this trace"
                />
                ${
                  page.nextCursor &&
                  html`<p class="small">
                    The newest ${page.logs.length} shown;
                    <a href=${link('/logs', { traceId, since: null })}
                      >all of them on the Logs page</a
                    >.
                  </p>`
                }`
    }
  </section>`;
}
