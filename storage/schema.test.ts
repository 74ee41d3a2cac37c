import { describe, expect, it } from 'vitest';
import { migrations } from './schema.ts';

const statements = (cluster?: string, retentionDays = 7) =>
  migrations({ cluster, retentionDays }).flatMap((migration) => migration.statements);

describe('schema rendering', () => {
  it('renders plain MergeTree engines and no ON CLUSTER on a single node', () => {
    const sql = statements().join('\n');
    expect(sql).not.toContain('ON CLUSTER');
    expect(sql).not.toContain('Replicated');
    expect(sql).toContain('ENGINE = MergeTree()');
    expect(sql).toContain('ENGINE = AggregatingMergeTree()');
    expect(sql).toContain('ENGINE = ReplacingMergeTree(version)');
    expect(sql).toContain('ENGINE = ReplacingMergeTree(UpdatedAt)');
  });

  it('renders ON CLUSTER and Replicated engines with macro paths in cluster mode', () => {
    const all = statements('prod');
    for (const statement of all.filter((sql) => sql.startsWith('CREATE')))
      expect(statement).toMatch(/^CREATE \S+( VIEW)? IF NOT EXISTS \S+ ON CLUSTER `prod`/);
    for (const statement of all.filter((sql) => sql.startsWith('ALTER')))
      expect(statement).toMatch(/^ALTER TABLE \S+ ON CLUSTER `prod`/);
    const sql = all.join('\n');
    expect(sql).toContain(
      "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')",
    );
    expect(sql).toContain('ENGINE = ReplicatedAggregatingMergeTree(');
    // Replacing tables keep their version column after the replication arguments.
    expect(sql).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)",
    );
    expect(sql).toContain("'{replica}', UpdatedAt)");
    expect(sql).not.toMatch(/ENGINE = (MergeTree|AggregatingMergeTree|ReplacingMergeTree)\(/);
  });

  it('puts the retention TTL on the data tables and leaves it out when retention is 0', () => {
    expect(statements(undefined, 14).join('\n')).toContain(
      'TTL toDateTime(Timestamp) + toIntervalDay(14)',
    );
    expect(statements(undefined, 0).join('\n')).not.toContain('TTL');
  });

  it('refuses a cluster name that is not a plain identifier', () => {
    expect(() => statements('x`; DROP TABLE otel_traces; --')).toThrow(/invalid identifier/);
  });

  it('keeps migration versions unique and increasing', () => {
    const versions = migrations({ retentionDays: 1 }).map((migration) => migration.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });
});
