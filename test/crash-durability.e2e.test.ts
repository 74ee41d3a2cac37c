import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorageClient } from '../storage/live/index.ts';
import { spawnOpsless, stopProcess, type OpslessProcess } from '../harness/index.ts';
import { rows } from './support/opsless.ts';

const CLIENTS = 4;
const SPANS_PER_BATCH = 50;

/** An OTLP/JSON request whose spans all carry the batch's name, so the batch can be found. */
function batchBody(batch: string): string {
  const spans = [];
  for (let i = 0; i < SPANS_PER_BATCH; i++) {
    spans.push({
      traceId: randomHex(16),
      spanId: randomHex(8),
      name: batch,
      kind: 2,
      startTimeUnixNano: `${Date.now()}000000`,
      endTimeUnixNano: `${Date.now() + 5}000000`,
      attributes: [{ key: 'http.route', value: { stringValue: '/crash' } }],
    });
  }
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crash-test' } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

function randomHex(bytes: number): string {
  let text = '';
  for (let i = 0; i < bytes; i++)
    text += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  return text;
}

/** Clients that post batches until the process goes away; returns the acknowledged batch names. */
function sendContinuously(port: number, prefix: string) {
  const acknowledged = new Set<string>();
  let stopping = false;
  const done = Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let n = 0; !stopping; n++) {
        const batch = `${prefix}-${client}-${n}`;
        try {
          const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: batchBody(batch),
          });
          await response.arrayBuffer();
          if (response.status === 200) acknowledged.add(batch);
        } catch {
          if (stopping) return; // the connection died with the process
        }
      }
    }),
  );
  return {
    acknowledged,
    /** Resolves once at least `count` batches were acknowledged (or 30 s passed). */
    async until(count: number) {
      const deadline = Date.now() + 30_000;
      while (acknowledged.size < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** Stops sending; returns what was acknowledged by then. */
    async stop(): Promise<Set<string>> {
      stopping = true;
      await done;
      return new Set(acknowledged);
    },
  };
}

async function storedBatches(dataDir: string): Promise<Map<string, number>> {
  const client = createStorageClient({ dataDir });
  try {
    const stored = await rows<{ SpanName: string; n: string }>(
      client,
      "SELECT SpanName, count() AS n FROM otel_traces WHERE ServiceName = 'crash-test' GROUP BY SpanName",
    );
    return new Map(stored.map((row) => [row.SpanName, Number(row.n)]));
  } finally {
    await client.close();
  }
}

describe('crash durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-crash-'));
  const spawned: OpslessProcess[] = [];
  afterAll(async () => {
    // A failed assertion must not leave a process behind.
    await Promise.all(spawned.map((process) => stopProcess(process.child, 'SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged span when the process is SIGKILLed mid-stream', async () => {
    const first = await spawnOpsless({
      OPSLESS_DATA_DIR: dataDir,
      OPSLESS_FLUSH_INTERVAL_MS: '50',
    });
    spawned.push(first);
    const senders = sendContinuously(first.otlpPort, 'kill');
    await senders.until(40); // kill while requests are in flight
    const [, acknowledged] = await Promise.all([
      stopProcess(first.child, 'SIGKILL'),
      senders.stop(),
    ]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(40);

    // The restarted process comes up on the same directory and takes data again.
    const second = await spawnOpsless({ OPSLESS_DATA_DIR: dataDir });
    spawned.push(second);
    const after = await fetch(`http://127.0.0.1:${second.otlpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batchBody('after-restart'),
    });
    expect(after.status).toBe(200);
    expect(await stopProcess(second.child, 'SIGTERM')).toBe(0);

    const counts = await storedBatches(dataDir);
    expect([...acknowledged].filter((batch) => (counts.get(batch) ?? 0) < SPANS_PER_BATCH)).toEqual(
      [],
    );
    expect(counts.get('after-restart')).toBe(SPANS_PER_BATCH);
  }, 120_000);

  it('drains what it acknowledged when stopped with SIGTERM mid-stream, and exits 0', async () => {
    const running = await spawnOpsless({
      OPSLESS_DATA_DIR: dataDir,
      OPSLESS_FLUSH_INTERVAL_MS: '300',
    });
    spawned.push(running);
    const senders = sendContinuously(running.otlpPort, 'term');
    await senders.until(20);
    const [code, acknowledged] = await Promise.all([
      stopProcess(running.child, 'SIGTERM'),
      senders.stop(),
    ]);
    expect(code).toBe(0);
    const counts = await storedBatches(dataDir);
    expect([...acknowledged].filter((batch) => (counts.get(batch) ?? 0) < SPANS_PER_BATCH)).toEqual(
      [],
    );
  }, 120_000);
});
