import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import type { SpanRow, Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { evaluateOnce } from '../../detector/live/index.ts';
import { testEvaluatorOptions } from './evaluator.ts';

/** One route's server spans, a minute at a time, from `startMs` on. */
export interface RouteMinutes {
  startMs: number;
  service: string;
  spanName: string;
  /** Between a minute's requests, ms. */
  spacingMs: number;
  /** The i-th request's duration in the given minute, ms. */
  durationMs(minute: number, i: number): number;
}

export const MINUTE_MS = 60_000;

/** `count` requests of the route in one minute, the first `errors` of them failing. */
export function routeMinute(
  route: RouteMinutes,
  minute: number,
  count: number,
  errors: number,
): Array<Partial<SpanRow>> {
  return Array.from({ length: count }, (_, i) => ({
    Timestamp: `${BigInt(route.startMs + minute * MINUTE_MS + i * route.spacingMs) * 1_000_000n}`,
    ServiceName: route.service,
    SpanName: route.spanName,
    SpanKind: 'Server',
    StatusCode: i < errors ? 'Error' : 'Unset',
    Duration: route.durationMs(minute, i) * 1_000_000,
  }));
}

/** A route learned by the evaluator, on an engine of its own, that tests feed minute by minute. */
export interface LearnedRoute {
  storage: Storage;
  alerts: AlertStore;
  /** Stores the next minute and evaluates it 20 s after its end; the alerts it opened. */
  live(count: number, errors: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens an in-memory engine, stores `historyMinutes` minutes of the route (`minute` gives
 * each one's requests and errors) and lets the evaluator learn them, as after a backfill.
 */
export async function learnRoute(
  route: RouteMinutes,
  historyMinutes: number,
  minute: (at: number) => { count: number; errors: number },
): Promise<LearnedRoute> {
  const storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  const alerts = createAlertStore(storage.client);
  const rows = [];
  for (let at = 0; at < historyMinutes; at++) {
    const { count, errors } = minute(at);
    rows.push(...routeMinute(route, at, count, errors));
  }
  await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  const evaluateAt = async (nowMs: number) =>
    (await evaluateOnce(testEvaluatorOptions(storage.client, () => nowMs, { alerts })))
      .alertsOpened;
  await evaluateAt(route.startMs + historyMinutes * MINUTE_MS + 20_000);
  let next = historyMinutes;
  return {
    storage,
    alerts,
    async live(count, errors) {
      await storage.client.insert({
        table: 'otel_traces',
        values: routeMinute(route, next, count, errors),
        format: 'JSONEachRow',
      });
      next++;
      return evaluateAt(route.startMs + next * MINUTE_MS + 20_000);
    },
    close: () => storage.close(),
  };
}
