/**
 * Packs the repository's packages and installs one alone into an empty folder, as a user
 * would, but from npm's cache only (`npm ci --offline` with a lock cut from the
 * repository's), so tests and checks never reach the network.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, lstat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { offlineLockFor, type Lockfile } from './offline-lock.ts';

const run = promisify(execFile);

/** What `npm pack` made. */
export interface PackedTarball {
  /** Absolute path of the .tgz. */
  path: string;
  /** Size of the .tgz in bytes. */
  bytes: number;
  /** Size of its files unpacked, in bytes. */
  unpackedBytes: number;
  /** Paths inside the package, e.g. `bin/opsless.js`. */
  files: string[];
}

interface NpmPackEntry {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

/**
 * `npm pack` of the repository root (or of `workspace`, e.g. `packages/instrument`) into
 * `destination`; with `dryRun`, lists the files without writing a tarball.
 */
export async function packPackage(options: {
  repoRoot: string;
  destination: string;
  workspace?: string;
  dryRun?: boolean;
}): Promise<PackedTarball> {
  const args = ['pack', '--json', '--pack-destination', options.destination];
  if (options.workspace) args.push('--workspace', options.workspace);
  if (options.dryRun) args.push('--dry-run');
  const { stdout } = await run('npm', args, { cwd: options.repoRoot, maxBuffer: 16 << 20 });
  const [entry] = JSON.parse(stdout) as NpmPackEntry[];
  if (!entry) throw new Error(`npm ${args.join(' ')} reported no package`);
  return {
    path: join(options.destination, basename(entry.filename)),
    bytes: entry.size,
    unpackedBytes: entry.unpackedSize,
    files: entry.files.map((file) => file.path),
  };
}

/**
 * Installs `tarball` (packed from `workspace`, `''` for the root) alone into the empty
 * folder `dir` with `npm ci --offline`. Throws with npm's output when that fails, e.g.
 * when npm's cache lacks a package (any `npm install` or `npm ci` of the repository fills it).
 */
export async function installAloneOffline(options: {
  repoRoot: string;
  workspace: string;
  name: string;
  tarball: string;
  dir: string;
}): Promise<void> {
  const { repoRoot, workspace, name, tarball, dir } = options;
  const bytes = await readFile(tarball);
  const spec = `file:${tarball}`;
  const rootLock = JSON.parse(
    await readFile(join(repoRoot, 'package-lock.json'), 'utf8'),
  ) as Lockfile;
  const lock = offlineLockFor({
    rootLock,
    workspace,
    name,
    spec,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
  });
  const manifest = { name: 'offline-install', private: true, dependencies: { [name]: spec } };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  try {
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ci --offline of ${name} in ${dir} failed:\n${stdout}${stderr}`);
  }
}

/** Bytes of every file under `dir` (their lengths, as `du --apparent-size` counts them). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}
