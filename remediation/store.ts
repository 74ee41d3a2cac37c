import type { ClickHouseClient } from '@clickhouse/client';
import { generateSecret } from '../hooks/index.ts';
import {
  nextVersion,
  REMEDIATION_RULES_TABLE,
  REMEDIATION_RUNS_TABLE,
  REMEDIATION_SETTINGS_TABLE,
  updateRow,
} from '../storage/index.ts';
import {
  ACTION_STATUSES,
  RemediationRule,
  type RemediationRun,
  type RuleView,
  type RunStatus,
  type StepResult,
} from './schema.ts';

/** A rule with what only the loop sees: the secret that signs its webhook steps. */
export interface StoredRule {
  rule: RemediationRule;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export interface RunFilter {
  service?: string | undefined;
  alertId?: string | undefined;
  status?: RunStatus | undefined;
  limit?: number;
}

export type RunDecisionResult =
  | { ok: true; run: RemediationRun }
  | { ok: false; reason: 'not_found' | 'conflict'; message: string };

/** The API part of the kill switch (the environment's part is configuration). */
export interface KillSwitchSetting {
  engaged: boolean;
  by: string | null;
  updatedAt: string | null;
}

export interface RemediationStore {
  /** Creates (with a new secret, returned once) or replaces (keeping the secret) a rule. */
  putRule(
    rule: RemediationRule,
    nowMs: number,
  ): Promise<{ created: boolean; rule: RuleView; secret?: string }>;
  getRule(id: string): Promise<StoredRule | undefined>;
  listRules(): Promise<StoredRule[]>;
  removeRule(id: string, nowMs: number): Promise<boolean>;
  /** A new secret for a rule; the old one stops signing at once. */
  rotateSecret(id: string, nowMs: number): Promise<{ rule: RuleView; secret: string } | undefined>;
  /** Writes a run as its newest version. */
  saveRun(run: RemediationRun): Promise<void>;
  getRun(id: string): Promise<RemediationRun | undefined>;
  /** The audit log, newest first. */
  listRuns(filter: RunFilter): Promise<RemediationRun[]>;
  /** Every run about these alerts, whatever its status. */
  runsOfAlerts(alertIds: readonly string[]): Promise<RemediationRun[]>;
  /** Runs waiting for approval, running or being verified. */
  activeRuns(): Promise<RemediationRun[]>;
  /** Runs that acted (or were let through to act) at or after `sinceMs`. */
  actionsSince(sinceMs: number): Promise<RemediationRun[]>;
  /** pending_approval → running (queued for the loop) with who approved it. */
  approve(id: string, by: string): Promise<RunDecisionResult>;
  /** pending_approval → rejected. */
  reject(id: string, by: string, nowMs: number): Promise<RunDecisionResult>;
  killSwitch(): Promise<KillSwitchSetting>;
  setKillSwitch(engaged: boolean, by: string, nowMs: number): Promise<KillSwitchSetting>;
}

/** The public view of a stored rule. */
export function ruleView(stored: StoredRule): RuleView {
  return { ...stored.rule, createdAt: stored.createdAt, updatedAt: stored.updatedAt };
}

const iso = (ms: string | number | null): string | null =>
  ms === null ? null : new Date(Number(ms)).toISOString();
const msOf = (text: string | null): number | null => (text === null ? null : Date.parse(text));

interface RuleRow {
  id: string;
  definition: string;
  secret: string;
  createdAtMs: string | number;
  updatedAtMs: string | number;
}

const RULE_SELECT = `id, definition, secret, toUnixTimestamp64Milli(createdAt) AS createdAtMs,
  toUnixTimestamp64Milli(updatedAt) AS updatedAtMs`;

function ruleFromRow(row: RuleRow): StoredRule {
  return {
    rule: RemediationRule.parse(JSON.parse(row.definition)),
    secret: row.secret,
    createdAt: iso(row.createdAtMs)!,
    updatedAt: iso(row.updatedAtMs)!,
  };
}

type RunTime = 'createdAt' | 'startedAt' | 'verifyUntil' | 'finishedAt';
type RunRow = Omit<RemediationRun, RunTime | 'steps' | 'reason'> &
  Record<`${RunTime}Ms`, string | number | null> & { steps: string; reason: string };

// Times come back as epoch milliseconds under other names, so that no alias shadows its
// column in WHERE and ORDER BY.
const RUN_SELECT = `id, ruleId, alertId, service, signal, mode, status, reason, steps,
  toUnixTimestamp64Milli(createdAt) AS createdAtMs, toUnixTimestamp64Milli(startedAt) AS startedAtMs,
  toUnixTimestamp64Milli(verifyUntil) AS verifyUntilMs,
  toUnixTimestamp64Milli(finishedAt) AS finishedAtMs, approvedBy`;

function runFromRow(row: RunRow): RemediationRun {
  const { createdAtMs, startedAtMs, verifyUntilMs, finishedAtMs, ...rest } = row;
  return {
    ...rest,
    reason: row.reason === '' ? null : row.reason,
    steps: JSON.parse(row.steps) as StepResult[],
    createdAt: iso(createdAtMs)!,
    startedAt: iso(startedAtMs),
    verifyUntil: iso(verifyUntilMs),
    finishedAt: iso(finishedAtMs),
  };
}

const KILL_SWITCH_KEY = 'kill_switch';

/** Remediation rules, runs and settings in ClickHouse. */
export function createRemediationStore(client: ClickHouseClient): RemediationStore {
  async function writeRule(stored: StoredRule, deleted: boolean): Promise<void> {
    await client.insert({
      table: REMEDIATION_RULES_TABLE,
      values: [
        {
          id: stored.rule.id,
          definition: JSON.stringify(stored.rule),
          secret: stored.secret,
          deleted,
          createdAt: Date.parse(stored.createdAt),
          updatedAt: Date.parse(stored.updatedAt),
          version: nextVersion(),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async function getRule(id: string): Promise<StoredRule | undefined> {
    const result = await client.query({
      query: `SELECT ${RULE_SELECT} FROM ${REMEDIATION_RULES_TABLE} FINAL
WHERE id = {id:String} AND NOT deleted`,
      query_params: { id },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<RuleRow>();
    return row ? ruleFromRow(row) : undefined;
  }

  async function queryRuns(where: string, params: Record<string, unknown>, tail = '') {
    const result = await client.query({
      query: `SELECT ${RUN_SELECT} FROM ${REMEDIATION_RUNS_TABLE} FINAL WHERE ${where}${tail}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await result.json<RunRow>()).map(runFromRow);
  }

  async function saveRun(run: RemediationRun): Promise<void> {
    await client.insert({
      table: REMEDIATION_RUNS_TABLE,
      values: [
        {
          ...run,
          reason: run.reason ?? '',
          steps: JSON.stringify(run.steps),
          createdAt: msOf(run.createdAt),
          startedAt: msOf(run.startedAt),
          verifyUntil: msOf(run.verifyUntil),
          finishedAt: msOf(run.finishedAt),
          version: nextVersion(),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async function getRun(id: string): Promise<RemediationRun | undefined> {
    const [run] = await queryRuns('id = {id:String}', { id });
    return run;
  }

  async function killSwitch(): Promise<KillSwitchSetting> {
    const result = await client.query({
      query: `SELECT value, updatedBy, toUnixTimestamp64Milli(updatedAt) AS updatedAtMs
FROM ${REMEDIATION_SETTINGS_TABLE} FINAL WHERE key = {key:String}`,
      query_params: { key: KILL_SWITCH_KEY },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ value: string; updatedBy: string; updatedAtMs: string }>();
    return row
      ? { engaged: row.value === 'true', by: row.updatedBy, updatedAt: iso(row.updatedAtMs) }
      : { engaged: false, by: null, updatedAt: null };
  }

  /** Runs a decision on a run waiting for approval; anything else is a conflict. */
  async function decideRun(
    id: string,
    change: (run: RemediationRun) => RemediationRun,
  ): Promise<RunDecisionResult> {
    const run = await getRun(id);
    if (!run) return { ok: false, reason: 'not_found', message: `no remediation with id ${id}` };
    if (run.status !== 'pending_approval') {
      return {
        ok: false,
        reason: 'conflict',
        message: `remediation ${id} is ${run.status}, not pending_approval`,
      };
    }
    const next = change(run);
    await saveRun(next);
    return { ok: true, run: next };
  }

  /** Runs a read-modify-write of rule `id` after the others of it (see updateRow). */
  const updatingRule = <T>(id: string, update: () => Promise<T>): Promise<T> =>
    updateRow(client, `${REMEDIATION_RULES_TABLE}/${id}`, update);

  return {
    putRule(rule, nowMs) {
      return updatingRule(rule.id, async () => {
        const existing = await getRule(rule.id);
        const now = new Date(nowMs).toISOString();
        const stored: StoredRule = {
          rule,
          secret: existing?.secret ?? generateSecret(),
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        };
        await writeRule(stored, false);
        return existing
          ? { created: false, rule: ruleView(stored) }
          : { created: true, rule: ruleView(stored), secret: stored.secret };
      });
    },
    getRule,
    async listRules() {
      const result = await client.query({
        query: `SELECT ${RULE_SELECT} FROM ${REMEDIATION_RULES_TABLE} FINAL WHERE NOT deleted ORDER BY id`,
        format: 'JSONEachRow',
      });
      return (await result.json<RuleRow>()).map(ruleFromRow);
    },
    removeRule(id, nowMs) {
      return updatingRule(id, async () => {
        const existing = await getRule(id);
        if (!existing) return false;
        await writeRule({ ...existing, updatedAt: new Date(nowMs).toISOString() }, true);
        return true;
      });
    },
    rotateSecret(id, nowMs) {
      return updatingRule(id, async () => {
        const existing = await getRule(id);
        if (!existing) return undefined;
        const stored = {
          ...existing,
          secret: generateSecret(),
          updatedAt: new Date(nowMs).toISOString(),
        };
        await writeRule(stored, false);
        return { rule: ruleView(stored), secret: stored.secret };
      });
    },
    saveRun,
    getRun,
    listRuns(filter) {
      return queryRuns(
        `({service:String} = '' OR service = {service:String})
  AND ({alertId:String} = '' OR alertId = {alertId:String})
  AND ({status:String} = '' OR status = {status:String})`,
        {
          service: filter.service ?? '',
          alertId: filter.alertId ?? '',
          status: filter.status ?? '',
          limit: filter.limit ?? 100,
        },
        '\nORDER BY createdAt DESC, id LIMIT {limit:UInt32}',
      );
    },
    runsOfAlerts(alertIds) {
      if (alertIds.length === 0) return Promise.resolve([]);
      return queryRuns('alertId IN {ids:Array(String)}', { ids: alertIds });
    },
    activeRuns() {
      return queryRuns(
        "status IN ('pending_approval', 'running', 'verifying')",
        {},
        '\nORDER BY createdAt, id',
      );
    },
    actionsSince(sinceMs) {
      return queryRuns(
        `status IN {statuses:Array(String)}
  AND coalesce(startedAt, createdAt) >= fromUnixTimestamp64Milli({since:Int64})`,
        { statuses: ACTION_STATUSES, since: sinceMs },
      );
    },
    approve(id, by) {
      // Queued: the loop starts the steps at its next pass (startedAt stays null until then).
      return decideRun(id, (run) => ({ ...run, status: 'running', reason: null, approvedBy: by }));
    },
    reject(id, by, nowMs) {
      return decideRun(id, (run) => ({
        ...run,
        status: 'rejected',
        reason: `rejected by ${by}`,
        finishedAt: new Date(nowMs).toISOString(),
      }));
    },
    killSwitch,
    async setKillSwitch(engaged, by, nowMs) {
      await client.insert({
        table: REMEDIATION_SETTINGS_TABLE,
        values: [
          {
            key: KILL_SWITCH_KEY,
            value: String(engaged),
            updatedBy: by,
            updatedAt: nowMs,
            version: nextVersion(),
          },
        ],
        format: 'JSONEachRow',
      });
      return { engaged, by, updatedAt: new Date(nowMs).toISOString() };
    },
  };
}
