import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import { renderBody } from '../../hooks/index.ts';
import {
  SERVICE_EDGES_TABLE,
  serviceEdgesSelect,
  type SpanRow,
  type Storage,
} from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { testEvaluatorOptions, WHOLE_MINUTES } from '../../test/support/evaluator.ts';
import { evaluateOnce } from './evaluator.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_STEPS = 4 * 60;
const FAILING_STEPS = 6;

/** A call from `caller` (null: none, the service is called from outside) to `service`. */
interface Call {
  caller: string | null;
  service: string;
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/**
 * 20 requests a minute per call; from `failFromMinute` on the called service fails half of
 * them slowly (as version v2), and a caller waits for it and fails with it.
 */
function spans(calls: readonly Call[], minute: number, failFromMinute: number): SpanRow[] {
  const rows: Array<Partial<SpanRow>> = [];
  const failing = minute >= failFromMinute;
  calls.forEach((call, c) => {
    for (let i = 0; i < 20; i++) {
      const traceId = hex(c, 8) + hex(minute, 12) + hex(i, 12);
      const at = BigInt(START + minute * STEP + i * 3_000) * 1_000_000n;
      const failed = failing && i % 2 === 0;
      const ownMs = 30 + ((minute * 7 + i) % 10);
      const durationMs = failed ? ownMs + 900 : ownMs;
      const callee: Partial<SpanRow> = {
        Timestamp: `${at + 1_000_000n}`,
        TraceId: traceId,
        SpanId: hex(2 * i + 1, 16),
        ParentSpanId: call.caller === null ? '' : hex(2 * i, 16),
        ServiceName: call.service,
        SpanName: 'POST /pay',
        SpanKind: 'Server',
        StatusCode: failed ? 'Error' : 'Unset',
        Duration: durationMs * 1_000_000,
        ResourceAttributes: { 'service.version': failing ? 'v2' : 'v1' },
      };
      rows.push(callee);
      if (call.caller === null) continue;
      rows.push({
        Timestamp: `${at}`,
        TraceId: traceId,
        SpanId: hex(2 * i, 16),
        ParentSpanId: '',
        ServiceName: call.caller,
        SpanName: 'GET /checkout',
        SpanKind: 'Server',
        StatusCode: failed ? 'Error' : 'Unset',
        Duration: (durationMs + 5) * 1_000_000,
        ResourceAttributes: { 'service.version': 'v1' },
      });
    }
  });
  return rows as SpanRow[];
}

/** Runs history then a failure of every called service, evaluating each failing minute. */
async function run(calls: readonly Call[]) {
  const storage: Storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  const alerts = createAlertStore(storage.client);
  const events: Array<{ type: string; alert: Alert }> = [];
  const store = async (from: number, to: number) => {
    const rows: SpanRow[] = [];
    for (let minute = from; minute < to; minute++)
      rows.push(...spans(calls, minute, HISTORY_STEPS));
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
    // The service map's rollup, as its view would have kept it over these minutes.
    const upto = `toDateTime(${(START + to * STEP) / 1000})`;
    await storage.client.command({
      query: `INSERT INTO ${SERVICE_EDGES_TABLE} ${serviceEdgesSelect(upto, to - from)}`,
    });
  };
  await store(0, HISTORY_STEPS);
  for (let minute = HISTORY_STEPS; minute < HISTORY_STEPS + FAILING_STEPS; minute++) {
    await store(minute, minute + 1);
    const nowMs = START + (minute + 1) * STEP + 20_000;
    await evaluateOnce(
      testEvaluatorOptions(storage.client, () => nowMs, {
        ...WHOLE_MINUTES,
        alerts,
        onAlert: async (type, alert) => {
          events.push({ type, alert });
        },
      }),
    );
  }
  const all = await alerts.list({});
  await storage.close();
  return { alerts: all, events };
}

describe('one incident per failure across services', () => {
  let cascade: Awaited<ReturnType<typeof run>>;
  let apart: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    // api calls payments; payments fails and api follows. ledger and search are unconnected.
    cascade = await run([{ caller: 'api', service: 'payments' }]);
    apart = await run([
      { caller: null, service: 'ledger' },
      { caller: null, service: 'search' },
    ]);
  }, 240_000);
  afterAll(() => undefined);

  it('pages once for a cascade and names the failed dependency first', () => {
    expect(cascade.alerts).toHaveLength(1);
    const alert = cascade.alerts[0]!;
    expect([...alert.services!].sort()).toEqual(['api', 'payments']);
    expect(alert.rootCause?.[0]).toMatchObject({ service: 'payments', rank: 1, version: 'v2' });
    const api = alert.rootCause?.find((candidate) => candidate.service === 'api');
    expect(api?.explainedBy).toBe('payments');
    expect(alert.rootCause?.[0]?.explains).toContain('api');
    expect(alert.rootCause?.[0]?.movedAt).toBe(
      new Date(START + HISTORY_STEPS * STEP).toISOString(),
    );
    expect(cascade.events.filter((event) => event.type === 'anomaly.opened')).toHaveLength(1);
  });

  it('carries the root cause in webhook events and the Alertmanager push', () => {
    const updated = cascade.events.find((event) => event.type === 'anomaly.updated');
    expect(updated).toBeDefined();
    const event = JSON.stringify({
      type: updated!.type,
      timestamp: updated!.alert.updatedAt,
      data: updated!.alert,
    });
    const context = { publicUrl: 'http://opsless' };
    const webhook = JSON.parse(renderBody({ kind: 'webhook', routingKey: '' }, event, context)) as {
      data: Alert;
    };
    expect(webhook.data.rootCause?.[0]?.service).toBe('payments');
    const pushed = JSON.parse(
      renderBody({ kind: 'alertmanager', routingKey: '' }, event, context),
    ) as { alerts: Array<{ annotations: Record<string, string> }> };
    expect(pushed.alerts[0]?.annotations.root_cause).toBe('payments');
    expect(pushed.alerts[0]?.annotations.root_causes).toMatch(/^1\. payments \(.*v2.*\): /);
  });

  it('keeps one alert per service when the failing services are not connected', () => {
    expect(apart.alerts.map((alert) => alert.service).sort()).toEqual(['ledger', 'search']);
    for (const alert of apart.alerts) {
      expect(alert.services).toEqual([alert.service]);
      expect(alert.rootCause?.[0]?.service).toBe(alert.service);
    }
  });
});
