/**
 * The UI's pages (history routing) and the module of each. Every path answers with the
 * same page, preloading the modules that path needs; the modules route in the browser
 * (ui/lib/router.js lists the same paths). Links that other parts of opsless build (an
 * alert's page in webhook payloads, `/alerts/<id>`) must match one of these.
 */
export const UI_ROUTES: ReadonlyArray<{ path: string; module: string }> = [
  { path: '/', module: 'pages/services.js' },
  { path: '/services', module: 'pages/services.js' },
  { path: '/services/:name', module: 'pages/service.js' },
  { path: '/service-map', module: 'pages/service-map.js' },
  { path: '/alerts', module: 'pages/alerts.js' },
  { path: '/alerts/:id', module: 'pages/alert.js' },
  { path: '/traces', module: 'pages/traces.js' },
  { path: '/traces/:traceId', module: 'pages/trace.js' },
  { path: '/logs', module: 'pages/logs.js' },
  // Not /metrics: that path serves opsless's own Prometheus metrics.
  { path: '/explore/metrics', module: 'pages/metrics.js' },
  { path: '/hooks', module: 'pages/hooks.js' },
  { path: '/demo', module: 'pages/demo.js' },
];
