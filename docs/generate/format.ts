import { format, resolveConfig } from 'prettier';

/** Markdown laid out as `prettier --check` expects it for `path`. */
export async function formatMarkdown(markdown: string, path: string): Promise<string> {
  const options = (await resolveConfig(path)) ?? {};
  return format(markdown, { ...options, parser: 'markdown', filepath: path });
}
