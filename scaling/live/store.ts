import type { ClickHouseClient } from '@clickhouse/client';
import { generateSecret } from '../../hooks/index.ts';
import {
  nextVersion,
  SCALING_DECISIONS_TABLE,
  SCALING_POLICIES_TABLE,
  SCALING_STATE_TABLE,
} from '../../storage/index.ts';
import { ScalingPolicy } from '../policy.ts';
import type { ScalerState, ScalingDecision } from '../scaler.ts';

export interface StoredPolicy {
  service: string;
  policy: ScalingPolicy;
  /** Signs what the webhook actuator sends (Standard Webhooks); never shown after creation. */
  secret: string;
  createdAt: string;
  updatedAt: string;
}

/** The newest decision for a service, as `GET /v1/scaling/:service` shows it. */
export interface LatestDecision extends ScalingDecision {
  service: string;
  time: string;
  /** Where `current` came from: `reported` (actuator or API) or `observed` (instances seen). */
  currentSource: 'reported' | 'observed';
  dryRun: boolean;
}

/** One entry of the audit log: a change of the desired count and what became of it. */
export interface DecisionRecord {
  service: string;
  time: string;
  current: number;
  reactive: number;
  predictive: number | null;
  final: number;
  previous: number;
  reasons: string[];
  /** `scaler` (the policy) or `remediation` (a runbook step). */
  source: string;
  dryRun: boolean;
  /** `dry-run`, `sent`, `failed`, `no-actuator` (nothing to send to; KEDA reads it). */
  outcome: string;
  detail: string;
}

export interface ReportedReplicas {
  replicas: number;
  reportedAt: string;
  by: string;
}

const STATE = 'state';
const LATEST = 'latest';
const REPORTED = 'reported';

/** Scaling policies, state, and the decisions log in ClickHouse. */
export function createScalingStore(client: ClickHouseClient) {
  async function readPolicies(
    service: string | null,
    shard: { index: number; count: number } = { index: 0, count: 1 },
  ): Promise<StoredPolicy[]> {
    const result = await client.query({
      query: `SELECT service, policy, secret, deleted,
  toUnixTimestamp64Milli(createdAt) AS createdMs, toUnixTimestamp64Milli(updatedAt) AS updatedMs
FROM ${SCALING_POLICIES_TABLE} FINAL
WHERE NOT deleted AND ({service:String} = '' OR service = {service:String})
  AND cityHash64(service) % {count:UInt32} = {index:UInt32}
ORDER BY service`,
      query_params: { service: service ?? '', count: shard.count, index: shard.index },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{
      service: string;
      policy: string;
      secret: string;
      createdMs: string | number;
      updatedMs: string | number;
    }>();
    return rows.map((row) => ({
      service: row.service,
      // Stored policies were validated when written; parsing fills defaults added since.
      policy: ScalingPolicy.parse(JSON.parse(row.policy)),
      secret: row.secret,
      createdAt: new Date(Number(row.createdMs)).toISOString(),
      updatedAt: new Date(Number(row.updatedMs)).toISOString(),
    }));
  }

  async function writePolicy(stored: StoredPolicy, deleted: boolean, nowMs: number) {
    await client.insert({
      table: SCALING_POLICIES_TABLE,
      values: [
        {
          service: stored.service,
          policy: JSON.stringify(stored.policy),
          secret: stored.secret,
          deleted,
          createdAt: Date.parse(stored.createdAt),
          updatedAt: nowMs,
          version: nextVersion(nowMs),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async function readState<T>(kind: string, services: string[] | null): Promise<Map<string, T>> {
    const result = await client.query({
      query: `SELECT service, value FROM ${SCALING_STATE_TABLE} FINAL
WHERE kind = {kind:String} AND (length({services:Array(String)}) = 0 OR service IN {services:Array(String)})`,
      query_params: { kind, services: services ?? [] },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ service: string; value: string }>();
    return new Map(rows.map((row) => [row.service, JSON.parse(row.value) as T]));
  }

  async function writeState(kind: string, entries: Array<[string, unknown]>, nowMs: number) {
    if (entries.length === 0) return;
    await client.insert({
      table: SCALING_STATE_TABLE,
      values: entries.map(([service, value]) => ({
        service,
        kind,
        value: JSON.stringify(value),
        updatedAt: nowMs,
        version: nextVersion(nowMs),
      })),
      format: 'JSONEachRow',
    });
  }

  return {
    /** Every policy, or those of the services in one detector shard (as the detector splits them). */
    policies: (shard?: { index: number; count: number }) => readPolicies(null, shard),
    async policy(service: string): Promise<StoredPolicy | undefined> {
      return (await readPolicies(service))[0];
    },
    /** Creates or replaces a policy; a new one gets a secret (returned as `created`). */
    async putPolicy(
      service: string,
      policy: ScalingPolicy,
      nowMs: number,
    ): Promise<{ stored: StoredPolicy; created: boolean }> {
      const existing = (await readPolicies(service))[0];
      const stored: StoredPolicy = {
        service,
        policy,
        secret: existing?.secret ?? generateSecret(),
        createdAt: existing?.createdAt ?? new Date(nowMs).toISOString(),
        updatedAt: new Date(nowMs).toISOString(),
      };
      await writePolicy(stored, false, nowMs);
      return { stored, created: existing === undefined };
    },
    async deletePolicy(service: string, nowMs: number): Promise<boolean> {
      const existing = (await readPolicies(service))[0];
      if (!existing) return false;
      await writePolicy(existing, true, nowMs);
      return true;
    },
    scalerStates: (services: string[]) =>
      readState<{ policyUpdatedAt: string; lastStepMs: number; scaler: ScalerState }>(
        STATE,
        services,
      ),
    writeScalerStates: (
      entries: Array<
        [string, { policyUpdatedAt: string; lastStepMs: number; scaler: ScalerState }]
      >,
      nowMs: number,
    ) => writeState(STATE, entries, nowMs),
    latest: async (service: string) =>
      (await readState<LatestDecision>(LATEST, [service])).get(service),
    latestOf: (services: string[]) => readState<LatestDecision>(LATEST, services),
    writeLatest: (decisions: LatestDecision[], nowMs: number) =>
      writeState(
        LATEST,
        decisions.map((decision) => [decision.service, decision]),
        nowMs,
      ),
    reported: (services: string[]) => readState<ReportedReplicas>(REPORTED, services),
    report: (service: string, reported: ReportedReplicas, nowMs: number) =>
      writeState(REPORTED, [[service, reported]], nowMs),
    async record(records: DecisionRecord[]): Promise<void> {
      if (records.length === 0) return;
      await client.insert({
        table: SCALING_DECISIONS_TABLE,
        values: records.map((record) => ({ ...record, time: Date.parse(record.time) })),
        format: 'JSONEachRow',
      });
    },
    async history(service: string, limit: number): Promise<DecisionRecord[]> {
      const result = await client.query({
        query: `SELECT service, toUnixTimestamp64Milli(time) AS timeMs, current, reactive,
  predictive, final, previous, reasons, source, dryRun, outcome, detail
FROM ${SCALING_DECISIONS_TABLE} WHERE service = {service:String}
ORDER BY time DESC LIMIT {limit:UInt32}`,
        query_params: { service, limit },
        format: 'JSONEachRow',
      });
      const rows = await result.json<Omit<DecisionRecord, 'time'> & { timeMs: string }>();
      return rows.map(({ timeMs, ...row }) => ({
        ...row,
        time: new Date(Number(timeMs)).toISOString(),
        current: Number(row.current),
        reactive: Number(row.reactive),
        predictive: row.predictive === null ? null : Number(row.predictive),
        final: Number(row.final),
        previous: Number(row.previous),
      }));
    },
  };
}

export type ScalingStore = ReturnType<typeof createScalingStore>;
