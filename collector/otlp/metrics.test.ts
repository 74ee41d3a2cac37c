import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GaugeRow, MetricRowBase } from '../../storage/index.ts';
import { collectMetrics, encodeMetrics, hrTimeNanos } from './metric-fixtures.ts';
import type { MetricRows } from './metric-rows.ts';
import { decodeMetricsJson } from './metrics-json.ts';
import { decodeMetricsProtobuf } from './metrics-protobuf.ts';
import { SPAN_ID, TRACE_ID } from './span-fixtures.ts';
import {
  doubleField,
  fixed64Field,
  hexBytes,
  lengthField,
  message,
  unknownFields,
  varintField,
} from './wire-fixtures.ts';

let collected: ResourceMetrics;
let bodies: { protobuf: Uint8Array; json: Uint8Array };

beforeAll(async () => {
  collected = await collectMetrics();
  bodies = encodeMetrics(collected);
});

function decoded(bytes: Uint8Array): MetricRows {
  const result = decodeMetricsProtobuf(bytes);
  if (!result.ok) throw new Error(result.reason);
  expect(result.rejected).toBe(0);
  return result.rows;
}

const sharedColumns = {
  ResourceAttributes: { 'service.name': 'billing', 'host.name': 'box-1' },
  ResourceSchemaUrl: '',
  ScopeName: 'opsless-metrics-test',
  ScopeVersion: '1.2.3',
  ScopeAttributes: {},
  ScopeDroppedAttrCount: 0,
  ScopeSchemaUrl: '',
  ServiceName: 'billing',
  Flags: 0,
};

const noExemplars = {
  'Exemplars.FilteredAttributes': [],
  'Exemplars.TimeUnix': [],
  'Exemplars.Value': [],
  'Exemplars.SpanId': [],
  'Exemplars.TraceId': [],
};

/** Start and end times of the SDK data point of `metricName`, as decimal nanoseconds. */
function timesOf(metricName: string): Pick<MetricRowBase, 'StartTimeUnix' | 'TimeUnix'> {
  const metric = collected.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === metricName)!;
  const point = metric.dataPoints[0]!;
  return { StartTimeUnix: hrTimeNanos(point.startTime), TimeUnix: hrTimeNanos(point.endTime) };
}

describe('decodeMetricsProtobuf', () => {
  it('decodes SDK gauges and sums with their temporality, monotonicity and int values', () => {
    const rows = decoded(bodies.protobuf);
    expect(rows.gauge).toEqual([
      {
        ...sharedColumns,
        ...noExemplars,
        ...timesOf('room.temperature'),
        MetricName: 'room.temperature',
        MetricDescription: '',
        MetricUnit: 'Cel',
        Attributes: { room: 'lab' },
        Value: 21.5,
      },
    ]);
    expect(rows.sum).toEqual([
      expect.objectContaining({
        ...timesOf('http.requests'),
        MetricName: 'http.requests',
        MetricDescription: 'Requests served',
        MetricUnit: '{request}',
        Attributes: { 'http.route': '/a' },
        Value: 5,
        AggregationTemporality: 2,
        IsMonotonic: true,
      }),
      expect.objectContaining({ Attributes: { 'http.route': '/b' }, Value: 2 }),
      expect.objectContaining({ MetricName: 'queue.depth', Value: -3, IsMonotonic: false }),
    ]);
  });

  it('decodes explicit-bucket and exponential histograms', () => {
    const rows = decoded(bodies.protobuf);
    expect(rows.histogram).toEqual([
      {
        ...sharedColumns,
        ...noExemplars,
        ...timesOf('http.server.request.duration'),
        MetricName: 'http.server.request.duration',
        MetricDescription: '',
        MetricUnit: 's',
        Attributes: {},
        Count: 4,
        Sum: 3.95,
        BucketCounts: [1, 1, 1, 1],
        ExplicitBounds: [0.1, 0.5, 1],
        Min: 0.05,
        Max: 3,
        AggregationTemporality: 2,
      },
    ]);
    const sdkPoint = collected.scopeMetrics[0]!.metrics.find(
      (m) => m.descriptor.name === 'queue.wait',
    )!.dataPoints[0]!.value as {
      scale: number;
      zeroCount: number;
      positive: { offset: number; bucketCounts: number[] };
    };
    expect(rows.expHistogram).toEqual([
      expect.objectContaining({
        MetricName: 'queue.wait',
        Count: 5,
        Sum: 1007,
        Scale: sdkPoint.scale,
        ZeroCount: 1,
        PositiveOffset: sdkPoint.positive.offset,
        PositiveBucketCounts: sdkPoint.positive.bucketCounts,
        NegativeOffset: 0,
        NegativeBucketCounts: [],
        Min: 0,
        Max: 1000,
        AggregationTemporality: 2,
      }),
    ]);
  });

  it('decodes summaries, exemplars, unpacked repeated fields and metric fields sent after the points', () => {
    const exemplar = message(
      fixed64Field(2, 1_700_000_000_123_456_789n),
      doubleField(3, 0.25),
      lengthField(4, hexBytes(SPAN_ID)),
      lengthField(5, hexBytes(TRACE_ID)),
      lengthField(7, message(lengthField(1, 'user'), lengthField(2, lengthField(1, 'ann')))),
      unknownFields(),
    );
    const histogramPoint = message(
      fixed64Field(3, 1_700_000_000_123_456_789n),
      fixed64Field(4, 3n),
      fixed64Field(6, 1n), // bucket_counts unpacked
      fixed64Field(6, 2n),
      doubleField(7, 10), // explicit_bounds unpacked
      lengthField(8, exemplar),
    );
    const summaryPoint = message(
      fixed64Field(4, 10n),
      doubleField(5, 12.5),
      lengthField(6, message(doubleField(1, 0.5), doubleField(2, 1.2))),
      lengthField(6, message(doubleField(1, 0.99), doubleField(2, 4))),
      lengthField(7, message(lengthField(1, 'k'), lengthField(2, lengthField(1, 'v')))),
    );
    const gaugePoint = message(fixed64Field(6, -5n), lengthField(5, exemplar));
    const bytes = message(
      lengthField(
        1,
        message(
          lengthField(
            2,
            message(
              lengthField(
                2,
                message(
                  lengthField(9, message(lengthField(1, histogramPoint), varintField(2, 1))),
                  lengthField(1, 'late.name'),
                ),
              ),
              lengthField(
                2,
                message(
                  lengthField(1, 'rpc.latency'),
                  lengthField(11, message(lengthField(1, summaryPoint))),
                ),
              ),
              lengthField(
                2,
                message(
                  lengthField(1, 'temp'),
                  lengthField(5, message(lengthField(1, gaugePoint))),
                ),
              ),
              lengthField(3, 'https://scope.schema'),
            ),
          ),
          lengthField(3, 'https://resource.schema'),
        ),
      ),
    );
    const rows = decoded(bytes);
    const exemplarColumns = {
      'Exemplars.FilteredAttributes': [{ user: 'ann' }],
      'Exemplars.TimeUnix': ['1700000000123456789'],
      'Exemplars.Value': [0.25],
      'Exemplars.SpanId': [SPAN_ID],
      'Exemplars.TraceId': [TRACE_ID],
    };
    expect(rows.histogram[0]).toMatchObject({
      MetricName: 'late.name',
      ServiceName: 'unknown_service',
      ResourceSchemaUrl: 'https://resource.schema',
      ScopeSchemaUrl: 'https://scope.schema',
      TimeUnix: '1700000000123456789',
      StartTimeUnix: '0000000000000000000',
      Count: 3,
      Sum: 0,
      Min: 0,
      Max: 0,
      BucketCounts: [1, 2],
      ExplicitBounds: [10],
      AggregationTemporality: 1,
      ...exemplarColumns,
    });
    expect(rows.summary[0]).toMatchObject({
      MetricName: 'rpc.latency',
      Count: 10,
      Sum: 12.5,
      Attributes: { k: 'v' },
      'ValueAtQuantiles.Quantile': [0.5, 0.99],
      'ValueAtQuantiles.Value': [1.2, 4],
    });
    expect(rows.gauge[0]).toMatchObject<Partial<GaugeRow>>({
      MetricName: 'temp',
      Value: -5,
      ...exemplarColumns,
    });
  });

  it('rejects data points whose exemplar ids have the wrong length and keeps the others', () => {
    const badExemplar = message(lengthField(5, hexBytes('abcd')));
    const bytes = message(
      lengthField(
        1,
        lengthField(
          2,
          lengthField(
            2,
            message(
              lengthField(1, 'm'),
              lengthField(
                5,
                message(
                  lengthField(1, doubleField(4, 1)),
                  lengthField(1, lengthField(5, badExemplar)),
                ),
              ),
            ),
          ),
        ),
      ),
    );
    const result = decodeMetricsProtobuf(bytes);
    expect(result).toMatchObject({
      ok: true,
      rejected: 1,
      errorMessage:
        '1 data point rejected; first: resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[1]: exemplar trace_id must be 16 bytes or empty, got 2',
    });
    expect(result.ok && result.rows.gauge.map((row) => row.Value)).toEqual([1]);
  });

  it('answers every truncated prefix with a reason instead of throwing', () => {
    for (let length = 1; length < bodies.protobuf.length; length++) {
      const result = decodeMetricsProtobuf(bodies.protobuf.subarray(0, length));
      expect(result.ok, `prefix of ${length} bytes`).toBe(false);
    }
  });

  it('refuses a packed field whose length is not a whole number of values', () => {
    const point = message(lengthField(6, new Uint8Array(5)), fixed64Field(4, 1n));
    const bytes = message(
      lengthField(1, lengthField(2, lengthField(2, lengthField(9, lengthField(1, point))))),
    );
    const result = decodeMetricsProtobuf(bytes);
    expect(!result.ok && result.reason).toMatch(/packed field ending at byte \d+ is overrun/);
  });
});

describe('decodeMetricsJson', () => {
  it('decodes the exporter JSON to the same rows as the exporter protobuf', () => {
    const fromJson = decodeMetricsJson(bodies.json);
    expect(fromJson).toEqual(decodeMetricsProtobuf(bodies.protobuf));
    expect(fromJson.ok && fromJson.rows.sum).toHaveLength(3);
  });

  it('reads summaries, exemplars and int64 values given as strings', () => {
    const body = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'g',
                  gauge: {
                    dataPoints: [
                      {
                        asInt: '-9007199254740993',
                        timeUnixNano: '1700000000123456789',
                        exemplars: [
                          { asDouble: 1.5, traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 's',
                  summary: {
                    dataPoints: [
                      { count: '4', sum: 2, quantileValues: [{ quantile: 0.5, value: '1.5' }] },
                    ],
                  },
                },
                {
                  name: 'h',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [{ count: 2, bucketCounts: ['1', 1], explicitBounds: [5] }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const result = decodeMetricsJson(body);
    if (!result.ok) throw new Error(result.reason);
    expect(result.rows.gauge[0]).toMatchObject({
      Value: -9007199254740992,
      TimeUnix: '1700000000123456789',
      'Exemplars.TraceId': [TRACE_ID],
      'Exemplars.Value': [1.5],
    });
    expect(result.rows.summary[0]).toMatchObject({
      Count: 4,
      'ValueAtQuantiles.Quantile': [0.5],
      'ValueAtQuantiles.Value': [1.5],
    });
    expect(result.rows.histogram[0]).toMatchObject({
      BucketCounts: [1, 1],
      AggregationTemporality: 1,
      Max: 0,
    });
  });

  it('names the field path of a value with the wrong type', () => {
    const body = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            { metrics: [{ name: 'h', histogram: { dataPoints: [{ bucketCounts: [1, -2] }] } }] },
          ],
        },
      ],
    });
    expect(decodeMetricsJson(body)).toEqual({
      ok: false,
      reason:
        'resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[1]: expected non-negative integer',
    });
  });

  it('rejects data points with non-hex exemplar ids and keeps the rest', () => {
    const body = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'g',
                  gauge: {
                    dataPoints: [{ asDouble: 1 }, { asDouble: 2, exemplars: [{ spanId: 'xyz' }] }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const result = decodeMetricsJson(body);
    expect(result).toMatchObject({ ok: true, rejected: 1 });
    expect(result.ok && result.errorMessage).toBe(
      '1 data point rejected; first: resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[1]: exemplar span_id must be 8 bytes of hex or empty, got "xyz"',
    );
  });
});
