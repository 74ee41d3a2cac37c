import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { waitForMetric } from './support/metrics.ts';
import { makeSpans } from '../harness/index.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

interface SlowUpload {
  request: ClientRequest;
  /** The answer the server gave, once the socket has closed. */
  answered: Promise<{ status: number | undefined; body: string; closedByServer: boolean }>;
  stop(): void;
}

/** An upload that sends its headers, then one byte every `everyMs` of a 64 KiB body. */
function slowUpload(otlpUrl: string, everyMs: number): SlowUpload {
  const { port } = new URL(otlpUrl);
  const req = request({
    host: '127.0.0.1',
    port: Number(port),
    method: 'POST',
    path: '/v1/traces',
    headers: { 'content-type': 'application/x-protobuf', 'content-length': 65536 },
  });
  req.on('error', () => undefined); // the server closes the connection
  req.write(Buffer.alloc(1));
  let stopped = false;
  const trickle = setInterval(() => req.write(Buffer.alloc(1)), everyMs);
  const answered = new Promise<{
    status: number | undefined;
    body: string;
    closedByServer: boolean;
  }>((resolve) => {
    let response: IncomingMessage | undefined;
    let body = '';
    req.on('response', (res) => {
      response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
    });
    req.on('close', () => {
      clearInterval(trickle);
      resolve({ status: response?.statusCode, body, closedByServer: !stopped });
    });
  });
  return {
    request: req,
    answered,
    stop: () => {
      stopped = true;
      clearInterval(trickle);
      req.destroy();
    },
  };
}

describe('slow uploads beyond OPSLESS_MAX_CONCURRENT_REQUESTS', () => {
  let opsless: TestOpsless;
  let small: Uint8Array;

  beforeAll(async () => {
    opsless = await startTestOpsless({
      OPSLESS_MAX_CONCURRENT_REQUESTS: '4',
      OPSLESS_BODY_MIN_BYTES_PER_SECOND: '512',
    });
    small = ProtobufTraceSerializer.serializeRequest(
      await makeSpans({ spans: 10, serviceName: 'victim' }),
    )!;
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('never block a normal client, and are cut off with 408 for being slower than the least rate', async () => {
    const slow = Array.from({ length: 6 }, () => slowUpload(opsless.otlpUrl, 100));
    try {
      await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_uploads_in_progress', 6);
      const victim = await fetch(`${opsless.otlpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: small,
      });
      expect(victim.status).toBe(200);
      for (const answer of await Promise.all(slow.map((upload) => upload.answered))) {
        expect(answer.status).toBe(408);
        expect(answer.closedByServer).toBe(true);
        expect(answer.body).toContain('slower than 512 bytes/s');
      }
    } finally {
      for (const upload of slow) upload.stop();
    }
    await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_uploads_in_progress', 0);
  });
});

describe('an upload past OPSLESS_BODY_TIMEOUT_MS', () => {
  let opsless: TestOpsless;

  beforeAll(async () => {
    opsless = await startTestOpsless({
      OPSLESS_BODY_TIMEOUT_MS: '300',
      OPSLESS_BODY_MIN_BYTES_PER_SECOND: '0',
    });
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('gets 408 and its connection closed, and holds nothing afterwards', async () => {
    const upload = slowUpload(opsless.otlpUrl, 50);
    try {
      const answer = await upload.answered;
      expect(answer).toMatchObject({ status: 408, closedByServer: true });
      expect(answer.body).toContain('the body did not arrive within 300 ms');
    } finally {
      upload.stop();
    }
    await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_uploads_in_progress', 0);
    await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_queue_bytes', 0);
  });
});
