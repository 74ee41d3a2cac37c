/**
 * npm run docs — writes the generated pages of docs/ (configuration, API) from the code
 * they describe. A test fails while a page differs from what this would write.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GENERATED_DOCS, renderDoc } from './generated-docs.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
for (const doc of GENERATED_DOCS) {
  await writeFile(`${repoRoot}${doc.path}`, await renderDoc(doc));
  console.log(`wrote ${doc.path} from ${doc.source}`);
}
