import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

/** Records one of each instrument kind through the real metrics SDK and exports once. */
async function sendMetrics(serviceName: string, exporter: PushMetricExporter): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers: [reader],
    views: [
      {
        instrumentName: 'http.server.request.duration',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [0.1, 0.5, 1] },
        },
      },
      {
        instrumentName: 'payload.size',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      },
    ],
  });
  const meter = provider.getMeter('opsless-test', '1.0.0');
  meter
    .createCounter('requests', { unit: '{request}', description: 'requests served' })
    .add(7, { route: '/a' });
  meter.createUpDownCounter('queue.depth').add(-3);
  meter.createGauge('cpu.utilization', { unit: '1' }).record(0.42, { core: '0' });
  const duration = meter.createHistogram('http.server.request.duration', { unit: 's' });
  for (const seconds of [0.05, 0.2, 0.3, 2]) duration.record(seconds, { 'http.route': '/a' });
  const size = meter.createHistogram('payload.size', { unit: 'By' });
  for (const bytes of [100, 200, 400]) size.record(bytes);
  await provider.shutdown(); // collects and exports once
}

describe.each([
  [
    'exporter-metrics-otlp-http (JSON)',
    'metrics-json',
    (o: TestOpsless) => new JsonMetricExporter({ url: `${o.otlpUrl}/v1/metrics` }),
  ],
  [
    'exporter-metrics-otlp-proto (protobuf)',
    'metrics-proto',
    (o: TestOpsless) => new ProtoMetricExporter({ url: `${o.otlpUrl}/v1/metrics` }),
  ],
  [
    'exporter-metrics-otlp-grpc',
    'metrics-grpc',
    (o: TestOpsless) => new GrpcMetricExporter({ url: o.grpcUrl }),
  ],
])('metrics sent with %s', (_name, serviceName, makeExporter) => {
  let opsless: TestOpsless;
  beforeAll(async () => {
    opsless = await startTestOpsless();
    await sendMetrics(serviceName, makeExporter(opsless));
  });
  afterAll(async () => {
    await opsless.stop();
  });
  const read = <T>(table: string, columns: string, metric: string) =>
    rows<T>(
      opsless.clickhouse,
      `SELECT ${columns} FROM ${table} WHERE ServiceName = {s:String} AND MetricName = {m:String}`,
      {
        s: serviceName,
        m: metric,
      },
    );

  it('stores sums with temporality and monotonicity kept', async () => {
    expect(
      await read(
        'otel_metrics_sum',
        'Value, AggregationTemporality, IsMonotonic, Attributes, MetricUnit, MetricDescription',
        'requests',
      ),
    ).toEqual([
      {
        Value: 7,
        AggregationTemporality: 2,
        IsMonotonic: true,
        Attributes: { route: '/a' },
        MetricUnit: '{request}',
        MetricDescription: 'requests served',
      },
    ]);
    expect(await read('otel_metrics_sum', 'Value, IsMonotonic', 'queue.depth')).toEqual([
      { Value: -3, IsMonotonic: false },
    ]);
  });

  it('stores gauges', async () => {
    expect(await read('otel_metrics_gauge', 'Value, Attributes', 'cpu.utilization')).toEqual([
      { Value: 0.42, Attributes: { core: '0' } },
    ]);
  });

  it('stores histogram buckets, bounds, count, sum, min and max', async () => {
    expect(
      await read(
        'otel_metrics_histogram',
        'toUInt32(Count) AS Count, Sum, arrayMap(n -> toUInt32(n), BucketCounts) AS BucketCounts, ExplicitBounds, Min, Max',
        'http.server.request.duration',
      ),
    ).toEqual([
      {
        Count: 4,
        Sum: 2.55,
        BucketCounts: [1, 2, 0, 1],
        ExplicitBounds: [0.1, 0.5, 1],
        Min: 0.05,
        Max: 2,
      },
    ]);
  });

  it('stores exponential histograms', async () => {
    const [row] = await read<{
      Count: number;
      Sum: number;
      Scale: number;
      PositiveBucketCounts: number[];
      ZeroCount: number;
    }>(
      'otel_metrics_exponential_histogram',
      'toUInt32(Count) AS Count, Sum, Scale, arrayMap(n -> toUInt32(n), PositiveBucketCounts) AS PositiveBucketCounts, toUInt32(ZeroCount) AS ZeroCount',
      'payload.size',
    );
    expect(row).toMatchObject({ Count: 3, Sum: 700, ZeroCount: 0 });
    expect(row!.PositiveBucketCounts.reduce((sum, n) => sum + n, 0)).toBe(3);
  });
});

describe('metrics the JS SDK does not produce, sent as OTLP/JSON', () => {
  let opsless: TestOpsless;
  beforeAll(async () => {
    opsless = await startTestOpsless();
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('stores summaries with quantiles and exemplars with their trace and span ids', async () => {
    const point = { timeUnixNano: '1700000000000000000', startTimeUnixNano: '1699999990000000000' };
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'rpc.latency',
                  summary: {
                    dataPoints: [
                      {
                        ...point,
                        count: '10',
                        sum: 5.5,
                        quantileValues: [
                          { quantile: 0.5, value: 0.4 },
                          { quantile: 0.99, value: 1.2 },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 'hits',
                  sum: {
                    aggregationTemporality: 1,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        ...point,
                        asInt: '3',
                        exemplars: [
                          {
                            timeUnixNano: '1699999995000000000',
                            asDouble: 1,
                            traceId: '5B8EFFF798038103D269B633813FC60C',
                            spanId: 'EEE19B7EC3C1B174',
                          },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${opsless.otlpUrl}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(
      await rows(
        opsless.clickhouse,
        "SELECT toUInt32(Count) AS Count, Sum, ValueAtQuantiles.Quantile AS q, ValueAtQuantiles.Value AS v FROM otel_metrics_summary WHERE MetricName = 'rpc.latency'",
      ),
    ).toEqual([{ Count: 10, Sum: 5.5, q: [0.5, 0.99], v: [0.4, 1.2] }]);
    expect(
      await rows(
        opsless.clickhouse,
        "SELECT Value, AggregationTemporality, Exemplars.TraceId AS t, Exemplars.SpanId AS s, Exemplars.Value AS v FROM otel_metrics_sum WHERE MetricName = 'hits'",
      ),
    ).toEqual([
      {
        Value: 3,
        AggregationTemporality: 1,
        t: ['5b8efff798038103d269b633813fc60c'],
        s: ['eee19b7ec3c1b174'],
        v: [1],
      },
    ]);
  });
});
