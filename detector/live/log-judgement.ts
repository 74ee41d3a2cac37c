/**
 * What a service's log patterns say at one step. Pure: counts per step in, anomalies out.
 * Three verdicts: a pattern the service never logged before (at WARN or above), a known
 * pattern far above its usual rate, and the service's WARN+ and ERROR+ log rates far
 * above theirs. Rates are judged by a Poisson tail, which is honest at low counts: two
 * errors where one is usual is no news, twenty is.
 */
import type { Anomaly, Observation } from './incidents.ts';
import { poissonAtLeast } from './count-tails.ts';

/** Occurrences at WARN or above a new pattern needs within the step to alert. */
export const NEW_PATTERN_MIN_COUNT = 3;
/** A pattern first seen this many steps before the judged one still counts as new. */
export const NEW_PATTERN_STEPS = 3;
/** A service needs logs this long before a pattern of it can be called new, ms. */
export const NEW_PATTERN_HISTORY_MS = 3_600_000;
/** A burst: a Poisson tail below this, at least BURST_MIN_COUNT and BURST_FACTOR × usual. */
export const BURST_P = 1e-6;
export const BURST_MIN_COUNT = 10;
export const BURST_FACTOR = 5;

export const NEW_PATTERN_SIGNAL = 'log_new_pattern';
export const PATTERN_BURST_SIGNAL = 'log_pattern_burst';
export const LOG_WARNINGS_SIGNAL = 'log_warnings';
export const LOG_ERRORS_SIGNAL = 'log_errors';

export interface PatternHistory {
  id: string;
  template: string;
  sample: string;
  firstSeenMs: number;
  /** Records at WARN or above in the judged step. */
  count: number;
  /** Records at WARN or above per step before the judged steps (the baseline). */
  usualPerStep: number;
}

export interface StepLogs {
  timeMs: number;
  /** Records of the step at WARN and above, and at ERROR and above. */
  warnings: number;
  errors: number;
  patterns: PatternHistory[];
}

export interface ServiceLogHistory {
  /** The service's first log record known, ms (null: none before these steps). */
  firstLogMs: number | null;
  /** Its usual WARN+ and ERROR+ records per step. */
  usualWarnings: number;
  usualErrors: number;
  stepMs: number;
}

/** True when `count` is a burst over `usual` per step (see BURST_*); its tail probability. */
export function judgeBurst(count: number, usual: number): { burst: boolean; p: number } {
  // A rate never seen is judged against a floor of one record a day at one-minute steps,
  // so a first handful is not infinitely surprising.
  const mean = Math.max(usual, 1 / 1440);
  const p = poissonAtLeast(count, mean);
  return {
    burst: p < BURST_P && count >= BURST_MIN_COUNT && count >= BURST_FACTOR * usual,
    p,
  };
}

/**
 * The anomalies and observations of one step. INFO and below never alert: a deploy that
 * brings new INFO lines (a new version's start-up messages) is not an incident.
 */
export function judgeLogStep(
  history: ServiceLogHistory,
  step: StepLogs,
): { anomalies: Anomaly[]; observations: Observation[] } {
  const anomalies: Anomaly[] = [];
  const observations: Observation[] = [
    { signal: LOG_WARNINGS_SIGNAL, operation: null, observed: step.warnings },
    { signal: LOG_ERRORS_SIGNAL, operation: null, observed: step.errors },
  ];
  const longKnown =
    history.firstLogMs !== null && history.firstLogMs <= step.timeMs - NEW_PATTERN_HISTORY_MS;
  for (const pattern of step.patterns) {
    const operation = describePattern(pattern);
    observations.push({ signal: NEW_PATTERN_SIGNAL, operation, observed: pattern.count });
    observations.push({ signal: PATTERN_BURST_SIGNAL, operation, observed: pattern.count });
    const isNew = pattern.firstSeenMs > step.timeMs - NEW_PATTERN_STEPS * history.stepMs;
    if (isNew) {
      if (longKnown && pattern.count >= NEW_PATTERN_MIN_COUNT) {
        anomalies.push({
          signal: NEW_PATTERN_SIGNAL,
          operation,
          score: 1,
          observed: pattern.count,
          expected: 0,
          alarm: true,
          lower: 0,
          upper: NEW_PATTERN_MIN_COUNT - 1,
        });
      }
      continue;
    }
    const verdict = judgeBurst(pattern.count, pattern.usualPerStep);
    if (verdict.burst) {
      anomalies.push(
        rateAnomaly(
          PATTERN_BURST_SIGNAL,
          operation,
          pattern.count,
          pattern.usualPerStep,
          verdict.p,
        ),
      );
    }
  }
  const explained = anomalies.length > 0;
  for (const [signal, count, usual] of [
    [LOG_WARNINGS_SIGNAL, step.warnings, history.usualWarnings],
    [LOG_ERRORS_SIGNAL, step.errors, history.usualErrors],
  ] as const) {
    const verdict = judgeBurst(count, usual);
    if (!verdict.burst) continue;
    // A pattern's verdict says more than the rate it is part of: then the rate only
    // joins the incident (it cannot be its headline).
    anomalies.push({ ...rateAnomaly(signal, null, count, usual, verdict.p), alarm: !explained });
  }
  return { anomalies, observations };
}

/** How a pattern reads as the subject of an alert: its template and one sample line. */
export function describePattern(pattern: Pick<PatternHistory, 'template' | 'sample'>): string {
  return `pattern "${pattern.template}" (e.g. "${pattern.sample}")`;
}

function rateAnomaly(
  signal: string,
  operation: string | null,
  count: number,
  usual: number,
  p: number,
): Anomaly {
  // The band: what a Poisson of the usual rate reaches with a one in a million chance.
  let upper = Math.ceil(usual);
  while (poissonAtLeast(upper + 1, Math.max(usual, 1 / 1440)) >= BURST_P) upper++;
  return {
    signal,
    operation,
    score: Math.min(1, 1 - p),
    observed: count,
    expected: usual,
    alarm: true,
    lower: 0,
    upper: Math.max(upper, BURST_FACTOR * usual, BURST_MIN_COUNT - 1),
  };
}

/** What a log alert's explanation holds: the pattern (template and sample) and its counts. */
export interface LogExplanation {
  focus: 'logs';
  signal: string;
  /** The pattern as describePattern() reads it, or null for a service's log rate. */
  pattern: string | null;
  /** Records at WARN+ (or ERROR+ for log_errors) in the step, and per step usually. */
  observed: number;
  expected: number;
  contributors: [];
}

export function isLogSignal(signal: string): boolean {
  return LOG_SIGNALS.has(signal);
}

const LOG_SIGNALS = new Set([
  NEW_PATTERN_SIGNAL,
  PATTERN_BURST_SIGNAL,
  LOG_WARNINGS_SIGNAL,
  LOG_ERRORS_SIGNAL,
]);

/** The explanation of an alert a log verdict opened: the verdict itself says what happened. */
export function explainLogAnomaly(anomaly: Anomaly): LogExplanation {
  return {
    focus: 'logs',
    signal: anomaly.signal,
    pattern: anomaly.operation,
    observed: anomaly.observed,
    expected: anomaly.expected,
    contributors: [],
  };
}
