/**
 * What a decoder returns. Bad input never throws: a request that cannot be read at
 * all is `{ ok: false, reason }` (answered with 400), while items that are invalid on
 * their own are dropped and counted so the rest is stored (OTLP partial success).
 */

/** A decoded request: the rows to store, and how many items were rejected and why. */
export interface DecodeSuccess<Rows> {
  ok: true;
  rows: Rows;
  /** Items (spans, data points, log records) dropped as invalid. */
  rejected: number;
  /** Empty when nothing was rejected; else the first reason and the count. */
  errorMessage: string;
}

/** A request that cannot be decoded; `reason` names what is wrong and where. */
export interface DecodeFailure {
  ok: false;
  reason: string;
}

/** The result of decoding one OTLP request into rows of one table. */
export type DecodeResult<Row> = DecodeSuccess<Row[]> | DecodeFailure;

/** Input that cannot be decoded; thrown inside a decoder, never out of it. */
export class InputError extends Error {}

/**
 * The failure for an error thrown while decoding. Anything but an `InputError` is
 * a decoder bug, still answered (not thrown) so bad telemetry cannot crash ingest.
 */
export function decodeFailure(error: unknown): DecodeFailure {
  if (error instanceof InputError) return { ok: false, reason: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, reason: `undecodable request (decoder error: ${message})` };
}

/**
 * Counts rejected items while decoding and keeps the first reason, which is what
 * the client sees in `partial_success.error_message`.
 */
export interface Rejections {
  count: number;
  firstReason: string;
}

/** A fresh, empty tally. */
export function createRejections(): Rejections {
  return { count: 0, firstReason: '' };
}

/** Records one rejected item. */
export function reject(rejections: Rejections, reason: string): void {
  if (rejections.count === 0) rejections.firstReason = reason;
  rejections.count++;
}

/** The success result for `rows`, with the rejection summary as OTLP reports it. */
export function decodeSuccess<Rows>(
  rows: Rows,
  rejections: Rejections,
  itemName: string,
): DecodeSuccess<Rows> {
  const { count, firstReason } = rejections;
  const errorMessage =
    count === 0
      ? ''
      : `${count} ${itemName}${count === 1 ? '' : 's'} rejected; first: ${firstReason}`;
  return { ok: true, rows, rejected: count, errorMessage };
}
