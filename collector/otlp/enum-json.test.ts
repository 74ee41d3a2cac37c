import { describe, expect, it } from 'vitest';
import { decodeLogsJson } from './logs-json.ts';
import { decodeMetricsJson } from './metrics-json.ts';
import { SPAN_ID, TRACE_ID } from './span-fixtures.ts';
import { decodeTracesJson } from './traces-json.ts';

/** The same request with enum fields written as numbers and as the Collector's names. */
function spans(kind: number | string, code: number | string): string {
  return JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 'GET /', kind, status: { code } }],
          },
        ],
      },
    ],
  });
}

function logs(severityNumber: number | string, flags: number | string): string {
  return JSON.stringify({
    resourceLogs: [
      { scopeLogs: [{ logRecords: [{ severityNumber, flags, body: { stringValue: 'x' } }] }] },
    ],
  });
}

function metrics(temporality: number | string, flags: number | string): string {
  const point = { asDouble: 1, timeUnixNano: '1700000000000000000', flags };
  const histogramPoint = { count: 1, bucketCounts: [1, 0], explicitBounds: [5], flags };
  return JSON.stringify({
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 's',
                sum: {
                  aggregationTemporality: temporality,
                  isMonotonic: true,
                  dataPoints: [point],
                },
              },
              {
                name: 'h',
                histogram: { aggregationTemporality: temporality, dataPoints: [histogramPoint] },
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('OTLP/JSON enum names', () => {
  it('reads span kinds and status codes by name as by number', () => {
    const named = decodeTracesJson(spans('SPAN_KIND_SERVER', 'STATUS_CODE_ERROR'));
    expect(named).toEqual(decodeTracesJson(spans(2, 2)));
    expect(named.ok && named.rows[0]).toMatchObject({ SpanKind: 'Server', StatusCode: 'Error' });
    const consumer = decodeTracesJson(spans('SPAN_KIND_CONSUMER', 'STATUS_CODE_OK'));
    expect(consumer.ok && consumer.rows[0]).toMatchObject({
      SpanKind: 'Consumer',
      StatusCode: 'Ok',
    });
  });

  it('reads severity numbers and log record flags by name as by number', () => {
    const named = decodeLogsJson(
      logs('SEVERITY_NUMBER_ERROR', 'LOG_RECORD_FLAGS_TRACE_FLAGS_MASK'),
    );
    expect(named).toEqual(decodeLogsJson(logs(17, 255)));
    const warn3 = decodeLogsJson(logs('SEVERITY_NUMBER_WARN3', 0));
    expect(warn3.ok && warn3.rows[0]).toMatchObject({ SeverityNumber: 15 });
    const fatal4 = decodeLogsJson(logs('SEVERITY_NUMBER_FATAL4', 0));
    expect(fatal4.ok && fatal4.rows[0]).toMatchObject({ SeverityNumber: 24 });
  });

  it('reads aggregation temporalities and data point flags by name as by number', () => {
    const named = decodeMetricsJson(
      metrics('AGGREGATION_TEMPORALITY_CUMULATIVE', 'DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK'),
    );
    expect(named).toEqual(decodeMetricsJson(metrics(2, 1)));
    if (!named.ok) throw new Error(named.reason);
    expect(named.rows.sum[0]).toMatchObject({ AggregationTemporality: 2, Flags: 1 });
    expect(named.rows.histogram[0]).toMatchObject({ AggregationTemporality: 2, Flags: 1 });
  });

  it('refuses an unknown name with the field path and the names it may take', () => {
    const result = decodeTracesJson(spans('SERVER', 0));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(
      'resourceSpans[0].scopeSpans[0].spans[0].kind: unknown name "SERVER"; expected a number or SPAN_KIND_UNSPECIFIED',
    );
    const inherited = decodeLogsJson(logs('toString', 0));
    expect(!inherited.ok && inherited.reason).toContain('severityNumber: unknown name "toString"');
  });
});
