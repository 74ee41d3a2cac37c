import { fileURLToPath } from 'node:url';
import { apiMarkdown } from './api.ts';
import { configurationMarkdown } from './configuration.ts';
import { formatMarkdown } from './format.ts';

/** A page of docs/ written by a program from the code it describes. */
export interface GeneratedDoc {
  /** Path from the repository root. */
  path: string;
  /** Where it comes from, for the message of a stale page. */
  source: string;
  render(): string;
}

export const GENERATED_DOCS: GeneratedDoc[] = [
  {
    path: 'docs/configuration.md',
    source: 'cli/config.ts and cli/config-reference.ts',
    render: configurationMarkdown,
  },
  { path: 'docs/api.md', source: 'api/openapi.ts', render: apiMarkdown },
];

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The page as it must be on disk: rendered, then laid out by Prettier. */
export async function renderDoc(doc: GeneratedDoc): Promise<string> {
  return formatMarkdown(doc.render(), `${repoRoot}${doc.path}`);
}
