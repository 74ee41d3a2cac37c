import { describe, expect, it } from 'vitest';
import { alertSummary, formatSignalValue } from './alert-text.ts';

describe('alert text', () => {
  it('reads ratios as percentages and gives latencies and metrics their units', () => {
    expect(formatSignalValue('error_ratio', 0.208)).toBe('20.8%');
    expect(formatSignalValue('latency_p99', 712.4)).toBe('712 ms');
    expect(formatSignalValue('request_rate', 12.345)).toBe('12.3 requests/s');
    expect(formatSignalValue('metric:process.memory.usage', 812 * 1024 * 1024, 'By')).toBe(
      '812 MiB',
    );
    expect(formatSignalValue('metric:process.cpu.utilization', 0.93, '1')).toBe('93%');
    expect(formatSignalValue('metric:http.server.request.duration', 0.41, 's')).toBe('410 ms');
    expect(formatSignalValue('metric:messaging.queue.depth', 400, '{message}')).toBe('400 message');
    expect(formatSignalValue('metric:custom', 3.14159, '')).toBe('3.14');
  });

  it('says where the incident stands: now, its expectation, its peak and since when', () => {
    expect(
      alertSummary({
        service: 'shop',
        subject: 'GET /pay',
        fault: { signal: 'latency_p99', current: 700, expected: 138.2, peak: 751 },
        openedAtMs: Date.parse('2026-11-20T12:04:10Z'),
      }),
    ).toBe(
      'shop GET /pay: latency_p99 is 700 ms, expected about 138 ms (peak 751 ms, since 12:04:10 UTC)',
    );
  });
});
