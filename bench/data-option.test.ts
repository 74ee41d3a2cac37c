import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LOGHUB_2K, PETSHOP, requireDataDir, type CorpusSource } from './data-option.ts';

const corpus: CorpusSource = {
  name: 'Example',
  source: 'example.org/corpus',
  licence: 'CC-BY-4.0',
  expects: ['HDFS/HDFS_2k.log'],
};

/** Runs requireDataDir with captured stderr; exit throws so the test sees the code. */
function run(value: string | undefined): { dir?: string; code?: number; stderr: string } {
  let stderr = '';
  const io = {
    stderr: { write: (text: string) => (stderr += text) },
    exit: (code: number): never => {
      throw Object.assign(new Error('exit'), { code });
    },
  };
  try {
    return { dir: requireDataDir(value, corpus, io), stderr };
  } catch (error) {
    return { code: (error as { code: number }).code, stderr };
  }
}

const root = mkdtempSync(join(tmpdir(), 'opsless-data-option-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('requireDataDir', () => {
  it('without --data names the corpus, its public source and licence, and exits 2', () => {
    for (const value of [undefined, '', '  ']) {
      const result = run(value);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--data DIR is required');
      expect(result.stderr).toContain('Example corpus');
      expect(result.stderr).toContain('example.org/corpus');
      expect(result.stderr).toContain('CC-BY-4.0');
    }
  });

  it('exits 2 naming the path when DIR is missing, a file, or lacks an expected entry', () => {
    const file = join(root, 'file.txt');
    writeFileSync(file, 'x');
    expect(run(join(root, 'missing'))).toMatchObject({ code: 2 });
    expect(run(join(root, 'missing')).stderr).toContain(join(root, 'missing'));
    expect(run(file)).toMatchObject({ code: 2 });
    const result = run(root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(root, 'HDFS/HDFS_2k.log'));
  });

  it('returns the absolute directory when it holds what the corpus expects', () => {
    mkdirSync(join(root, 'HDFS'));
    writeFileSync(join(root, 'HDFS/HDFS_2k.log'), 'line\n');
    expect(run(root)).toEqual({ dir: root, stderr: '' });
  });

  it('describes the two external corpora by their public source', () => {
    expect(LOGHUB_2K.source).toContain('logpai/logparser');
    expect(PETSHOP.source).toContain('amazon-science/petshop-root-cause-analysis');
  });

  it('really ends a benchmark process with exit code 2', () => {
    // .mts: outside a package of type module, tsx would read a .ts file as CommonJS.
    const script = join(root, 'bench.mts');
    const helper = fileURLToPath(new URL('./data-option.ts', import.meta.url));
    writeFileSync(
      script,
      `import { requireDataDir, PETSHOP } from ${JSON.stringify(helper)};\n` +
        `requireDataDir(process.argv[2], PETSHOP);\nconsole.log('ran without data');\n`,
    );
    const runTs = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));
    const child = spawnSync(process.execPath, [runTs, script], { encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toContain('PetShop root-cause dataset');
  });
});
