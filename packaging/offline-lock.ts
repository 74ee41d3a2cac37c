/**
 * A package-lock.json for a folder that installs one packed workspace package alone,
 * cut from the repository's own lock: the same versions and integrities, so `npm ci
 * --offline` can install it from npm's cache without asking the registry anything.
 */

/** One entry of a lockfile-v3 `packages` map. */
export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** The parts of a lockfile v3 this module reads and writes. */
export interface Lockfile {
  name?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** Folders a package at `location` searches for a dependency, nearest first (Node's rule). */
function searchPath(location: string): string[] {
  const folders: string[] = [];
  let current = location;
  for (;;) {
    folders.push(current);
    const cut = current.lastIndexOf('/node_modules/');
    if (cut < 0) break;
    current = current.slice(0, cut);
  }
  if (location !== '') folders.push('');
  return [...new Set(folders)];
}

/** Where `name` resolves from `location` in `packages`, or undefined when it is absent. */
function resolveFrom(
  packages: Record<string, LockEntry>,
  location: string,
  name: string,
): string | undefined {
  for (const folder of searchPath(location)) {
    const candidate = `${folder === '' ? '' : `${folder}/`}node_modules/${name}`;
    if (packages[candidate]) return candidate;
  }
  return undefined;
}

/** What a package needs installed beside it: dependencies, present optionals, required peers. */
function neededNames(entry: LockEntry): Array<{ name: string; optional: boolean }> {
  const needed = Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false }));
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    needed.push({ name, optional: true });
  }
  for (const name of Object.keys(entry.peerDependencies ?? {})) {
    needed.push({ name, optional: entry.peerDependenciesMeta?.[name]?.optional === true });
  }
  return needed;
}

export interface OfflineLockOptions {
  /** The repository's package-lock.json, parsed. */
  rootLock: Lockfile;
  /** The workspace's folder in the repository, e.g. `packages/instrument` (`''`: the root). */
  workspace: string;
  /** Its package name, e.g. `@opsless/instrument`. */
  name: string;
  /** The tarball as the new folder's package.json names it, e.g. `file:pkg.tgz`. */
  spec: string;
  /** The tarball's `sha512-…` integrity. */
  integrity: string;
}

/**
 * The lock of a folder whose package.json depends on `spec` only: every package the
 * workspace needs, at the version the repository's lock resolves it to, laid out as a
 * fresh install would lay it out (hoisted unless two versions meet), not in the shape the
 * repository's other dependencies forced on it. Throws naming a dependency that the
 * repository's lock lacks (run `npm install` first).
 */
export function offlineLockFor(options: OfflineLockOptions): Lockfile {
  const { rootLock, workspace, name, spec, integrity } = options;
  const source = rootLock.packages;
  const workspaceEntry = source[workspace];
  if (!workspaceEntry) throw new Error(`package-lock.json has no workspace ${workspace}`);

  // What the repository's lock says about itself, not about the published package.
  const {
    name: _name,
    workspaces: _workspaces,
    devDependencies: _devDependencies,
    ...published
  } = workspaceEntry;
  const placed: Record<string, LockEntry> = {
    '': { name: 'offline-install', dependencies: { [name]: spec } },
    [`node_modules/${name}`]: { ...published, resolved: spec, integrity },
  };
  /** Repository location of what each new location holds. */
  const origin = new Map<string, string>([[`node_modules/${name}`, workspace]]);
  const queue: string[] = [`node_modules/${name}`];
  const edges: Array<{ from: string; dependency: string; range: string; wanted: string }> = [];
  while (queue.length > 0) {
    const at = queue.shift()!;
    const from = origin.get(at)!;
    for (const { name: dependency, optional } of neededNames(source[from]!)) {
      const wanted = resolveFrom(source, from, dependency);
      if (!wanted) {
        if (optional) continue;
        throw new Error(`package-lock.json lacks ${dependency}, needed by ${from}`);
      }
      const range = declaredRange(source[from]!, dependency);
      const found = resolveFrom(placed, at, dependency);
      // What a fresh install does: a version already in reach that fits the range is reused.
      const reusable =
        found !== undefined &&
        (sameRelease(source[origin.get(found)!]!, source[wanted]!) ||
          caretOrTildeAllows(range, placed[found]!.version ?? ''));
      edges.push({ from: at, dependency, range, wanted: reusable ? origin.get(found)! : wanted });
      if (reusable) continue;
      // Hoisted when the name is free at the top, else nested under the one that needs it.
      const top = `node_modules/${dependency}`;
      const location = found || placed[top] ? `${at}/node_modules/${dependency}` : top;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = source[wanted]!;
      placed[location] = kept;
      origin.set(location, wanted);
      queue.push(location);
    }
  }
  // A later nesting can shadow what an earlier package resolved: check every edge again.
  for (const { from, dependency, range, wanted } of edges) {
    const found = resolveFrom(placed, from, dependency);
    const fits =
      found !== undefined &&
      (sameRelease(source[origin.get(found)!]!, source[wanted]!) ||
        caretOrTildeAllows(range, placed[found]!.version ?? ''));
    if (!fits) {
      throw new Error(`cannot lay out ${dependency} for ${from} without a conflict`);
    }
  }
  return { name: 'offline-install', lockfileVersion: 3, requires: true, packages: placed };
}

function sameRelease(a: LockEntry, b: LockEntry): boolean {
  return a.version === b.version && a.integrity === b.integrity;
}

function declaredRange(entry: LockEntry, name: string): string {
  return (
    entry.dependencies?.[name] ??
    entry.optionalDependencies?.[name] ??
    entry.peerDependencies?.[name] ??
    ''
  );
}

const RELEASE = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * Whether `version` satisfies `range` when the range is an exact version, `^x.y.z` or
 * `~x.y.z` (npm's rules, no pre-releases); false for any other form, which then keeps the
 * repository's own resolution.
 */
export function caretOrTildeAllows(range: string, version: string): boolean {
  const have = RELEASE.exec(version)?.slice(1).map(Number);
  const operator = range.startsWith('^') ? '^' : range.startsWith('~') ? '~' : '';
  const floor = RELEASE.exec(range.slice(operator.length).trim())?.slice(1).map(Number);
  if (!have || !floor) return false;
  const [major, minor, patch] = have as [number, number, number];
  const [fMajor, fMinor, fPatch] = floor as [number, number, number];
  const atLeast =
    major > fMajor ||
    (major === fMajor && (minor > fMinor || (minor === fMinor && patch >= fPatch)));
  if (!atLeast) return false;
  if (operator === '') return major === fMajor && minor === fMinor && patch === fPatch;
  if (operator === '~') return major === fMajor && minor === fMinor;
  // Caret: the left-most non-zero part stays fixed.
  if (fMajor > 0) return major === fMajor;
  if (fMinor > 0) return major === 0 && minor === fMinor;
  return major === 0 && minor === 0 && patch === fPatch;
}
