/**
 * Severity of stored log records in SQL: one definition for the API's filters and
 * histograms and for the pattern-count view that the collector's inserts feed.
 */

/** Severity levels by name, lowest first, as the OpenTelemetry log data model names them. */
export const SEVERITY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

/**
 * A record's severity number; from its text when the sender gave no number (0), as
 * many logging bridges send only `ERROR`, `warning`, `CRITICAL` and the like.
 */
export const SEVERITY_NUMBER_SQL = `if(SeverityNumber > 0, SeverityNumber, multiIf(
  match(SeverityText, '(?i)^(fatal|crit|emerg|alert|panic)'), 21,
  match(SeverityText, '(?i)^err'), 17,
  match(SeverityText, '(?i)^warn'), 13,
  match(SeverityText, '(?i)^(info|notice)'), 9,
  match(SeverityText, '(?i)^debug'), 5,
  match(SeverityText, '(?i)^trace'), 1, 0))`;

/**
 * The level name of a severity number expression (1–4 TRACE … 21–24 FATAL, as
 * OpenTelemetry's ranges name them; UNSPECIFIED for 0).
 */
export function severityLevelSql(number: string): string {
  return `multiIf(${number} = 0, 'UNSPECIFIED', ${SEVERITY_LEVELS.slice(0, -1)
    .map((level, index) => `${number} <= ${(index + 1) * 4}, '${level}'`)
    .join(', ')}, 'FATAL')`;
}

/** A record's level name, from its number or else its text. */
export const SEVERITY_LEVEL_SQL = severityLevelSql(SEVERITY_NUMBER_SQL);
