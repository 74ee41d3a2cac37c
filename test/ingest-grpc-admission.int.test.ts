import { request } from 'node:http';
import { createRequire } from 'node:module';
import type * as Zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Client,
  compressionAlgorithms,
  credentials,
  Metadata,
  status as GrpcStatus,
  type ClientWritableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { grpcExport, TRACE_EXPORT } from './support/grpc.ts';
import { waitForMetric } from './support/metrics.ts';
import { makeSpans } from '../harness/index.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

const INGEST_KEY = 'admission-key';
// The zlib grpc-js inflates messages with (it requires the CommonJS module).
const zlib = createRequire(import.meta.url)('node:zlib') as typeof Zlib;

function gzipClient(opsless: TestOpsless): Client {
  return new Client(opsless.grpcUrl.replace('http://', ''), credentials.createInsecure(), {
    'grpc.default_compression_algorithm': compressionAlgorithms.gzip,
  });
}

function exportCall(client: Client, body: Uint8Array, key?: string): Promise<ServiceError | null> {
  return grpcExport(client, body, { key });
}

/** A call that sends its metadata and no message: it waits for its body. */
function stalledCall(client: Client): {
  call: ClientWritableStream<Buffer>;
  ended: Promise<ServiceError | null>;
} {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${INGEST_KEY}`);
  let call!: ClientWritableStream<Buffer>;
  const ended = new Promise<ServiceError | null>((resolve) => {
    call = client.makeClientStreamRequest(
      TRACE_EXPORT,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      metadata,
      (error) => resolve(error),
    );
  });
  return { call, ended };
}

describe('OTLP/gRPC admission from metadata', () => {
  let opsless: TestOpsless;
  let client: Client;
  let small: Uint8Array;
  const gunzips = vi.spyOn(zlib, 'createGunzip');

  beforeAll(async () => {
    opsless = await startTestOpsless({
      OPSLESS_INGEST_KEY: INGEST_KEY,
      OPSLESS_MAX_CONCURRENT_REQUESTS: '2',
      OPSLESS_MAX_BODY_BYTES: String(16 * 1024 * 1024),
    });
    client = gzipClient(opsless);
    small = ProtobufTraceSerializer.serializeRequest(
      await makeSpans({ spans: 5, serviceName: 'admitted' }),
    )!;
  });
  afterAll(async () => {
    client.close();
    gunzips.mockRestore();
    await opsless.stop();
  });

  it('refuses unauthenticated gzip calls with UNAUTHENTICATED and never inflates them', async () => {
    const zeros = new Uint8Array(15 * 1024 * 1024); // ~15 KiB once gzipped
    gunzips.mockClear();
    const errors = await Promise.all(
      Array.from({ length: 12 }, (_, i) => exportCall(client, zeros, i % 2 ? 'wrong' : undefined)),
    );
    expect(errors.map((error) => error?.code)).toEqual(Array(12).fill(GrpcStatus.UNAUTHENTICATED));
    expect(gunzips).not.toHaveBeenCalled();
    // The hook does see inflation: an authenticated gzip call goes through it.
    expect(await exportCall(client, small, INGEST_KEY)).toBeNull();
    expect(gunzips).toHaveBeenCalledTimes(1);
  });

  it('refuses a call beyond OPSLESS_MAX_CONCURRENT_REQUESTS with UNAVAILABLE before reading its message', async () => {
    const stalled = [stalledCall(client), stalledCall(client)];
    try {
      await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_requests_in_progress', 2);
      gunzips.mockClear();
      const error = await exportCall(client, small, INGEST_KEY);
      expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error?.details).toBe('too many requests in progress; retry later');
      expect(gunzips).not.toHaveBeenCalled();
    } finally {
      for (const { call } of stalled) call.cancel();
    }
    await Promise.all(stalled.map(({ ended }) => ended));
    await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_requests_in_progress', 0);
    expect(await exportCall(client, small, INGEST_KEY)).toBeNull();
  });

  it('applies OPSLESS_MAX_BODY_BYTES after inflating: a small gzip of a larger message gets RESOURCE_EXHAUSTED', async () => {
    const error = await exportCall(client, new Uint8Array(17 * 1024 * 1024), INGEST_KEY);
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/decompresses to a size larger than 16777216/);
  });
});

describe('an OTLP/gRPC call whose message does not come', () => {
  let opsless: TestOpsless;
  let client: Client;

  beforeAll(async () => {
    opsless = await startTestOpsless({
      OPSLESS_INGEST_KEY: INGEST_KEY,
      OPSLESS_BODY_TIMEOUT_MS: '200',
    });
    client = gzipClient(opsless);
  });
  afterAll(async () => {
    client.close();
    await opsless.stop();
  });

  it('ends with DEADLINE_EXCEEDED after OPSLESS_BODY_TIMEOUT_MS and gives its place back', async () => {
    const { call, ended } = stalledCall(client);
    try {
      const error = await ended;
      expect(error?.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(error?.details).toContain('OPSLESS_BODY_TIMEOUT_MS');
    } finally {
      call.cancel();
    }
    await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_requests_in_progress', 0);
  });
});

describe('an OTLP/gRPC call while the ingest queue has no room for a message', () => {
  let opsless: TestOpsless;
  let client: Client;

  beforeAll(async () => {
    opsless = await startTestOpsless({
      OPSLESS_QUEUE_MAX_BYTES: String(64 * 1024),
      OPSLESS_MAX_BODY_BYTES: String(32 * 1024),
      OPSLESS_BODY_MIN_BYTES_PER_SECOND: '0',
    });
    client = gzipClient(opsless);
  });
  afterAll(async () => {
    client.close();
    await opsless.stop();
  });

  it('is refused with UNAVAILABLE from its metadata, its message never inflated', async () => {
    // Two HTTP uploads hold 40 KiB of the 64 KiB queue: no room for a 32 KiB message.
    const { port } = new URL(opsless.otlpUrl);
    const uploads = ['/v1/traces', '/v1/logs'].map((path) => {
      const upload = request({
        host: '127.0.0.1',
        port: Number(port),
        method: 'POST',
        path,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': 30 * 1024 },
      });
      upload.on('error', () => undefined); // destroyed below
      upload.write(Buffer.alloc(20 * 1024));
      return upload;
    });
    const gunzips = vi.spyOn(zlib, 'createGunzip');
    try {
      await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_queue_bytes', 40 * 1024);
      const error = await grpcExport(client, new Uint8Array(1024));
      expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error?.details).toBe('ingest queue is full; retry later');
      expect(gunzips).not.toHaveBeenCalled();
    } finally {
      gunzips.mockRestore();
      for (const upload of uploads) upload.destroy();
    }
    await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_queue_bytes', 0);
    expect(await grpcExport(client, new Uint8Array(0))).toBeNull();
  });
});
