/**
 * npm run check:package [-- --keep] — packs `opsless` and `@opsless/instrument`, installs each alone
 * into an empty folder from npm's cache (no network), and checks what a user would:
 * `npx opsless --help`, `npx opsless start` answering /healthz and the UI, and
 * `@opsless/instrument` under 80 MiB with no ClickHouse engine. Prints sizes; the last line
 * is `RESULT {json}`; exits 1 when a check fails.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { directoryBytes, installAloneOffline, packPackage } from './install.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** "80 MB" as `du -sh` counts it: in MiB. */
const INSTRUMENT_LIMIT_BYTES = 80 * 2 ** 20;
/** `--keep` leaves the folders for a look around (their path is printed). */
const keep = process.argv.includes('--keep');
const failures: string[] = [];
const check = (ok: boolean, what: string): void => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Disk usage as `du -sk` reports it (blocks, so many small files weigh more), in bytes. */
async function diskBytes(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', dir]);
  return Number(stdout.split('\t')[0]) * 1024;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `url` until it answers 200 or `deadlineMs` passes; the status seen last. */
async function waitFor(url: string, deadlineMs: number): Promise<number> {
  let status = 0;
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return status;
}

/** Installs one tarball alone into a new folder of `work`; prints and returns its sizes. */
async function installAndMeasure(
  work: string,
  workspace: string,
  name: string,
  tarball: string,
): Promise<{ dir: string; bytes: number; diskBytes: number }> {
  const dir = join(work, `${name.replace('/', '-')}-alone`);
  await mkdir(dir);
  const started = Date.now();
  await installAloneOffline({ repoRoot, workspace, name, tarball, dir });
  const installMs = Date.now() - started;
  const modules = join(dir, 'node_modules');
  const [bytes, onDisk] = [await directoryBytes(modules), await diskBytes(modules)];
  console.log(
    `${name} installed alone: ${mb(bytes)} MiB of files, ${mb(onDisk)} MiB on disk (du), ${installMs} ms`,
  );
  return { dir, bytes, diskBytes: onDisk };
}

const work = await mkdtemp(join(tmpdir(), 'opsless-check-package-'));
try {
  const opsless = await packPackage({ repoRoot, destination: work });
  const instrument = await packPackage({
    repoRoot,
    destination: work,
    workspace: 'packages/instrument',
  });
  console.log(
    `opsless tarball ${mb(opsless.bytes)} MiB (${opsless.files.length} files, ${mb(opsless.unpackedBytes)} MiB unpacked)`,
  );
  console.log(`@opsless/instrument tarball ${instrument.bytes} bytes`);

  const instrumentAlone = await installAndMeasure(
    work,
    'packages/instrument',
    '@opsless/instrument',
    instrument.path,
  );
  const { dir: instrumentDir, bytes: instrumentBytes, diskBytes: instrumentDisk } = instrumentAlone;
  check(instrumentBytes < INSTRUMENT_LIMIT_BYTES, '@opsless/instrument under 80 MiB of files');
  check(instrumentDisk < INSTRUMENT_LIMIT_BYTES, '@opsless/instrument under 80 MiB on disk');
  check(!existsSync(join(instrumentDir, 'node_modules/chdb')), '@opsless/instrument without chdb');
  const loads = await run(process.execPath, ['--import', '@opsless/instrument', '-e', ''], {
    cwd: instrumentDir,
    env: { PATH: process.env.PATH, OTEL_SDK_DISABLED: 'false' },
  }).then(
    () => true,
    () => false,
  );
  check(loads, 'node --import @opsless/instrument runs');

  const opslessAlone = await installAndMeasure(work, '', 'opsless', opsless.path);
  const { dir: opslessDir, bytes: opslessBytes, diskBytes: opslessDisk } = opslessAlone;
  // `--` so that npx hands --help to opsless instead of answering it itself.
  const help = await run('npx', ['--offline', '--no', '--', 'opsless', '--help'], {
    cwd: opslessDir,
  });
  check(help.stdout.includes('opsless start'), 'npx opsless --help');

  const [apiPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const server = spawn('npx', ['--offline', '--no', 'opsless', 'start'], {
    cwd: opslessDir,
    env: {
      PATH: process.env.PATH,
      OPSLESS_DATA_DIR: join(opslessDir, 'data'),
      OPSLESS_API_PORT: String(apiPort),
      OPSLESS_OTLP_HTTP_PORT: String(httpPort),
      OPSLESS_OTLP_GRPC_PORT: String(grpcPort),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const started = Date.now();
  const health = await waitFor(`http://127.0.0.1:${apiPort}/healthz`, 90_000);
  const startMs = Date.now() - started;
  check(health === 200, `npx opsless start answers /healthz (${startMs} ms)`);
  check((await waitFor(`http://127.0.0.1:${apiPort}/`, 5_000)) === 200, 'the UI answers /');
  const exited = new Promise((resolve) => server.once('exit', resolve));
  process.kill(-server.pid!, 'SIGTERM');
  await exited;

  console.log(
    `RESULT ${JSON.stringify({
      opslessTarballBytes: opsless.bytes,
      opslessFiles: opsless.files.length,
      opslessInstalledBytes: opslessBytes,
      opslessInstalledDiskBytes: opslessDisk,
      instrumentTarballBytes: instrument.bytes,
      instrumentInstalledBytes: instrumentBytes,
      instrumentInstalledDiskBytes: instrumentDisk,
      opslessStartMs: startMs,
      failures,
    })}`,
  );
} finally {
  if (keep) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
process.exitCode = failures.length === 0 ? 0 : 1;
