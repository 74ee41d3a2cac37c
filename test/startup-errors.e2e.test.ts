import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpslessToExit, spawnOpsless, stopProcess } from '../harness/index.ts';

/** The failure must be one line of opsless's own, naming the variable; no stack trace. */
function expectOneClearLine(
  result: { code: number | null; stdout: string; stderr: string },
  pattern: RegExp,
) {
  expect(result.code, result.stderr).toBe(1);
  const ours = result.stderr.split('\n').filter((line) => line.startsWith('opsless: '));
  expect(ours, result.stderr).toHaveLength(1);
  expect(ours[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).not.toContain('is running');
}

// Each case starts the real CLI; on a busy machine that alone takes seconds.
describe('opsless start refuses to start, clearly', { timeout: 120_000 }, () => {
  let folder: string;
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'opsless-start-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => {
    busy.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('when a port is in use, naming the port variable', async () => {
    for (const variable of ['OPSLESS_API_PORT', 'OPSLESS_OTLP_HTTP_PORT']) {
      const result = await runOpslessToExit({
        OPSLESS_DATA_DIR: join(folder, `ports-${variable}`),
        [variable]: String(busyPort),
      });
      expectOneClearLine(
        result,
        new RegExp(
          `^opsless: ${variable}: port ${busyPort} on 127\\.0\\.0\\.1 is already in use;.*0 picks a free one`,
        ),
      );
    }
  });

  it('when OPSLESS_HOST does not resolve', async () => {
    const result = await runOpslessToExit({
      OPSLESS_DATA_DIR: join(folder, 'host'),
      OPSLESS_HOST: 'no-such-host.invalid',
    });
    expectOneClearLine(
      result,
      /^opsless: OPSLESS_HOST: "no-such-host\.invalid" does not resolve.*127\.0\.0\.1/,
    );
  });

  it('when the data folder cannot be written', async () => {
    const file = join(folder, 'a-file');
    writeFileSync(file, '');
    const result = await runOpslessToExit({ OPSLESS_DATA_DIR: join(file, 'data') });
    expectOneClearLine(
      result,
      /^opsless: OPSLESS_DATA_DIR: ".*a-file\/data" is not a folder opsless can write to \(ENOTDIR\); .*another folder/,
    );
  });

  it('when another opsless holds the data folder', async () => {
    const dataDir = join(folder, 'shared');
    const first = await spawnOpsless({ OPSLESS_DATA_DIR: dataDir });
    try {
      const second = await runOpslessToExit({ OPSLESS_DATA_DIR: dataDir });
      expectOneClearLine(
        second,
        /^opsless: OPSLESS_DATA_DIR: the embedded database in ".*shared" cannot be opened; another opsless is probably using it/,
      );
    } finally {
      await stopProcess(first.child);
    }
  });
});
