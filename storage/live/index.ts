export { createStorageClient, insertJsonEachRow } from '../client.ts';
export { openStorage } from '../open.ts';
export { migrate } from '../migrate.ts';
