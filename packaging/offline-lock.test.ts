import { describe, expect, it } from 'vitest';
import { caretOrTildeAllows, offlineLockFor, type Lockfile } from './offline-lock.ts';

describe('caretOrTildeAllows', () => {
  it('follows npm for exact, caret and tilde ranges, and refuses other forms', () => {
    expect(caretOrTildeAllows('2.12.0', '2.12.0')).toBe(true);
    expect(caretOrTildeAllows('2.12.0', '2.12.1')).toBe(false);
    expect(caretOrTildeAllows('^2.0.0', '2.12.1')).toBe(true);
    expect(caretOrTildeAllows('^2.12.1', '2.12.0')).toBe(false);
    expect(caretOrTildeAllows('^2.0.0', '3.0.0')).toBe(false);
    expect(caretOrTildeAllows('^0.223.0', '0.223.1')).toBe(true);
    expect(caretOrTildeAllows('^0.223.0', '0.224.0')).toBe(false);
    expect(caretOrTildeAllows('^0.0.3', '0.0.4')).toBe(false);
    expect(caretOrTildeAllows('~1.2.3', '1.2.9')).toBe(true);
    expect(caretOrTildeAllows('~1.2.3', '1.3.0')).toBe(false);
    expect(caretOrTildeAllows('>=1.0.0', '1.0.0')).toBe(false);
    expect(caretOrTildeAllows('^1.0.0', '1.1.0-beta.1')).toBe(false);
  });
});

/** A repository whose root forced `core@2.1.0` to the top, so the workspace's pin is nested. */
const rootLock: Lockfile = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'repo', workspaces: ['packages/lib'], dependencies: { core: '^2.1.0' } },
    'node_modules/core': { version: '2.1.0', integrity: 'sha512-core210' },
    'node_modules/lib': { resolved: 'packages/lib', link: true },
    'node_modules/sdk': {
      version: '1.0.0',
      integrity: 'sha512-sdk',
      dependencies: { core: '2.0.0', helper: '^1.0.0' },
      dev: true,
    },
    'node_modules/sdk/node_modules/core': { version: '2.0.0', integrity: 'sha512-core200' },
    'node_modules/helper': {
      version: '1.2.0',
      integrity: 'sha512-helper',
      dependencies: { core: '^2.0.0' },
      peerDependencies: { missing: '^1.0.0' },
      peerDependenciesMeta: { missing: { optional: true } },
    },
    'packages/lib': {
      name: 'lib',
      version: '0.1.0',
      dependencies: { sdk: '1.0.0', core: '2.0.0' },
    },
    'packages/lib/node_modules/core': { version: '2.0.0', integrity: 'sha512-core200' },
  },
};

describe('offlineLockFor', () => {
  const lock = offlineLockFor({
    rootLock,
    workspace: 'packages/lib',
    name: 'lib',
    spec: 'file:/tmp/lib-0.1.0.tgz',
    integrity: 'sha512-tarball',
  });

  it('lays the workspace out as a fresh install would: one core, hoisted, reused by the caret range', () => {
    expect(Object.keys(lock.packages).sort()).toEqual([
      '',
      'node_modules/core',
      'node_modules/helper',
      'node_modules/lib',
      'node_modules/sdk',
    ]);
    expect(lock.packages['node_modules/core']?.version).toBe('2.0.0');
    expect(lock.packages['']?.dependencies).toEqual({ lib: 'file:/tmp/lib-0.1.0.tgz' });
    expect(lock.packages['node_modules/lib']).toMatchObject({
      version: '0.1.0',
      resolved: 'file:/tmp/lib-0.1.0.tgz',
      integrity: 'sha512-tarball',
    });
    expect(lock.packages['node_modules/lib']?.name).toBeUndefined();
    expect(lock.packages['node_modules/sdk']?.dev).toBeUndefined();
  });

  it('names a dependency the repository lock lacks', () => {
    const broken = structuredClone(rootLock);
    delete broken.packages['node_modules/helper'];
    expect(() =>
      offlineLockFor({
        rootLock: broken,
        workspace: 'packages/lib',
        name: 'lib',
        spec: 'x',
        integrity: 'y',
      }),
    ).toThrow('package-lock.json lacks helper, needed by node_modules/sdk');
  });
});
