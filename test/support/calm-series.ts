/** A calm series for detector tests: a daily wave with a little noise, every 5 minutes. */
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
