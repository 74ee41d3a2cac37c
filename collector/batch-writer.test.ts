import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBatchWriter, createByteBudget, type BatchWriterOptions } from './batch-writer.ts';

function writer(overrides: Partial<BatchWriterOptions> & Pick<BatchWriterOptions, 'insert'>) {
  return createBatchWriter({
    maxRows: 100,
    maxBytes: 1_000_000,
    flushIntervalMs: 10,
    budget: createByteBudget(1_000_000),
    retryDeadlineMs: 300,
    ...overrides,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('batch writer', () => {
  it('groups writes from several requests into one insert and resolves each when stored', async () => {
    const inserts: Array<{ body: string; rows: number }> = [];
    const w = writer({ insert: async (body, rows) => void inserts.push({ body, rows }) });
    const a = w.write('{"a":1}\n', 1);
    const b = w.write('{"b":2}\n{"b":3}\n', 2);
    if (!a.accepted || !b.accepted) throw new Error('not accepted');
    expect(await a.stored).toEqual({ ok: true });
    expect(await b.stored).toEqual({ ok: true });
    expect(inserts).toEqual([{ body: '{"a":1}\n{"b":2}\n{"b":3}\n', rows: 3 }]);
  });

  it('inserts at once when quiet, then at most once per interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const inserted: number[] = [];
    const w = writer({
      flushIntervalMs: 1_000,
      insert: async (_b, rows) => void inserted.push(rows),
    });
    w.write('a\n', 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(inserted).toEqual([1]); // the first write after a quiet second does not wait
    await vi.advanceTimersByTimeAsync(100);
    w.write('b\n', 1);
    await vi.advanceTimersByTimeAsync(400);
    w.write('c\n', 1);
    await vi.advanceTimersByTimeAsync(400);
    expect(inserted).toEqual([1]); // 900 ms after the first insert: still waiting
    await vi.advanceTimersByTimeAsync(101);
    expect(inserted).toEqual([1, 2]); // one insert a second after the first
    await vi.advanceTimersByTimeAsync(5_000);
    w.write('d\n', 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(inserted).toEqual([1, 2, 1]); // quiet again: at once
    await w.close();
  });

  it('seals a batch at maxRows without waiting for the interval', async () => {
    const inserts: number[] = [];
    const w = writer({
      maxRows: 2,
      flushIntervalMs: 60_000,
      insert: async (_b, rows) => void inserts.push(rows),
    });
    const a = w.write('x\n', 1);
    const b = w.write('y\n', 1);
    if (!a.accepted || !b.accepted) throw new Error('not accepted');
    await Promise.all([a.stored, b.stored]);
    expect(inserts).toEqual([2]);
  });

  it('refuses writes beyond the shared byte budget and accepts again once inserts finish', async () => {
    const budget = createByteBudget(10);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const w = writer({ budget, insert: () => gate });
    const first = w.write('123456\n', 1);
    expect(first.accepted).toBe(true);
    expect(w.write('abcdef\n', 1)).toEqual({ accepted: false, reason: 'ingest queue is full' });
    release();
    if (first.accepted) await first.stored;
    expect(budget.held()).toBe(0);
    expect(w.write('abcdef\n', 1).accepted).toBe(true);
    await w.close();
  });

  it('keeps growing one batch while every insert slot is busy (group commit)', async () => {
    const inserted: number[] = [];
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    const w = writer({
      maxConcurrentInserts: 1,
      flushIntervalMs: 5,
      insert: async (_body, rows) => {
        inserted.push(rows);
        await gate;
      },
    });
    const first = w.write('a\n', 1);
    await new Promise((resolve) => setTimeout(resolve, 20)); // first batch is in flight, blocked
    const later = [w.write('b\n', 1), w.write('c\n', 1)];
    await new Promise((resolve) => setTimeout(resolve, 20)); // several intervals pass meanwhile
    gate = Promise.resolve();
    release();
    for (const result of [first, ...later]) if (result.accepted) await result.stored;
    expect(inserted).toEqual([1, 2]);
  });

  it('retries a failing insert and reports a retryable failure after the deadline', async () => {
    let calls = 0;
    const w = writer({
      insert: async () => {
        calls++;
        throw new Error('connection refused');
      },
    });
    const result = w.write('x\n', 1);
    if (!result.accepted) throw new Error('not accepted');
    const outcome = await result.stored;
    expect(outcome).toEqual({
      ok: false,
      retryable: true,
      reason: 'storage insert failed: connection refused',
    });
    expect(calls).toBeGreaterThan(1);
  });

  it('recovers by itself once storage takes inserts again', async () => {
    let failuresLeft = 2;
    const stored: number[] = [];
    const w = writer({
      retryDeadlineMs: 5_000,
      insert: async (_body, rows) => {
        if (failuresLeft-- > 0) throw new Error('connection refused');
        stored.push(rows);
      },
    });
    const result = w.write('x\n', 1);
    if (!result.accepted) throw new Error('not accepted');
    expect(await result.stored).toEqual({ ok: true });
    expect(stored).toEqual([1]);
  });

  it('splits a batch refused for a row, storing the other requests and refusing only the bad one', async () => {
    const stored: string[] = [];
    const attempts: number[] = [];
    const w = writer({
      flushIntervalMs: 60_000,
      refusesRows: (error) => error instanceof Error && error.message.startsWith('Code: 25.'),
      insert: async (body, rows) => {
        attempts.push(rows);
        if (body.includes('bad')) throw new Error('Code: 25. Cannot parse escape sequence');
        stored.push(body);
      },
    });
    const lines = ['a\n', 'b\nb\n', 'bad\n', 'c\n', 'd\n', 'bad again\n', 'e\n'];
    const results = lines.map((line) => w.write(line, line.split('\n').length - 1));
    await w.close();
    const outcomes = await Promise.all(
      results.map((result) => {
        if (!result.accepted) throw new Error(result.reason);
        return result.stored;
      }),
    );
    const refused = {
      ok: false,
      retryable: false,
      reason: 'storage refused the data: Code: 25. Cannot parse escape sequence',
    };
    expect(outcomes).toEqual([
      { ok: true },
      { ok: true },
      refused,
      { ok: true },
      { ok: true },
      refused,
      { ok: true },
    ]);
    // Every good row stored exactly once; the refused rows never retried on their own.
    expect(stored.join('').split('\n').filter(Boolean).sort()).toEqual([
      'a',
      'b',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(attempts[0]).toBe(8);
    expect(attempts.length).toBeLessThanOrEqual(1 + 2 * 2 * Math.ceil(Math.log2(lines.length)));
  });

  it('does not split a batch when storage is unavailable: every request may retry', async () => {
    const attempts: number[] = [];
    const w = writer({
      flushIntervalMs: 60_000,
      retryDeadlineMs: 0,
      refusesRows: () => false,
      insert: async (_body, rows) => {
        attempts.push(rows);
        throw new Error('connection refused');
      },
    });
    const results = [w.write('a\n', 1), w.write('b\n', 1)];
    await w.close();
    for (const result of results) {
      expect(result.accepted && (await result.stored)).toEqual({
        ok: false,
        retryable: true,
        reason: 'storage insert failed: connection refused',
      });
    }
    expect(attempts).toEqual([2]);
  });

  it('close flushes pending rows, waits for them, and then refuses new writes', async () => {
    const inserted: number[] = [];
    const w = writer({
      flushIntervalMs: 60_000,
      insert: async (_b, rows) => void inserted.push(rows),
    });
    w.write('x\n', 1);
    await w.close();
    expect(inserted).toEqual([1]);
    expect(w.write('y\n', 1)).toEqual({ accepted: false, reason: 'shutting down' });
    await w.close();
  });
});
