import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written into every data directory the demo starts afresh, so that a later run may erase it. */
export const DEMO_MARKER = '.opsless-demo';

export type DemoDataResult = { ok: true; erased: boolean } | { ok: false; message: string };

/**
 * Makes the demo start from fresh data: empties `dir` when the demo wrote it (its marker
 * is there) or chose it (`owned`: the default `./demo-data`), unless `keep`. A directory
 * of other data is never erased: the answer says what to do instead.
 */
export function prepareDemoData(options: {
  dir: string;
  keep: boolean;
  owned: boolean;
}): DemoDataResult {
  const { dir, keep, owned } = options;
  if (dir === ':memory:') return { ok: true, erased: false };
  if (keep) {
    mkdirSync(dir, { recursive: true });
    return { ok: true, erased: false };
  }
  const present = existsSync(dir) && readdirSync(dir).length > 0;
  if (present && !owned && !existsSync(join(dir, DEMO_MARKER))) {
    return {
      ok: false,
      message: `${dir} holds data the demo did not write; pass --keep-data to run on it as it is, or set OPSLESS_DATA_DIR to another directory`,
    };
  }
  if (present) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, DEMO_MARKER),
    'Written by `opsless demo`: the next demo run erases this directory (unless --keep-data).\n',
  );
  return { ok: true, erased: present };
}
