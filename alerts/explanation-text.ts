import type { Explanation } from './explain.ts';

/** An explanation in one line for a human (annotations, incident summaries). */
export function explanationText(explanation: unknown, limit = 3): string {
  const parsed = explanation as Partial<Explanation> | null;
  const contributors = Array.isArray(parsed?.contributors) ? parsed.contributors : [];
  const logs = explanation as { focus?: unknown; pattern?: unknown; observed?: unknown } | null;
  if (logs?.focus === 'logs') {
    // A log alert's explanation is its pattern (see detector/live/log-judgement.ts).
    return `${typeof logs.pattern === 'string' ? logs.pattern : 'log records'}: ${String(logs.observed)} records in the step`;
  }
  if (contributors.length === 0) {
    return parsed?.focus === 'metric'
      ? 'no instance stands out'
      : 'nothing in the spans stands out';
  }
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  const metric = (parsed as { metric?: unknown } | null)?.metric;
  const spans =
    parsed?.focus === 'metric'
      ? `${typeof metric === 'string' ? metric : 'the metric'}`
      : parsed?.focus === 'missing'
        ? 'spans'
        : `${parsed?.focus ?? 'all'} spans`;
  return contributors
    .slice(0, limit)
    .map(
      (c) =>
        `${c.dimension}=${c.value}: ${percent(c.anomalousShare)} of ${spans} (baseline ${percent(c.baselineShare)})`,
    )
    .join('; ');
}
