import { useEffect, useRef, useState } from 'preact/hooks';
import { logKey } from '../components/log-list.js';
import { apiGet } from './api.js';
import { apiRange } from './time-range.js';
import { useApi } from './use-api.js';

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
  const params = { ...filters, ...apiRange(range), limit: LOG_PAGE_SIZE };
  const key = JSON.stringify(params);
  const first = /** @type {import('./use-api.js').ApiState<LogPage>} */ (
    useApi('/v1/logs', params)
  );
  const [state, setState] = useState(
    /** @type {{ key: string, source: LogPage | undefined, logs: LogRecord[], nextCursor: string | null, trimmed: boolean }} */ ({
      key: '',
      source: undefined,
      logs: [],
      nextCursor: null,
      trimmed: false,
    }),
  );
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(/** @type {Error | undefined} */ (undefined));

  // A new first page (new criteria, a refresh) starts the list again.
  const current =
    first.data && (state.key !== key || state.source !== first.data)
      ? {
          key,
          source: first.data,
          logs: first.data.logs,
          nextCursor: first.data.nextCursor,
          trimmed: false,
        }
      : state;
  if (current !== state) setState(current);

  const latest = useRef(current);
  latest.current = current;

  const more = () => {
    const cursor = latest.current.nextCursor;
    if (!cursor) return;
    setBusy(true);
    setProblem(undefined);
    apiGet('/v1/logs', { ...params, cursor }).then(
      (answer) => {
        const page = /** @type {LogPage} */ (answer);
        setBusy(false);
        setState((previous) =>
          previous.key !== key
            ? previous
            : { ...previous, logs: [...previous.logs, ...page.logs], nextCursor: page.nextCursor },
        );
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };

  useEffect(() => {
    if (!live || !first.data) return undefined;
    const abort = new AbortController();
    const poll = () => {
      const newest = latest.current.logs[0];
      const fromMs = newest ? Date.parse(newest.time) : range.fromMs;
      apiGet(
        '/v1/logs',
        { ...filters, from: new Date(fromMs).toISOString(), limit: LOG_PAGE_SIZE },
        abort.signal,
      ).then(
        (answer) => {
          const page = /** @type {LogPage} */ (answer);
          setProblem(undefined);
          setState((previous) => prependNew(previous, page.logs));
        },
        (error) => {
          if (!abort.signal.aborted)
            setProblem(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    const timer = window.setInterval(poll, TAIL_INTERVAL_MS);
    return () => {
      window.clearInterval(timer);
      abort.abort();
    };
  }, [live, key, Boolean(first.data)]);

  return {
    logs: first.data || state.key === key ? current.logs : undefined,
    nextCursor: current.nextCursor,
    trimmed: current.trimmed,
    loading: first.loading || busy,
    error: problem ?? first.error,
    more,
    reload: first.reload,
  };
}

/**
 * The list with the records of `arrived` it does not hold yet in front, cut to MAX_TAILED.
 * Records at the newest shown time come again (the tail asks from that time): they are
 * told apart by time, span, service and body.
 * @template {{ logs: LogRecord[], nextCursor: string | null, trimmed: boolean }} State
 * @param {State} state
 * @param {LogRecord[]} arrived  Newest first.
 * @returns {State}
 */
export function prependNew(state, arrived) {
  const known = new Set(state.logs.slice(0, LOG_PAGE_SIZE * 2).map(logKey));
  const fresh = arrived.filter((record) => !known.has(logKey(record)));
  if (fresh.length === 0) return state;
  const logs = [...fresh, ...state.logs];
  if (logs.length <= MAX_TAILED) return { ...state, logs };
  return { ...state, logs: logs.slice(0, MAX_TAILED), nextCursor: null, trimmed: true };
}
