import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCHED_METRICS } from './metrics.ts';
import { metricBadDirection, movesBadWay, SIGNALS, signalInfo } from './definitions.ts';

describe('which way a signal is bad', () => {
  it('pages latencies and error ratios rising only, request rates both ways', () => {
    expect(SIGNALS.map((signal) => [signal, signalInfo(signal).bad])).toEqual([
      ['request_rate', 'both'],
      ['error_ratio', 'up'],
      ['latency_p50', 'up'],
      ['latency_p95', 'up'],
      ['latency_p99', 'up'],
    ]);
  });

  it('watches every default metric rising only, and metrics it cannot read both ways', () => {
    for (const metric of DEFAULT_WATCHED_METRICS) expect(metricBadDirection(metric)).toBe('up');
    expect(signalInfo('metric:jvm.memory.used').bad).toBe('up');
    expect(signalInfo('metric:kafka.consumer.lag').bad).toBe('up');
    expect(signalInfo('metric:orders.placed').bad).toBe('both');
    expect(signalInfo('metric:http.server.active_requests').bad).toBe('both');
    // Words inside others do not count: "flag" is not a lag, "enqueued" not a queue.
    expect(metricBadDirection('feature.flags')).toBe('both');
    expect(metricBadDirection('messages.enqueued')).toBe('both');
  });

  it('tells the bad side of a reference', () => {
    expect(movesBadWay('up', 5, 3)).toBe(true);
    expect(movesBadWay('up', 1, 3)).toBe(false);
    expect(movesBadWay('down', 1, 3)).toBe(true);
    expect(movesBadWay('both', 1, 3)).toBe(true);
    expect(movesBadWay('both', 3, 3)).toBe(false);
  });
});
