/** The value of an unlabelled metric on a Prometheus `/metrics` page, or NaN when absent. */
export async function metricValue(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * Waits until an unlabelled metric reaches `value` (the server has seen what the
 * test sent), polling every 20 ms; throws after `attempts` polls with the last value.
 */
export async function waitForMetric(
  metricsUrl: string,
  name: string,
  value: number,
  attempts = 500,
): Promise<void> {
  let last = Number.NaN;
  for (let i = 0; i < attempts; i++) {
    last = await metricValue(metricsUrl, name);
    if (last === value) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${name} stayed at ${last}, never reached ${value}`);
}
