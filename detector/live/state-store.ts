import type { ClickHouseClient } from '@clickhouse/client';
import { DETECTOR_STATE_TABLE, SCORES_TABLE } from '../../storage/index.ts';

/** The state of one series (or, with signal `INCIDENT_SIGNAL`, of a service's incidents). */
export interface StoredState {
  service: string;
  signal: string;
  operation: string;
  /** End of the last step fed to the model, ms. */
  lastStepMs: number;
  state: unknown;
}

/** The pseudo-signal under which a service's incident state is kept. */
export const INCIDENT_SIGNAL = '__incident__';

export interface ScoreRow {
  service: string;
  signal: string;
  operation: string;
  timeMs: number;
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
  model: string;
}

/** Loads the latest state of every series of `services`. */
export async function loadStates(
  client: ClickHouseClient,
  services: string[],
): Promise<StoredState[]> {
  if (services.length === 0) return [];
  const result = await client.query({
    query: `SELECT Service, Signal, Operation, toUnixTimestamp(LastStep) AS last, State
FROM ${DETECTOR_STATE_TABLE} FINAL WHERE Service IN {services:Array(String)}`,
    query_params: { services },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{
    Service: string;
    Signal: string;
    Operation: string;
    last: number;
    State: string;
  }>();
  return rows.map((row) => ({
    service: row.Service,
    signal: row.Signal,
    operation: row.Operation,
    lastStepMs: row.last * 1000,
    state: JSON.parse(row.State) as unknown,
  }));
}

/** Rows per insert: bounds the memory of one insert when a long history was learned. */
const SCORES_PER_INSERT = 50_000;
const STATES_PER_INSERT = 500;

/** Writes states; each replaces the previous state of its series. */
export async function saveStates(
  client: ClickHouseClient,
  states: StoredState[],
  nowMs: number,
): Promise<void> {
  for (let start = 0; start < states.length; start += STATES_PER_INSERT) {
    await insertStates(client, states.slice(start, start + STATES_PER_INSERT), nowMs);
  }
}

async function insertStates(
  client: ClickHouseClient,
  states: StoredState[],
  nowMs: number,
): Promise<void> {
  await client.insert({
    table: DETECTOR_STATE_TABLE,
    values: states.map((entry) => ({
      Service: entry.service,
      Signal: entry.signal,
      Operation: entry.operation,
      UpdatedAt: nowMs,
      LastStep: Math.floor(entry.lastStepMs / 1000),
      State: JSON.stringify(entry.state),
    })),
    format: 'JSONEachRow',
  });
}

/** Writes the scores of evaluated steps. */
export async function saveScores(client: ClickHouseClient, scores: ScoreRow[]): Promise<void> {
  for (let start = 0; start < scores.length; start += SCORES_PER_INSERT) {
    await insertScores(client, scores.slice(start, start + SCORES_PER_INSERT));
  }
}

async function insertScores(client: ClickHouseClient, scores: ScoreRow[]): Promise<void> {
  await client.insert({
    table: SCORES_TABLE,
    values: scores.map((row) => ({
      Service: row.service,
      Signal: row.signal,
      Operation: row.operation,
      Time: Math.floor(row.timeMs / 1000),
      Observed: finite(row.observed),
      Expected: finite(row.expected),
      Lower: finite(row.lower),
      Upper: finite(row.upper),
      Score: finite(row.score),
      Model: row.model,
    })),
    format: 'JSONEachRow',
  });
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
