import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorageClient } from '../storage/index.ts';
import { spawnOpsless, stopProcess, type OpslessProcess } from './support/process.ts';
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
    const acknowledged = new Set<string>();
    let running = true;
    let killed = false;
    const senders = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let n = 0; running; n++) {
        const batch = `batch-${client}-${n}`;
        try {
          const response = await fetch(`http://127.0.0.1:${first.otlpPort}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: batchBody(batch),
          });
          if (response.status === 200) acknowledged.add(batch);
          await response.arrayBuffer();
        } catch {
          if (killed) return; // the connection died with the process
        }
      }
    });
    // Kill only once a good number of batches were acknowledged, while requests are in flight.
    const deadline = Date.now() + 30_000;
    while (acknowledged.size < 40 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    killed = true;
    await stopProcess(first.child, 'SIGKILL');
    running = false;
    await Promise.all(senders);
    const acknowledgedAtKill = new Set(acknowledged);

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

    const client = createStorageClient({ dataDir });
    try {
      const stored = await rows<{ SpanName: string; n: string }>(
        client,
        "SELECT SpanName, count() AS n FROM otel_traces WHERE ServiceName = 'crash-test' GROUP BY SpanName",
      );
      const counts = new Map(stored.map((row) => [row.SpanName, Number(row.n)]));
      const missing = [...acknowledgedAtKill].filter(
        (batch) => (counts.get(batch) ?? 0) < SPANS_PER_BATCH,
      );
      expect(missing).toEqual([]);
      expect(counts.get('after-restart')).toBe(SPANS_PER_BATCH);
      expect(acknowledgedAtKill.size).toBeGreaterThanOrEqual(40);
    } finally {
      await client.close();
    }
  }, 120_000);
});
