/**
 * Which insert failures are the data's fault. ClickHouse refuses a whole insert
 * when one row cannot be parsed or stored; retrying it fails the same way, so the
 * collector splits such a batch to find the request at fault. Anything else (a
 * server away, a timeout, too many parts) is storage being unavailable: retried.
 */

// ClickHouse error codes (src/Common/ErrorCodes.cpp) raised by the content of a row.
const ROW_LEVEL_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE (a lone surrogate escape, say)
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  376, // CANNOT_PARSE_UUID
  469, // VIOLATED_CONSTRAINT
]);

/** The ClickHouse error code of a failed insert: `code` from a server, `Code: N.` from chDB. */
function clickHouseCode(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const match = /^Code: (\d+)\./.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

/** Whether ClickHouse refused an insert because of a row in it (not because it is unavailable). */
export function isRowLevelInsertError(error: unknown): boolean {
  const code = clickHouseCode(error);
  return code !== undefined && ROW_LEVEL_CODES.has(code);
}
