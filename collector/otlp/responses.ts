/**
 * OTLP responses: `Export{Trace,Metrics,Logs}ServiceResponse` (with
 * `partial_success` only when something was rejected or there is a message) and
 * `google.rpc.Status` for errors, in protobuf and in OTLP/JSON.
 */

/**
 * What an OTLP export carries. OTLP calls these signals; in opsless a signal is a series
 * the detector measures (latency_p99, error_ratio, a watched metric).
 */
export type TelemetryType = 'traces' | 'metrics' | 'logs';

const textEncoder = new TextEncoder();

function pushVarint(out: number[], value: number): void {
  // Division rather than bit shifts: counts may exceed 32 bits.
  let rest = Math.max(0, Math.floor(value));
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

function pushLengthDelimited(out: number[], fieldNumber: number, payload: ArrayLike<number>): void {
  pushVarint(out, (fieldNumber << 3) | 2);
  pushVarint(out, payload.length);
  for (let i = 0; i < payload.length; i++) out.push(payload[i]!);
}

function pushVarintField(out: number[], fieldNumber: number, value: number): void {
  if (value === 0) return;
  pushVarint(out, fieldNumber << 3);
  pushVarint(out, value);
}

function pushStringField(out: number[], fieldNumber: number, text: string): void {
  if (text !== '') pushLengthDelimited(out, fieldNumber, textEncoder.encode(text));
}

/** Export response bytes (the same layout for every signal); empty on full success. */
export function encodeExportResponseProtobuf(rejected: number, errorMessage: string): Uint8Array {
  if (rejected === 0 && errorMessage === '') return new Uint8Array(0);
  const partialSuccess: number[] = [];
  pushVarintField(partialSuccess, 1, rejected);
  pushStringField(partialSuccess, 2, errorMessage);
  const out: number[] = [];
  pushLengthDelimited(out, 1, partialSuccess);
  return Uint8Array.from(out);
}

const REJECTED_KEY = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
} as const;

/** The OTLP/JSON export response; int64 counts are strings, as proto3 JSON writes them. */
export interface ExportResponseJson {
  partialSuccess?: Partial<Record<(typeof REJECTED_KEY)[TelemetryType], string>> & {
    errorMessage?: string;
  };
}

/** The OTLP/JSON export response object for `signal`. */
export function exportResponseJson(
  signal: TelemetryType,
  rejected: number,
  errorMessage: string,
): ExportResponseJson {
  if (rejected === 0 && errorMessage === '') return {};
  return {
    partialSuccess: {
      ...(rejected > 0 ? { [REJECTED_KEY[signal]]: String(rejected) } : {}),
      ...(errorMessage !== '' ? { errorMessage } : {}),
    },
  };
}

/** The OTLP/JSON export response as text. */
export function encodeExportResponseJson(
  signal: TelemetryType,
  rejected: number,
  errorMessage: string,
): string {
  return JSON.stringify(exportResponseJson(signal, rejected, errorMessage));
}

/** `google.rpc.Status{code=1, message=2}` bytes; `code` is a gRPC status code. */
export function encodeStatusProtobuf(code: number, message: string): Uint8Array {
  const out: number[] = [];
  pushVarintField(out, 1, code);
  pushStringField(out, 2, message);
  return Uint8Array.from(out);
}

/** `google.rpc.Status` as an OTLP/JSON object. */
export function statusJson(code: number, message: string): { code: number; message: string } {
  return { code, message };
}

/** `google.rpc.Status` as OTLP/JSON text. */
export function encodeStatusJson(code: number, message: string): string {
  return JSON.stringify(statusJson(code, message));
}

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * `google.rpc.Status` bytes carrying a `RetryInfo{retry_delay}` detail, for the
 * gRPC `grpc-status-details-bin` trailer that OTLP clients read to delay a retry.
 */
export function encodeRetryStatusDetails(
  code: number,
  message: string,
  retryAfterSeconds: number,
): Uint8Array {
  const seconds = Math.floor(retryAfterSeconds);
  const duration: number[] = [];
  pushVarintField(duration, 1, seconds);
  pushVarintField(duration, 2, Math.round((retryAfterSeconds - seconds) * 1e9));
  const retryInfo: number[] = [];
  pushLengthDelimited(retryInfo, 1, duration);
  const detail: number[] = [];
  pushStringField(detail, 1, RETRY_INFO_TYPE_URL);
  pushLengthDelimited(detail, 2, retryInfo);
  const out: number[] = [];
  pushVarintField(out, 1, code);
  pushStringField(out, 2, message);
  pushLengthDelimited(out, 3, detail);
  return Uint8Array.from(out);
}
