/**
 * A calm series for tests: a daily wave (288 points a day) of amplitude 10 around 50 with
 * noise of ±0.5 from a fixed seed, one point every 5 minutes from 2026-01-01 UTC.
 */
export function calmSeries(length: number): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  let seed = 7;
  for (let i = 0; i < length; i++) {
    seed = (seed * 16807) % 2147483647;
    times.push(Date.UTC(2026, 0, 1) + i * 300_000);
    values.push(50 + 10 * Math.sin((2 * Math.PI * i) / 288) + (seed / 2147483647 - 0.5));
  }
  return { times, values };
}
