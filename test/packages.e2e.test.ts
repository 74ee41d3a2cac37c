import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryBytes, installAloneOffline, packPackage } from '../packaging/index.ts';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const readJson = (path: string) =>
  JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as Record<string, unknown>;

const RELATIVE_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]|new URL\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*,\s*import\.meta\.url/g;

/**
 * Files of the repository that `entries` load at run time: relative imports, dynamic
 * imports and `new URL(…, import.meta.url)` (a folder as `dir/`), followed transitively.
 */
function reachableFrom(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.endsWith('/') || !/\.(ts|js)$/.test(file)) continue;
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const target = match[1] ?? match[2]!;
      const path = normalize(join(dirname(file), target));
      queue.push(target.endsWith('/') ? `${relative('.', path)}/` : relative('.', path));
    }
  }
  return seen;
}

describe('the opsless package', () => {
  let files: string[];
  beforeAll(async () => {
    ({ files } = await packPackage({ repoRoot, destination: tmpdir(), dryRun: true }));
  }, 60_000);

  it('ships no tests, benchmarks, fixtures, docs or packaging scripts', () => {
    const unwanted = files.filter((file) =>
      /\.test\.ts$|fixtures|^(test|bench|docs|packaging|\.ci)\//.test(file),
    );
    expect(unwanted).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['bin/opsless.js', 'README.md', 'package.json']));
  });

  it('ships every module the command, the demo, the UI and opsless/instrument load', () => {
    const exports = readJson('package.json').exports as Record<string, string>;
    const entries = [
      'bin/opsless.js',
      ...Object.values(exports).map((path) => relative('.', path)),
    ];
    const reachable = [...reachableFrom(entries)];
    expect(reachable.length).toBeGreaterThan(100);
    const missing = reachable.filter((path) =>
      path.endsWith('/') ? !files.some((file) => file.startsWith(path)) : !files.includes(path),
    );
    expect(missing).toEqual([]);
  });
});

describe('@opsless/instrument', () => {
  const manifest = readJson('packages/instrument/package.json') as {
    name: string;
    dependencies: Record<string, string>;
  };
  let work: string;
  let opsless: TestOpsless;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'opsless-instrument-alone-'));
    opsless = await startTestOpsless();
  }, 60_000);
  afterAll(async () => {
    await opsless?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('depends on OpenTelemetry packages only and ships its entry point', async () => {
    expect(manifest.name).toBe('@opsless/instrument');
    expect(
      Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@opentelemetry/')),
    ).toEqual([]);
    const { files } = await packPackage({
      repoRoot,
      destination: tmpdir(),
      workspace: 'packages/instrument',
      dryRun: true,
    });
    expect(files.sort()).toEqual(['README.md', 'index.js', 'package.json']);
  });

  it('installs alone into an empty folder offline, under 80 MB without a ClickHouse engine, and instruments an app', async () => {
    const tarball = await packPackage({
      repoRoot,
      destination: work,
      workspace: 'packages/instrument',
    });
    const app = join(work, 'app');
    await mkdir(app);
    await installAloneOffline({
      repoRoot,
      workspace: 'packages/instrument',
      name: manifest.name,
      tarball: tarball.path,
      dir: app,
    });
    const modules = join(app, 'node_modules');
    expect(await directoryBytes(modules)).toBeLessThan(80 * 2 ** 20);
    for (const engine of ['chdb', '@clickhouse', 'opsless']) {
      expect(existsSync(join(modules, engine)), engine).toBe(false);
    }

    // A plain node:http service that answers one request to itself, then stops as an
    // orchestrator would stop it (SIGTERM): the helper flushes its spans first.
    await writeFile(
      join(app, 'app.mjs'),
      `import http from 'node:http';
const server = http.createServer((request, response) => response.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  await (await fetch('http://127.0.0.1:' + server.address().port + '/hello')).text();
  process.kill(process.pid, 'SIGTERM');
});
`,
    );
    const child = spawn(process.execPath, ['--import', '@opsless/instrument', 'app.mjs'], {
      cwd: app,
      env: {
        PATH: process.env.PATH,
        OPSLESS_ENDPOINT: opsless.otlpUrl,
        OTEL_SERVICE_NAME: 'alone',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const signal = await new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    expect(stderr).toBe('');
    expect(signal).toBe('SIGTERM');

    const spans = await rows<{ name: string; target: string }>(
      opsless.clickhouse,
      `SELECT SpanName AS name, SpanAttributes['url.path'] AS target FROM otel_traces
       WHERE ServiceName = 'alone' AND SpanKind = 'Server'`,
    );
    expect(spans).toEqual([{ name: 'GET', target: '/hello' }]);
  }, 240_000);
});
