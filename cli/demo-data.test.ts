import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_MARKER, prepareDemoData } from './demo-data.ts';
import { main } from './main.ts';

describe('the demo starts from fresh data', () => {
  const made: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsless-demo-data-'));
    made.push(dir);
    return dir;
  };
  afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('erases what an earlier run left in its own directory, and marks the directory as the demo’s', () => {
    const dir = join(scratch(), 'demo-data');
    expect(prepareDemoData({ dir, keep: false, owned: true })).toEqual({ ok: true, erased: false });
    writeFileSync(join(dir, 'old-part.bin'), 'history of the last run');
    expect(prepareDemoData({ dir, keep: false, owned: false })).toEqual({ ok: true, erased: true });
    expect(existsSync(join(dir, 'old-part.bin'))).toBe(false);
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(true);
  });

  it('erases ./demo-data of an earlier version (no marker yet) when the demo chose the directory', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'old-part.bin'), 'history of a run before the marker existed');
    expect(prepareDemoData({ dir, keep: false, owned: true })).toEqual({ ok: true, erased: true });
    expect(existsSync(join(dir, 'old-part.bin'))).toBe(false);
  });

  it('keeps the data with --keep-data', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'old-part.bin'), 'history of the last run');
    expect(prepareDemoData({ dir, keep: true, owned: true })).toEqual({ ok: true, erased: false });
    expect(existsSync(join(dir, 'old-part.bin'))).toBe(true);
  });

  it('never erases a directory of other data that OPSLESS_DATA_DIR points at, and says what to do', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'store'));
    const result = prepareDemoData({ dir, keep: false, owned: false });
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.message).toMatch(/--keep-data/);
    expect(existsSync(join(dir, 'store'))).toBe(true);
  });

  it('opsless demo refuses, before starting anything, to erase a foreign OPSLESS_DATA_DIR', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'other.bin'), 'not the demo’s');
    const errors: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      errors.push(String(text));
      return true;
    });
    vi.stubEnv('OPSLESS_DATA_DIR', dir);
    try {
      expect(await main(['demo'])).toBe(2);
    } finally {
      stderr.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(errors.join('')).toMatch(/holds data the demo did not write; pass --keep-data/);
    expect(existsSync(join(dir, 'other.bin'))).toBe(true);
  });
});
