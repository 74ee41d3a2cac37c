import { SpanKind, SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

export const MINUTE = 60_000;

/** The services of the synthetic shop and the routes each serves. */
export const ROUTES: Record<string, Array<{ method: string; route: string }>> = {
  frontend: [
    { method: 'GET', route: '/' },
    { method: 'GET', route: '/products' },
  ],
  checkout: [
    { method: 'GET', route: '/cart' },
    { method: 'POST', route: '/pay' },
  ],
  payments: [
    { method: 'POST', route: '/charge' },
    { method: 'GET', route: '/status' },
  ],
};

/** What goes wrong, and where, in one minute. */
export interface Incident {
  slowRoute?: string;
  failingRoute?: string;
  /** A route whose traffic drops to `trafficShare` of the usual. */
  droppedRoute?: string;
  trafficShare?: number;
}

export interface TrafficOptions {
  otlpUrl: string;
  /** Minute 0 starts here (ms since the epoch); negative minutes are history. */
  startMs: number;
  /** Extra resource attributes of every service (e.g. deployment.environment.name). */
  resource?: Attributes;
  /**
   * Give each request a child: a database client span and an internal step, as a traced
   * app would (default false: server spans only).
   */
  children?: boolean;
}

export interface Traffic {
  /** Sends minutes [from, to) of every service; incidents by service name. */
  send(from: number, to: number, incidents?: Record<string, Incident>): Promise<void>;
  retarget(otlpUrl: string): void;
}

/** A small deterministic generator, so that every run sends the same traffic. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Real SDK spans of the shop's services, with a daily wave and small noise, sent through
 * the real OTLP/proto exporter.
 */
export function createTraffic(options: TrafficOptions): Traffic {
  let otlpUrl = options.otlpUrl;
  const providers = new Map<
    string,
    { provider: BasicTracerProvider; memory: InMemorySpanExporter }
  >();
  for (const service of Object.keys(ROUTES)) {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': service,
        'service.version': '1.0.0',
        ...options.resource,
      }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    providers.set(service, { provider, memory });
  }

  /** One minute of one service's server spans. */
  const minuteOfSpans = (
    tracer: ReturnType<BasicTracerProvider['getTracer']>,
    service: string,
    minute: number,
    incident: Incident = {},
  ): void => {
    const next = random(minute * 31 + service.length * 7919);
    const startMs = options.startMs + minute * MINUTE;
    const wave = Math.sin((2 * Math.PI * minute) / 1440);
    for (const { method, route } of ROUTES[service]!) {
      const usual = 10 + Math.round(3 * wave + 2 * next());
      const share = incident.droppedRoute === route ? (incident.trafficShare ?? 1) : 1;
      const count = Math.max(0, Math.round(usual * share));
      for (let i = 0; i < count; i++) {
        const at = startMs + Math.floor(((i + next()) * MINUTE) / (count + 1));
        const slow = incident.slowRoute === route;
        const failed = incident.failingRoute === route ? next() < 0.6 : next() < 0.005;
        const durationMs = slow ? 700 + 200 * next() : 20 + 8 * next() + 4 * wave;
        const attributes: Attributes = {
          'http.request.method': method,
          'http.route': route,
          'http.response.status_code': failed ? 500 : 200,
        };
        const span = tracer.startSpan(`${method} ${route}`, {
          kind: SpanKind.SERVER,
          startTime: at,
          attributes,
        });
        if (options.children) {
          const parent = trace.setSpan(context.active(), span);
          const query = tracer.startSpan(
            'SELECT shop.orders',
            {
              kind: SpanKind.CLIENT,
              startTime: at + 1,
              attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' },
            },
            parent,
          );
          query.addEvent('rows fetched', { 'db.response.returned_rows': 3 }, at + 2);
          query.end(at + 1 + durationMs * 0.4);
          const step = tracer.startSpan(
            'render',
            { kind: SpanKind.INTERNAL, startTime: at + 1 + durationMs * 0.5 },
            parent,
          );
          step.end(at + durationMs * 0.9);
        }
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
        span.end(at + durationMs);
      }
    }
  };

  return {
    retarget(url) {
      otlpUrl = url;
    },
    async send(from, to, incidents = {}) {
      const spans: ReadableSpan[] = [];
      for (const [service, { provider, memory }] of providers) {
        const tracer = provider.getTracer('opsless-e2e');
        for (let minute = from; minute < to; minute++) {
          minuteOfSpans(tracer, service, minute, incidents[service]);
        }
        spans.push(...memory.getFinishedSpans());
        memory.reset();
      }
      const exporter = new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` });
      for (let start = 0; start < spans.length; start += 2000) {
        const batch = spans.slice(start, start + 2000);
        await new Promise<void>((resolve, reject) => {
          exporter.export(batch, (result) => {
            if (result.code === ExportResultCode.SUCCESS) resolve();
            else reject(result.error ?? new Error('export failed'));
          });
        });
      }
      await exporter.shutdown();
    },
  };
}
