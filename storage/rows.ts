/**
 * Row shapes of the exporter-compatible tables, as inserted with JSONEachRow.
 *
 * Times are decimal strings of nanoseconds since the Unix epoch: ClickHouse parses
 * them into DateTime64(9) exactly, where a JS number would lose the last digits.
 * Attribute maps hold strings; non-string OTLP values are rendered as the
 * Collector's exporter renders them (ints and doubles in decimal, bools as
 * `true`/`false`, arrays and maps as JSON, bytes as base64).
 */
export type AttributeMap = Record<string, string>;

/** One row of `otel_traces`. */
export interface SpanRow {
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  /** `Unspecified` | `Internal` | `Server` | `Client` | `Producer` | `Consumer` */
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: AttributeMap;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: AttributeMap;
  /** Nanoseconds. */
  Duration: number;
  /** `Unset` | `Ok` | `Error` */
  StatusCode: string;
  StatusMessage: string;
  'Events.Timestamp': string[];
  'Events.Name': string[];
  'Events.Attributes': AttributeMap[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.TraceState': string[];
  'Links.Attributes': AttributeMap[];
}

/** One row of `otel_logs`. */
export interface LogRow {
  /** `time_unix_nano`, or the observed time when that is 0. */
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  /** The low 8 bits of the record's flags (W3C trace flags). */
  TraceFlags: number;
  SeverityText: string;
  SeverityNumber: number;
  ServiceName: string;
  Body: string;
  ResourceSchemaUrl: string;
  ResourceAttributes: AttributeMap;
  ScopeSchemaUrl: string;
  ScopeName: string;
  ScopeVersion: string;
  ScopeAttributes: AttributeMap;
  LogAttributes: AttributeMap;
  EventName: string;
  /** The log pattern the collector's miner assigned to `Body` (an opsless column). */
  PatternId?: string;
}

/** Columns every `otel_metrics_*` table shares. */
export interface MetricRowBase {
  ResourceAttributes: AttributeMap;
  ResourceSchemaUrl: string;
  ScopeName: string;
  ScopeVersion: string;
  ScopeAttributes: AttributeMap;
  ScopeDroppedAttrCount: number;
  ScopeSchemaUrl: string;
  ServiceName: string;
  MetricName: string;
  MetricDescription: string;
  MetricUnit: string;
  Attributes: AttributeMap;
  StartTimeUnix: string;
  TimeUnix: string;
  Flags: number;
}

/** The `Exemplars` Nested columns of the gauge, sum and histogram tables. */
export interface ExemplarColumns {
  'Exemplars.FilteredAttributes': AttributeMap[];
  'Exemplars.TimeUnix': string[];
  'Exemplars.Value': number[];
  'Exemplars.SpanId': string[];
  'Exemplars.TraceId': string[];
}

/** One row of `otel_metrics_gauge`. */
export interface GaugeRow extends MetricRowBase, ExemplarColumns {
  Value: number;
}

/** One row of `otel_metrics_sum`. */
export interface SumRow extends MetricRowBase, ExemplarColumns {
  Value: number;
  /** 0 unspecified, 1 delta, 2 cumulative. */
  AggregationTemporality: number;
  IsMonotonic: boolean;
}

/**
 * One row of `otel_metrics_histogram`. UInt64 counts are numbers: exact below
 * 2^53, far beyond any real count. `Sum`, `Min` and `Max` are 0 when not sent.
 */
export interface HistogramRow extends MetricRowBase, ExemplarColumns {
  Count: number;
  Sum: number;
  BucketCounts: number[];
  ExplicitBounds: number[];
  Min: number;
  Max: number;
  AggregationTemporality: number;
}

/** One row of `otel_metrics_exponential_histogram`. */
export interface ExpHistogramRow extends MetricRowBase, ExemplarColumns {
  Count: number;
  Sum: number;
  Scale: number;
  ZeroCount: number;
  PositiveOffset: number;
  PositiveBucketCounts: number[];
  NegativeOffset: number;
  NegativeBucketCounts: number[];
  Min: number;
  Max: number;
  AggregationTemporality: number;
}

/** One row of `otel_metrics_summary`. */
export interface SummaryRow extends MetricRowBase {
  Count: number;
  Sum: number;
  'ValueAtQuantiles.Quantile': number[];
  'ValueAtQuantiles.Value': number[];
}
