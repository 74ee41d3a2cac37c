import { LOG_PATTERNS_TABLE } from '../storage/index.ts';
import type { BatchWriter, ByteBudget, InsertOutcome } from './batch-writer.ts';
import {
  decodeLogsJson,
  decodeLogsProtobuf,
  decodeMetricsJson,
  decodeMetricsProtobuf,
  decodeTracesJson,
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
  toJsonLines,
  transcodeTracesProtobuf,
  type JsonLines,
  type MetricRows,
} from './otlp/index.ts';
import type { LogPatternTagger } from './log-patterns.ts';
import type { IngestResult, OtlpSignal, WireEncoding } from './signal.ts';

type Decoded<Rows> =
  { ok: true; rows: Rows; rejected: number; errorMessage: string } | { ok: false; reason: string };

interface SignalParts<Rows> {
  name: OtlpSignal['name'];
  decodeProtobuf(bytes: Uint8Array): Decoded<Rows>;
  decodeJson(body: Uint8Array): Decoded<Rows>;
  /**
   * Serialises rows per table: `[writer, lines, rowCount]`, and `false` fourth for rows that
   * are not the request's items (log patterns ride along with the logs that made them).
   */
  serialise(rows: Rows): Array<[BatchWriter, string, number, boolean?]>;
}

/**
 * A signal from its decoders and tables. All of a request's rows are admitted
 * against the shared budget at once, so a request is stored whole or refused whole.
 */
function createSignal<Rows>(parts: SignalParts<Rows>, budget: ByteBudget): OtlpSignal {
  return {
    name: parts.name,
    path: `/v1/${parts.name}`,
    ingest(body, encoding): IngestResult {
      const decoded = encoding === 'protobuf' ? parts.decodeProtobuf(body) : parts.decodeJson(body);
      if (!decoded.ok) return { status: 'invalid', message: decoded.reason };
      const writes = parts.serialise(decoded.rows).filter(([, , rows]) => rows > 0);
      let bytes = 0;
      let items = 0;
      for (const [, lines, rows, isItem] of writes) {
        bytes += lines.length;
        if (isItem !== false) items += rows;
      }
      if (budget.held() + bytes > budget.maxBytes) {
        return { status: 'throttled', message: 'ingest queue is full; retry later' };
      }
      const stored: Array<Promise<InsertOutcome>> = [];
      for (const [writer, lines, rows] of writes) {
        const written = writer.write(lines, rows);
        if (!written.accepted)
          return { status: 'throttled', message: `${written.reason}; retry later` };
        stored.push(written.stored);
      }
      return {
        status: 'accepted',
        items,
        rejected: decoded.rejected,
        errorMessage: decoded.errorMessage,
        stored: Promise.all(stored).then(
          (outcomes) => outcomes.find((outcome) => !outcome.ok) ?? { ok: true },
        ),
      };
    },
    encodeSuccess: (encoding: WireEncoding, rejected, errorMessage) =>
      encoding === 'protobuf'
        ? encodeExportResponseProtobuf(rejected, errorMessage)
        : encodeExportResponseJson(parts.name, rejected, errorMessage),
    encodeStatus: (encoding: WireEncoding, code, message) =>
      encoding === 'protobuf'
        ? encodeStatusProtobuf(code, message)
        : encodeStatusJson(code, message),
  };
}

/** Writers of every table a signal fills, by the table's name. */
export type WriterFor = (table: string) => BatchWriter;

/** Traces, metrics and logs, each bound to its exporter-compatible tables. */
export function createSignals(
  writerFor: WriterFor,
  budget: ByteBudget,
  /** Tags log rows with their pattern (off when undefined). */
  logPatterns?: LogPatternTagger,
): OtlpSignal[] {
  const spans = writerFor('otel_traces');
  const logs = writerFor('otel_logs');
  const patterns = logPatterns ? writerFor(LOG_PATTERNS_TABLE) : undefined;
  const metrics = {
    gauge: writerFor('otel_metrics_gauge'),
    sum: writerFor('otel_metrics_sum'),
    histogram: writerFor('otel_metrics_histogram'),
    expHistogram: writerFor('otel_metrics_exponential_histogram'),
    summary: writerFor('otel_metrics_summary'),
  };
  return [
    createSignal<JsonLines>(
      {
        name: 'traces',
        // Protobuf, the hot path, goes straight to lines with no row objects.
        decodeProtobuf: transcodeTracesProtobuf,
        decodeJson: (body) => {
          const decoded = decodeTracesJson(body);
          if (!decoded.ok) return decoded;
          const rows = { text: toJsonLines(decoded.rows), count: decoded.rows.length };
          return { ...decoded, rows };
        },
        serialise: (lines) => [[spans, lines.text, lines.count]],
      },
      budget,
    ),
    createSignal<MetricRows>(
      {
        name: 'metrics',
        decodeProtobuf: decodeMetricsProtobuf,
        decodeJson: decodeMetricsJson,
        serialise: (rows) =>
          (Object.keys(metrics) as Array<keyof typeof metrics>).map((kind) => [
            metrics[kind],
            toJsonLines(rows[kind]),
            rows[kind].length,
          ]),
      },
      budget,
    ),
    createSignal(
      {
        name: 'logs',
        decodeProtobuf: decodeLogsProtobuf,
        decodeJson: decodeLogsJson,
        serialise: (rows) => {
          if (!logPatterns || !patterns) return [[logs, toJsonLines(rows), rows.length]];
          const patternRows = logPatterns.tag(rows);
          return [
            [logs, toJsonLines(rows), rows.length],
            [patterns, toJsonLines(patternRows), patternRows.length, false],
          ];
        },
      },
      budget,
    ),
  ];
}
