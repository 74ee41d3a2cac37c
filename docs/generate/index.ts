export { GENERATED_DOCS, renderDoc, type GeneratedDoc } from './generated-docs.ts';
