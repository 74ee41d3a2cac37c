import { describe, expect, it } from 'vitest';
import {
  completeLogEnd,
  completeMetricEnd,
  completeSpanEnd,
  type Watermarks,
} from './watermarks.ts';

const MINUTE = 60_000;
const rule = { nowMs: 10 * MINUTE + 20_000, stepMs: MINUTE, settleMs: 15_000, maxWaitMs: 300_000 };
const marks = (
  spans: Record<string, number>,
  metrics: Record<string, number> = {},
  logs: Record<string, number> = {},
): Watermarks => ({
  spans: new Map(Object.entries(spans)),
  metrics: new Map(Object.entries(metrics)),
  logs: new Map(Object.entries(logs)),
  latestSpanMs: Math.max(...Object.values(spans)),
});

describe('complete steps', () => {
  it('completes a step once a span past its end is stored', () => {
    expect(completeSpanEnd(marks({ shop: 10 * MINUTE }), 'shop', rule)).toBe(10 * MINUTE);
    // Only spans of the step itself: it may not be whole yet.
    expect(completeSpanEnd(marks({ shop: 10 * MINUTE - 10_000 }), 'shop', rule)).toBe(9 * MINUTE);
  });

  it('believes a quiet service once the others have moved on past the settle time', () => {
    const quiet = marks({ shop: 6 * MINUTE, cart: 10 * MINUTE + 10_000 });
    expect(completeSpanEnd(quiet, 'shop', rule)).toBe(9 * MINUTE);
    const justAhead = marks({ shop: 6 * MINUTE, cart: 10 * MINUTE });
    expect(completeSpanEnd(justAhead, 'shop', rule)).toBe(9 * MINUTE);
  });

  it('waits for a late host however long it is late, up to the longest wait', () => {
    // Nothing past minute 7 stored for anyone: minutes 7 to 10 are not complete.
    const late = marks({ shop: 7 * MINUTE - 10_000, cart: 7 * MINUTE - 10_000 });
    expect(completeSpanEnd(late, 'shop', rule)).toBe(6 * MINUTE);
    expect(completeSpanEnd(late, 'shop', { ...rule, maxWaitMs: 120_000 })).toBe(8 * MINUTE);
    expect(completeSpanEnd(marks({}), 'shop', rule)).toBe(5 * MINUTE);
  });

  it('completes metric steps on the service own points only', () => {
    const points = marks({ cart: 10 * MINUTE + 10_000 }, { shop: 8 * MINUTE + 30_000 });
    expect(completeMetricEnd(points, 'shop', rule)).toBe(8 * MINUTE);
    expect(completeMetricEnd(points, 'cart', rule)).toBe(5 * MINUTE);
  });

  it('completes log steps on the service own records only', () => {
    const records = marks({ cart: 10 * MINUTE + 10_000 }, {}, { cron: 9 * MINUTE + 5_000 });
    expect(completeLogEnd(records, 'cron', rule)).toBe(9 * MINUTE);
    // No record of its own: only the longest wait completes its steps.
    expect(completeLogEnd(records, 'cart', rule)).toBe(5 * MINUTE);
  });
});
