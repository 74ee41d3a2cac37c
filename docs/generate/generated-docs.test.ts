import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_DOCS, renderDoc } from './generated-docs.ts';

const repoRoot = new URL('../../', import.meta.url);

describe('generated docs', () => {
  for (const doc of GENERATED_DOCS) {
    it(`${doc.path} is what ${doc.source} generate (npm run docs rewrites it)`, async () => {
      const onDisk = readFileSync(new URL(doc.path, repoRoot), 'utf8');
      expect(onDisk, `${doc.path} is stale: run npm run docs`).toBe(await renderDoc(doc));
    });
  }

  it('documents every configuration variable and every API route', async () => {
    const configuration = await renderDoc(GENERATED_DOCS[0]!);
    expect(configuration).toContain('| `OPSLESS_DETECT_STEP`');
    expect(configuration).toMatch(/`OPSLESS_DETECT_STEP` +\| `1m` /);
    expect(configuration).toMatch(
      /`OPSLESS_WEBHOOK_RETRY_SCHEDULE` +\| `5s,5m,30m,2h,5h,10h,14h,20h,1d` /,
    );
    const api = await renderDoc(GENERATED_DOCS[1]!);
    expect(api).toContain('### GET /v1/services/{name}/series');
    expect(api).toContain('### PUT /v1/remediations/kill-switch');
  });
});
