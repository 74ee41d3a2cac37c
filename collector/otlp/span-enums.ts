/** Span enum values as the exporter's tables spell them (pdata's `String()` forms). */

export const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
export const STATUS_CODES = ['Unset', 'Ok', 'Error'];

/** `SpanKind` text; values outside the enum read as `Unspecified`. */
export function spanKindText(kind: number): string {
  return SPAN_KINDS[kind] ?? 'Unspecified';
}

/** `Status.code` text; values outside the enum read as `Unset`. */
export function statusCodeText(code: number): string {
  return STATUS_CODES[code] ?? 'Unset';
}
