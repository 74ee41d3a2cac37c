import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { KeyPrompt } from './components/key-prompt.js';
import { TimeRangePicker } from './components/time-range-picker.js';
import { getApiKey, REFRESH_EVENT, UNAUTHORIZED_EVENT } from './lib/api.js';
import { html } from './lib/html.js';
import { link, useRoute } from './lib/router.js';
import { useInfo } from './lib/info.js';
import { getThemeChoice, setThemeChoice } from './lib/theme.js';
import { readRange } from './lib/time-range.js';
import { lazyPage } from './components/lazy-page.js';

// Each page is loaded when first shown; the server preloads the one a URL opens on.
const ServicesPage = lazyPage(() => import('./pages/services.js').then((m) => m.ServicesPage));
const ServicePage = lazyPage(() => import('./pages/service.js').then((m) => m.ServicePage));
const AlertsPage = lazyPage(() => import('./pages/alerts.js').then((m) => m.AlertsPage));
const AlertPage = lazyPage(() => import('./pages/alert.js').then((m) => m.AlertPage));
const TracesPage = lazyPage(() => import('./pages/traces.js').then((m) => m.TracesPage));
const TracePage = lazyPage(() => import('./pages/trace.js').then((m) => m.TracePage));
const LogsPage = lazyPage(() => import('./pages/logs.js').then((m) => m.LogsPage));
const MetricsPage = lazyPage(() => import('./pages/metrics.js').then((m) => m.MetricsPage));
const HooksPage = lazyPage(() => import('./pages/hooks.js').then((m) => m.HooksPage));
const DemoPage = lazyPage(() => import('./pages/demo.js').then((m) => m.DemoPage));
const ServiceMapPage = lazyPage(() =>
  import('./pages/service-map.js').then((m) => m.ServiceMapPage),
);

const NAV = [
  { path: '/services', label: 'Services', pages: ['services', 'service'] },
  { path: '/service-map', label: 'Service map', pages: ['map'] },
  { path: '/alerts', label: 'Alerts', pages: ['alerts', 'alert'] },
  { path: '/traces', label: 'Traces', pages: ['traces', 'trace'] },
  { path: '/logs', label: 'Logs', pages: ['logs'] },
  { path: '/explore/metrics', label: 'Metrics', pages: ['metrics'] },
  { path: '/hooks', label: 'Hooks', pages: ['hooks'] },
];
/** Shown only while `opsless demo` runs (the API says so in /v1/info). */
const DEMO_NAV = { path: '/demo', label: 'Demo', pages: ['demo'] };

/** The shell: header, navigation, the shared time range, and the page of the URL. */
export function App() {
  const route = useRoute();
  const search = route.query.toString();
  const refreshes = useRefreshCount();
  // A range of "the last hour" is re-anchored at now on each refresh, not on each render.
  const range = useMemo(() => readRange(route.query), [search, refreshes]);
  const auth = useAuthPrompt();
  const info = useInfo();
  const nav = info?.demo ? [...NAV, DEMO_NAV] : NAV;
  useFocusOnNavigation(window.location.pathname);

  let page;
  if (auth.needed) {
    page = html`<${KeyPrompt} refused=${auth.refused} onDone=${auth.done} />`;
  } else {
    page = renderPage(route, range);
  }
  return html`<a class="skip-link" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href=${link('/services')}>opsless</a>
      <nav aria-label="Pages">
        <ul>
          ${nav.map(
            (item) =>
              html`<li>
                <a
                  href=${link(item.path)}
                  aria-current=${item.pages.includes(route.page) ? 'page' : undefined}
                  >${item.label}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
      <div class="top-tools">
        <${TimeRangePicker} range=${range} />
        <${ThemeToggle} />
      </div>
    </header>
    <main id="main" tabindex="-1">${page}</main>`;
}

/**
 * @param {import('./lib/router.js').Route} route
 * @param {import('./lib/time-range.js').TimeRange} range
 */
function renderPage(route, range) {
  const { params, query } = route;
  switch (route.page) {
    case 'services':
      return html`<${ServicesPage} range=${range} query=${query} />`;
    case 'service':
      return html`<${ServicePage}
        key=${params.name}
        name=${params.name ?? ''}
        range=${range}
        query=${query}
      />`;
    case 'map':
      return html`<${ServiceMapPage} range=${range} />`;
    case 'alerts':
      return html`<${AlertsPage} range=${range} query=${query} />`;
    case 'alert':
      return html`<${AlertPage} key=${params.id} id=${params.id ?? ''} />`;
    case 'traces':
      return html`<${TracesPage} range=${range} query=${query} />`;
    case 'trace':
      return html`<${TracePage}
        key=${params.traceId}
        traceId=${params.traceId ?? ''}
        query=${query}
      />`;
    case 'logs':
      return html`<${LogsPage} range=${range} query=${query} />`;
    case 'metrics':
      return html`<${MetricsPage} range=${range} query=${query} />`;
    case 'hooks':
      return html`<${HooksPage} />`;
    case 'demo':
      return html`<${DemoPage} />`;
    default:
      return html`<section class="page">
        <h1>Not found</h1>
        <p>There is no page here. <a href=${link('/services')}>Go to the services</a>.</p>
      </section>`;
  }
}

/**
 * After going to another page, focus its content, as a full page load would put a
 * keyboard or screen-reader user at its start; changes of the query (filters, sorting)
 * leave the focus where it is.
 * @param {string} pathname
 */
function useFocusOnNavigation(pathname) {
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [pathname]);
}

/** Counts refreshes (the ↻ button, a key entered). */
function useRefreshCount() {
  const [count, setCount] = useState(0);
  useEffect(() => {
    const bump = () => setCount((n) => n + 1);
    window.addEventListener(REFRESH_EVENT, bump);
    return () => window.removeEventListener(REFRESH_EVENT, bump);
  }, []);
  return count;
}

/** Whether to ask for the API key: after the API refused a call for want of one. */
function useAuthPrompt() {
  const [state, setState] = useState({ needed: false, refused: false });
  useEffect(() => {
    const ask = () => setState({ needed: true, refused: getApiKey() !== null });
    window.addEventListener(UNAUTHORIZED_EVENT, ask);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, ask);
  }, []);
  return { ...state, done: () => setState({ needed: false, refused: false }) };
}

const THEME_LABELS = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
const NEXT_THEME = /** @type {const} */ ({ system: 'light', light: 'dark', dark: 'system' });

function ThemeToggle() {
  const [choice, setChoice] = useState(getThemeChoice);
  const next = () => {
    const value = NEXT_THEME[choice];
    setThemeChoice(value);
    setChoice(value);
  };
  return html`<button
    type="button"
    class="theme-toggle"
    onClick=${next}
    aria-label=${`${THEME_LABELS[choice]}; switch to ${NEXT_THEME[choice]}`}
    title=${THEME_LABELS[choice]}
  >
    ${choice === 'dark' ? '☾' : choice === 'light' ? '☀' : '◐'}
  </button>`;
}
