import type { Alert } from '../../alerts/index.ts';

/** An open latency alert, with `overrides`. */
export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    service: 'checkout',
    signal: 'latency_p99',
    signals: ['latency_p99'],
    operation: 'GET /cart/:id',
    severity: 'warning',
    status: 'open',
    score: 0.93,
    observed: 812,
    expected: 120,
    peak: 812,
    openedAt: '2026-11-24T11:50:00.000Z',
    updatedAt: '2026-11-24T11:50:00.000Z',
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    summary: 'checkout latency_p99 is 812 ms, expected 120 ms',
    explanation: {
      focus: 'slow',
      anomalousSpans: 120,
      baselineSpans: 900,
      contributors: [
        {
          dimension: 'http.route',
          value: '/cart/:id',
          anomalousShare: 0.92,
          baselineShare: 0.1,
          contribution: 0.82,
          anomalousCount: 110,
        },
      ],
    },
    ...overrides,
  };
}
