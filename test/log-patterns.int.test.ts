import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber, type LogRecord } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { createLogPatternTagger, restoreLogPatterns } from '../collector/live/index.ts';
import type { LogRow } from '../storage/index.ts';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

const LINES: Array<[string, 'INFO' | 'ERROR']> = [
  ['user alice logged in', 'INFO'],
  ['payment 41 failed: timeout after 3000 ms', 'ERROR'],
  ['user bob logged in', 'INFO'],
  ['cache warmed', 'INFO'],
  ['user carol logged in', 'INFO'],
  ['payment 42 failed: timeout after 2999 ms', 'ERROR'],
];

/** Records sent through the real logs SDK as one service's. */
async function sendRecords(
  opsless: TestOpsless,
  service: string,
  records: LogRecord[],
): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [
      new SimpleLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${opsless.otlpUrl}/v1/logs` }),
      }),
    ],
  });
  const logger = provider.getLogger('patterns-test');
  for (const record of records) logger.emit(record);
  await provider.forceFlush();
  await provider.shutdown();
}

/** Lines at a level, each at its time (ms since the epoch; now when left out). */
function sendLines(
  opsless: TestOpsless,
  service: string,
  lines: ReadonlyArray<readonly [body: string, level: 'INFO' | 'ERROR', timeMs?: number]>,
): Promise<void> {
  return sendRecords(
    opsless,
    service,
    lines.map(([body, level, timeMs]) => ({
      body,
      severityText: level,
      severityNumber: level === 'ERROR' ? SeverityNumber.ERROR : SeverityNumber.INFO,
      ...(timeMs === undefined ? {} : { timestamp: timeMs }),
    })),
  );
}

function logRow(body: string): LogRow {
  return {
    Timestamp: '1764000000000000000',
    TraceId: '',
    SpanId: '',
    TraceFlags: 0,
    SeverityText: 'INFO',
    SeverityNumber: 9,
    ServiceName: 'checkout',
    Body: body,
    ResourceSchemaUrl: '',
    ResourceAttributes: {},
    ScopeSchemaUrl: '',
    ScopeName: '',
    ScopeVersion: '',
    ScopeAttributes: {},
    LogAttributes: {},
    EventName: '',
  };
}

interface PatternAnswer {
  patterns: Array<{
    id: string;
    template: string;
    count: number;
    severity: string;
    severities: Record<string, number>;
    sample: string;
    firstSeen: string;
    counts: number[];
  }>;
}

describe('log patterns mined at ingest', () => {
  let opsless: TestOpsless;
  beforeAll(async () => {
    opsless = await startTestOpsless();
    await sendLines(opsless, 'checkout', LINES);
  });
  afterAll(async () => {
    await opsless.stop();
  });

  async function patterns(query: string): Promise<PatternAnswer> {
    const response = await fetch(`${opsless.apiUrl}/v1/logs/patterns?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as PatternAnswer;
  }

  it('stores every log row with the id of its pattern', async () => {
    const stored = await rows<{ Body: string; PatternId: string }>(
      opsless.clickhouse,
      `SELECT Body, PatternId FROM otel_logs WHERE ServiceName = 'checkout'`,
    );
    expect(stored).toHaveLength(LINES.length);
    for (const row of stored) expect(row.PatternId).toMatch(/^[0-9a-f]{16}$/);
    const payments = stored.filter((row) => row.Body.startsWith('payment'));
    expect(new Set(payments.map((row) => row.PatternId)).size).toBe(1);
  });

  it('lists patterns with counts in the range, lines of merged patterns counted once for the general one', async () => {
    const answer = await patterns('service=checkout&since=1h');
    const byTemplate = new Map(answer.patterns.map((p) => [p.template, p]));
    expect(byTemplate.get('user <*> logged in')?.count).toBe(3);
    expect(byTemplate.get('user <*> logged in')?.sample).toBe('user alice logged in');
    const payment = byTemplate.get('payment <*> failed: timeout after <*> ms');
    expect(payment).toMatchObject({ count: 2, severity: 'ERROR', severities: { ERROR: 2 } });
    expect(payment?.sample).toBe('payment 41 failed: timeout after 3000 ms');
    expect(byTemplate.get('cache warmed')?.count).toBe(1);
    expect(answer.patterns).toHaveLength(3);
    expect(answer.patterns[0]!.template).toBe('user <*> logged in');
  });

  it('counts only lines at the severity asked and above', async () => {
    const answer = await patterns('service=checkout&since=1h&severity=ERROR');
    expect(answer.patterns.map((p) => p.template)).toEqual([
      'payment <*> failed: timeout after <*> ms',
    ]);
  });

  it('lists the records of a pattern, those stored under patterns since merged into it too', async () => {
    const general = (await patterns('service=checkout&since=1h')).patterns.find(
      (p) => p.template === 'user <*> logged in',
    )!;
    const response = await fetch(
      `${opsless.apiUrl}/v1/logs?service=checkout&since=1h&pattern=${general.id}`,
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as { logs: Array<{ body: string }> };
    expect(page.logs.map((log) => log.body).sort()).toEqual([
      'user alice logged in',
      'user bob logged in',
      'user carol logged in',
    ]);
    const bad = await fetch(`${opsless.apiUrl}/v1/logs?pattern=xyz`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('pattern');
  });

  it('gives each pattern its counts per bucket of the range, at the levels asked', async () => {
    // A whole half hour that ended ten minutes ago, in 10 buckets of 3 minutes.
    const fromMs = Math.floor(Date.now() / 60_000) * 60_000 - 40 * 60_000;
    const at = (minutes: number) => fromMs + minutes * 60_000;
    await sendLines(opsless, 'billing', [
      ['invoice 7 sent to ann', 'INFO', at(2.1)],
      ['invoice 8 sent to bob', 'INFO', at(2.5)],
      ...[1, 2, 3, 4, 5].map((n): [string, 'INFO', number] => [
        `invoice ${10 + n} sent to cy`,
        'INFO',
        at(12 + n / 10),
      ]),
      ['invoice 99 sent to dee', 'ERROR', at(13)],
      ['invoice 100 sent to eve', 'INFO', at(25.5)],
    ]);
    const range = `from=${new Date(fromMs).toISOString()}&to=${new Date(at(30)).toISOString()}`;
    const answer = (await patterns(`service=billing&${range}&buckets=10`)) as PatternAnswer & {
      bucketSeconds: number;
      buckets: number[];
      partialFrom: number | null;
    };
    expect(answer.bucketSeconds).toBe(180);
    expect(answer.buckets).toEqual(Array.from({ length: 10 }, (_, i) => at(3 * i)));
    expect(answer.partialFrom).toBeNull();
    expect(answer.patterns).toHaveLength(1);
    expect(answer.patterns[0]).toMatchObject({
      template: 'invoice <*> sent to <*>',
      count: 9,
      counts: [2, 0, 0, 0, 6, 0, 0, 0, 1, 0],
    });
    const errors = await patterns(`service=billing&${range}&buckets=10&severity=ERROR`);
    expect(errors.patterns[0]?.counts).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('counts a record that names its level only in text (no severity number) at that level', async () => {
    await sendRecords(opsless, 'bridge', [
      { body: 'disk sdb1 is full', severityText: 'error' },
      { body: 'disk sdc2 is full', severityText: 'Warning' },
    ]);
    const answer = await patterns('service=bridge&since=1h');
    expect(answer.patterns[0]).toMatchObject({
      template: 'disk <*> is full',
      severity: 'ERROR',
      severities: { ERROR: 1, WARN: 1 },
    });
    const errors = await patterns('service=bridge&since=1h&severity=ERROR');
    expect(errors.patterns.map((p) => p.count)).toEqual([1]);
  });

  it('refuses an unknown severity with 400 naming it', async () => {
    const response = await fetch(`${opsless.apiUrl}/v1/logs/patterns?severity=LOUD`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('severity');
  });

  it('keeps what it learnt across a restart: a restored miner puts a new user in the general pattern', async () => {
    const general = (await patterns('service=checkout&since=1h')).patterns.find(
      (p) => p.template === 'user <*> logged in',
    )!;
    const fresh = createLogPatternTagger();
    const freshRow = logRow('user dave logged in');
    fresh.tag([freshRow]);
    expect(freshRow.PatternId).not.toBe(general.id);

    const restarted = createLogPatternTagger();
    expect(await restoreLogPatterns(opsless.clickhouse, restarted)).toBeGreaterThanOrEqual(3);
    const row = logRow('user dave logged in');
    const written = restarted.tag([row]);
    expect(row.PatternId).toBe(general.id);
    // A known pattern is not written again until its re-save is due.
    expect(written).toEqual([]);
  });
});

describe('createLogPatternTagger', () => {
  it('writes a pattern row when a pattern starts and when patterns merge', () => {
    const tagger = createLogPatternTagger({ now: () => 0 });
    const first = tagger.tag([logRow('user alice logged in'), logRow('user bob logged in')]);
    expect(first.map((p) => [p.Template, p.MergedInto])).toEqual([
      ['user alice logged in', ''],
      ['user bob logged in', ''],
    ]);
    const third = tagger.tag([logRow('user carol logged in')]);
    const general = third.find((p) => p.MergedInto === '')!;
    expect(general.Template).toBe('user <*> logged in');
    expect(general.Sample).toBe('user alice logged in');
    expect(third.filter((p) => p.MergedInto === general.PatternId)).toHaveLength(2);
  });

  it('writes a live pattern again once its re-save is due', () => {
    let now = 0;
    const tagger = createLogPatternTagger({ now: () => now, resaveMs: 1_000 });
    expect(tagger.tag([logRow('cache warmed')])).toHaveLength(1);
    now = 500;
    expect(tagger.tag([logRow('cache warmed')])).toHaveLength(0);
    now = 1_000;
    expect(tagger.tag([logRow('cache warmed')])).toHaveLength(1);
  });

  it('keeps at most maxServices miners', () => {
    const tagger = createLogPatternTagger({ maxServices: 1, now: () => 0 });
    const a = logRow('user alice logged in');
    tagger.tag([a, logRow('user bob logged in'), logRow('user carol logged in')]);
    tagger.tag([{ ...logRow('other service line'), ServiceName: 'other' }]);
    const again = logRow('user dave logged in');
    tagger.tag([again]);
    // The checkout miner was dropped for `other`, so dave starts a pattern of its own.
    expect(again.PatternId).not.toBe(a.PatternId);
    expect(again.PatternId).toBe(
      createLogPatternTagger().tag([logRow('user dave logged in')])[0]!.PatternId,
    );
  });
});
