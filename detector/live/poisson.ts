/**
 * Tails of the Poisson law, the chance of a count of independent events (requests, log
 * records) at a known mean rate: summed in log space from the count outward, so large
 * counts and means stay finite and small tails keep their precision.
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
