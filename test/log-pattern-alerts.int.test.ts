import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { explanationText, type AlertStore } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import type { EvaluatorOptions } from '../detector/index.ts';
import { evaluateOnce } from '../detector/live/index.ts';
import { testEvaluatorOptions, WHOLE_MINUTES } from './support/evaluator.ts';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_MINUTES = 90;
const SERVICES = ['pay', 'web', 'queue', 'steady'] as const;
type Level = 'INFO' | 'WARN' | 'ERROR';
type Line = [service: string, body: string, level: Level, version?: string];

const SEVERITY = {
  INFO: SeverityNumber.INFO,
  WARN: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
};

/** What every service logs in an ordinary minute. */
function ordinaryMinute(minute: number): Line[] {
  const lines: Line[] = [];
  for (const service of SERVICES) {
    for (let i = 0; i < 3; i++) {
      lines.push([service, `request ${minute * 10 + i} served in ${20 + i} ms`, 'INFO']);
    }
  }
  // More than a new pattern needs to alert: only knowing them keeps these quiet.
  for (let i = 0; i < 4; i++) {
    lines.push(['steady', `db call ${minute * 4 + i} timed out after ${500 + i} ms`, 'ERROR']);
  }
  lines.push(['queue', `queue ${minute % 4} is slow to drain`, 'WARN']);
  return lines;
}

/** Sends lines through the real logs SDK, each at its minute (30 s in), one resource per service and version. */
async function send(opsless: TestOpsless, minute: number, lines: Line[]): Promise<void> {
  const providers = new Map<string, LoggerProvider>();
  for (const [service, body, level, version = '1.0.0'] of lines) {
    const key = `${service}@${version}`;
    let provider = providers.get(key);
    if (!provider) {
      provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': service, 'service.version': version }),
        processors: [
          new BatchLogRecordProcessor({
            exporter: new OTLPLogExporter({ url: `${opsless.otlpUrl}/v1/logs` }),
            maxQueueSize: 4096,
          }),
        ],
      });
      providers.set(key, provider);
    }
    provider.getLogger('alerts-test').emit({
      body,
      severityText: level,
      severityNumber: SEVERITY[level],
      timestamp: START + minute * STEP + 30_000,
    });
  }
  for (const provider of providers.values()) {
    await provider.forceFlush();
    await provider.shutdown();
  }
}

/** A request a minute per service: the evaluator follows services that serve requests. */
async function storeSpans(opsless: TestOpsless, from: number, to: number): Promise<void> {
  const values = [];
  for (let minute = from; minute < to; minute++) {
    for (const service of SERVICES) {
      values.push({
        Timestamp: `${BigInt(START + minute * STEP + 10_000) * 1_000_000n}`,
        ServiceName: service,
        SpanName: 'GET /',
        SpanKind: 'Server',
        StatusCode: 'Unset',
        Duration: 20_000_000,
      });
    }
  }
  await opsless.clickhouse.insert({ table: 'otel_traces', values, format: 'JSONEachRow' });
}

describe('log patterns in live detection', () => {
  let opsless: TestOpsless;
  let alerts: AlertStore;
  let nowMs = START + HISTORY_MINUTES * STEP + 20_000;
  const options = (): EvaluatorOptions =>
    testEvaluatorOptions(opsless.clickhouse, () => nowMs, { ...WHOLE_MINUTES, alerts });

  beforeAll(async () => {
    opsless = await startTestOpsless({}, { collector: true, api: false, detector: null });
    alerts = createAlertStore(opsless.clickhouse);
    const history: Line[] = [];
    for (let minute = 0; minute < HISTORY_MINUTES; minute++)
      history.push(...ordinaryMinute(minute));
    // One send per minute keeps each record at its own time.
    for (let minute = 0; minute < HISTORY_MINUTES; minute++) {
      await send(opsless, minute, ordinaryMinute(minute));
    }
    await storeSpans(opsless, 0, HISTORY_MINUTES);
    const [stored] = await rows<{ n: string }>(
      opsless.clickhouse,
      'SELECT count() AS n FROM otel_logs',
    );
    expect(Number(stored!.n)).toBe(history.length);
    await evaluateOnce(options());
    // The incident minute: a new error, a deploy with new INFO lines, a burst of a known
    // warning, and the steady errors as ever.
    const minute = HISTORY_MINUTES;
    const incident: Line[] = [...ordinaryMinute(minute)];
    for (let i = 0; i < 4; i++) {
      incident.push(['pay', `certificate for host bank-${i}.example.com expired`, 'ERROR']);
    }
    for (let i = 0; i < 6; i++) {
      incident.push(['web', `feature flag checkout-v${i} enabled at start-up`, 'INFO', '2.0.0']);
    }
    for (let i = 0; i < 30; i++)
      incident.push(['queue', `queue ${i % 4} is slow to drain`, 'WARN']);
    await send(opsless, minute, incident);
    for (let next = minute + 1; next < minute + 3; next++) {
      await send(opsless, next, ordinaryMinute(next));
    }
    await storeSpans(opsless, minute, minute + 3);
    for (let step = 0; step < 3; step++) {
      nowMs += STEP;
      await evaluateOnce(options());
    }
  }, 120_000);
  afterAll(async () => {
    await opsless.stop();
  });

  const alertsOf = async (service: string) =>
    (await alerts.list({ status: 'all' })).filter((alert) => alert.service === service);

  it('opens an incident for a new ERROR pattern, its template and a sample in the summary', async () => {
    const [pattern] = await rows<{ template: string }>(
      opsless.clickhouse,
      `SELECT Template AS template FROM opsless_log_patterns FINAL
       WHERE ServiceName = 'pay' AND Template LIKE 'certificate%' AND MergedInto = ''`,
    );
    const opened = await alertsOf('pay');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.signal).toBe('log_new_pattern');
    expect(opened[0]!.summary).toContain(pattern!.template);
    expect(opened[0]!.summary).toMatch(/certificate for host bank-\d\.example\.com expired/);
    const explained = explanationText(opened[0]!.explanation);
    expect(explained).toContain(pattern!.template);
    expect(explained).toMatch(/certificate for host bank-\d\.example\.com expired/);
  });

  it('does not alert on new INFO patterns after a deploy', async () => {
    const [deployed] = await rows<{ n: string }>(
      opsless.clickhouse,
      `SELECT count() AS n FROM otel_logs
       WHERE ServiceName = 'web' AND ResourceAttributes['service.version'] = '2.0.0'`,
    );
    expect(Number(deployed!.n)).toBe(6);
    expect(await alertsOf('web')).toEqual([]);
  });

  it('opens an incident for a burst of a known pattern', async () => {
    const opened = await alertsOf('queue');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.signals).toContain('log_pattern_burst');
    expect(opened[0]!.summary).toContain('is slow to drain');
  });

  it('stays quiet on steady known errors', async () => {
    expect(await alertsOf('steady')).toEqual([]);
  });
});
