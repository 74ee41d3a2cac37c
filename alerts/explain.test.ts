import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRow, Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { explainAnomaly } from './explain.ts';
import { explanationText } from './explanation-text.ts';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MINUTE = 60_000;

function span(atMs: number, route: string, overrides: Partial<SpanRow> = {}): Partial<SpanRow> {
  return {
    Timestamp: `${BigInt(atMs) * 1_000_000n}`.padStart(19, '0'),
    ServiceName: 'checkout',
    SpanName: `GET ${route}`,
    SpanKind: 'Server',
    StatusCode: 'Unset',
    Duration: 20_000_000,
    SpanAttributes: { 'http.route': route, 'http.response.status_code': '200' },
    ResourceAttributes: { 'service.version': '1.0.0' },
    ...overrides,
  };
}

describe('explaining an anomaly', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const rows: Array<Partial<SpanRow>> = [];
    // Baseline hour: three routes, fast, a rare error on /cart.
    for (let i = 0; i < 600; i++) {
      const route = ['/cart', '/items', '/pay'][i % 3]!;
      rows.push(
        span(
          T0 + i * 6_000,
          route,
          i % 150 === 0 ? { StatusCode: 'Error', StatusMessage: 'cart locked' } : {},
        ),
      );
    }
    // Anomalous 10 minutes: version 1.1.0 makes /pay slow and failing with a new message.
    for (let i = 0; i < 100; i++) {
      const at = T0 + 60 * MINUTE + i * 6_000;
      const route = ['/cart', '/items', '/pay'][i % 3]!;
      const broken = route === '/pay';
      rows.push(
        span(at, route, {
          ResourceAttributes: { 'service.version': broken ? '1.1.0' : '1.0.0' },
          ...(broken
            ? {
                Duration: 900_000_000,
                StatusCode: 'Error',
                StatusMessage: 'payments timeout',
                SpanAttributes: { 'http.route': route, 'http.response.status_code': '503' },
              }
            : {}),
        }),
      );
    }
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await storage.close();
  });

  const window = { service: 'checkout', fromMs: T0 + 60 * MINUTE, toMs: T0 + 70 * MINUTE };

  it('ranks the route, status code, version and message over-represented among errors', async () => {
    const explanation = await explainAnomaly(storage.client, { ...window, focus: 'errors' });
    expect(explanation.anomalousSpans).toBe(33);
    expect(explanation.baselineSpans).toBe(4);
    const top = explanation.contributors.map((c) => `${c.dimension}=${c.value}`);
    expect(top.slice(0, 6)).toEqual(
      expect.arrayContaining([
        'http.route=/pay',
        'operation=GET /pay',
        'http.response.status_code=503',
        'service.version=1.1.0',
        'error.message=payments timeout',
      ]),
    );
    expect(top).not.toContain('http.route=/items');
    expect(explanation.contributors[0]).toMatchObject({ anomalousShare: 1, contribution: 1 });
  });

  it('finds the slow route against the baseline p95', async () => {
    const explanation = await explainAnomaly(storage.client, { ...window, focus: 'slow' });
    expect(explanation.slowThresholdMs).toBe(20);
    expect(explanation.contributors.find((c) => c.dimension === 'http.route')).toMatchObject({
      value: '/pay',
      anomalousShare: 1,
    });
  });

  it('explains a drop by what went missing, a route that stopped entirely included', async () => {
    // The quarter hour after the anomalous window: /items stops, the others go on.
    const rows: Array<Partial<SpanRow>> = [];
    for (let i = 0; i < 100; i++) {
      const route = ['/cart', '/pay'][i % 2]!;
      rows.push(span(T0 + 80 * MINUTE + i * 6_000, route));
    }
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
    const explanation = await explainAnomaly(storage.client, {
      service: 'checkout',
      focus: 'missing',
      fromMs: T0 + 80 * MINUTE,
      toMs: T0 + 90 * MINUTE,
      baselineMs: 80 * MINUTE,
    });
    expect(explanation.contributors.slice(0, 2).map((c) => `${c.dimension}=${c.value}`)).toEqual(
      expect.arrayContaining(['operation=GET /items', 'http.route=/items']),
    );
    expect(explanation.contributors[0]).toMatchObject({ anomalousShare: 0, anomalousCount: 0 });
    expect(explanation.contributors.map((c) => c.value)).not.toContain('/cart');
  });
});

describe('explaining an anomaly while a new pod starts', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const rows: Array<Partial<SpanRow>> = [];
    const pod = (name: string) => ({ 'service.version': '1.0.0', 'k8s.pod.name': name });
    // Baseline hour: two pods share the traffic, nothing fails.
    for (let i = 0; i < 600; i++) {
      rows.push(
        span(T0 + i * 6_000, ['/cart', '/pay'][i % 2]!, {
          ResourceAttributes: pod(i % 4 < 2 ? 'web-1' : 'web-2'),
        }),
      );
    }
    // Anomalous 10 minutes: a third pod (a scale-out) takes a third of the traffic, and
    // /pay fails on every pod alike.
    for (let i = 0; i < 300; i++) {
      const route = ['/cart', '/pay'][i % 2]!;
      rows.push(
        span(T0 + 60 * MINUTE + i * 2_000, route, {
          ResourceAttributes: pod(`web-${(Math.floor(i / 2) % 3) + 1}`),
          ...(route === '/pay' ? { StatusCode: 'Error', StatusMessage: 'card service down' } : {}),
        }),
      );
    }
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('names the failing route, not the pod that merely has no history', async () => {
    const explanation = await explainAnomaly(storage.client, {
      service: 'checkout',
      focus: 'errors',
      fromMs: T0 + 60 * MINUTE,
      toMs: T0 + 70 * MINUTE,
    });
    const named = explanation.contributors.map((c) => `${c.dimension}=${c.value}`);
    expect(named).toContain('http.route=/pay');
    expect(named.filter((name) => name.startsWith('k8s.pod.name='))).toEqual([]);
  });
});

describe('a metric alert explained in one line', () => {
  it('names the instance and the metric, not spans', () => {
    const text = explanationText({
      focus: 'metric',
      metric: 'process.memory.usage',
      contributors: [
        {
          dimension: 'service.instance.id',
          value: 'worker-2',
          anomalousShare: 0.45,
          baselineShare: 0.33,
          contribution: 0.12,
          anomalousCount: 3,
        },
      ],
    });
    expect(text).toBe('service.instance.id=worker-2: 45% of process.memory.usage (baseline 33%)');
    expect(explanationText({ focus: 'metric', metric: 'x', contributors: [] })).toBe(
      'no instance stands out',
    );
  });
});
