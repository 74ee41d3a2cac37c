import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTOR_STATE_TABLE, SCORES_TABLE, type Storage } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import {
  createModelCache,
  evaluateOnce,
  type EvaluatorOptions,
  type ModelCache,
} from './evaluator.ts';
import { testEvaluatorOptions, WHOLE_MINUTES } from '../../test/support/evaluator.ts';

const STEP = 60_000;
const START = Date.parse('2026-11-21T00:00:00Z');

describe('models kept in memory, written at checkpoints', () => {
  let storage: Storage;
  let nowMs = START;

  const insertMinute = async (minute: number) => {
    const rows = [];
    const count = 20 + (minute % 7);
    for (let i = 0; i < count; i++) {
      rows.push({
        Timestamp: `${BigInt(START + minute * STEP + i * 1000) * 1_000_000n}`,
        ServiceName: 'api',
        SpanName: 'GET /items',
        SpanKind: 'Server',
        StatusCode: i % 13 === 0 ? 'Error' : 'Unset',
        Duration: (20 + ((i * 7 + minute) % 11)) * 1_000_000,
      });
    }
    await storage.client.insert({ table: 'otel_traces', values: rows, format: 'JSONEachRow' });
  };
  const options = (cache: ModelCache | undefined, checkpoint: boolean): EvaluatorOptions =>
    testEvaluatorOptions(storage.client, () => nowMs, { ...WHOLE_MINUTES, cache, checkpoint });
  const advance = async (minute: number) => {
    await insertMinute(minute);
    nowMs = START + (minute + 1) * STEP + 20_000;
  };
  const lastStepsStored = async () => {
    const result = await storage.client.query({
      query: `SELECT DISTINCT toUnixTimestamp(LastStep) * 1000 AS last FROM ${DETECTOR_STATE_TABLE} FINAL
WHERE Signal != '__incident__'`,
      format: 'JSONEachRow',
    });
    return (await result.json<{ last: number }>()).map((row) => Number(row.last));
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    for (let minute = 0; minute < 120; minute++) await insertMinute(minute);
    nowMs = START + 120 * STEP + 20_000;
  });
  afterAll(async () => {
    await storage.close();
  });

  it('writes models at a checkpoint only, and a crash replays the steps since to the same scores', async () => {
    const cache = createModelCache();
    await evaluateOnce(options(cache, true));
    expect(await lastStepsStored()).toEqual([START + 120 * STEP]);
    for (let minute = 120; minute < 130; minute++) {
      await advance(minute);
      const report = await evaluateOnce(options(cache, false));
      // each cycle scores its one new step of every series from memory
      expect(report.steps).toBe(2 * 5);
    }
    // no checkpoint since: the stored models still stand at minute 120
    expect(await lastStepsStored()).toEqual([START + 120 * STEP]);

    // A crash loses the cache: a new process resumes from the checkpoint and replays.
    const replay = await evaluateOnce(options(createModelCache(), false));
    expect(replay.steps).toBe(2 * 5 * 10);
    const result = await storage.client.query({
      query: `SELECT Signal, Operation, Time, uniqExact(Expected, Lower, Upper, Score) AS versions, count() AS rows
FROM ${SCORES_TABLE} WHERE Time >= toDateTime(intDiv(${START + 120 * STEP}, 1000))
GROUP BY Signal, Operation, Time`,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ versions: string | number; rows: string | number }>();
    expect(rows).toHaveLength(2 * 5 * 10);
    // every replayed step was scored twice, identically
    expect(rows.every((row) => Number(row.rows) === 2 && Number(row.versions) === 1)).toBe(true);
  });
});
