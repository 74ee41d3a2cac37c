import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../alerts/live/index.ts';
import { sampleAlert } from './support/alerts.ts';
import { ENTRY_SPAN_SQL, ERROR_SPAN_SQL, SCORES_TABLE, type Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';

const DIR = join(import.meta.dirname, '..', 'dashboards', 'grafana');
const NOW = Date.now();

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  format: number;
  rawSql: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query: string }> };
  panels: Panel[];
}

const dashboards = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Dashboard,
  }));

/** A query as Grafana's ClickHouse data source sends it: macros and variables expanded. */
function expand(sql: string): string {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return sql
    .replace(
      /\$__timeFilter\((\w+)\)/g,
      (_, column: string) =>
        `${column} >= toDateTime(${seconds(NOW - 6 * 3_600_000)}) AND ${column} <= toDateTime(${seconds(NOW)})`,
    )
    .replace(
      /\$__timeInterval\((\w+)\)/g,
      (_, column: string) => `toStartOfInterval(toDateTime(${column}), INTERVAL 60 second)`,
    )
    .replace(/\$__interval_s/g, '60')
    .replace(/\$\{service\}/g, 'checkout')
    .replace(/\$\{signal\}/g, 'latency_p99');
}

describe('Grafana dashboards (dashboards/grafana/*.json)', () => {
  let storage: Storage;

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const at = (msAgo: number) => `${BigInt(NOW - msAgo) * 1_000_000n}`;
    await storage.client.insert({
      table: 'otel_traces',
      values: [
        {
          Timestamp: at(60_000),
          ServiceName: 'checkout',
          SpanName: 'POST /pay',
          SpanKind: 'Server',
          StatusCode: 'Error',
          StatusMessage: 'declined',
          Duration: 30e6,
          TraceId: 'a'.repeat(32),
        },
        {
          Timestamp: at(50_000),
          ServiceName: 'checkout',
          SpanName: 'GET /cart',
          SpanKind: 'Server',
          StatusCode: 'Unset',
          Duration: 10e6,
          TraceId: 'b'.repeat(32),
        },
      ],
      format: 'JSONEachRow',
    });
    await storage.client.insert({
      table: SCORES_TABLE,
      values: [
        {
          Service: 'checkout',
          Signal: 'latency_p99',
          Operation: '',
          Time: Math.floor((NOW - 60_000) / 1000),
          Observed: 30,
          Expected: 12,
          Lower: 8,
          Upper: 16,
          Score: 0.9,
          Model: 'test',
        },
      ],
      format: 'JSONEachRow',
    });
    await createAlertStore(storage.client).save(
      sampleAlert({
        observed: 30,
        expected: 12,
        openedAt: new Date(NOW - 60_000).toISOString(),
        updatedAt: new Date(NOW - 60_000).toISOString(),
      }),
    );
  });
  afterAll(async () => {
    await storage.close();
  });

  it('are well-formed dashboards on a ClickHouse data source variable, with unique ids and a tidy grid', () => {
    expect(dashboards.map(({ file }) => file).sort()).toEqual([
      'anomalies.json',
      'service-detail.json',
      'service-red-overview.json',
    ]);
    expect(new Set(dashboards.map(({ dashboard }) => dashboard.uid)).size).toBe(dashboards.length);
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.title, file).toMatch(/^opsless · /);
      expect(dashboard.schemaVersion, file).toBeGreaterThanOrEqual(36);
      expect(dashboard.templating.list[0], file).toMatchObject({
        name: 'datasource',
        type: 'datasource',
        query: 'grafana-clickhouse-datasource',
      });
      expect(new Set(dashboard.panels.map((panel) => panel.id)).size, file).toBe(
        dashboard.panels.length,
      );
      const cells = new Set<string>();
      for (const panel of dashboard.panels) {
        const { x, y, w, h } = panel.gridPos;
        expect(x + w, `${file}: ${panel.title}`).toBeLessThanOrEqual(24);
        for (let dx = 0; dx < w; dx++)
          for (let dy = 0; dy < h; dy++) {
            const cell = `${x + dx},${y + dy}`;
            expect(cells.has(cell), `${file}: ${panel.title} overlaps at ${cell}`).toBe(false);
            cells.add(cell);
          }
        expect(panel.targets.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets) {
          expect(target.datasource).toEqual({
            type: 'grafana-clickhouse-datasource',
            uid: '${datasource}',
          });
          // Time series select a `time` column and use the time-series format (0).
          if (panel.type === 'timeseries') {
            expect(target.format, panel.title).toBe(0);
            expect(target.rawSql, panel.title).toMatch(/ AS time\b/);
          }
        }
      }
    }
  });

  it('count errors and pick entry spans exactly as opsless does', () => {
    for (const { dashboard } of dashboards) {
      for (const panel of dashboard.panels) {
        for (const { rawSql } of panel.targets) {
          if (rawSql.includes("StatusCode = 'Error'"))
            expect(rawSql, panel.title).toContain(ERROR_SPAN_SQL);
          if (rawSql.includes('SpanKind IN')) expect(rawSql, panel.title).toContain(ENTRY_SPAN_SQL);
        }
      }
    }
  });

  it('run every panel and variable query on the exporter-compatible and opsless tables, and find the data', async () => {
    for (const { file, dashboard } of dashboards) {
      const queries = [
        ...dashboard.templating.list
          .filter((variable) => variable.type === 'query')
          .map((variable) => ({ title: `variable ${variable.name}`, sql: variable.query })),
        ...dashboard.panels.flatMap((panel) =>
          panel.targets.map((target) => ({ title: panel.title, sql: target.rawSql })),
        ),
      ];
      for (const { title, sql } of queries) {
        const result = await storage.client.query({ query: expand(sql), format: 'JSONEachRow' });
        const rows = await result.json();
        expect(rows.length, `${file}: ${title}`).toBeGreaterThan(0);
      }
    }
  });
});
