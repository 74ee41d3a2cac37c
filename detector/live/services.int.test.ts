import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTOR_STATE_TABLE, type Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import { testEvaluatorOptions } from '../../test/support/evaluator.ts';
import { evaluateOnce } from './evaluator.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');

describe('services the live evaluator iterates', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    // 'node-exporter' sends only a watched metric; 'batch' only an unwatched one.
    const points = [];
    for (let minute = 0; minute < 30; minute++) {
      const at = `${BigInt(START + minute * STEP + 30_000) * 1_000_000n}`;
      points.push(
        {
          TimeUnix: at,
          ServiceName: 'node-exporter',
          MetricName: 'system.cpu.utilization',
          Value: 0.3,
        },
        { TimeUnix: at, ServiceName: 'batch', MetricName: 'batch.items', Value: 5 },
      );
    }
    await storage.client.insert({
      table: 'otel_metrics_gauge',
      values: points,
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await storage.close();
  });

  it('evaluates a service that sends only watched metrics, on those metrics', async () => {
    const nowMs = START + 30 * STEP + 20_000;
    const report = await evaluateOnce(
      testEvaluatorOptions(storage.client, () => nowMs, {
        watchedMetrics: ['system.cpu.utilization'],
      }),
    );
    expect(report.services).toBe(1);
    // The last minute waits for a point past its end (the watermark): 29 complete steps.
    expect(report.steps).toBe(29);
    const states = await (
      await storage.client.query({
        query: `SELECT DISTINCT Service AS service, Signal AS signal FROM ${DETECTOR_STATE_TABLE} WHERE Signal LIKE 'metric:%'`,
        format: 'JSONEachRow',
      })
    ).json<{ service: string; signal: string }>();
    expect(states).toEqual([{ service: 'node-exporter', signal: 'metric:system.cpu.utilization' }]);
    // Without watched metrics there is nothing to evaluate it on.
    const none = await evaluateOnce(testEvaluatorOptions(storage.client, () => nowMs));
    expect(none.services).toBe(0);
  });
});
