import { useEffect } from 'preact/hooks';
import { logKey } from '../components/log-list.js';
import { apiGet } from './api.js';
import { apiRange } from './time-range.js';
import { usePages } from './use-pages.js';

/**
 * @typedef {import('../api-types').LogRecord} LogRecord
 * @typedef {import('../api-types').LogPage} LogPage
 */

/** Records per answer (the first page, each "Load more", each poll of the tail). */
export const LOG_PAGE_SIZE = 100;
/** A live tail keeps at most this many records, dropping the oldest: the page stays light. */
export const MAX_TAILED = 1000;
const TAIL_INTERVAL_MS = 2000;

/**
 * The records matching `filters` in `range`, newest first: the first page, older pages
 * appended by `more()` (the API's cursor), and while `live`, records newer than the newest
 * shown prepended every 2 s (at most MAX_TAILED kept; once some are dropped, older pages
 * can no longer be joined up, so `nextCursor` is dropped too).
 * @param {{ filters: Record<string, string>, range: import('./time-range.js').TimeRange, live: boolean }} options
 */
export function useLogPages({ filters, range, live }) {
  /** @type {ReturnType<typeof usePages<LogRecord>>} */
  const pages = usePages(
    '/v1/logs',
    { ...filters, ...apiRange(range), limit: LOG_PAGE_SIZE },
    'logs',
  );

  useEffect(() => {
    if (!live || !pages.ready) return undefined;
    const abort = new AbortController();
    const poll = () => {
      const newest = pages.latest().items[0];
      const fromMs = newest ? Date.parse(newest.time) : range.fromMs;
      apiGet(
        '/v1/logs',
        { ...filters, from: new Date(fromMs).toISOString(), limit: LOG_PAGE_SIZE },
        abort.signal,
      ).then(
        (answer) => {
          pages.setProblem(undefined);
          pages.update((previous) => prependNew(previous, /** @type {LogPage} */ (answer).logs));
        },
        (error) => {
          if (!abort.signal.aborted)
            pages.setProblem(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    const timer = window.setInterval(poll, TAIL_INTERVAL_MS);
    return () => {
      window.clearInterval(timer);
      abort.abort();
    };
  }, [live, pages.key, pages.ready]);

  return pages;
}

/**
 * The list with the records of `arrived` it does not hold yet in front, cut to MAX_TAILED.
 * Records at the newest shown time come again (the tail asks from that time): they are
 * told apart by time, span, service and body.
 * @template {{ items: LogRecord[], nextCursor: string | null, trimmed: boolean }} State
 * @param {State} state
 * @param {LogRecord[]} arrived  Newest first.
 * @returns {State}
 */
export function prependNew(state, arrived) {
  const known = new Set(state.items.slice(0, LOG_PAGE_SIZE * 2).map(logKey));
  const fresh = arrived.filter((record) => !known.has(logKey(record)));
  if (fresh.length === 0) return state;
  const items = [...fresh, ...state.items];
  if (items.length <= MAX_TAILED) return { ...state, items };
  return { ...state, items: items.slice(0, MAX_TAILED), nextCursor: null, trimmed: true };
}
