import { describe, expect, it } from 'vitest';
import { anchorsOf, headingAnchor, relativeLinks } from './markdown-links.ts';

describe('markdown links', () => {
  it('lists relative links with their anchors and skips URLs, e-mail and code', () => {
    const page = [
      'See [config](configuration.md#opsless_data_dir) and [top](#a-tour), [site](https://x.org/a.md),',
      '[mail](mailto:a@b.c), `[not](code.md)` and [spaced](<my page.md>).',
      '```sh',
      'echo [nor](fenced.md)',
      '```',
    ].join('\n');
    expect(relativeLinks(page)).toEqual([
      { target: 'configuration.md', anchor: 'opsless_data_dir' },
      { target: '', anchor: 'a-tour' },
      { target: 'my page.md', anchor: undefined },
    ]);
  });

  it('derives GitHub anchors, numbering repeated headings', () => {
    expect(headingAnchor('See it work: the demo')).toBe('see-it-work-the-demo');
    expect(headingAnchor('`npm run bench:nab` (NAB)')).toBe('npm-run-benchnab-nab');
    expect([...anchorsOf('# A\n## Results\n```\n# not a heading\n```\n## Results\n')]).toEqual([
      'a',
      'results',
      'results-1',
    ]);
  });
});
