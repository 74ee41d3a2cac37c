/**
 * Tails of count laws: the Poisson law, the chance of a count of independent events
 * (requests, log records) at a known mean rate, and the negative binomial, the same when
 * the mean itself is only known to within a spread (a gamma-distributed mean). Summed in log
 * space from the count outward, so large counts and means stay finite and small tails keep
 * their precision.
 */

/** P(X ≥ k) for X ~ Poisson(mean). */
export function poissonAtLeast(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  let logTerm = logPmf(k, mean);
  let sum = 0;
  for (let i = k; i < k + 100_000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12) break;
    logTerm += Math.log(mean) - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

/** P(X ≤ k) for X ~ Poisson(mean). */
export function poissonAtMost(k: number, mean: number): number {
  if (k < 0) return 0;
  if (mean <= 0) return 1;
  let logTerm = logPmf(k, mean);
  let sum = 0;
  for (let i = k; i >= 0; i--) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12) break;
    logTerm += Math.log(i) - Math.log(mean);
  }
  return Math.min(1, sum);
}

function logPmf(k: number, mean: number): number {
  let logFactorial = 0;
  for (let i = 2; i <= k; i++) logFactorial += Math.log(i);
  return k * Math.log(mean) - mean - logFactorial;
}

/**
 * P(X ≥ k) for a count whose mean is uncertain: X ~ Poisson(λ), λ ~ Gamma with the given mean
 * and variance `meanVariance` (a negative binomial law of variance mean + meanVariance). With
 * no variance it is the Poisson tail.
 */
export function countAtLeast(k: number, mean: number, meanVariance: number): number {
  if (!(meanVariance > 0)) return poissonAtLeast(k, mean);
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  const { shape, q } = negativeBinomial(mean, meanVariance);
  let logTerm = negativeBinomialLogPmf(k, shape, q);
  let sum = 0;
  for (let i = k; i < k + 1_000_000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12 && i > (shape - 1) * (q / (1 - q))) break;
    logTerm += Math.log(i + shape) - Math.log(i + 1) + Math.log(q);
  }
  return Math.min(1, sum);
}

/** P(X ≤ k) for a count whose mean is uncertain (see countAtLeast). */
export function countAtMost(k: number, mean: number, meanVariance: number): number {
  if (!(meanVariance > 0)) return poissonAtMost(k, mean);
  if (k < 0) return 0;
  if (mean <= 0) return 1;
  const { shape, q } = negativeBinomial(mean, meanVariance);
  let logTerm = negativeBinomialLogPmf(k, shape, q);
  let sum = 0;
  for (let i = k; i >= 0; i--) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12 && i < (shape - 1) * (q / (1 - q))) break;
    logTerm += Math.log(i) - Math.log(i - 1 + shape) - Math.log(q);
  }
  return Math.min(1, sum);
}

/** The gamma mixture's shape, and the chance of one more event at each count (1 − p). */
function negativeBinomial(mean: number, meanVariance: number): { shape: number; q: number } {
  return { shape: (mean * mean) / meanVariance, q: meanVariance / (mean + meanVariance) };
}

function negativeBinomialLogPmf(k: number, shape: number, q: number): number {
  return (
    logGamma(k + shape) -
    logGamma(shape) -
    logGamma(k + 1) +
    shape * Math.log1p(-q) +
    k * Math.log(q)
  );
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
