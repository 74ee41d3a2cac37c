import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { ErrorNotice, Loading } from './states.js';

/**
 * A page component whose module is imported when it is first shown, so that what only
 * other pages need (uPlot, for one) stays off the first page's critical path.
 * @param {() => Promise<(props: any) => unknown>} load
 * @returns {(props: Record<string, unknown>) => unknown}
 */
export function lazyPage(load) {
  /** @type {((props: any) => unknown) | null} */
  let component = null;
  /** @type {Promise<void> | null} */
  let loading = null;
  return function LazyPage(props) {
    const [, setLoaded] = useState(false);
    const [error, setError] = useState(/** @type {Error | null} */ (null));
    useEffect(() => {
      if (component) return;
      loading ??= load().then((loaded) => {
        component = loaded;
      });
      loading.then(
        () => setLoaded(true),
        (problem) => {
          loading = null;
          setError(problem instanceof Error ? problem : new Error(String(problem)));
        },
      );
    }, []);
    if (component) return h(/** @type {any} */ (component), props);
    if (error) {
      return html`<section class="page">
        <h1>This page did not load</h1>
        <${ErrorNotice} error=${error} retry=${() => window.location.reload()} />
      </section>`;
    }
    return html`<section class="page"><${Loading} /></section>`;
  };
}
