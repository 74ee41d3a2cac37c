import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string) =>
  JSON.parse(readFileSync(new URL(path, root), 'utf8')) as Record<string, unknown>;

describe('package-lock.json', () => {
  // The registry these machines use serves only the linux-x64 build of chDB, so
  // `npm install` drops the other platforms from the lock and `npm ci` then refuses
  // to run. Their entries are kept by hand; this guards against losing them again.
  it('lists every platform build of chDB, so npm ci works on a clean clone', () => {
    const chdb = read('node_modules/chdb/package.json') as {
      optionalDependencies: Record<string, string>;
    };
    const lock = read('package-lock.json') as { packages: Record<string, { version?: string }> };
    for (const [name, version] of Object.entries(chdb.optionalDependencies)) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    }
  });
});
