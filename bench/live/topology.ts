/**
 * The simulated system: six services in a call graph, as a shop might run them.
 * frontend → catalog; frontend → checkout → payments; checkout → a queue that
 * orders-worker consumes; reports (a low-volume internal tool) → catalog.
 */

export type ServiceName =
  'frontend' | 'catalog' | 'checkout' | 'payments' | 'orders-worker' | 'reports';

export interface Route {
  service: ServiceName;
  name: string;
  kind: 'server' | 'consumer';
  method: string;
  route: string;
  /** Median own work of one request, ms (its callees come on top). */
  medianMs: number;
  /** Routes this one calls, each with the share of requests that call it. */
  calls: ReadonlyArray<{ route: string; share: number }>;
}

export const ROUTES: Readonly<Record<string, Route>> = {
  shop: route('frontend', 'GET', '/shop', 18, [{ route: 'items', share: 1 }]),
  cart: route('frontend', 'POST', '/cart/checkout', 25, [{ route: 'checkout', share: 1 }]),
  items: route('catalog', 'GET', '/items', 30, []),
  checkout: route('checkout', 'POST', '/checkout', 45, [
    { route: 'pay', share: 1 },
    { route: 'order', share: 1 },
  ]),
  pay: route('payments', 'POST', '/pay', 70, []),
  order: {
    service: 'orders-worker',
    name: 'orders process',
    kind: 'consumer',
    method: '',
    route: '',
    medianMs: 40,
    calls: [],
  },
  export: route('reports', 'GET', '/reports/export', 120, [{ route: 'items', share: 1 }]),
};

function route(
  service: ServiceName,
  method: string,
  path: string,
  medianMs: number,
  calls: Route['calls'],
): Route {
  return {
    service,
    name: `${method} ${path}`,
    kind: 'server',
    method,
    route: path,
    medianMs,
    calls,
  };
}

/** Entry routes and their share of the frontend's load; reports has its own trickle. */
export const FRONTEND_MIX: ReadonlyArray<{ route: string; share: number }> = [
  { route: 'shop', share: 0.7 },
  { route: 'cart', share: 0.3 },
];

export const SERVICES: readonly ServiceName[] = [
  'frontend',
  'catalog',
  'checkout',
  'payments',
  'orders-worker',
  'reports',
];

/** Instances each service runs with at first. */
export const INITIAL_INSTANCES: Readonly<Record<ServiceName, number>> = {
  frontend: 2,
  catalog: 2,
  checkout: 2,
  payments: 2,
  'orders-worker': 1,
  reports: 1,
};

/** Who calls whom (for a fault's reach: a failing service's callers may fail too). */
export function callersOf(service: ServiceName): ServiceName[] {
  const callers = new Set<ServiceName>();
  for (const entry of Object.values(ROUTES)) {
    for (const call of entry.calls) {
      if (ROUTES[call.route]?.service === service && entry.service !== service) {
        callers.add(entry.service);
      }
    }
  }
  return [...callers];
}

/** Services whose requests wait on `service`, directly or through others (its latency and errors reach them). */
export function upstreamOf(service: ServiceName): ServiceName[] {
  const found = new Set<ServiceName>();
  const visit = (callee: ServiceName) => {
    for (const caller of callersOf(callee)) {
      if (found.has(caller) || caller === service) continue;
      // A consumer is called asynchronously: its callers do not wait on it.
      if (
        Object.values(ROUTES).some((entry) => entry.service === callee && entry.kind === 'consumer')
      )
        continue;
      found.add(caller);
      visit(caller);
    }
  };
  visit(service);
  return [...found];
}

/** Services a service's requests reach, itself included (a traffic drop takes them along). */
export function reachOf(service: ServiceName): ServiceName[] {
  const reached = new Set<ServiceName>([service]);
  const visit = (name: string) => {
    const entry = ROUTES[name]!;
    reached.add(entry.service);
    for (const call of entry.calls) visit(call.route);
  };
  for (const [name, entry] of Object.entries(ROUTES)) if (entry.service === service) visit(name);
  return [...reached];
}
