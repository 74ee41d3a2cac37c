/**
 * Groups the rows of many requests into few large inserts, and tells each request
 * when (and whether) its rows are stored. Bounded everywhere: rows and bytes per
 * batch, bytes waiting in memory, concurrent inserts, and the retry deadline.
 * One request's bad row must not fail the others: a batch refused for its rows is
 * split in halves until the requests at fault are alone, and only they are refused.
 */

export type InsertOutcome = { ok: true } | { ok: false; retryable: boolean; reason: string };

export type WriteResult =
  { accepted: true; stored: Promise<InsertOutcome> } | { accepted: false; reason: string };

export interface BatchWriterOptions {
  /** Inserts one batch of newline-separated JSONEachRow text holding `rows` rows. */
  insert(body: string, rows: number): Promise<void>;
  maxRows: number;
  maxBytes: number;
  /**
   * Least time between the starts of two inserts, ms. Rows that arrive meanwhile
   * wait (at most this long) and go together; a writer that has been quiet that
   * long inserts at once. ClickHouse merges every insert's part in the
   * background, so the rate of inserts, more than their size, sets its cost.
   */
  flushIntervalMs: number;
  /** Memory budget shared by every writer: bytes of serialised rows held (pending + in flight). */
  budget: ByteBudget;
  maxConcurrentInserts?: number;
  /** How long one batch may keep retrying a failed insert, ms (default 5 000). */
  retryDeadlineMs?: number;
  /**
   * Whether an insert error is the rows' fault (a parse or type error), not storage
   * being unavailable: such a batch is split rather than retried. Default: never.
   */
  refusesRows?(error: unknown): boolean;
  onInsert?(info: { rows: number; bytes: number; durationMs: number; ok: boolean }): void;
}

/** A byte allowance several writers draw from, so their sum stays bounded. */
export interface ByteBudget {
  readonly maxBytes: number;
  held(): number;
  tryTake(bytes: number): boolean;
  release(bytes: number): void;
}

/** Creates a budget of `maxBytes`. */
export function createByteBudget(maxBytes: number): ByteBudget {
  let held = 0;
  return {
    maxBytes,
    held: () => held,
    tryTake(bytes) {
      if (held + bytes > maxBytes) return false;
      held += bytes;
      return true;
    },
    release(bytes) {
      held -= bytes;
    },
  };
}

/** A count of things in progress, refused past `max`. */
export interface Gate {
  tryEnter(): boolean;
  leave(): void;
  /** How many are inside now. */
  inside(): number;
}

/** Creates a gate admitting at most `max` at once. */
export function createGate(max: number): Gate {
  let inside = 0;
  return {
    tryEnter() {
      if (inside >= max) return false;
      inside++;
      return true;
    },
    leave() {
      inside--;
    },
    inside: () => inside,
  };
}

export interface BatchWriter {
  /** Queues rows already serialised as JSONEachRow lines (each ending in `\n`). */
  write(lines: string, rows: number): WriteResult;
  /** Flushes what is pending and waits for every insert; idempotent. */
  close(): Promise<void>;
}

/** One entry per write (one request's rows): `parts[i]` holds `partRows[i]` rows for `waiters[i]`. */
interface Batch {
  parts: string[];
  partRows: number[];
  rows: number;
  bytes: number;
  waiters: Array<(outcome: InsertOutcome) => void>;
}

const RETRY_BASE_MS = 100;

/** Creates a writer; see BatchWriterOptions for the bounds. */
export function createBatchWriter(options: BatchWriterOptions): BatchWriter {
  const maxConcurrent = options.maxConcurrentInserts ?? 2;
  const retryDeadlineMs = options.retryDeadlineMs ?? 5_000;
  let pending: Batch = emptyBatch();
  const ready: Batch[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastSealAt = -Infinity;
  // The flush interval passed while every insert slot was busy: the pending batch
  // keeps growing (group commit) and goes as soon as a slot frees.
  let due = false;
  let closing: Promise<void> | undefined;
  let drained: (() => void) | undefined;

  function emptyBatch(): Batch {
    return { parts: [], partRows: [], rows: 0, bytes: 0, waiters: [] };
  }

  function seal(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    due = false;
    if (pending.rows === 0) return;
    lastSealAt = performance.now();
    ready.push(pending);
    pending = emptyBatch();
    pump();
  }

  function onInterval(): void {
    timer = undefined;
    if (inFlight < maxConcurrent) seal();
    else due = true;
  }

  function pump(): void {
    if (due && ready.length === 0 && inFlight < maxConcurrent) seal();
    while (inFlight < maxConcurrent && ready.length > 0) {
      const batch = ready.shift()!;
      inFlight++;
      void run(batch);
    }
    if (inFlight === 0 && ready.length === 0 && pending.rows === 0) drained?.();
  }

  async function run(batch: Batch): Promise<void> {
    await store(batch, 0, batch.parts.length, performance.now());
    inFlight--;
    pump();
  }

  /**
   * Inserts the writes `[from, to)` of a batch and resolves their waiters. When
   * ClickHouse refuses them for a row, each half is inserted on its own, down to
   * single writes: k bad requests among n cost about 2k·log2(n) extra inserts.
   */
  async function store(batch: Batch, from: number, to: number, started: number): Promise<void> {
    let rows = 0;
    for (let i = from; i < to; i++) rows += batch.partRows[i]!;
    const body = batch.parts.slice(from, to).join('');
    const attemptStarted = performance.now();
    const outcome = await insertWithRetry(body, rows, started);
    options.onInsert?.({
      rows,
      bytes: body.length,
      durationMs: performance.now() - attemptStarted,
      ok: outcome.ok,
    });
    if (!outcome.ok && !outcome.retryable && to - from > 1) {
      const middle = from + Math.ceil((to - from) / 2);
      await store(batch, from, middle, started);
      await store(batch, middle, to, started);
      return;
    }
    for (let i = from; i < to; i++) {
      options.budget.release(batch.parts[i]!.length);
      batch.waiters[i]!(outcome);
    }
  }

  async function insertWithRetry(
    body: string,
    rows: number,
    started: number,
  ): Promise<InsertOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        await options.insert(body, rows);
        return { ok: true };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (options.refusesRows?.(error)) {
          return { ok: false, retryable: false, reason: `storage refused the data: ${reason}` };
        }
        const delay = RETRY_BASE_MS * 2 ** attempt * (0.5 + Math.random() / 2);
        if (performance.now() - started + delay > retryDeadlineMs) {
          return { ok: false, retryable: true, reason: `storage insert failed: ${reason}` };
        }
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  return {
    write(lines, rows) {
      if (closing) return { accepted: false, reason: 'shutting down' };
      if (rows === 0) return { accepted: true, stored: Promise.resolve({ ok: true }) };
      const bytes = lines.length;
      if (!options.budget.tryTake(bytes))
        return { accepted: false, reason: 'ingest queue is full' };
      if (
        pending.rows > 0 &&
        (pending.rows + rows > options.maxRows || pending.bytes + bytes > options.maxBytes)
      ) {
        seal();
      }
      pending.parts.push(lines);
      pending.partRows.push(rows);
      pending.rows += rows;
      pending.bytes += bytes;
      const stored = new Promise<InsertOutcome>((resolve) => pending.waiters.push(resolve));
      if (pending.rows >= options.maxRows || pending.bytes >= options.maxBytes) seal();
      else if (!timer && !due) {
        // A timer even when the interval has passed: writes of this turn join the batch.
        const wait = Math.max(0, lastSealAt + options.flushIntervalMs - performance.now());
        timer = setTimeout(onInterval, wait).unref();
      }
      return { accepted: true, stored };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        drained = resolve;
        seal();
        pump();
      });
      return closing;
    },
  };
}
