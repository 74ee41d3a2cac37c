import { useEffect, useState } from 'preact/hooks';

/**
 * @typedef {'services' | 'service' | 'map' | 'alerts' | 'alert' | 'traces' | 'trace' | 'logs' | 'metrics' | 'hooks' | 'demo' | 'missing'} PageName
 * @typedef {{ page: PageName, params: Record<string, string>, query: URLSearchParams }} Route
 */

/**
 * The pages, by path pattern. The server answers each of these paths with the same page
 * (dashboards/index.ts UI_ROUTES); keep the two lists alike.
 * @type {Array<[pattern: string, page: PageName]>}
 */
const PATTERNS = [
  ['/', 'services'],
  ['/services', 'services'],
  ['/services/:name', 'service'],
  ['/service-map', 'map'],
  ['/alerts', 'alerts'],
  ['/alerts/:id', 'alert'],
  ['/traces', 'traces'],
  ['/traces/:traceId', 'trace'],
  ['/logs', 'logs'],
  ['/explore/metrics', 'metrics'],
  ['/hooks', 'hooks'],
  ['/demo', 'demo'],
];

/** Query parameters every page shares, carried along by links: the time range. */
const SHARED = ['since', 'from', 'to'];

const NAVIGATE = 'opsless:navigate';

/**
 * The page a location shows.
 * @param {{ pathname: string, search: string }} location
 * @returns {Route}
 */
export function matchRoute(location) {
  const parts = location.pathname.split('/').filter(Boolean);
  for (const [pattern, page] of PATTERNS) {
    const expected = pattern.split('/').filter(Boolean);
    if (expected.length !== parts.length) continue;
    /** @type {Record<string, string>} */
    const params = {};
    const matches = expected.every((segment, i) => {
      const actual = parts[i] ?? '';
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(actual);
        return true;
      }
      return segment === actual;
    });
    if (matches) return { page, params, query: new URLSearchParams(location.search) };
  }
  return { page: 'missing', params: {}, query: new URLSearchParams(location.search) };
}

/** The current route; re-renders the caller on every navigation. */
export function useRoute() {
  const [location, setLocation] = useState(() => ({
    pathname: window.location.pathname,
    search: window.location.search,
  }));
  useEffect(() => {
    const update = () =>
      setLocation({ pathname: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return matchRoute(location);
}

/**
 * Goes to `href` without reloading the page.
 * @param {string} href
 * @param {{ replace?: boolean }} [options]
 */
export function navigate(href, options = {}) {
  const here = window.location;
  if (href === here.pathname + here.search + here.hash) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATE));
  if (!options.replace) window.scrollTo(0, 0);
}

/**
 * A link to `path` that keeps the shared time range, plus `query` (empty values dropped).
 * @param {string} path
 * @param {Record<string, string | number | null | undefined | string[]>} [query]
 */
export function link(path, query = {}) {
  const current = new URLSearchParams(window.location.search);
  const next = new URLSearchParams();
  for (const name of SHARED) {
    const value = current.get(name);
    if (value !== null && !(name in query)) next.set(name, value);
  }
  appendQuery(next, query);
  const search = next.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * Changes query parameters of the current page (null or '' removes one).
 * @param {Record<string, string | number | null | undefined | string[]>} changes
 * @param {{ replace?: boolean }} [options]
 */
export function setQuery(changes, options = {}) {
  const next = new URLSearchParams(window.location.search);
  for (const name of Object.keys(changes)) next.delete(name);
  appendQuery(next, changes);
  const search = next.toString();
  navigate(window.location.pathname + (search ? `?${search}` : ''), options);
}

/**
 * @param {URLSearchParams} search
 * @param {Record<string, string | number | null | undefined | string[]>} query
 */
function appendQuery(search, query) {
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value) search.append(name, item);
    else if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  }
}

/**
 * Follows clicks on same-origin links to UI pages in place (plain `<a href>` stays
 * shareable, opens in a new tab with a modifier, and works without this).
 * @param {MouseEvent} event
 */
export function interceptLinkClick(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const target = event.target instanceof Element ? event.target.closest('a') : null;
  if (!target || target.target || target.hasAttribute('download')) return;
  const url = new URL(target.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  if (matchRoute(url).page === 'missing') return;
  // A link within the page (the skip link, #id): the browser scrolls and focuses.
  const here = window.location;
  if (url.hash && url.pathname === here.pathname && url.search === here.search) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}
