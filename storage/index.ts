export type { StorageOptions } from './client.ts';
export { isRowLevelInsertError } from './insert-errors.ts';
export type { OpenStorageOptions, Storage } from './open.ts';
export { METRIC_TABLES, migrations, type Migration } from './schema.ts';
export { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';
export type {
  AttributeMap,
  ExemplarColumns,
  ExpHistogramRow,
  GaugeRow,
  HistogramRow,
  LogRow,
  MetricRowBase,
  SpanRow,
  SumRow,
  SummaryRow,
} from './rows.ts';
export { ENTRY_SPAN_SQL, ENVIRONMENT_SQL, ERROR_SPAN_SQL } from './semconv.ts';
export { ALERTS_TABLE } from './alerts-table.ts';
export { RED_TABLE } from './rollups.ts';
export { alignDown, isRollupStep, ROLLUP_GRAIN_MS } from './grain.ts';
export { SCORES_TABLE } from './scores-table.ts';
export { DETECTOR_STATE_TABLE } from './detector-state-table.ts';
export { WEBHOOKS_TABLE } from './webhooks-table.ts';
export { WEBHOOK_OUTBOX_TABLE } from './webhook-outbox-table.ts';
export { nextVersion } from './versions.ts';
export { updateRow } from './row-updates.ts';
export {
  REMEDIATION_RULES_TABLE,
  REMEDIATION_RUNS_TABLE,
  REMEDIATION_SETTINGS_TABLE,
} from './remediation-tables.ts';
export {
  SCALING_DECISIONS_TABLE,
  SCALING_POLICIES_TABLE,
  SCALING_STATE_TABLE,
} from './scaling-tables.ts';
export {
  LOG_PATTERN_COUNTS_TABLE,
  LOG_PATTERNS_TABLE,
  type LogPatternRow,
} from './log-pattern-tables.ts';
export {
  SEVERITY_LEVEL_SQL,
  SEVERITY_LEVELS,
  SEVERITY_NUMBER_SQL,
  severityLevelSql,
  type SeverityLevel,
} from './log-severity.ts';
export { SERVICE_EDGES_TABLE, serviceEdgesSelect } from './service-map-tables.ts';
export {
  LATENCY_BUCKET_BOUNDS_NS,
  SERVICE_EDGES_10M_TABLE,
  SERVICE_EDGES_GRAINS,
  SERVICE_EDGES_HOURLY_TABLE,
  trimmedBucketsSql,
} from './service-map-grains.ts';
