import { useCallback, useEffect, useState } from 'preact/hooks';
import { apiGet, REFRESH_EVENT } from './api.js';

/**
 * @template T
 * @typedef {{ data: T | undefined, error: Error | undefined, loading: boolean, reload: () => void }} ApiState
 */

/**
 * Reads `path` with `params` from the API, again whenever they change, a key is entered
 * or the user refreshes; the previous answer stays shown while the next one loads.
 * A null path reads nothing.
 * @template T
 * @param {string | null} path
 * @param {Record<string, string | number | boolean | string[] | null | undefined>} [params]
 * @returns {ApiState<T>}
 */
export function useApi(path, params = {}) {
  const key = path === null ? '' : `${path}?${JSON.stringify(params)}`;
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState(
    /** @type {{ key: string, data?: T, error?: Error, loading: boolean }} */ ({
      key: '',
      loading: path !== null,
    }),
  );
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  useEffect(() => {
    window.addEventListener(REFRESH_EVENT, reload);
    return () => window.removeEventListener(REFRESH_EVENT, reload);
  }, [reload]);

  useEffect(() => {
    if (path === null) return undefined;
    const abort = new AbortController();
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    apiGet(path, params, abort.signal).then(
      (data) => setState({ key, data: /** @type {T} */ (data), loading: false }),
      (error) => {
        if (abort.signal.aborted) return;
        setState((previous) => ({
          key,
          data: previous.key === key ? previous.data : undefined,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
        }));
      },
    );
    return () => abort.abort();
    // `key` stands for path and params.
  }, [key, generation]);

  return {
    data: state.key === key || state.loading ? state.data : undefined,
    error: state.error,
    loading: state.loading,
    reload,
  };
}
