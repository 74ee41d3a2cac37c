import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStore } from '../../alerts/index.ts';
import { createAlertStore } from '../../alerts/live/index.ts';
import { LOG_PATTERNS_TABLE, type Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { testEvaluatorOptions } from '../../test/support/evaluator.ts';
import { createModelCache, evaluateOnce, type EvaluationReport } from './evaluator.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const HISTORY_MINUTES = 120;
const QUEUE = 'messaging.queue.depth';
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

/** 'exporter' sends only a watched gauge, a point a minute, 30 s in. */
function depth(minute: number, value: number) {
  return {
    ServiceName: 'exporter',
    MetricName: QUEUE,
    MetricUnit: '{message}',
    TimeUnix: nanos(START + minute * STEP + 30_000),
    Value: value,
  };
}

/** The ten jobs 'cron' runs; each fails in a way of its own (a pattern). */
const JOBS = Array.from({ length: 10 }, (_, job) => `job-${job}`);

/**
 * 'cron' sends only logs, as the collector stores them (each with its pattern): five
 * INFO lines a minute and an ERROR line for each job of `failed` that failed.
 */
function logs(minute: number, failed: string[]) {
  const at = (i: number) => nanos(START + minute * STEP + 10_000 + i * 1_000);
  return [
    ...Array.from({ length: 5 }, (_, i) => ({
      Timestamp: at(i),
      ServiceName: 'cron',
      SeverityText: 'INFO',
      SeverityNumber: 9,
      Body: `run ${minute}-${i} done`,
      PatternId: 'run-done',
    })),
    ...failed.map((job, i) => ({
      Timestamp: at(5 + i),
      ServiceName: 'cron',
      SeverityText: 'ERROR',
      SeverityNumber: 17,
      Body: `${job} run ${minute}-${i} failed`,
      PatternId: `${job}-failed`,
    })),
  ];
}

describe('services that send only metrics or only logs, in live detection', () => {
  let storage: Storage;
  let alerts: AlertStore;
  const cache = createModelCache();
  // The default longest wait (5 min): only each service's own data completes its steps.
  const evaluateAt = (nowMs: number): Promise<EvaluationReport> =>
    evaluateOnce(
      testEvaluatorOptions(storage.client, () => nowMs, {
        alerts,
        cache,
        watchedMetrics: [QUEUE],
      }),
    );
  const store = async (minute: number, queue: number, failed: string[]) => {
    await storage.client.insert({
      table: 'otel_metrics_gauge',
      values: [depth(minute, queue)],
      format: 'JSONEachRow',
    });
    await storage.client.insert({
      table: 'otel_logs',
      values: logs(minute, failed),
      format: 'JSONEachRow',
    });
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    alerts = createAlertStore(storage.client);
    await storage.client.insert({
      table: LOG_PATTERNS_TABLE,
      values: [
        ['run-done', 'run <*> done', 'INFO'],
        ...JOBS.map((job) => [`${job}-failed`, `${job} run <*> failed`, 'ERROR']),
      ].map(([id, template, severity]) => ({
        ServiceName: 'cron',
        PatternId: id,
        Template: template,
        Sample: template,
        SampleSeverity: severity,
        FirstSeen: nanos(START),
        MergedInto: '',
        Version: '1',
      })),
      format: 'JSONEachRow',
    });
    const points = [];
    const records = [];
    for (let minute = 0; minute < HISTORY_MINUTES; minute++) {
      points.push(depth(minute, 10 + ((minute * 7) % 5)));
      // A job fails every other minute, each job in turn: the usual error rate.
      records.push(...logs(minute, minute % 2 === 0 ? [] : [JOBS[(minute >> 1) % 10]!]));
    }
    await storage.client.insert({
      table: 'otel_metrics_gauge',
      values: points,
      format: 'JSONEachRow',
    });
    await storage.client.insert({ table: 'otel_logs', values: records, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('evaluates both on what they send, each step once its own data has moved past it', async () => {
    const report = await evaluateAt(START + HISTORY_MINUTES * STEP + 20_000);
    expect(report.services).toBe(2);
    // Minute 119's point is stored, nothing past it: 119 complete minutes of the metric.
    expect(report.steps).toBe(119);
    expect(await alerts.list({ status: 'all' })).toEqual([]);
  });

  it('opens an alert on a watched metric jump and on a jump of the log error rate', async () => {
    // The queue backs up and every job fails three times a minute, from minute 120: no
    // pattern is out of the ordinary alone, the service's error rate is (30 for 0.5).
    for (let minute = HISTORY_MINUTES; minute < HISTORY_MINUTES + 3; minute++) {
      await store(minute, 400, [...JOBS, ...JOBS, ...JOBS]);
      await evaluateAt(START + (minute + 1) * STEP + 20_000);
    }
    const opened = await alerts.list({ status: 'all' });
    const exporter = opened.filter((alert) => alert.service === 'exporter');
    const cron = opened.filter((alert) => alert.service === 'cron');
    expect(exporter).toHaveLength(1);
    expect(exporter[0]!.signals).toContain(`metric:${QUEUE}`);
    expect(cron).toHaveLength(1);
    // Errors are warnings and above too: both rates, 30 where about 0.5 is usual.
    expect(cron[0]!.signals).toEqual(['log_warnings', 'log_errors']);
    expect(cron[0]!.observed).toBe(30);
    // Opened at minute 120, once minute 121's records completed it: not 5 minutes later.
    expect(cron[0]!.openedAt).toBe(new Date(START + HISTORY_MINUTES * STEP).toISOString());
  });
});
