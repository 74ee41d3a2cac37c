export { createStorageClient, type StorageOptions } from './client.ts';
export { openStorage, type OpenStorageOptions, type Storage } from './open.ts';
export { migrate } from './migrate.ts';
export { migrations, type Migration, type SchemaOptions } from './schema.ts';
export type { AttributeMap, SpanRow } from './rows.ts';
export { ENTRY_SPAN_SQL, ERROR_SPAN_SQL } from './semconv.ts';
