import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ByteBudget, Gate } from './batch-writer.ts';
import type { IngestResult, OtlpSignal } from './signal.ts';

export type Transport = 'http' | 'grpc';

/** Why a request was not stored, as a low-cardinality label. */
export type RequestOutcome =
  | 'ok'
  | 'invalid'
  | 'throttled'
  | 'failed'
  | 'unauthorized'
  | 'too_large'
  | 'too_slow'
  | 'unsupported';

/** The collector's own metrics, served in Prometheus text format on `/metrics`. */
export interface IngestTelemetry {
  /** Records a decoded request (items received, accepted and rejected) and its outcome. */
  request(
    signal: OtlpSignal['name'],
    transport: Transport,
    outcome: RequestOutcome,
    result?: IngestResult,
  ): void;
  insert(table: string, seconds: number, ok: boolean): void;
}

/** What the gauges read at scrape time. */
export interface IngestGauges {
  budget: ByteBudget;
  /** Requests being decoded and stored. */
  gate: Gate;
  /** HTTP bodies being received. */
  uploads: Gate;
}

/** Registers the ingest metrics on `registry`; the gauges are read at scrape time. */
export function createIngestTelemetry(
  registry: Registry,
  { budget, gate, uploads }: IngestGauges,
): IngestTelemetry {
  const labels = ['signal', 'transport'] as const;
  const received = new Counter({
    name: 'opsless_ingest_items_received_total',
    help: 'Spans, data points and log records decoded from requests.',
    labelNames: labels,
    registers: [registry],
  });
  const accepted = new Counter({
    name: 'opsless_ingest_items_accepted_total',
    help: 'Items stored and acknowledged.',
    labelNames: labels,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'opsless_ingest_items_rejected_total',
    help: 'Items refused as invalid (partial success).',
    labelNames: labels,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'opsless_ingest_requests_total',
    help: 'OTLP requests by outcome.',
    labelNames: [...labels, 'outcome'],
    registers: [registry],
  });
  const throttled = new Counter({
    name: 'opsless_ingest_throttled_requests_total',
    help: 'Requests refused because the ingest queue was full.',
    labelNames: labels,
    registers: [registry],
  });
  new Gauge({
    name: 'opsless_ingest_queue_bytes',
    help: 'Bytes of serialised rows held in memory, waiting or being inserted.',
    registers: [registry],
    collect() {
      this.set(budget.held());
    },
  });
  new Gauge({
    name: 'opsless_ingest_requests_in_progress',
    help: 'OTLP requests being decoded and stored (HTTP once the body is in, gRPC from its metadata).',
    registers: [registry],
    collect() {
      this.set(gate.inside());
    },
  });
  new Gauge({
    name: 'opsless_ingest_uploads_in_progress',
    help: 'OTLP/HTTP request bodies being received.',
    registers: [registry],
    collect() {
      this.set(uploads.inside());
    },
  });
  new Gauge({
    name: 'opsless_ingest_queue_max_bytes',
    help: 'The ingest queue budget.',
    registers: [registry],
  }).set(budget.maxBytes);
  const inserts = new Histogram({
    name: 'opsless_ingest_insert_duration_seconds',
    help: 'Time to insert one batch into ClickHouse, retries included.',
    labelNames: ['table', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    request(signal, transport, outcome, result) {
      requests.inc({ signal, transport, outcome });
      if (outcome === 'throttled') throttled.inc({ signal, transport });
      if (result?.status !== 'accepted') return;
      received.inc({ signal, transport }, result.items + result.rejected);
      rejected.inc({ signal, transport }, result.rejected);
      if (outcome === 'ok') accepted.inc({ signal, transport }, result.items);
    },
    insert(table, seconds, ok) {
      inserts.observe({ table, outcome: ok ? 'ok' : 'failed' }, seconds);
    },
  };
}
