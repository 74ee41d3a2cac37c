import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { aggregationsOf, type ChartPoint } from '../signals/index.ts';
import {
  ChartTooLargeError,
  findMetric,
  listMetrics,
  readMetricChart,
} from '../signals/live/index.ts';
import { badRequest, notFound } from './errors.ts';
import { MetricListQuery, MetricSeriesQuery, type MetricSeries } from './metric-schema.ts';
import { partialFrom, stepGrid } from './steps.ts';
import { parseTimeRange } from './time-range.ts';
import { parseWith } from './validation.ts';

/** `GET /v1/metrics` (what was sent) and `GET /v1/metrics/:name/series` (one metric charted). */
export function registerMetricRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  app.get('/v1/metrics', async (c) => {
    const query = parseWith(MetricListQuery, c.req.query(), 'query');
    const range = parseTimeRange(query, options.now(), '1h');
    const metrics = await listMetrics(options.client, { service: query.service, ...range });
    return c.json({
      metrics: metrics.map((metric) => ({ ...metric, aggregations: aggregationsOf(metric) })),
    });
  });

  app.get('/v1/metrics/:name/series', async (c) => {
    const name = c.req.param('name');
    const query = parseWith(MetricSeriesQuery, c.req.query(), 'query');
    const nowMs = options.now();
    const range = parseTimeRange(query, nowMs, '1h');
    // Metrics are exported every 10-60 s: a finer default step would draw gaps.
    const grid = stepGrid(range, query.step, { defaultMinSeconds: 60 });
    const metric = await findMetric(options.client, {
      name,
      service: query.service,
      fromMs: grid.firstMs - grid.stepSeconds * 1000,
      toMs: grid.endMs,
    });
    if (!metric) {
      throw notFound(
        `no metric ${name}${query.service ? ` from ${query.service}` : ''} in that time range`,
      );
    }
    const allowed = aggregationsOf(metric);
    const agg = query.agg ?? allowed[0]!;
    if (!allowed.includes(agg)) {
      throw badRequest(
        `agg=${agg} does not apply to ${name} (a ${metric.monotonic ? 'monotonic ' : ''}${metric.type}); use one of ${allowed.join(', ')}`,
      );
    }
    let chart;
    try {
      chart = await readMetricChart(options.client, metric, {
        name,
        service: query.service,
        agg,
        by: query.by,
        maxGroups: query.limit,
        ...grid,
      });
    } catch (error) {
      if (error instanceof ChartTooLargeError) throw badRequest(error.message);
      throw error;
    }
    const open = partialFrom(grid, nowMs);
    const mark = (points: ChartPoint[]) =>
      points.map((point) =>
        open !== null && point.t >= open ? { ...point, partial: true } : point,
      );
    return c.json({
      name,
      type: metric.type,
      unit: metric.unit,
      agg,
      stepSeconds: grid.stepSeconds,
      partialFrom: open,
      points: mark(chart.points),
      ...(chart.groups
        ? { groups: chart.groups.map((group) => ({ key: group.key, points: mark(group.points) })) }
        : {}),
    } satisfies MetricSeries);
  });
}
