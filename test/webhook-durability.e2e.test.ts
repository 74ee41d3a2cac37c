import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { spawnOpsless, stopProcess, type OpslessProcess } from '../harness/index.ts';

/** A free port, closed again: the subscriber is down until it listens there. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('webhook deliveries survive a crash', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsless-webhooks-'));
  let opsless: OpslessProcess | undefined;
  let receiver: Server | undefined;
  afterAll(async () => {
    if (opsless) await stopProcess(opsless.child);
    if (receiver) await new Promise((resolve) => receiver!.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers, after a SIGKILL and a restart, what was pending, with the same webhook-id', async () => {
    const port = await freePort();
    const env = { OPSLESS_DATA_DIR: dataDir, OPSLESS_WEBHOOK_ALLOW: '127.0.0.1' };
    opsless = await spawnOpsless(env);
    const api = `http://127.0.0.1:${opsless.apiPort}`;
    const created = (await (
      await fetch(`${api}/v1/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook`, events: ['webhook.test'] }),
      })
    ).json()) as { id: string; secret: string };
    const queued = (await (
      await fetch(`${api}/v1/webhooks/${created.id}/test`, { method: 'POST' })
    ).json()) as { id: string };
    // The subscriber is down: wait for the first failed attempt to be recorded.
    for (let i = 0; i < 100; i++) {
      const { deliveries } = (await (
        await fetch(`${api}/v1/webhooks/${created.id}/deliveries`)
      ).json()) as { deliveries: Array<{ attempts: number; status: string }> };
      if (deliveries[0]!.attempts > 0) {
        expect(deliveries[0]!.status).toBe('pending');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stopProcess(opsless.child, 'SIGKILL');

    const received: Array<{ headers: Record<string, string>; body: string }> = [];
    const arrived = new Promise<void>((resolve) => {
      receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          received.push({ headers: request.headers as Record<string, string>, body });
          response.end();
          resolve();
        });
      });
      receiver.listen(port, '127.0.0.1');
    });
    opsless = await spawnOpsless(env);
    await arrived; // the first retry comes about 5 s after the failed attempt
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['webhook-id']).toBe(queued.id);
    expect(
      new Webhook(created.secret).verify(received[0]!.body, received[0]!.headers),
    ).toMatchObject({
      type: 'webhook.test',
    });
  }, 60_000);
});
