import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, relativeLinks } from './markdown-links.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const docsDir = join(repoRoot, 'docs');
const pages = [
  join(repoRoot, 'README.md'),
  join(repoRoot, 'CONTRIBUTING.md'),
  ...readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(docsDir, name)),
];

describe('links of README.md, CONTRIBUTING.md and docs/*.md', () => {
  it('finds the pages', () => {
    expect(pages.map((page) => relative(repoRoot, page))).toEqual(
      expect.arrayContaining(['README.md', 'docs/README.md', 'docs/configuration.md']),
    );
  });

  for (const page of pages) {
    it(`every relative link of ${relative(repoRoot, page)} resolves, anchors included`, () => {
      const broken: string[] = [];
      for (const { target, anchor } of relativeLinks(readFileSync(page, 'utf8'))) {
        const path = target === '' ? page : join(dirname(page), target);
        if (!existsSync(path)) {
          broken.push(`${target}: no such file`);
          continue;
        }
        if (anchor && path.endsWith('.md') && statSync(path).isFile()) {
          if (!anchorsOf(readFileSync(path, 'utf8')).has(anchor)) {
            broken.push(`${target}#${anchor}: no such heading`);
          }
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
