/**
 * OTLP decoder benchmark: decodes one pre-encoded 512-span protobuf batch (~10
 * attributes per span, from the real SDK and serializer) over and over on one core,
 * and the same batch as OTLP/JSON and through protobufjs for comparison; then the
 * whole way to JSONEachRow lines, through row objects and JSON.stringify and through
 * the transcoder the collector uses. Rates are the median of one-second rounds, by
 * wall clock and per CPU-second of the process.
 *
 *   npm run bench:decode [-- --rounds 7 --batch-spans 512]
 */
import { parseArgs } from 'node:util';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  decodeTracesJson,
  decodeTracesProtobuf,
  toJsonLines,
  transcodeTracesProtobuf,
  type DecodeResult,
  uint64Decimal,
} from '../collector/index.ts';
import { makeSpans } from '../harness/index.ts';
import protobuf from 'protobufjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    'batch-spans': { type: 'string', default: '512' },
  },
});
const ROUNDS = Math.max(1, Number(args.rounds));
const BATCH_SPANS = Number(args['batch-spans']);

interface Throughput {
  /** Median one-second round, wall clock on the one JavaScript thread. */
  spansPerSecond: number;
  megabytesPerSecond: number;
  microsecondsPerBatch: number;
  /** Median round per CPU-second of the whole process, GC helper threads included. */
  spansPerCpuSecond: number;
  /** Slowest and fastest wall-clock round: shared hosts are noisy. */
  roundsSpansPerSecond: [number, number];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Spans a decoder produced from a batch, or -1 when it failed. */
type Run = (body: Uint8Array) => number;

const spansOf = (result: DecodeResult<unknown>): number => (result.ok ? result.rows.length : -1);

/** Runs `decode` on `body` for `rounds` rounds of one second each; reports the median round. */
function measure(body: Uint8Array, decode: Run, rounds: number): Throughput {
  const spans = decode(body);
  if (spans !== BATCH_SPANS) {
    throw new Error(`decoder failed on the benchmark batch: ${spans} of ${BATCH_SPANS} spans`);
  }
  // Warm up so the JIT has optimised the decoder before timing starts.
  for (let i = 0; i < 200; i++) decode(body);
  const batchesPerSecond: number[] = [];
  const batchesPerCpuSecond: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let batches = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let elapsedMs = 0;
    while (elapsedMs < 1000) {
      for (let i = 0; i < 10; i++) {
        if (decode(body) < 0) throw new Error('decode failed during the benchmark');
      }
      batches += 10;
      elapsedMs = performance.now() - start;
    }
    const cpu = process.cpuUsage(cpuStart);
    batchesPerSecond.push(batches / (elapsedMs / 1000));
    batchesPerCpuSecond.push(batches / ((cpu.user + cpu.system) / 1e6));
  }
  const perSecond = median(batchesPerSecond);
  return {
    spansPerSecond: Math.round(perSecond * BATCH_SPANS),
    megabytesPerSecond: Number(((perSecond * body.length) / 1e6).toFixed(1)),
    microsecondsPerBatch: Number((1e6 / perSecond).toFixed(1)),
    spansPerCpuSecond: Math.round(median(batchesPerCpuSecond) * BATCH_SPANS),
    roundsSpansPerSecond: [
      Math.round(Math.min(...batchesPerSecond) * BATCH_SPANS),
      Math.round(Math.max(...batchesPerSecond) * BATCH_SPANS),
    ],
  };
}

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const field = (type: string, id: number) => ({ type, id });
/** The OTLP trace messages, for the protobufjs baseline (decoding to messages, no rows). */
const OTLP_TRACE_SCHEMA = {
  nested: {
    AnyValue: {
      oneofs: {
        value: {
          oneof: [
            'stringValue',
            'boolValue',
            'intValue',
            'doubleValue',
            'arrayValue',
            'kvlistValue',
            'bytesValue',
          ],
        },
      },
      fields: {
        stringValue: field('string', 1),
        boolValue: field('bool', 2),
        intValue: field('int64', 3),
        doubleValue: field('double', 4),
        arrayValue: field('ArrayValue', 5),
        kvlistValue: field('KeyValueList', 6),
        bytesValue: field('bytes', 7),
      },
    },
    ArrayValue: { fields: { values: repeated('AnyValue', 1) } },
    KeyValueList: { fields: { values: repeated('KeyValue', 1) } },
    KeyValue: { fields: { key: field('string', 1), value: field('AnyValue', 2) } },
    Resource: {
      fields: { attributes: repeated('KeyValue', 1), droppedAttributesCount: field('uint32', 2) },
    },
    InstrumentationScope: {
      fields: {
        name: field('string', 1),
        version: field('string', 2),
        attributes: repeated('KeyValue', 3),
        droppedAttributesCount: field('uint32', 4),
      },
    },
    Status: { fields: { message: field('string', 2), code: field('int32', 3) } },
    Event: {
      fields: {
        timeUnixNano: field('fixed64', 1),
        name: field('string', 2),
        attributes: repeated('KeyValue', 3),
        droppedAttributesCount: field('uint32', 4),
      },
    },
    Link: {
      fields: {
        traceId: field('bytes', 1),
        spanId: field('bytes', 2),
        traceState: field('string', 3),
        attributes: repeated('KeyValue', 4),
        droppedAttributesCount: field('uint32', 5),
        flags: field('fixed32', 6),
      },
    },
    Span: {
      fields: {
        traceId: field('bytes', 1),
        spanId: field('bytes', 2),
        traceState: field('string', 3),
        parentSpanId: field('bytes', 4),
        name: field('string', 5),
        kind: field('int32', 6),
        startTimeUnixNano: field('fixed64', 7),
        endTimeUnixNano: field('fixed64', 8),
        attributes: repeated('KeyValue', 9),
        droppedAttributesCount: field('uint32', 10),
        events: repeated('Event', 11),
        droppedEventsCount: field('uint32', 12),
        links: repeated('Link', 13),
        droppedLinksCount: field('uint32', 14),
        status: field('Status', 15),
        flags: field('fixed32', 16),
      },
    },
    ScopeSpans: {
      fields: {
        scope: field('InstrumentationScope', 1),
        spans: repeated('Span', 2),
        schemaUrl: field('string', 3),
      },
    },
    ResourceSpans: {
      fields: {
        resource: field('Resource', 1),
        scopeSpans: repeated('ScopeSpans', 2),
        schemaUrl: field('string', 3),
      },
    },
    ExportTraceServiceRequest: { fields: { resourceSpans: repeated('ResourceSpans', 1) } },
  },
};

/** protobufjs decoding the same batch to plain messages: the library the hand-written decoder replaces. */
function protobufjsBaseline(body: Uint8Array, rounds: number): Throughput {
  const request = protobuf.Root.fromJSON(OTLP_TRACE_SCHEMA).lookupType('ExportTraceServiceRequest');
  const decode = (bytes: Uint8Array): number => {
    const message = request.decode(bytes) as unknown as {
      resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
    };
    return message.resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0;
  };
  return measure(body, decode, rounds);
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

  const protobufThroughput = measure(protobuf, (b) => spansOf(decodeTracesProtobuf(b)), ROUNDS);
  console.log(
    `protobuf: ${protobufThroughput.spansPerSecond.toLocaleString('en')} spans/s, ` +
      `${protobufThroughput.megabytesPerSecond} MB/s, ${protobufThroughput.microsecondsPerBatch} µs per ${BATCH_SPANS}-span batch (${protobuf.length} bytes); ` +
      `rounds ${protobufThroughput.roundsSpansPerSecond.join('-')} spans/s; ` +
      `${protobufThroughput.spansPerCpuSecond.toLocaleString('en')} spans per CPU-second`,
  );
  const jsonThroughput = measure(
    json,
    (b) => spansOf(decodeTracesJson(b)),
    Math.max(1, Math.ceil(ROUNDS / 2)),
  );
  console.log(
    `json:     ${jsonThroughput.spansPerSecond.toLocaleString('en')} spans/s, ` +
      `${jsonThroughput.megabytesPerSecond} MB/s, ${jsonThroughput.microsecondsPerBatch} µs per batch (${json.length} bytes)`,
  );
  const baseline = protobufjsBaseline(protobuf, Math.max(1, Math.ceil(ROUNDS / 2)));
  console.log(
    `protobufjs baseline (to messages, no rows): ${baseline.spansPerSecond.toLocaleString('en')} spans/s, ${baseline.megabytesPerSecond} MB/s`,
  );
  const viaRows = measure(
    protobuf,
    (b) => {
      const decoded = decodeTracesProtobuf(b);
      if (!decoded.ok) return -1;
      toJsonLines(decoded.rows);
      return decoded.rows.length;
    },
    ROUNDS,
  );
  const transcoded = measure(
    protobuf,
    (b) => {
      const result = transcodeTracesProtobuf(b);
      return result.ok ? result.rows.count : -1;
    },
    ROUNDS,
  );
  console.log(
    `protobuf to JSONEachRow lines: through rows and JSON.stringify ${viaRows.spansPerSecond.toLocaleString('en')} spans/s (${viaRows.spansPerCpuSecond.toLocaleString('en')} per CPU-second), transcoded ${transcoded.spansPerSecond.toLocaleString('en')} spans/s (${transcoded.spansPerCpuSecond.toLocaleString('en')} per CPU-second)`,
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
    spansPerCpuSecond: protobufThroughput.spansPerCpuSecond,
    roundsSpansPerSecond: protobufThroughput.roundsSpansPerSecond,
    json: { batchBytes: json.length, ...jsonThroughput },
    protobufjsBaseline: baseline,
    toJsonLines: { viaRows, transcoded },
    timestampDecimalNs: { limbs: twoLimbNs, bigint: bigintNs },
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

await main();
