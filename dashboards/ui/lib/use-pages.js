import { useRef, useState } from 'preact/hooks';
import { apiGet } from './api.js';
import { useApi } from './use-api.js';

/**
 * @template T
 * @typedef {{ key: string, source: unknown, items: T[], nextCursor: string | null, trimmed: boolean }} PagesState
 */

/**
 * A list the API answers a page at a time (`{<field>: T[], nextCursor}`): the first page,
 * read again as `params` change, and older pages appended by `more()` with the cursor.
 * `update` changes the list in place (a live tail prepends to it).
 * @template T
 * @param {string} path
 * @param {Record<string, string | number | string[]>} params
 * @param {string} field  The answer's list: `logs`, `traces` …
 */
export function usePages(path, params, field) {
  const key = JSON.stringify(params);
  const first = useApi(path, params);
  const answer = /** @type {Record<string, unknown> | undefined} */ (first.data);
  const [state, setState] = useState(
    /** @type {PagesState<T>} */ ({
      key: '',
      source: undefined,
      items: [],
      nextCursor: null,
      trimmed: false,
    }),
  );
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(/** @type {Error | undefined} */ (undefined));

  // A new first page (other criteria, a refresh) starts the list again.
  /** @type {PagesState<T>} */
  const current =
    answer && (state.key !== key || state.source !== answer)
      ? {
          key,
          source: answer,
          items: /** @type {T[]} */ (answer[field] ?? []),
          nextCursor: /** @type {string | null} */ (answer.nextCursor ?? null),
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
    apiGet(path, { ...params, cursor }).then(
      (next) => {
        const page = /** @type {Record<string, unknown>} */ (next);
        setBusy(false);
        setState((previous) =>
          previous.key !== key
            ? previous
            : {
                ...previous,
                items: [...previous.items, .../** @type {T[]} */ (page[field] ?? [])],
                nextCursor: /** @type {string | null} */ (page.nextCursor ?? null),
              },
        );
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };

  return {
    /** undefined until the first page of these params arrives. */
    items: answer || state.key === key ? current.items : undefined,
    nextCursor: current.nextCursor,
    trimmed: current.trimmed,
    loading: first.loading || busy,
    error: problem ?? first.error,
    more,
    reload: first.reload,
    /** The list now (for a poll that runs between renders). */
    latest: () => latest.current,
    /** @param {(state: PagesState<T>) => PagesState<T>} change */
    update: (change) =>
      setState((previous) => (previous.key === key ? change(previous) : previous)),
    /** @param {Error | undefined} error */
    setProblem,
    ready: Boolean(answer),
    key,
  };
}
