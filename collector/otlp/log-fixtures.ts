/**
 * Test fixtures: log records emitted through the real SDK (`@opentelemetry/sdk-logs`)
 * and encoded by the real OpenTelemetry serializers.
 */

import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber, type LogRecord } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';

export const LOG_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const LOG_SPAN_ID = '00f067aa0ba902b7';

/** Records as the SDK hands them to an exporter, one per `LogRecord` given. */
export async function emitLogs(records: LogRecord[]): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': 'orders',
      'deployment.environment.name': 'test',
    }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('opsless-logs-test', '3.1.0');
  for (const record of records) logger.emit(record);
  await provider.forceFlush();
  const emitted = exporter.getFinishedLogRecords();
  await provider.shutdown();
  return emitted;
}

/** A context whose active span the SDK copies onto log records. */
export const SPAN_CONTEXT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: LOG_TRACE_ID,
  spanId: LOG_SPAN_ID,
  traceFlags: TraceFlags.SAMPLED,
});

/** A record of every kind the tests check: each body AnyValue kind, trace context, event name. */
export const SAMPLE_RECORDS: LogRecord[] = [
  {
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment declined',
    attributes: { 'order.id': 42, retried: true },
    timestamp: [1_700_000_000, 123_456_789],
    observedTimestamp: [1_700_000_001, 0],
    context: SPAN_CONTEXT,
    eventName: 'payment.declined',
  },
  {
    severityNumber: SeverityNumber.INFO,
    body: { user: 'ann', cart: [1, 2], '<tag>': null },
    timestamp: [1_700_000_002, 5],
  },
  { body: 17, timestamp: [1_700_000_003, 0] },
  { body: 2.5, timestamp: [1_700_000_003, 1] },
  { body: false, timestamp: [1_700_000_003, 2] },
  { body: new Uint8Array([104, 105]), timestamp: [1_700_000_003, 3] },
  { body: ['a', 1], timestamp: [1_700_000_003, 4] },
];

/** Protobuf and JSON request bodies for `records`, from the OpenTelemetry serializers. */
export function encodeLogs(records: ReadableLogRecord[]): {
  protobuf: Uint8Array;
  json: Uint8Array;
} {
  const protobuf = ProtobufLogsSerializer.serializeRequest(records);
  const json = JsonLogsSerializer.serializeRequest(records);
  if (!protobuf || !json) throw new Error('the OpenTelemetry serializer produced nothing');
  return { protobuf, json };
}
