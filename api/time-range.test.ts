import { describe, expect, it } from 'vitest';
import { parseDuration, parseTimeRange } from './time-range.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');

describe('time ranges', () => {
  it('reads since as a duration back from now, 15 minutes by default', () => {
    expect(parseTimeRange({}, NOW)).toEqual({ fromMs: NOW - 15 * 60_000, toMs: NOW });
    expect(parseTimeRange({ since: '6h' }, NOW)).toEqual({
      fromMs: NOW - 6 * 3_600_000,
      toMs: NOW,
    });
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('2w', 'x')).toBe(14 * 86_400_000);
  });

  it('reads from/to as ISO times, to defaulting to now', () => {
    expect(
      parseTimeRange({ from: '2026-11-24T11:00:00Z', to: '2026-11-24T11:30:00Z' }, NOW),
    ).toEqual({
      fromMs: NOW - 3_600_000,
      toMs: NOW - 1_800_000,
    });
    expect(parseTimeRange({ from: '2026-11-24T11:00:00Z' }, NOW).toMs).toBe(NOW);
  });

  it.each([
    [{ since: '15 minutes' }, /since must be a duration/],
    [{ since: '0m' }, /longer than 0/],
    [{ from: 'yesterday' }, /from must be an ISO 8601 time/],
    [{ to: '2026-11-24T11:00:00Z' }, /to needs from/],
    [{ from: '2026-11-24T11:00:00Z', to: '2026-11-24T10:00:00Z' }, /must be after from/],
    [{ since: '1h', from: '2026-11-24T11:00:00Z' }, /either since or from\/to/],
    [{ since: '100d' }, /90 days at most/],
  ])('rejects %j with a message naming the problem', (query, message) => {
    expect(() => parseTimeRange(query, NOW)).toThrow(message);
  });
});
