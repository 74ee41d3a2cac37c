/**
 * How much a step's requests can tell. Error ratios and percentiles of a handful of
 * requests swing wildly (one error in four requests is a ratio of 25%), so before such a
 * value may open an alert it is judged with its uncertainty. Pure: counts in, verdicts out.
 */
import { BAND_SIGMAS } from '../engine.ts';
import { BELOW_MEDIAN_LEVELS } from '../../signals/index.ts';
import { countAtLeast, countAtMost } from './count-tails.ts';

/** Requests and errors of one step. */
export interface StepCounts {
  requests: number;
  errors: number;
}

/**
 * Standard errors between an observed error ratio and its lower bound: about a one in a
 * thousand chance that a healthy route reaches it on one window by luck.
 */
const RATIO_Z = 3;
/** Fewer requests than this, pooled over the last steps, never judge an error ratio. */
export const MIN_RATIO_REQUESTS = 10;
/** Steps pooled, at most, to reach MIN_RATIO_REQUESTS. */
export const RATIO_POOL_STEPS = 10;
/**
 * The size of an error-ratio rise worth a page: at least this many points of percentage
 * above the usual ratio, and at least RATIO_FACTOR times it.
 */
export const RATIO_MIN_RISE = 0.05;
export const RATIO_FACTOR = 2;
/** Requests a step needs before one of its percentiles may open an alert. */
export const MIN_PERCENTILE_REQUESTS = 10;
/** One-sided 95% for the conservative percentile (the lower confidence bound of a quantile). */
const QUANTILE_Z = 1.645;

/** Lower bound of the Wilson score interval of `errors` in `requests` at `z` standard errors. */
export function wilsonLowerBound(errors: number, requests: number, z: number): number {
  if (requests <= 0) return 0;
  const ratio = errors / requests;
  const z2 = z * z;
  const centre = ratio + z2 / (2 * requests);
  const spread = z * Math.sqrt((ratio * (1 - ratio)) / requests + z2 / (4 * requests * requests));
  return Math.max(0, (centre - spread) / (1 + z2 / requests));
}

export interface RatioJudgement {
  /** True when the pooled ratio is surely above what the route usually fails. */
  alarming: boolean;
  /** Steps pooled to reach enough requests (1 when the last step alone had enough). */
  pooledSteps: number;
}

/**
 * Steps a busy route's pool may grow to past MIN_RATIO_REQUESTS while its last step is
 * high: a burst of 20–30% on ten requests a step is too uncertain in one step (its lower
 * bound at RATIO_Z is about the bar) and sure in two, so it alerts a step later, not four.
 */
export const RATIO_WIDE_STEPS = 3;

/**
 * Judges the error ratio of the last step (the last of `recent`, oldest first) against the
 * usual ratio `baseline` (0..1): the steps are pooled back until MIN_RATIO_REQUESTS (at
 * most RATIO_POOL_STEPS), and the pool alarms when the Wilson lower bound of its ratio is
 * above both baseline + RATIO_MIN_RISE and RATIO_FACTOR × baseline. While the last step's
 * own ratio is above that bar, the pool may grow to RATIO_WIDE_STEPS steps to be sure.
 */
export function judgeErrorRatio(recent: readonly StepCounts[], baseline: number): RatioJudgement {
  const usual = Math.max(0, baseline);
  const bar = Math.max(usual + RATIO_MIN_RISE, RATIO_FACTOR * usual);
  const last = recent[recent.length - 1];
  const stillHigh = last !== undefined && last.requests > 0 && last.errors / last.requests > bar;
  let requests = 0;
  let errors = 0;
  let pooledSteps = 0;
  for (let index = recent.length - 1; index >= 0 && pooledSteps < RATIO_POOL_STEPS; index--) {
    requests += recent[index]!.requests;
    errors += recent[index]!.errors;
    pooledSteps++;
    if (requests < MIN_RATIO_REQUESTS) continue;
    if (wilsonLowerBound(errors, requests, RATIO_Z) > bar) return { alarming: true, pooledSteps };
    if (!stillHigh || pooledSteps >= RATIO_WIDE_STEPS) break;
  }
  return { alarming: false, pooledSteps };
}

/** A step's latency percentiles (ms) and its request count. */
export interface StepPercentiles {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  /** The step's latency at BELOW_MEDIAN_LEVELS, when read: the median's own confidence. */
  belowMedian?: readonly number[];
}

/**
 * The value a percentile of a step is surely above: the sample quantile at the lower
 * one-sided 95% confidence bound of the quantile's rank (q − 1.645·√(q(1−q)/n)), read by
 * linear interpolation between the step's quantiles (0.2, 0.3, 0.4 where read, p50, p95,
 * p99). Null when the step has fewer than MIN_PERCENTILE_REQUESTS requests, or when that
 * rank falls below the median and the step has no quantiles below it (then, for the median
 * itself, the minimum count is the whole test). A median of 23 requests is surely above
 * only the 33% point: a step where more requests than usual took the slow route moves its
 * median, not that.
 */
export function conservativePercentile(step: StepPercentiles, q: 0.5 | 0.95 | 0.99): number | null {
  return pooledPercentile([step], q);
}

/**
 * The same over consecutive steps pooled: their requests together set the rank's bound,
 * and the value is the lowest of the steps' values at that rank. A pool holds at least
 * the (1 − rank) share of its requests above each step's value at the rank, so above the
 * lowest of them: every step of the pool must be high for the pool to be.
 */
export function pooledPercentile(
  steps: readonly StepPercentiles[],
  q: 0.5 | 0.95 | 0.99,
): number | null {
  const values = pooledValues(steps, q);
  return values === null ? null : Math.min(...values);
}

/** Each pooled step's value at the rank bound of the pool (see pooledPercentile). */
function pooledValues(steps: readonly StepPercentiles[], q: 0.5 | 0.95 | 0.99): number[] | null {
  const n = steps.reduce((sum, step) => sum + step.requests, 0);
  if (n < MIN_PERCENTILE_REQUESTS) return null;
  const bound = q - QUANTILE_Z * Math.sqrt((q * (1 - q)) / n);
  if (q === 0.5) {
    if (!steps.every((step) => step.belowMedian?.length === BELOW_MEDIAN_LEVELS.length)) {
      return steps.map((step) => step.p50);
    }
    const rank = Math.max(BELOW_MEDIAN_LEVELS[0], bound);
    return steps.map((step) => belowMedianAt(step.belowMedian!, step.p50, rank));
  }
  if (bound < 0.5) return null;
  return steps.map((step) => percentileAt(step, bound));
}

/** A step's value at `rank` (0.2..0.5) between its quantiles below the median and p50. */
function belowMedianAt(below: readonly number[], p50: number, rank: number): number {
  const levels = [...BELOW_MEDIAN_LEVELS, 0.5];
  const values = [...below, p50];
  for (let i = 1; i < levels.length; i++) {
    if (rank <= levels[i]!) {
      const share = (rank - levels[i - 1]!) / (levels[i]! - levels[i - 1]!);
      return values[i - 1]! + share * (values[i]! - values[i - 1]!);
    }
  }
  return p50;
}

/**
 * How far toward the band's edge the steps pooled with the one judged must be, as a share
 * of the band's half-width above the expectation: the inner bar an alert resolves under
 * (RESOLVE_BAND_SHARE in incidents.ts), so that a slow creep the band follows, each step
 * a little above the last, still alarms.
 */
export const POOLED_BAR_SHARE = 0.5;

/** A step's value at `rank` (0.5..0.99) between its p50, p95 and p99. */
function percentileAt(step: StepPercentiles, rank: number): number {
  if (rank <= 0.5) return step.p50;
  if (rank <= 0.95) return step.p50 + ((step.p95 - step.p50) * (rank - 0.5)) / 0.45;
  return step.p95 + ((step.p99 - step.p95) * (rank - 0.95)) / 0.04;
}

/**
 * Steps pooled, at most, to reach MIN_PERCENTILE_REQUESTS: a route of 4–9 requests a step
 * may alert on a percentile after two or three high steps (within the delay an on-call
 * engineer accepts, two steps), one of one or two requests a step does not.
 */
export const PERCENTILE_POOL_STEPS = 3;
/**
 * Steps with requests a percentile alarm needs high, at least: a step's percentiles are
 * estimates from its requests, skewed and heavier-tailed than the residual the band assumes
 * (more so at the trough of a daily wave, when a step has half its usual requests), so one
 * step above the band is often noise; two in a row rarely are, and a real regression shows
 * at every step, one step later.
 */
export const MIN_PERCENTILE_STEPS = 2;

/** What is known of one step of a service's or operation's spans. */
export interface StepSample extends StepPercentiles {
  errorRatio: number;
}

const QUANTILE_OF = { latency_p50: 0.5, latency_p95: 0.95, latency_p99: 0.99 } as const;

/** Trailing steps a request count is judged over, at most (see judgeRequestCount). */
export const RATE_POOL_STEPS = 3;

/**
 * Steps in a row without a request after which a route that surely had requests coming
 * alarms, whatever its band says: the band assumes a normal residual and a wavy day widens
 * it past zero, which a count cannot go below. Judged on the Poisson law at the lower of the
 * forecast and the route's usual count (no widening for the forecast's own error: a level a
 * forecast may be off by is a share of it, and a stop is not one; but the forecast must not
 * be the only witness, hence the usual count). Three steps, the most counts are pooled
 * over, so that a lull of two empty steps on a route whose forecast ran high stays quiet.
 */
export const SILENT_STEPS = RATE_POOL_STEPS;

/**
 * Whether the requests of the last steps (oldest first, the step judged last) are surely
 * away from `expectedPerStep`: over the last n steps (1 to RATE_POOL_STEPS), all on the
 * side of the expectation the step judged is on, the count is as unlikely as RATE_TAIL. A
 * band learned on steady traffic can be narrower than a count's own noise (41 requests where 46 were expected is less than one deviation); a
 * route of a few requests a step that gets none needs two or three such steps to page.
 *
 * The expectation is itself a forecast, off by as much as the series' residuals spread
 * beyond a count's own noise (`expectationVariance`, per step, in requests²): the count is
 * judged on a Poisson law whose mean is that uncertain (countAtLeast), and the error is
 * taken as the same over the steps pooled, since a forecast that misses the level of one
 * step misses its neighbours too. Seven requests where one was forecast, on a route whose
 * counts spread as widely as that, are not a surge.
 */
export function judgeRequestCount(
  counts: readonly number[],
  expectedPerStep: number,
  expectationVariance = 0,
): boolean {
  const last = counts.at(-1);
  if (last === undefined || last === expectedPerStep) return false;
  const up = last > expectedPerStep;
  let observed = 0;
  for (let n = 1; n <= Math.min(RATE_POOL_STEPS, counts.length); n++) {
    const count = counts[counts.length - n]!;
    if (up ? count <= expectedPerStep : count >= expectedPerStep) return false;
    observed += count;
    const expected = n * expectedPerStep;
    const variance = n * n * expectationVariance;
    const tail = up
      ? countAtLeast(observed, expected, variance)
      : countAtMost(observed, expected, variance);
    if (tail < RATE_TAIL) return true;
  }
  return false;
}

/**
 * The expectation a step's request count is judged against: the forecast, but never past
 * what the route usually gets on the side the count is on (the higher of the two for a
 * count above, the lower for one below). A forecast of a few requests a step follows the
 * noise of the last counts as much as the route's level; a count is surely high, or a
 * silence surely a stop, only against both.
 */
export function requestCountExpectation(
  forecastPerStep: number,
  usualPerStep: number | undefined,
  above: boolean,
): number {
  if (usualPerStep === undefined) return forecastPerStep;
  return above ? Math.max(forecastPerStep, usualPerStep) : Math.min(forecastPerStep, usualPerStep);
}

/**
 * What a request-rate band says of its own forecast's error, per step in requests²: the
 * residuals' variance (the band is BAND_SIGMAS deviations wide) less the Poisson noise of
 * the count itself.
 */
export function expectationVariance(expectedPerStep: number, upperPerStep: number): number {
  const deviation = (upperPerStep - expectedPerStep) / BAND_SIGMAS;
  return Math.max(0, deviation * deviation - Math.max(0, expectedPerStep));
}

/**
 * The chance a count may be as far out by luck and still page: a budget, not a fit — one
 * false page per series in 30 days of one-minute steps, if counts were as the law says.
 * Each step judges every route, so the normal law's 3-deviation tail (1 in 740) would
 * page about twice a day on a route of two requests a minute that happens to see three
 * empty minutes; a count that has truly stopped or surged is far past this anyway (no
 * request in a step where 20 were expected is a chance of 2e-9).
 */
const RATE_TAIL = 1 / (30 * 1440);

/**
 * The engine's verdict on a step of a span signal (`alarm` as stepAlarm returns it), judged
 * with the step's volume: an error-ratio alarm needs judgeErrorRatio to agree (and when the
 * last step alone was too small to judge, the pooled steps' verdict alone raises the alarm:
 * per step, a route of two requests a step is all noise); a high percentile needs enough
 * requests and steps, over the last steps pooled (pooledPercentile): the step's value at
 * the pool's conservative rank above the band, the others' at least halfway from the
 * expectation to the band's edge (POOLED_BAR_SHARE); a request rate's alarm needs its
 * count to be surely away from the expectation (judgeRequestCount), and a route that
 * surely had requests coming and got none for SILENT_STEPS steps alarms inside its band.
 * `recent` ends with the step judged, oldest first; absent steps have no requests.
 */
export function judgeSpanAlarm(options: {
  signal: string;
  alarm: boolean | null;
  upper: number;
  /** The expectation of the step judged (default `upper`: every pooled step above the band). */
  expected?: number;
  value: number;
  recent: ReadonlyArray<StepSample | undefined>;
  baselineRatio: number;
  /** The requests a step usually has (over the day before; see requestCountExpectation). */
  usualPerStep?: number;
  /** The step's length: a request rate's alarm is checked on its counts (judgeRequestCount). */
  stepSeconds?: number;
}): boolean | null {
  const { signal, alarm } = options;
  const step = options.recent[options.recent.length - 1];
  if (signal === 'request_rate') {
    if (options.stepSeconds === undefined) return alarm;
    const counts = options.recent.map((sample) => sample?.requests ?? 0);
    const forecast = (options.expected ?? options.upper) * options.stepSeconds;
    const variance = expectationVariance(forecast, options.upper * options.stepSeconds);
    const last = counts.at(-1) ?? 0;
    const above = last > forecast;
    const expectedPerStep = requestCountExpectation(forecast, options.usualPerStep, above);
    // Between the forecast and the usual count, a count is away from neither for sure.
    const away = above ? last > expectedPerStep : last < expectedPerStep;
    // Silence: a band learned on a wavy day is wide enough to hold zero, yet a route that
    // surely had requests coming and got none at SILENT_STEPS steps in a row stopped.
    const silent =
      counts.length >= SILENT_STEPS && counts.slice(-SILENT_STEPS).every((n) => n === 0);
    const sure =
      away &&
      ((alarm === true && judgeRequestCount(counts, expectedPerStep, variance)) ||
        (silent && judgeRequestCount(counts, expectedPerStep)));
    if (sure) return true;
    return alarm === true ? false : alarm;
  }
  if (signal === 'error_ratio') {
    const counts = options.recent.map((sample) => ({
      requests: sample?.requests ?? 0,
      errors: Math.round((sample?.errorRatio ?? 0) * (sample?.requests ?? 0)),
    }));
    const judged = judgeErrorRatio(counts, options.baselineRatio);
    if (judged.alarming && (alarm === true || judged.pooledSteps > 1)) return true;
    return alarm === null && !judged.alarming ? null : false;
  }
  if (alarm !== true || !(signal in QUANTILE_OF) || options.value <= options.upper) return alarm;
  if (!step) return false;
  // Back from the step judged until enough requests and steps, over at most PERCENTILE_POOL_STEPS.
  const pool: StepPercentiles[] = [];
  let requests = 0;
  const recent = options.recent.slice(-PERCENTILE_POOL_STEPS).reverse();
  for (const sample of recent) {
    if (requests >= MIN_PERCENTILE_REQUESTS && pool.length >= MIN_PERCENTILE_STEPS) break;
    if (!sample || sample.requests === 0) continue;
    pool.push(sample);
    requests += sample.requests;
  }
  if (pool.length < MIN_PERCENTILE_STEPS) return false;
  const values = pooledValues(pool, QUANTILE_OF[signal as keyof typeof QUANTILE_OF]);
  if (values === null || !(values[0]! > options.upper)) return false;
  const expected = options.expected ?? options.upper;
  const bar = expected + POOLED_BAR_SHARE * (options.upper - expected);
  return values.every((value) => value > bar);
}
