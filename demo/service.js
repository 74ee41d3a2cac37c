// One service of the opsless demo (frontend, checkout or payments), started with
// `node --import opsless/instrument demo/service.js`. Plain node:http: the route is set on
// the server span by hand, as a framework's instrumentation would. The demo steers it
// through POST /__demo (extra latency, error share) to play incidents.
import { createServer, request as httpRequest } from 'node:http';
import { trace } from '@opentelemetry/api';

const name = process.env.DEMO_SERVICE;
const port = Number(process.env.DEMO_PORT ?? 0);
const downstream = process.env.DEMO_DOWNSTREAM; // http://127.0.0.1:<port> of the next service
const baseLatencyMs = Number(process.env.DEMO_LATENCY_MS ?? 20);
const incident = {
  extraLatencyMs: Number(process.env.DEMO_EXTRA_LATENCY_MS ?? 0),
  errorShare: 0,
};

const ROUTES = {
  frontend: { method: 'GET', route: '/shop/:item', next: { method: 'POST', path: '/checkout' } },
  checkout: { method: 'POST', route: '/checkout', next: { method: 'POST', path: '/pay' } },
  payments: { method: 'POST', route: '/pay', next: null },
};
const routes = ROUTES[name];
if (!routes) throw new Error(`DEMO_SERVICE must be one of ${Object.keys(ROUTES).join(', ')}`);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function callNext() {
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      `${downstream}${routes.next.path}`,
      { method: routes.next.method, timeout: 5_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', () => resolve(0));
    outgoing.end();
  });
}

const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    void (async () => {
      if (request.url === '/__demo' && request.method === 'POST') {
        Object.assign(incident, JSON.parse(body || '{}'));
        response.end(JSON.stringify(incident));
        return;
      }
      const span = trace.getActiveSpan();
      span?.updateName(`${routes.method} ${routes.route}`);
      span?.setAttribute('http.route', routes.route);
      // Some jitter around the base latency, plus whatever the incident adds.
      await sleep(baseLatencyMs * (0.6 + 0.8 * Math.random()) + incident.extraLatencyMs);
      let status = Math.random() < incident.errorShare ? 503 : 200;
      if (status === 200 && routes.next) {
        const downstreamStatus = await callNext();
        if (downstreamStatus >= 500 || downstreamStatus === 0) status = 502;
      }
      response.statusCode = status;
      response.end(status === 200 ? '{"ok":true}' : '{"ok":false}');
    })();
  });
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
