import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestOpsless } from '../test/support/opsless.ts';

describe('startOpsless', () => {
  it('gives the API the detector step once: /v1/info and a series without a step agree', async () => {
    const opsless = await startTestOpsless(
      { OPSLESS_DETECT_STEP: '10s' },
      { collector: false, api: true, detector: null },
    );
    try {
      const info = (await (await fetch(`${opsless.apiUrl}/v1/info`)).json()) as {
        stepSeconds: number;
      };
      const series = (await (
        await fetch(`${opsless.apiUrl}/v1/services/checkout/series?signal=request_rate&since=5m`)
      ).json()) as { stepSeconds: number };
      expect(info.stepSeconds).toBe(10);
      expect(series.stepSeconds).toBe(10);
    } finally {
      await opsless.stop();
    }
  });

  it('closes what it opened (storage, the OTLP receiver) when the API port is in use', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'opsless-start-'));
    const busy = await listening(0);
    const otlpPort = await freePort();
    const busyPort = (busy.address() as { port: number }).port;
    try {
      await expect(
        startTestOpsless({
          OPSLESS_DATA_DIR: folder,
          OPSLESS_OTLP_HTTP_PORT: String(otlpPort),
          OPSLESS_API_PORT: String(busyPort),
        }),
      ).rejects.toThrow(/OPSLESS_API_PORT/);
      // The folder's engine and the OTLP port were released: a second start gets both.
      const again = await startTestOpsless({
        OPSLESS_DATA_DIR: folder,
        OPSLESS_OTLP_HTTP_PORT: String(otlpPort),
      });
      await again.stop();
      expect(again.otlpHttpPort).toBe(otlpPort);
    } finally {
      busy.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

function listening(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function freePort(): Promise<number> {
  const server = await listening(0);
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
