import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import type { Alert, AlertStore } from '../../alerts/index.ts';
import type { IncidentPolicy, IncidentState } from './incidents.ts';
import type { SeriesModel, SeriesModels } from './models.ts';

/**
 * What the live evaluator works with: its own (evaluator.ts) and the parts it calls
 * (scoring.ts, alert-actions.ts) read these, so they sit apart from all three.
 */

export interface EvaluatorOptions {
  client: ClickHouseClient;
  alerts: AlertStore;
  models: SeriesModels;
  /** The detector step, ms (a whole number of rollup grains). */
  stepMs: number;
  /** History a new series learns from, ms (default 7 days). */
  lookbackMs: number;
  /** This process evaluates the services whose hash falls in its shard. */
  shard: { index: number; count: number };
  /**
   * How far one service's spans may trail the other services' before its silence is
   * believed, ms. A step is complete once data past its end has arrived (see watermarks.ts).
   */
  settleMs: number;
  /** A step is complete this long after its end whatever has arrived, ms (default 5 min). */
  maxWaitMs?: number;
  /** Metric names watched per service (their signals are `metric:<name>`). */
  watchedMetrics?: readonly string[];
  /**
   * Models kept in memory between cycles by a long-running detector. Without it every
   * cycle loads and stores every model; with it, models are read once and written only
   * when `checkpoint` is true (incident states are written every cycle regardless).
   */
  cache?: ModelCache;
  /** Write model states this cycle (default true). */
  checkpoint?: boolean;
  policy?: IncidentPolicy;
  logger: Logger;
  now: () => number;
  /** Told of every alert opened, updated or resolved, e.g. to notify subscribers. */
  onAlert?: (
    type: 'anomaly.opened' | 'anomaly.updated' | 'anomaly.resolved',
    alert: Alert,
  ) => Promise<void>;
}

/** Models and incident states of the series this process evaluates, by series key. */
export interface ModelCache {
  series: Map<
    string,
    { model: SeriesModel; lastStepMs: number; service: string; signal: string; operation: string }
  >;
  incidents: Map<string, IncidentState>;
}
