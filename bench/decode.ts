/**
 * OTLP decoder benchmark: decodes one pre-encoded 512-span protobuf batch (~10
 * attributes per span, from the real SDK and serializer) over and over on one core,
 * and the same batch as OTLP/JSON for comparison.
 *
 *   npm run bench:decode [-- --seconds 5 --batch-spans 512]
 */
import { parseArgs } from 'node:util';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  decodeTracesJson,
  decodeTracesProtobuf,
  type DecodeResult,
} from '../collector/otlp/index.ts';
import type { SpanRow } from '../storage/rows.ts';
import { uint64Decimal } from '../collector/otlp/int64-decimal.ts';
import { makeSpans } from '../test/support/spans.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    'batch-spans': { type: 'string', default: '512' },
  },
});
const SECONDS = Number(args.seconds);
const BATCH_SPANS = Number(args['batch-spans']);

interface Throughput {
  spansPerSecond: number;
  megabytesPerSecond: number;
  microsecondsPerBatch: number;
}

function measure(
  body: Uint8Array,
  decode: (body: Uint8Array) => DecodeResult<SpanRow>,
  seconds: number,
): Throughput {
  const check = decode(body);
  if (!check.ok || check.rows.length !== BATCH_SPANS) {
    throw new Error(
      `decoder failed on the benchmark batch: ${JSON.stringify(check).slice(0, 200)}`,
    );
  }
  // Warm up so the JIT has optimised the decoder before timing starts.
  for (let i = 0; i < 200; i++) decode(body);
  let batches = 0;
  let rows = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 20; i++) {
      const result = decode(body);
      if (result.ok) rows += result.rows.length;
    }
    batches += 20;
    now = process.hrtime.bigint();
  }
  const elapsedSeconds = Number(now - start) / 1e9;
  return {
    spansPerSecond: Math.round(rows / elapsedSeconds),
    megabytesPerSecond: Number(((batches * body.length) / elapsedSeconds / 1e6).toFixed(1)),
    microsecondsPerBatch: Number(((elapsedSeconds / batches) * 1e6).toFixed(1)),
  };
}

/** ns per conversion of realistic nanosecond timestamps to decimal text. */
function timestampDecimalNs(toDecimal: (low: number, high: number) => string): number {
  const lows = new Uint32Array(1024);
  const highs = new Uint32Array(1024);
  for (let i = 0; i < 1024; i++) {
    const nanos = 1_700_000_000_123_456_789n + BigInt(i * 1_234_567);
    lows[i] = Number(nanos & 0xffff_ffffn);
    highs[i] = Number(nanos >> 32n);
  }
  const iterations = 2_000_000;
  let length = 0;
  for (let i = 0; i < 100_000; i++) length += toDecimal(lows[i & 1023]!, highs[i & 1023]!).length;
  const start = performance.now();
  for (let i = 0; i < iterations; i++)
    length += toDecimal(lows[i & 1023]!, highs[i & 1023]!).length;
  const elapsed = performance.now() - start;
  if (length === 0) throw new Error('unreachable');
  return Number(((elapsed * 1e6) / iterations).toFixed(1));
}

async function main(): Promise<void> {
  const spans = await makeSpans({ spans: BATCH_SPANS, errorEvery: 50 });
  const protobuf = ProtobufTraceSerializer.serializeRequest(spans);
  const json = JsonTraceSerializer.serializeRequest(spans);
  if (!protobuf || !json) throw new Error('serializer produced nothing');

  const protobufThroughput = measure(protobuf, decodeTracesProtobuf, SECONDS);
  console.log(
    `protobuf: ${protobufThroughput.spansPerSecond.toLocaleString('en')} spans/s, ` +
      `${protobufThroughput.megabytesPerSecond} MB/s, ${protobufThroughput.microsecondsPerBatch} µs per ${BATCH_SPANS}-span batch (${protobuf.length} bytes)`,
  );
  const jsonThroughput = measure(json, decodeTracesJson, Math.max(1, SECONDS / 2));
  console.log(
    `json:     ${jsonThroughput.spansPerSecond.toLocaleString('en')} spans/s, ` +
      `${jsonThroughput.megabytesPerSecond} MB/s, ${jsonThroughput.microsecondsPerBatch} µs per batch (${json.length} bytes)`,
  );
  const twoLimbNs = timestampDecimalNs(uint64Decimal);
  const bigintNs = timestampDecimalNs((low, high) =>
    ((BigInt(high) << 32n) | BigInt(low)).toString(),
  );
  console.log(`timestamp to decimal: base-1e7 limbs ${twoLimbNs} ns, BigInt ${bigintNs} ns`);

  const result = {
    batchSpans: BATCH_SPANS,
    batchBytes: protobuf.length,
    spansPerSecond: protobufThroughput.spansPerSecond,
    megabytesPerSecond: protobufThroughput.megabytesPerSecond,
    microsecondsPerBatch: protobufThroughput.microsecondsPerBatch,
    json: { batchBytes: json.length, ...jsonThroughput },
    timestampDecimalNs: { limbs: twoLimbNs, bigint: bigintNs },
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

await main();
