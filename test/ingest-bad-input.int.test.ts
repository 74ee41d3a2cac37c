import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { makeSpans } from '../harness/index.ts';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

const MAX_BODY = 256 * 1024;
const INGEST_KEY = 'ingest-test-key';

// Reference decoders for the answers, independent of opsless's own encoders.
const Status = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));
const PartialSuccess = new protobuf.Type('ExportTracePartialSuccess')
  .add(new protobuf.Field('rejectedSpans', 1, 'int64'))
  .add(new protobuf.Field('errorMessage', 2, 'string'));
const ExportResponse = new protobuf.Type('ExportTraceServiceResponse').add(
  new protobuf.Field('partialSuccess', 1, 'ExportTracePartialSuccess'),
);
new protobuf.Root().add(Status).add(PartialSuccess).add(ExportResponse);

describe('OTLP/HTTP receiver with bad input', () => {
  let opsless: TestOpsless;
  let valid: Uint8Array;

  beforeAll(async () => {
    opsless = await startTestOpsless({
      OPSLESS_MAX_BODY_BYTES: String(MAX_BODY),
      OPSLESS_INGEST_KEY: INGEST_KEY,
    });
    valid = ProtobufTraceSerializer.serializeRequest(
      await makeSpans({ spans: 20, serviceName: 'valid' }),
    )!;
  });
  afterAll(async () => {
    await opsless.stop();
  });

  function post(
    body: Uint8Array | string,
    headers: Record<string, string> = {},
    path = '/v1/traces',
    method = 'POST',
  ) {
    return fetch(`${opsless.otlpUrl}${path}`, {
      method,
      body: method === 'POST' ? body : undefined,
      headers: {
        'content-type': 'application/x-protobuf',
        authorization: `Bearer ${INGEST_KEY}`,
        ...headers,
      },
    });
  }

  async function protobufStatus(response: Response) {
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    return Status.toObject(Status.decode(new Uint8Array(await response.arrayBuffer()))) as {
      code: number;
      message: string;
    };
  }

  async function storedCount(): Promise<number> {
    const [row] = await rows<{ n: string }>(
      opsless.clickhouse,
      'SELECT count() AS n FROM otel_traces',
    );
    return Number(row!.n);
  }

  it('rejects a truncated protobuf with 400, a Status naming the problem, and stores nothing', async () => {
    const response = await post(valid.slice(0, valid.length - 7));
    expect(response.status).toBe(400);
    const status = await protobufStatus(response);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/truncated/);
    expect(await storedCount()).toBe(0);
  });

  it('rejects garbage bytes with 400', async () => {
    const garbage = new Uint8Array(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    const response = await post(garbage);
    expect(response.status).toBe(400);
    expect((await protobufStatus(response)).message.length).toBeGreaterThan(0);
  });

  it('rejects invalid JSON with 400 and a JSON Status', async () => {
    const response = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { code: number; message: string };
    expect(body.code).toBe(3);
    expect(body.message).toMatch(/JSON/i);
  });

  it('rejects another content type with 415 naming the accepted ones', async () => {
    const response = await post('hello', { 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toContain(
      'application/x-protobuf or application/json',
    );
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await post(new Uint8Array(MAX_BODY + 1));
    expect(response.status).toBe(413);
    expect((await protobufStatus(response)).message).toContain(`larger than ${MAX_BODY} bytes`);
  });

  it('rejects a gzip bomb (small compressed, huge decompressed) with 413', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const response = await post(bomb, { 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
  });

  it('rejects a body that claims gzip but is not, with 400', async () => {
    const response = await post(valid, { 'content-encoding': 'gzip' });
    expect(response.status).toBe(400);
    expect((await protobufStatus(response)).message).toMatch(/gzip/);
  });

  it('answers 401 without the ingest key and stores nothing', async () => {
    const response = await post(valid, { authorization: 'Bearer nope' });
    expect(response.status).toBe(401);
    expect((await protobufStatus(response)).message).toContain('ingest key');
    expect(await storedCount()).toBe(0);
  });

  it('answers 404 for an unknown path and 405 for GET', async () => {
    expect((await post(valid, {}, '/v1/nothing')).status).toBe(404);
    const get = await post(valid, {}, '/v1/traces', 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('stores the valid spans of a request and reports the invalid ones as partial success', async () => {
    const span = (traceId: string, name: string) => ({
      traceId,
      spanId: '00f067aa0ba902b7',
      name,
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000500000000',
    });
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] },
          scopeSpans: [
            { spans: [span('4bf92f3577b34da6a3ce929d0e0e4736', 'good'), span('abc', 'bad')] },
          ],
        },
      ],
    });
    const response = await post(body, { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      partialSuccess: { rejectedSpans: number | string; errorMessage: string };
    };
    expect(Number(answer.partialSuccess.rejectedSpans)).toBe(1);
    expect(answer.partialSuccess.errorMessage).toMatch(/trace/i);
    const stored = await rows<{ SpanName: string }>(
      opsless.clickhouse,
      "SELECT SpanName FROM otel_traces WHERE ServiceName = 'partial'",
    );
    expect(stored).toEqual([{ SpanName: 'good' }]);
  });

  it('keeps serving: a valid request after all of the above is stored and answered with an empty response', async () => {
    const response = await post(gzipSync(valid), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    const answer = ExportResponse.decode(new Uint8Array(await response.arrayBuffer()));
    expect(ExportResponse.toObject(answer)).toEqual({});
    const [row] = await rows<{ n: string }>(
      opsless.clickhouse,
      "SELECT count() AS n FROM otel_traces WHERE ServiceName = 'valid'",
    );
    expect(Number(row!.n)).toBe(20);
  });
});
