/**
 * Validation of trace and span ids. A span or record with a malformed id is
 * rejected on its own (partial success) rather than failing the whole request.
 */

import { hexByteLength } from './binary-text.ts';

/** Why an id of `length` bytes is invalid, or '' when it has `expected` bytes (or is empty and may be). */
export function idProblem(
  what: string,
  length: number,
  expected: number,
  mayBeEmpty: boolean,
): string {
  if (length === expected || (mayBeEmpty && length === 0)) return '';
  return `${what} must be ${expected} bytes${mayBeEmpty ? ' or empty' : ''}, got ${length}`;
}

/** As `idProblem`, for an OTLP/JSON id: hex text, either case. */
export function hexIdProblem(
  what: string,
  text: string,
  expected: number,
  mayBeEmpty: boolean,
): string {
  const length = hexByteLength(text);
  if (length >= 0) return idProblem(what, length, expected, mayBeEmpty);
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return `${what} must be ${expected} bytes of hex${mayBeEmpty ? ' or empty' : ''}, got "${shown}"`;
}
