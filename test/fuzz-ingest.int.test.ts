import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeLogsJson,
  decodeLogsProtobuf,
  decodeMetricsJson,
  decodeMetricsProtobuf,
  decodeTracesJson,
  decodeTracesProtobuf,
} from '../collector/index.ts';
import { emitLogs, encodeLogs, SAMPLE_RECORDS } from '../collector/otlp/log-fixtures.ts';
import { collectMetrics, encodeMetrics } from '../collector/otlp/metric-fixtures.ts';
import { encodeSpans, richSpan } from '../collector/otlp/span-fixtures.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

/** xorshift32: a seeded generator, so a failure names a payload that can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** One mutation of `seed`: bit flips, byte overwrites, truncation, splices, or pure noise. */
function mutate(seed: Uint8Array, next: () => number): Uint8Array {
  const pick = next();
  const bytes = Uint8Array.from(seed);
  const at = () => Math.floor(next() * bytes.length);
  if (pick < 0.3) {
    for (let i = 0, n = 1 + Math.floor(next() * 8); i < n; i++)
      bytes[at()]! ^= 1 << Math.floor(next() * 8);
    return bytes;
  }
  if (pick < 0.5) {
    for (let i = 0, n = 1 + Math.floor(next() * 4); i < n; i++)
      bytes[at()] = [0x00, 0xff, 0x7f, 0x80, 0x22, 0x7b, 0x5d][Math.floor(next() * 7)]!;
    return bytes;
  }
  if (pick < 0.7) return bytes.subarray(0, at());
  if (pick < 0.85) {
    const from = at();
    const to = at();
    return new Uint8Array([
      ...bytes.subarray(0, Math.min(from, to)),
      ...bytes.subarray(Math.max(from, to)),
      ...bytes.subarray(from, from + 16),
    ]);
  }
  const noise = new Uint8Array(Math.floor(next() * 512));
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(next() * 256);
  return noise;
}

interface Seeds {
  decoder: (bytes: Uint8Array) => { ok: boolean };
  seed: Uint8Array;
  path: string;
  contentType: string;
}

describe('fuzzing the OTLP decoders and receiver', () => {
  let seeds: Seeds[];
  let opsless: TestOpsless;

  beforeAll(async () => {
    const spans = encodeSpans([richSpan().span]);
    const metrics = encodeMetrics(await collectMetrics());
    const logs = encodeLogs(await emitLogs(SAMPLE_RECORDS));
    const protobuf = 'application/x-protobuf';
    const json = 'application/json';
    seeds = [
      {
        decoder: decodeTracesProtobuf,
        seed: spans.protobuf,
        path: '/v1/traces',
        contentType: protobuf,
      },
      { decoder: decodeTracesJson, seed: spans.json, path: '/v1/traces', contentType: json },
      {
        decoder: decodeMetricsProtobuf,
        seed: metrics.protobuf,
        path: '/v1/metrics',
        contentType: protobuf,
      },
      { decoder: decodeMetricsJson, seed: metrics.json, path: '/v1/metrics', contentType: json },
      { decoder: decodeLogsProtobuf, seed: logs.protobuf, path: '/v1/logs', contentType: protobuf },
      { decoder: decodeLogsJson, seed: logs.json, path: '/v1/logs', contentType: json },
    ];
    opsless = await startTestOpsless();
  });
  afterAll(async () => {
    await opsless.stop();
  });

  // A hang fails the test's timeout; speed is bench:decode's to measure, not a test's.
  it('decodes 120k mutated, truncated and random payloads without a throw, a hang or a leak', () => {
    const next = random(0x5eed);
    const heapBefore = process.memoryUsage().heapUsed;
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 120_000; i++) {
      const { decoder, seed } = seeds[i % seeds.length]!;
      const payload = mutate(seed, next);
      let result: { ok: boolean };
      try {
        result = decoder(payload);
      } catch (error) {
        throw new Error(`decoder threw on payload ${i} (seed 0x5eed): ${String(error)}`);
      }
      if (result.ok) decoded++;
      else refused++;
    }
    expect(decoded + refused).toBe(120_000);
    expect(refused).toBeGreaterThan(10_000);
    expect(decoded).toBeGreaterThan(1_000);
    globalThis.gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);

  it('answers every mutated payload over HTTP with 200, 400 or 413 and keeps serving', async () => {
    const next = random(0xbad5eed);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 3_000; i++) {
      const { seed, path, contentType } = seeds[i % seeds.length]!;
      const response = await fetch(`${opsless.otlpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: mutate(seed, next),
      });
      const text = await response.text();
      if (![200, 400, 413].includes(response.status)) {
        throw new Error(`payload ${i} to ${path} got ${response.status}: ${text.slice(0, 300)}`);
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    const health = await fetch(`${opsless.apiUrl}/healthz`);
    expect(health.status).toBe(200);
  }, 180_000);
});
